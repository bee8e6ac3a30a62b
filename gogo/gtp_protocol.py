"""GTP version 2 text: line preprocessing, responses, argument parsing and vertex lists.

Shared by the engine (gogo.gtp_engine) and its command mixins (gogo.analysis); no state here.
"""
import math
import re

import numpy as np

from gogo import rules
from gogo.board import BLACK, WHITE, GTP_COLUMNS

COLORS = {"b": BLACK, "black": BLACK, "w": WHITE, "white": WHITE}


class GtpError(Exception):
    """A failure answered as '? message'."""


def preprocess(line):
    """GTP 2 section 3.1 preprocessing of one line: drop control characters other than HT and
    LF, cut the comment from '#', turn HT into a space; '' for a line to skip."""
    line = "".join(ch for ch in line if ch in "\t\n" or (32 <= ord(ch) != 127))
    line = line.split("#", 1)[0].replace("\t", " ")
    return line.strip()


_ID = re.compile(r"[0-9]+")


def split_id(line):
    """(id or None, words) of a preprocessed non-empty line; `words` is empty for an id alone."""
    words = line.split()
    if _ID.fullmatch(words[0]):
        return int(words[0]), words[1:]
    return None, words


def format_response(ok, text, ident=None):
    """'=id text\\n\\n' or '?id text\\n\\n'; empty lines inside `text` are dropped, as a
    response must not contain one before its end."""
    lines = [ln.rstrip() for ln in str(text).splitlines()]
    if len(lines) > 1:
        lines = lines[:1] + [ln for ln in lines[1:] if ln.strip()]
    body = "\n".join(lines)
    return f"{'=' if ok else '?'}{'' if ident is None else ident} {body}\n\n"


def parse_color(text):
    try:
        return COLORS[text.lower()]
    except KeyError:
        raise GtpError("syntax error") from None


_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def parse_int(text, minimum=None):
    if not _INT.fullmatch(text) or len(text) > 12:
        raise GtpError("syntax error")
    value = int(text)
    if minimum is not None and value < minimum:
        raise GtpError("syntax error")
    return value


def parse_float(text, minimum=None):
    if not _FLOAT.fullmatch(text):
        raise GtpError("syntax error")
    value = float(text)
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        raise GtpError("syntax error")
    return value


def vertex_order(board, points):
    """Points sorted as GNU Go lists them: top row first, left to right."""
    stride = board.size + 2
    return sorted(points, key=lambda p: (-(p // stride), p % stride))


_VERTEX_NAMES = {}


def vertex_names(size):
    """GTP vertex of every padded-array point of a size x size board ('' off the board)."""
    if size not in _VERTEX_NAMES:
        stride = size + 2
        names = [""] * (stride * stride)
        for row in range(size):
            for col in range(size):
                names[(row + 1) * stride + col + 1] = f"{GTP_COLUMNS[col]}{row + 1}"
        _VERTEX_NAMES[size] = names
    return _VERTEX_NAMES[size]


def stones_in_order(board, color):
    """The stones of `color`, top row first, left to right (as GNU Go's list_stones)."""
    stride = board.size + 2
    points = np.flatnonzero(board.grid[rules.COLOR] == color)
    # padded points run bottom row first; reverse the rows, keep the columns in order
    return sorted(points.tolist(), key=lambda p: (-(p // stride), p))

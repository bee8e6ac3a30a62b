"""GTP version 2 text: line preprocessing, responses, argument parsing and vertex lists.

Shared by the engine (gogo.gtp.engine) and its analysis commands (gogo.gtp.analysis); no state
here.
"""
import functools
import math
import re

from gogo import coords
from gogo.go.board import BLACK, PASS, WHITE

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


@functools.cache
def vertex_names(size):
    """The GTP vertex of every point of a size x size board, and of PASS."""
    return {PASS: "pass", **{p: coords.vertex(p, size) for p in coords.board_points(size)}}


def stones_in_order(board, color):
    """The stones of `color`, top row first, left to right (as GNU Go's list_stones)."""
    return coords.display_order(board.stones(color), board.size)

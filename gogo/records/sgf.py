"""Go game records in SGF, read and written through sgfmill.

Reading
    read_game(path_or_bytes)      one game (the first of a collection)
    read_games(path_or_bytes)     every game of a collection
    parse_games(data, source)     GameRecord or GameError for every game of one file's bytes
Replaying
    replay(record)                a Board with the setup and every move played; GameError if illegal
Writing
    write_game(record_or_board)   SGF bytes (FF[4], CA[UTF-8])

Files, folders and archives in bulk: gogo.sgf_sources. A file holding a collection of several
games gives 'file.sgf#2' (1-based) as the `source` of its games.

Charset: the CA[] property of the game when it names a codec Python knows; else UTF-8 if the file's
bytes decode as UTF-8; else ISO-8859-1 (Latin-1). Text that does not decode in the chosen charset is
read with replacement characters rather than rejected (only names and comments are text; moves are
ASCII). GB2312 and GBK are decoded as GB18030, their superset, as files labelled GB2312 often hold GBK.

Only the main line (the first variation at every branch) is the game. AB/AW/AE before the first move
(in the root or in the nodes after it) form the setup position; setup after the first move is rejected.

Rules: SGF game records are mostly played under Japanese (or Korean) rules, which have no positional
superko, and a real game may repeat a position (triple ko, sending-two-returning-one). So `replay`
uses simple ko by default (superko=False); the moves must otherwise be legal: no play on an occupied
point, no suicide, no retaking a ko immediately. Consecutive moves of one colour are accepted (SGF
allows them, e.g. handicap stones given as moves).
"""
from __future__ import annotations

import codecs
import dataclasses
import hashlib
import os
import re
from dataclasses import dataclass, field
from typing import Optional

from sgfmill import sgf, sgf_grammar, sgf_properties

from gogo import __version__, coords
from gogo.coords import MAX_SIZE, MIN_SIZE
from gogo.errors import GogoError
from gogo.go.board import BLACK, WHITE, PASS, Board, IllegalMove, max_fixed_handicap

__all__ = ["GameRecord", "GameError", "read_game", "read_games", "parse_games", "replay", "write_game",
           "record_from_board", "game_key", "parse_result", "parse_rank"]

COLOR_NAMES = {BLACK: "B", WHITE: "W"}
COLOR_OF = {"B": BLACK, "W": WHITE}
# Codecs Python names differently, or whose superset is what files really hold.
CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "euc-cn": "gb18030",
                   "x-sjis": "shift_jis", "sjis": "shift_jis", "windows-31j": "cp932"}


class GameError(GogoError, ValueError):
    """A record that cannot be read or replayed.

    source: where it came from; category: a short reason class ('parse error', 'board size',
    'bad coordinate', 'setup', 'illegal move: occupied', ...); move_number: 1-based index of the
    offending move when there is one; detail: the human-readable reason without the source.
    """

    def __init__(self, source, category, detail, move_number=None):
        self.source = source
        self.category = category
        self.detail = detail
        self.move_number = move_number
        super().__init__(f"{source}: {detail}")

    def __reduce__(self):  # picklable across worker processes
        return (GameError, (self.source, self.category, self.detail, self.move_number))


@dataclass
class GameRecord:
    """One game: the main line of an SGF game tree.

    Points are (row, col) with row 0 at the bottom (as sgfmill and GTP). Moves are
    (BLACK or WHITE, (row, col) or None for a pass). `source` and `charset` say where the record
    came from and are left out of equality comparisons.
    """
    size: int = 19
    komi: Optional[float] = None
    handicap: int = 0
    setup_black: list = field(default_factory=list)
    setup_white: list = field(default_factory=list)
    to_move: Optional[int] = None  # PL[] of the root, when given
    moves: list = field(default_factory=list)
    result: Optional[str] = None  # RE[] as written
    winner: Optional[int] = None  # BLACK, WHITE or None (draw, void, unknown)
    margin: Optional[float] = None  # points, when the result gives a score
    win_by: Optional[str] = None  # 'score', 'resign', 'time', 'forfeit', 'draw', 'void' or None
    black_player: Optional[str] = None
    white_player: Optional[str] = None
    black_rank: Optional[str] = None
    white_rank: Optional[str] = None
    date: Optional[str] = None
    rules: Optional[str] = None
    event: Optional[str] = None
    source: str = field(default="<bytes>", compare=False)
    charset: str = field(default="UTF-8", compare=False)

    @property
    def first_to_move(self):
        """Who moves first: PL[] if given, else the colour of the first move, else the usual
        convention (White after handicap stones, Black otherwise)."""
        if self.to_move is not None:
            return self.to_move
        if self.moves:
            return self.moves[0][0]
        return WHITE if self.handicap >= 2 and self.setup_black else BLACK

    def vertex(self, point):
        """GTP vertex of a (row, col) or None (pass)."""
        return coords.vertex_of_rowcol(point)


# --------------------------------------------------------------------------------------------
# Results and ranks

_RESULT_RE = re.compile(r"^\s*([BW])\s*\+\s*(.*?)\s*$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)")
_WIN_WORDS = {"r": "resign", "resign": "resign", "resignation": "resign", "t": "time",
              "time": "time", "f": "forfeit", "forfeit": "forfeit", "bye": "forfeit"}
_DRAW_WORDS = {"0", "draw", "jigo", "d"}
_VOID_WORDS = {"void", "no result", "both lost", "not played"}


def parse_result(text):
    """(winner, margin, win_by) from an RE[] value.

    'B+3.5' -> (BLACK, 3.5, 'score'); 'W+R' / 'W+Resign' -> (WHITE, None, 'resign');
    'B+T' -> time, 'B+F' -> forfeit, 'B+' -> (BLACK, None, None); '0' / 'Draw' / 'Jigo' ->
    (None, 0.0, 'draw'); 'Void' -> (None, None, 'void'); anything else (None, None, None).
    """
    if text is None:
        return None, None, None
    m = _RESULT_RE.match(text)
    if m:
        winner = COLOR_OF[m.group(1).upper()]
        rest = m.group(2)
        word = rest.lower()
        if word in _WIN_WORDS:
            return winner, None, _WIN_WORDS[word]
        n = _NUMBER_RE.match(rest)
        if n:
            margin = float(n.group(1))
            if rest[n.end():].lstrip().startswith("半"):  # 'W+1半': one and a half
                margin += 0.5
            return winner, margin, "score"
        if word.startswith("resign"):
            return winner, None, "resign"
        if word.startswith("time"):
            return winner, None, "time"
        if word.startswith("forfeit"):
            return winner, None, "forfeit"
        return winner, None, None
    word = text.strip().lower()
    if word in _DRAW_WORDS:
        return None, 0.0, "draw"
    if word in _VOID_WORDS:
        return None, None, "void"
    return None, None, None


_RANK_RE = re.compile(r"^\s*(\d+)\s*(kyu|dan|pro|k|d|p|段|级|級)", re.IGNORECASE)
_RANK_KINDS = {"k": "kyu", "kyu": "kyu", "级": "kyu", "級": "kyu", "d": "dan", "dan": "dan",
               "段": "dan", "p": "pro", "pro": "pro"}


def parse_rank(text):
    """('kyu' | 'dan' | 'pro', number) from a BR[]/WR[] value, or None if it is not a rank.

    '7d' -> ('dan', 7), '2k' -> ('kyu', 2), '9p' -> ('pro', 9), '5d?' (KGS unsure rank) ->
    ('dan', 5), '9段' -> ('dan', 9), 'Meijin' / '' -> None.
    """
    if not text:
        return None
    m = _RANK_RE.match(text)
    if not m:
        return None
    return _RANK_KINDS[m.group(2).lower()], int(m.group(1))


# --------------------------------------------------------------------------------------------
# Reading one file's bytes

class _Context:
    """What sgfmill's property interpreters need: the board size (and an encoding)."""

    def __init__(self, size, encoding="UTF-8"):
        self.size = size
        self.encoding = encoding


def _codec_for(name):
    """A Python codec name for an SGF charset name, or None if unknown."""
    name = name.strip().strip('"').strip()
    if not name:
        return None
    try:
        codec = codecs.lookup(CHARSET_ALIASES.get(name.lower(), name))
    except (LookupError, ValueError):
        return None
    if codec.name in ("gb2312", "gbk"):
        codec = codecs.lookup("gb18030")
    try:  # SGF syntax must come through as ASCII (no UTF-16 and the like)
        if "(;)[]\\AZaz09".encode(codec.name) != b"(;)[]\\AZaz09":
            return None
    except (UnicodeError, LookupError):
        return None
    return sgf_properties.normalise_charset_name(codec.name)


def _detect_charset(data):
    try:
        data.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        return "ISO-8859-1"


def _text(values, charset):
    """A SimpleText property's first value, decoded (bad bytes replaced)."""
    raw = sgf_grammar.simpletext_value(values[0])
    return raw.decode(charset, "replace").strip()


def _points(values, size, source, what):
    """sorted list of (row, col) from an AB/AW/AE point list (compressed lists allowed)."""
    if values == [b""]:
        return []
    try:
        return sorted(sgf_properties.interpret_point_list(values, _Context(size)))
    except ValueError:
        shown = ",".join(v.decode("latin-1") for v in values[:8])
        raise GameError(source, "bad coordinate",
                        f"bad {what} point list [{shown}] on {size}x{size}") from None


def _board_size(values, source):
    raw = values[0].decode("latin-1").strip()
    try:
        size = int(raw)
    except ValueError:
        parts = raw.split(":")
        if len(parts) == 2 and parts[0].strip().isdigit() and parts[0].strip() == parts[1].strip():
            size = int(parts[0])
        else:
            raise GameError(source, "board size", f"board size SZ[{raw}] is not supported") from None
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise GameError(source, "board size", f"board size {size} is outside {MIN_SIZE}..{MAX_SIZE}")
    return size


def _number(values, cast):
    """A numeric property read leniently (KM[6.5目], HA[ 2 ]); None if there is no number."""
    raw = values[0].decode("latin-1").strip().replace(",", ".")
    m = re.match(r"^[+-]?(\d+(\.\d*)?|\.\d+)", raw)
    if not m:
        return None
    return cast(float(m.group(0)))


def _record_from_tree(tree, source, charset):
    root = tree.sequence[0]
    size = _board_size(root["SZ"], source) if "SZ" in root else 19
    ca = root.get("CA")
    if ca:
        given = _codec_for(ca[0].decode("latin-1"))
        if given:
            charset = given

    def text(ident):
        values = root.get(ident)
        return None if values is None else _text(values, charset)

    komi = _number(root["KM"], float) if "KM" in root else None
    handicap = (_number(root["HA"], int) or 0) if "HA" in root else 0
    to_move = None
    if "PL" in root:
        to_move = COLOR_OF.get(root["PL"][0].strip().upper()[:1].decode("latin-1"))
    result = text("RE")
    winner, margin, win_by = parse_result(result)
    record = GameRecord(size=size, komi=komi, handicap=max(handicap, 0), to_move=to_move,
                        result=result, winner=winner, margin=margin, win_by=win_by,
                        black_player=text("PB"), white_player=text("PW"),
                        black_rank=text("BR"), white_rank=text("WR"), date=text("DT"),
                        rules=text("RU"), event=text("EV"), source=source, charset=charset)
    black, white = set(), set()
    moves = record.moves
    for properties in sgf_grammar.main_sequence_iter(tree):
        if "AB" in properties or "AW" in properties or "AE" in properties:
            if moves:
                raise GameError(source, "setup after moves",
                                f"setup stones (AB/AW/AE) after move {len(moves)}", len(moves))
            add_black = _points(properties["AB"], size, source, "AB") if "AB" in properties else []
            add_white = _points(properties["AW"], size, source, "AW") if "AW" in properties else []
            both = set(add_black).intersection(add_white)
            if both:
                raise GameError(source, "setup", "setup stone on occupied point "
                                + record.vertex(min(both)) + " (in both AB and AW)")
            # a later node's AB/AW replaces what was there, as SGF says
            black.difference_update(add_white)
            white.difference_update(add_black)
            black.update(add_black)
            white.update(add_white)
            if "AE" in properties:
                pts = _points(properties["AE"], size, source, "AE")
                black.difference_update(pts)
                white.difference_update(pts)
        has_b, has_w = "B" in properties, "W" in properties
        if has_b or has_w:
            if has_b and has_w:
                raise GameError(source, "two moves in a node",
                                f"move {len(moves) + 1}: B and W in one node", len(moves) + 1)
            colour = BLACK if has_b else WHITE
            raw = properties["B" if has_b else "W"][0]
            try:
                point = sgf_properties.interpret_go_point(raw.strip(), size)
            except (ValueError, TypeError):
                shown = raw.decode("latin-1")
                raise GameError(source, "bad coordinate",
                                f"move {len(moves) + 1} ({COLOR_NAMES[colour]}[{shown}]): "
                                f"not a point on {size}x{size}", len(moves) + 1) from None
            moves.append((colour, point))
    record.setup_black = sorted(black)
    record.setup_white = sorted(white)
    return record


def parse_games(data, source="<bytes>"):
    """Every game in one SGF file's bytes, as a list of GameRecord or GameError (one per game;
    a single GameError if the file does not parse)."""
    try:
        trees = sgf_grammar.parse_sgf_collection(data)
    except ValueError as e:
        return [GameError(source, "parse error", f"SGF does not parse: {e}")]
    charset = _detect_charset(data)
    out = []
    for i, tree in enumerate(trees):
        name = source if len(trees) == 1 else f"{source}#{i + 1}"
        try:
            out.append(_record_from_tree(tree, name, charset))
        except GameError as e:
            out.append(e)
        except Exception as e:  # a record must never stop a bulk read
            out.append(GameError(name, "parse error", f"{type(e).__name__}: {e}"))
    return out


def _load(path_or_bytes, source):
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return bytes(path_or_bytes), source or "<bytes>"
    path = os.fspath(path_or_bytes)
    with open(path, "rb") as f:
        return f.read(), source or path


def read_games(path_or_bytes, source=None):
    """Every game of one .sgf file (path) or SGF bytes; raises GameError for the first bad one."""
    data, source = _load(path_or_bytes, source)
    games = parse_games(data, source)
    for g in games:
        if isinstance(g, GameError):
            raise g
    return games


def read_game(path_or_bytes, source=None):
    """The (first) game of one .sgf file (path) or SGF bytes; raises GameError."""
    data, source = _load(path_or_bytes, source)
    game = parse_games(data, source)[0]
    if isinstance(game, GameError):
        raise game
    return game


# --------------------------------------------------------------------------------------------
# Replay

def replay(record, superko=False, moves=None, keep_undo=True):
    """A Board with the record's setup (handicap stones) and its moves played: all of them, or
    the first `moves`. keep_undo=False makes bulk replay faster (see Board).

    Simple ko by default (see the module docstring). HA[n] with no AB[] setup: when White moves
    first (or there are no moves) the stones go on the fixed handicap points; when Black moves
    first the record is taken as it is (handicap stones given as Black moves, or not recorded).
    Raises GameError naming the source, the move number and the reason, e.g.
    'games/x.sgf: move 57 (B at Q16): occupied'.
    """
    source = record.source
    size = record.size
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise GameError(source, "board size", f"board size {size} is outside {MIN_SIZE}..{MAX_SIZE}")
    board = Board(size, komi=record.komi if record.komi is not None else 0.0, superko=superko,
                  keep_undo=keep_undo)
    try:
        if record.setup_black or record.setup_white:
            board.setup(black=[board.point(r, c) for r, c in record.setup_black],
                        white=[board.point(r, c) for r, c in record.setup_white],
                        to_move=record.first_to_move)
        elif record.handicap >= 2 and (not record.moves or record.moves[0][0] == WHITE):
            if record.handicap > max_fixed_handicap(size):
                raise GameError(source, "handicap",
                                f"HA[{record.handicap}] without AB[] has no fixed placement on "
                                f"{size}x{size}")
            board.place_handicap(record.handicap)
        elif record.to_move is not None:
            board.to_move = record.to_move
    except IllegalMove as e:
        raise GameError(source, "setup", f"setup: {e}") from None
    except ValueError as e:  # a point off the board
        if isinstance(e, GameError):
            raise
        raise GameError(source, "bad coordinate", f"setup: {e}") from None
    for number, (colour, point) in enumerate(record.moves[:moves], 1):
        if point is None:
            board.play(PASS, colour)
            continue
        row, col = point
        if not (0 <= row < size and 0 <= col < size):
            raise GameError(source, "bad coordinate",
                            f"move {number} ({COLOR_NAMES.get(colour, colour)} at {point}): "
                            f"off the {size}x{size} board", number)
        try:
            board.play(board.point(row, col), colour)
        except IllegalMove as e:
            raise GameError(source, f"illegal move: {e.reason}",
                            f"move {number} ({COLOR_NAMES[colour]} at {record.vertex(point)}): "
                            f"{e.reason}", number) from None
    return board


def game_key(record):
    """16-byte digest of size + setup stones + moves: equal for exact duplicate games."""
    h = hashlib.blake2b(digest_size=16)
    parts = [f"{record.size};", ",".join(f"{r}.{c}" for r, c in record.setup_black), ";",
             ",".join(f"{r}.{c}" for r, c in record.setup_white), ";"]
    if not record.setup_black and record.handicap >= 2:
        parts.append(f"H{record.handicap};")
    parts.append(",".join(f"{c}{'' if p is None else f'{p[0]}.{p[1]}'}" for c, p in record.moves))
    h.update("".join(parts).encode())
    return h.digest()


# --------------------------------------------------------------------------------------------
# Writing

def record_from_board(board, **fields):
    """A GameRecord of a Board's setup stones and moves; `fields` set the other attributes
    (komi defaults to the board's)."""
    blacks, whites = board.setup_stones
    record = GameRecord(size=board.size, komi=board.komi,
                        setup_black=sorted(board.rowcol(p) for p in blacks),
                        setup_white=sorted(board.rowcol(p) for p in whites),
                        moves=[(c, None if p == PASS else board.rowcol(p)) for c, p in board.moves])
    return dataclasses.replace(record, **fields) if fields else record


def write_game(game, **fields):
    """SGF bytes (FF[4] GM[1] CA[UTF-8]) of a GameRecord or a Board; `fields` override record
    attributes (e.g. result='B+R', black_player='gogo'). The winner/margin fields are not
    written; RE[] is `result` as given."""
    record = game if isinstance(game, GameRecord) else record_from_board(game)
    if fields:
        record = dataclasses.replace(record, **fields)
    if not MIN_SIZE <= record.size <= MAX_SIZE:
        raise ValueError(f"board size {record.size} is outside {MIN_SIZE}..{MAX_SIZE}")
    sgf_game = sgf.Sgf_game(size=record.size, encoding="UTF-8")
    root = sgf_game.get_root()
    root.set("FF", 4)
    root.set("GM", 1)
    root.set("AP", ("gogo", __version__))
    if record.komi is not None:
        root.set("KM", record.komi)
    if record.handicap:
        root.set_raw("HA", str(int(record.handicap)).encode())
    for ident, value in (("RU", record.rules), ("DT", record.date), ("EV", record.event),
                         ("PB", record.black_player), ("BR", record.black_rank),
                         ("PW", record.white_player), ("WR", record.white_rank),
                         ("RE", record.result)):
        if value is not None:
            root.set(ident, value)
    if record.to_move is not None:
        root.set("PL", "b" if record.to_move == BLACK else "w")
    if record.setup_black or record.setup_white:
        root.set_setup_stones(record.setup_black, record.setup_white)
    node = root
    for colour, point in record.moves:
        node = node.new_child()
        node.set_move("b" if colour == BLACK else "w", None if point is None else tuple(point))
    return sgf_game.serialise()


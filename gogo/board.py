"""A Go board: the Numba rules kernels behind a small Python API.

Coordinates: (row, col) with row 0 at the bottom, as in GTP ("A1" is (0, 0))
and sgfmill. Moves are padded-array points (see rules.py) or PASS.
"""
import numpy as np

from gogo import rules
from gogo.rules import BLACK, WHITE, EMPTY, PASS

__all__ = ["Board", "IllegalMove", "BLACK", "WHITE", "EMPTY", "PASS",
           "opponent", "handicap_points", "max_fixed_handicap"]

STONE_CHARS = {EMPTY: ".", BLACK: "X", WHITE: "O"}
DIAGRAM_COLORS = {".": EMPTY, "+": EMPTY, "X": BLACK, "x": BLACK, "O": WHITE, "o": WHITE}
GTP_COLUMNS = "ABCDEFGHJKLMNOPQRST"


def opponent(color):
    return 3 - color


class IllegalMove(ValueError):
    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


def max_fixed_handicap(size):
    """The largest fixed handicap the GTP spec defines for this board size."""
    if size < 7:
        return 0
    if size == 7 or size % 2 == 0:
        return 4
    return 9


def handicap_points(stones, size):
    """(row, col) of the fixed handicap stones, in GTP spec order."""
    if not 2 <= stones <= max_fixed_handicap(size):
        raise ValueError(f"no fixed placement for {stones} handicap stones on {size}x{size}")
    edge = 2 if size < 12 else 3  # 3rd line below 12x12, else 4th: as GNU Go, the GTP reference
    low, high, mid = edge, size - 1 - edge, size // 2
    corners = [(low, low), (high, high), (high, low), (low, high)]
    sides = [(mid, low), (mid, high)]
    top_bottom = [(low, mid), (high, mid)]
    center = [(mid, mid)]
    layouts = {5: corners + center, 6: corners + sides, 7: corners + sides + center,
               8: corners + sides + top_bottom, 9: corners + sides + top_bottom + center}
    return corners[:stones] if stones <= 4 else layouts[stones]


class Board:
    """A position with its history: play, undo, legality, scoring."""

    def __init__(self, size=19, komi=7.5, superko=True, keep_undo=True):
        """keep_undo=False skips the per-move snapshot that undo needs (bulk replay)."""
        self.size = size
        self.komi = komi
        self.superko = superko
        self.keep_undo = keep_undo
        self.grid, self.meta = rules.new_position(size)
        self.history = np.zeros(64, np.int64)  # hashes of every position so far
        self.num_history = 1
        self.history[0] = self.meta[rules.HASH]
        self.moves = []  # (color, point) in order, PASS included
        self.setup_stones = ((), ())  # (black points, white points) added without moves
        self._undo = []

    # --- coordinates -------------------------------------------------------
    def point(self, row, col):
        if not (0 <= row < self.size and 0 <= col < self.size):
            raise ValueError(f"({row}, {col}) is off a {self.size}x{self.size} board")
        return (row + 1) * (self.size + 2) + col + 1

    def rowcol(self, point):
        stride = self.size + 2
        return point // stride - 1, point % stride - 1

    def points(self):
        """Every on-board point, row by row from the bottom."""
        return np.flatnonzero(self.grid[rules.COLOR] != rules.WALL).tolist()

    # --- state -------------------------------------------------------------
    @property
    def to_move(self):
        return int(self.meta[rules.TO_MOVE])

    @to_move.setter
    def to_move(self, color):
        self.meta[rules.TO_MOVE] = color

    @property
    def ko_point(self):
        return int(self.meta[rules.KO_POINT])

    @property
    def passes(self):
        return int(self.meta[rules.PASSES])

    @property
    def move_number(self):
        return int(self.meta[rules.MOVE_NUMBER])

    @property
    def hash(self):
        return int(self.meta[rules.HASH])

    def prisoners(self, color):
        """Stones captured by `color`."""
        return int(self.meta[rules.PRISONERS_BLACK + color - 1])

    def color_at(self, point):
        return int(self.grid[rules.COLOR, point])

    def stones(self, color):
        return np.flatnonzero(self.grid[rules.COLOR] == color).tolist()

    def liberties(self, point):
        if self.color_at(point) not in (BLACK, WHITE):
            raise ValueError("no stone there")
        return int(rules.chain_liberties(self.grid, self.meta, point))

    def chain(self, point):
        """The stones of the chain through `point`."""
        if self.color_at(point) not in (BLACK, WHITE):
            raise ValueError("no stone there")
        head = self.grid[rules.HEAD, point]
        color = self.grid[rules.COLOR]
        return np.flatnonzero((self.grid[rules.HEAD] == head) & ((color == BLACK) | (color == WHITE))).tolist()

    def is_empty(self):
        return self.meta[rules.NUM_EMPTY] == self.size * self.size

    # --- moves -------------------------------------------------------------
    def status(self, point, color=None):
        """One of rules.LEGAL, OCCUPIED, KO, SUICIDE, SUPERKO."""
        color = self.to_move if color is None else color
        if point == PASS:
            return rules.LEGAL
        if self.superko:
            return rules.move_status_superko(self.grid, self.meta, point, color,
                                             self.history, self.num_history)
        return rules.move_status(self.grid, self.meta, point, color)

    def is_legal(self, point, color=None):
        return self.status(point, color) == rules.LEGAL

    def is_sensible(self, point, color=None):
        color = self.to_move if color is None else color
        return (point != PASS and self.is_legal(point, color)
                and not rules.is_eye(self.grid, self.meta, point, color))

    def legal_points(self, color=None):
        return [p for p in self.points() if self.is_legal(p, color)]

    def sensible_points(self, color=None):
        return [p for p in self.points() if self.is_sensible(p, color)]

    def play(self, point, color=None):
        """Play `color` (default: the player to move) at `point` or PASS.
        Returns the number of stones captured; raises IllegalMove."""
        color = self.to_move if color is None else color
        status = self.status(point, color)
        if status != rules.LEGAL:
            where = "pass" if point == PASS else self.vertex(point)
            raise IllegalMove(rules.STATUS_NAMES[status],
                              f"illegal move {where}: {rules.STATUS_NAMES[status]}")
        self._save()
        self.moves.append((color, point))
        if point == PASS:
            rules.pass_move(self.meta, color)
            return 0
        captured = rules.place_stone(self.grid, self.meta, point, color)
        self._remember_position()
        return captured

    def setup(self, black=(), white=(), to_move=None):
        """Add stones without moves (SGF AB/AW, handicap); empty points only."""
        before = self._snapshot()
        for color, points in ((BLACK, black), (WHITE, white)):
            for p in points:
                if self.color_at(p) != EMPTY:
                    self._restore(before)
                    raise IllegalMove("occupied", f"setup stone on occupied point {self.vertex(p)}")
                captured = rules.place_stone(self.grid, self.meta, p, color)
                self.grid[rules.PLACED_AT, p] = 0
                if captured or rules.chain_liberties(self.grid, self.meta, p) == 0:
                    self._restore(before)
                    raise IllegalMove("suicide", f"setup stone at {self.vertex(p)} leaves a chain without liberties")
        for field in (rules.MOVE_NUMBER, rules.PRISONERS_BLACK, rules.PRISONERS_WHITE, rules.TO_MOVE):
            self.meta[field] = before[1][field]
        if to_move is not None:
            self.meta[rules.TO_MOVE] = to_move
        self.meta[rules.KO_POINT] = PASS
        self.meta[rules.PASSES] = 0
        self.setup_stones = (self.setup_stones[0] + tuple(black), self.setup_stones[1] + tuple(white))
        if self.keep_undo:
            self._undo.append(before)
        self._remember_position()

    def place_handicap(self, stones):
        """Fixed handicap as the GTP spec places it; White moves next."""
        points = [self.point(r, c) for r, c in handicap_points(stones, self.size)]
        self.setup(black=points, to_move=WHITE)
        return points

    def undo(self):
        if not self._undo:
            raise ValueError("nothing to undo" if self.keep_undo else "undo is off for this board")
        self._restore(self._undo.pop())

    def copy(self):
        other = Board.__new__(Board)
        other.__dict__.update(self.__dict__)
        other.grid, other.meta = self.grid.copy(), self.meta.copy()
        other.history = self.history.copy()
        other.moves = list(self.moves)
        other._undo = list(self._undo)  # snapshots are never mutated, so sharing them is safe
        return other

    def _save(self):
        if self.keep_undo:
            self._undo.append(self._snapshot())

    def _snapshot(self):
        return self.grid.copy(), self.meta.copy(), self.num_history, len(self.moves), self.setup_stones

    def _restore(self, snapshot):
        grid, meta, self.num_history, num_moves, self.setup_stones = snapshot
        self.grid[...] = grid
        self.meta[...] = meta
        del self.moves[num_moves:]

    def _remember_position(self):
        if self.num_history == len(self.history):
            self.history = np.concatenate([self.history, np.zeros_like(self.history)])
        self.history[self.num_history] = self.meta[rules.HASH]
        self.num_history += 1

    # --- scoring -----------------------------------------------------------
    def ownership(self):
        """size x size array of BLACK / WHITE / EMPTY owners (Tromp-Taylor), row 0 at the bottom."""
        owner = np.zeros(self.grid.shape[1], np.int32)
        rules.area_ownership(self.grid, self.meta, owner)
        n = self.size
        return owner.reshape(n + 2, n + 2)[1:n + 1, 1:n + 1].copy()

    def score(self):
        """Tromp-Taylor area score from Black's side, komi included."""
        return float(rules.area_score(self.grid, self.meta)) - self.komi

    # --- text --------------------------------------------------------------
    def vertex(self, point):
        """GTP vertex, e.g. 'D4' or 'pass'."""
        if point == PASS:
            return "pass"
        row, col = self.rowcol(point)
        return f"{GTP_COLUMNS[col]}{row + 1}"

    def parse_vertex(self, text):
        """Point for a GTP vertex ('D4', 'pass'); ValueError if off the board."""
        text = text.strip().upper()
        if text == "PASS":
            return PASS
        if len(text) < 2 or text[0] not in GTP_COLUMNS or not text[1:].isdigit():
            raise ValueError(f"invalid vertex {text!r}")
        return self.point(int(text[1:]) - 1, GTP_COLUMNS.index(text[0]))

    def diagram(self):
        """Rows of X/O/. from the top, no coordinates (the tests' format)."""
        rows = []
        for r in reversed(range(self.size)):
            rows.append(" ".join(STONE_CHARS[self.color_at(self.point(r, c))] for c in range(self.size)))
        return "\n".join(rows)

    def __str__(self):
        letters = "   " + " ".join(GTP_COLUMNS[:self.size])
        lines = [letters]
        for r, row in zip(reversed(range(self.size)), self.diagram().splitlines()):
            lines.append(f"{r + 1:2d} {row} {r + 1}")
        lines.append(letters)
        lines.append(f"to move: {'black' if self.to_move == BLACK else 'white'}; "
                     f"captured by black {self.prisoners(BLACK)}, by white {self.prisoners(WHITE)}")
        return "\n".join(lines)

    @classmethod
    def from_diagram(cls, text, to_move=BLACK, komi=7.5, superko=True):
        """A board from rows of X/O/. (top row first; spaces ignored)."""
        rows = [line.replace(" ", "") for line in text.strip().splitlines()]
        size = len(rows)
        if any(len(row) != size for row in rows):
            raise ValueError("a diagram must be square")
        board = cls(size, komi=komi, superko=superko)
        stones = {BLACK: [], WHITE: []}
        for i, row in enumerate(rows):
            for col, ch in enumerate(row):
                if ch not in DIAGRAM_COLORS:
                    raise ValueError(f"unknown diagram character {ch!r}")
                if DIAGRAM_COLORS[ch] != EMPTY:
                    stones[DIAGRAM_COLORS[ch]].append(board.point(size - 1 - i, col))
        board.setup(black=stones[BLACK], white=stones[WHITE], to_move=to_move)
        board._undo.clear()
        return board

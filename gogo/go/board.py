"""A Go board: the Numba rules kernels behind a small Python API.

Moves are padded points (gogo.coords) or PASS. The arrays stay inside: callers use the named
operations below, and kernels (features, search, playouts) get them through `position`, a
rules.Position they must not modify (copy it to play on).
"""
import numpy as np

from gogo import coords
from gogo.errors import GogoError
from gogo.go import rules
from gogo.go.rules import BLACK, WHITE, EMPTY, PASS

__all__ = ["Board", "IllegalMove", "BLACK", "WHITE", "EMPTY", "PASS",
           "opponent", "handicap_points", "max_fixed_handicap"]

STONE_CHARS = {EMPTY: ".", BLACK: "X", WHITE: "O"}
DIAGRAM_COLORS = {".": EMPTY, "+": EMPTY, "X": BLACK, "x": BLACK, "O": WHITE, "o": WHITE}


def opponent(color):
    return 3 - color


class IllegalMove(GogoError, ValueError):
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
        self._grid, self._meta = rules.new_position(size)
        self._history = np.zeros(64, np.int64)  # hashes of every position so far
        self._num_history = 1
        self._history[0] = self._meta[rules.HASH]
        self.moves = []  # (color, point) in order, PASS included
        self.setup_stones = ((), ())  # (black points, white points) added without moves
        self._undo = []

    @classmethod
    def from_position(cls, position, komi=7.5, superko=False):
        """A board holding a copy of a rules.Position (e.g. one of the self-play kernels'), with
        no history before it: no undo, and superko sees only positions from here on."""
        grid, meta = position
        board = cls(int(meta[rules.SIZE]), komi=komi, superko=superko, keep_undo=False)
        board._grid[...] = grid
        board._meta[...] = meta
        board._history[0] = board._meta[rules.HASH]
        return board

    @property
    def position(self):
        """The rules.Position (grid, meta) of the current position, for the kernels: read only."""
        return rules.Position(self._grid, self._meta)

    # --- coordinates (gogo.coords) -----------------------------------------
    def point(self, row, col):
        return coords.point(row, col, self.size)

    def rowcol(self, point):
        return coords.rowcol(point, self.size)

    def index(self, point):
        """The move index (row * size + col) of a point; the pass index for PASS."""
        return self.size * self.size if point == PASS else int(coords.index_of_point(point, self.size))

    def point_of_index(self, index):
        """The point of a move index; PASS for the pass index."""
        return PASS if index == self.size * self.size else int(coords.point_of_index(index, self.size))

    def points(self):
        """Every on-board point, row by row from the bottom."""
        return coords.board_points(self.size)

    def neighbours(self, point):
        """The on-board orthogonal neighbours of a point."""
        return [q for q in coords.neighbours(point, self.size) if self._grid[rules.COLOR, q] != rules.WALL]

    # --- state -------------------------------------------------------------
    @property
    def to_move(self):
        return int(self._meta[rules.TO_MOVE])

    @to_move.setter
    def to_move(self, color):
        self._meta[rules.TO_MOVE] = color

    def with_to_move(self, color):
        """This board, or a copy with `color` to move when it is the other player's turn."""
        if self.to_move == color:
            return self
        other = self.copy()
        other.to_move = color
        return other

    @property
    def ko_point(self):
        return int(self._meta[rules.KO_POINT])

    @property
    def passes(self):
        return int(self._meta[rules.PASSES])

    @property
    def move_number(self):
        return int(self._meta[rules.MOVE_NUMBER])

    @property
    def hash(self):
        return int(self._meta[rules.HASH])

    def prisoners(self, color):
        """Stones captured by `color`."""
        return int(self._meta[rules.PRISONERS_BLACK + color - 1])

    def color_at(self, point):
        return int(self._grid[rules.COLOR, point])

    def stones(self, color):
        """The points of `color`'s stones, row by row from the bottom."""
        return np.flatnonzero(self._grid[rules.COLOR] == color).tolist()

    def chains(self):
        """Every chain on the board as (color, [points]), each list in board order."""
        heads = {}
        for p in self.points():
            color = self.color_at(p)
            if color in (BLACK, WHITE):
                heads.setdefault(int(self._grid[rules.HEAD, p]), (color, []))[1].append(p)
        return list(heads.values())

    def chain_liberties(self, points):
        """The liberties (empty neighbours) of a chain given by its stones, in board order."""
        return sorted({q for p in points for q in self.neighbours(p) if self.color_at(q) == EMPTY})

    def liberties(self, point):
        if self.color_at(point) not in (BLACK, WHITE):
            raise ValueError("no stone there")
        return int(rules.chain_liberties(self._grid, self._meta, point))

    def chain(self, point):
        """The stones of the chain through `point`."""
        if self.color_at(point) not in (BLACK, WHITE):
            raise ValueError("no stone there")
        head = self._grid[rules.HEAD, point]
        color = self._grid[rules.COLOR]
        return np.flatnonzero((self._grid[rules.HEAD] == head) & ((color == BLACK) | (color == WHITE))).tolist()

    def is_empty(self):
        return self._meta[rules.NUM_EMPTY] == self.size * self.size

    # --- moves -------------------------------------------------------------
    def status(self, point, color=None):
        """One of rules.LEGAL, OCCUPIED, KO, SUICIDE, SUPERKO."""
        color = self.to_move if color is None else color
        if point == PASS:
            return rules.LEGAL
        if self.superko:
            return rules.move_status_superko(self._grid, self._meta, point, color,
                                             self._history, self._num_history)
        return rules.move_status(self._grid, self._meta, point, color)

    def is_legal(self, point, color=None):
        return self.status(point, color) == rules.LEGAL

    def is_sensible(self, point, color=None):
        color = self.to_move if color is None else color
        return (point != PASS and self.is_legal(point, color)
                and not rules.is_eye(self._grid, self._meta, point, color))

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
            rules.pass_move(self._meta, color)
            return 0
        captured = rules.place_stone(self._grid, self._meta, point, color)
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
                captured = rules.place_stone(self._grid, self._meta, p, color)
                self._grid[rules.PLACED_AT, p] = 0
                if captured or rules.chain_liberties(self._grid, self._meta, p) == 0:
                    self._restore(before)
                    raise IllegalMove("suicide", f"setup stone at {self.vertex(p)} leaves a chain without liberties")
        for field in (rules.MOVE_NUMBER, rules.PRISONERS_BLACK, rules.PRISONERS_WHITE, rules.TO_MOVE):
            self._meta[field] = before[1][field]
        if to_move is not None:
            self._meta[rules.TO_MOVE] = to_move
        self._meta[rules.KO_POINT] = PASS
        self._meta[rules.PASSES] = 0
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
        other._grid, other._meta = self._grid.copy(), self._meta.copy()
        other._history = self._history.copy()
        other.moves = list(self.moves)
        other._undo = list(self._undo)  # snapshots are never mutated, so sharing them is safe
        return other

    def _save(self):
        if self.keep_undo:
            self._undo.append(self._snapshot())

    def _snapshot(self):
        return self._grid.copy(), self._meta.copy(), self._num_history, len(self.moves), self.setup_stones

    def _restore(self, snapshot):
        grid, meta, self._num_history, num_moves, self.setup_stones = snapshot
        self._grid[...] = grid
        self._meta[...] = meta
        del self.moves[num_moves:]

    def _remember_position(self):
        if self._num_history == len(self._history):
            self._history = np.concatenate([self._history, np.zeros_like(self._history)])
        self._history[self._num_history] = self._meta[rules.HASH]
        self._num_history += 1

    # --- scoring -----------------------------------------------------------
    def ownership(self):
        """size x size array of BLACK / WHITE / EMPTY owners (Tromp-Taylor), row 0 at the bottom."""
        owner = np.zeros(self._grid.shape[1], np.int32)
        rules.area_ownership(self._grid, self._meta, owner)
        n = self.size
        return owner.reshape(n + 2, n + 2)[1:n + 1, 1:n + 1].copy()

    def score(self):
        """Tromp-Taylor area score from Black's side, komi included."""
        return float(rules.area_score(self._grid, self._meta)) - self.komi

    # --- text --------------------------------------------------------------
    def vertex(self, point):
        """GTP vertex, e.g. 'D4' or 'pass'."""
        return coords.vertex(point, self.size)

    def parse_vertex(self, text):
        """Point for a GTP vertex ('D4', 'pass'); ValueError if off the board."""
        return coords.parse_vertex(text, self.size)

    def diagram(self):
        """Rows of X/O/. from the top, no coordinates (the tests' format)."""
        rows = []
        for r in reversed(range(self.size)):
            rows.append(" ".join(STONE_CHARS[self.color_at(self.point(r, c))] for c in range(self.size)))
        return "\n".join(rows)

    def __str__(self):
        letters = "   " + " ".join(coords.GTP_COLUMNS[:self.size])
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

"""AlphaGo's input features (Silver et al. 2016, Extended Data Table 2) as Numba kernels.

Planes, all from the view of the player to move, shape (planes, size, size), uint8,
indexed [plane, row, col] with row 0 at the bottom (the Board's convention), so a
move's index is row * size + col and a pass is size * size.

  0-2    stone colour: own, opponent, empty
  3      ones
  4-11   turns since: how many moves ago the stone was placed, 1..7 and >= 8
  12-19  liberties of the stone's chain, 1..7 and >= 8
  20-27  capture size: opponent stones a move here captures, 1..7 and >= 8
  28-35  self-atari size: stones of the move's chain when it is left with one liberty, 1..7, >= 8
  36-43  liberties after move: of the move's chain once played (captures included), 1..7, >= 8
  44     ladder capture: the move ataris an opponent chain that then dies in a ladder
  45     ladder escape: the move saves an own chain in atari, and no ladder catches it
  46     sensibleness: the move is legal and does not fill the mover's own eye
  47     zeros
  48     player colour (value net only): 1 when Black is to move

Edge cases, defined:
- Integer features use 8 planes for the values 1..7 and ">= 8"; a value of 0 (a move that
  captures nothing, or leaves more than one liberty for self-atari) sets no plane.
- Move planes (20-46) are zero on occupied and illegal points. Legality here is suicide and
  simple ko; positional superko needs the whole game history and is left to the search.
- Turns since counts every move, passes included; a stone placed by the last move has 1. Setup
  and handicap stones (and any stone older than 7 moves) are in the ">= 8" plane.
- Eye (for sensibleness): the empty point's four neighbours are all the mover's stones or the
  edge, and at most one diagonal is an opponent stone (none when the point is on the edge) —
  the same test the random playouts use, so false eyes with two enemy diagonals may be filled.
- Ladders are read by gogo.ladders (its docstring says how), up to LADDER_MAX_PLIES plies.
"""
from typing import NamedTuple

import numpy as np
from numba import njit

from gogo.go import rules
from gogo.go.rules import (BLACK, WHITE, EMPTY, COLOR, HEAD, NEXT, STONES, PLACED_AT,
                        STRIDE, SIZE, TO_MOVE, MOVE_NUMBER, KO_POINT, KO_COLOR, neighbour)
from gogo.features.ladders import LADDER_MAX_PLIES, NODE_COLUMNS, is_ladder_capture, is_ladder_escape

__all__ = ["NUM_PLANES", "NUM_VALUE_PLANES", "OWN", "OPPONENT", "EMPTY_POINTS", "ONES", "TURNS_SINCE",
           "LIBERTIES", "CAPTURE_SIZE", "SELF_ATARI_SIZE", "LIBERTIES_AFTER", "LADDER_CAPTURE",
           "LADDER_ESCAPE", "SENSIBLE", "ZEROS", "PLAYER_COLOR", "ONE_HOT", "FEATURE_GROUPS", "plane_names",
           "Workspace", "new_workspace", "encode_into", "encode_batch_into", "Encoder", "transform_planes",
           "move_symmetry_table", "inverse_symmetry", "LADDER_MAX_PLIES"]

NUM_PLANES = 48
NUM_VALUE_PLANES = 49
OWN, OPPONENT, EMPTY_POINTS, ONES = 0, 1, 2, 3
TURNS_SINCE, LIBERTIES, CAPTURE_SIZE, SELF_ATARI_SIZE, LIBERTIES_AFTER = 4, 12, 20, 28, 36
LADDER_CAPTURE, LADDER_ESCAPE, SENSIBLE, ZEROS, PLAYER_COLOR = 44, 45, 46, 47, 48
ONE_HOT = 8

FEATURE_GROUPS = [  # (name, first plane, number of planes)
    ("own_stones", OWN, 1), ("opponent_stones", OPPONENT, 1), ("empty", EMPTY_POINTS, 1),
    ("ones", ONES, 1), ("turns_since", TURNS_SINCE, ONE_HOT), ("liberties", LIBERTIES, ONE_HOT),
    ("capture_size", CAPTURE_SIZE, ONE_HOT), ("self_atari_size", SELF_ATARI_SIZE, ONE_HOT),
    ("liberties_after_move", LIBERTIES_AFTER, ONE_HOT), ("ladder_capture", LADDER_CAPTURE, 1),
    ("ladder_escape", LADDER_ESCAPE, 1), ("sensibleness", SENSIBLE, 1), ("zeros", ZEROS, 1),
    ("player_color", PLAYER_COLOR, 1),
]


def plane_names(value_net=False):
    """One name per plane, e.g. 'liberties_3', 'turns_since_>=8'."""
    names = []
    for name, _, count in FEATURE_GROUPS:
        if count == 1:
            names.append(name)
        else:
            names += [f"{name}_{i}" for i in range(1, count)] + [f"{name}_>={count}"]
    return names if value_net else names[:NUM_PLANES]


# --- the encoder ---------------------------------------------------------------------------

@njit(cache=True, _nrt=False, inline="always")
def _one_hot(value):
    return min(value, ONE_HOT) - 1


@njit(cache=True, _nrt=False)
def _chain_liberties(grid, meta, chain_libs, liberty_list, liberty_start, mark):
    """Exact liberties of every chain: a count and a list per chain head."""
    stride = meta[STRIDE]
    mark[:] = -1
    used = 0
    for p in range(grid.shape[1]):
        c = grid[COLOR, p]
        if (c != BLACK and c != WHITE) or grid[HEAD, p] != p:
            continue
        liberty_start[p] = used
        s = p
        while True:
            for d in range(4):
                q = neighbour(s, d, stride)
                if grid[COLOR, q] == EMPTY and mark[q] != p:
                    mark[q] = p
                    liberty_list[used] = q
                    used += 1
            s = grid[NEXT, s]
            if s == p:
                break
        chain_libs[p] = used - liberty_start[p]


@njit(cache=True, _nrt=False)
def _move_features(grid, meta, p, chain_libs, liberty_list, liberty_start, mark, stamp):
    """(captured stones, liberties after the move, stones in the move's chain) for a legal move."""
    stride = meta[STRIDE]
    me = meta[TO_MOVE]
    own0, own1, own2, own3 = -1, -1, -1, -1
    owns, empties, captured, stones = 0, 0, 0, 1
    for d in range(4):  # the new stone's empty neighbours and the own chains it joins
        q = neighbour(p, d, stride)
        cq = grid[COLOR, q]
        if cq == EMPTY:
            empties += 1
        elif cq == me:
            h = grid[HEAD, q]
            if h != own0 and h != own1 and h != own2:
                own0, own1, own2, own3 = h, own0, own1, own2
                owns += 1
                stones += grid[STONES, h]
    if owns == 0:
        libs = empties
    elif owns == 1:
        # the chain's liberties but p, plus p's empty neighbours that were not already liberties
        libs = chain_libs[own0] - 1
        for d in range(4):
            q = neighbour(p, d, stride)
            if grid[COLOR, q] == EMPTY:
                touches = False
                for e in range(4):
                    r = neighbour(q, e, stride)
                    if grid[COLOR, r] == me and grid[HEAD, r] == own0:
                        touches = True
                if not touches:
                    libs += 1
    else:  # several chains may share liberties: count the union with marks
        libs = 0
        for d in range(4):
            q = neighbour(p, d, stride)
            if grid[COLOR, q] == EMPTY and mark[q] != stamp:
                mark[q] = stamp
                libs += 1
        for h in (own0, own1, own2, own3):
            if h < 0:
                continue
            for i in range(liberty_start[h], liberty_start[h] + chain_libs[h]):
                lib = liberty_list[i]
                if lib != p and mark[lib] != stamp:
                    mark[lib] = stamp
                    libs += 1
    # captured opponent chains: their stones next to the new chain become liberties
    cap0, cap1, cap2 = -1, -1, -1
    for d in range(4):
        q = neighbour(p, d, stride)
        if grid[COLOR, q] != 3 - me:
            continue
        h = grid[HEAD, q]
        if chain_libs[h] != 1 or h == cap0 or h == cap1 or h == cap2:
            continue
        cap0, cap1, cap2 = h, cap0, cap1
        captured += grid[STONES, h]
        s = h
        while True:
            for e in range(4):
                r = neighbour(s, e, stride)
                rh = grid[HEAD, r]
                if r == p or (grid[COLOR, r] == me and (rh == own0 or rh == own1 or rh == own2 or rh == own3)):
                    libs += 1
                    break
            s = grid[NEXT, s]
            if s == h:
                break
    return captured, libs, stones


@njit(cache=True)
def encode_into(grid, meta, out, workspace):
    """Write the planes of one position into `out` (48 or 49 planes, size, size); `workspace`
    is the scratch space from new_workspace (reused, so encoding allocates nothing)."""
    ladder_grids, ladder_metas, ladder_moves = workspace.ladder_grids, workspace.ladder_metas, workspace.ladder_moves
    chain_libs, liberty_list = workspace.chain_libs, workspace.liberty_list
    liberty_start, mark = workspace.liberty_start, workspace.mark
    n = meta[SIZE]
    stride = meta[STRIDE]
    me = meta[TO_MOVE]
    out[:] = 0
    _chain_liberties(grid, meta, chain_libs, liberty_list, liberty_start, mark)
    for row in range(n):
        for col in range(n):
            out[ONES, row, col] = 1
            p = (row + 1) * stride + col + 1
            c = grid[COLOR, p]
            if c != EMPTY:
                out[OWN if c == me else OPPONENT, row, col] = 1
                placed = grid[PLACED_AT, p]
                age = ONE_HOT if placed == 0 else meta[MOVE_NUMBER] - placed + 1
                out[TURNS_SINCE + _one_hot(age), row, col] = 1
                out[LIBERTIES + _one_hot(chain_libs[grid[HEAD, p]]), row, col] = 1
                continue
            out[EMPTY_POINTS, row, col] = 1
            if p == meta[KO_POINT] and me == meta[KO_COLOR]:
                continue
            captured, libs, stones = _move_features(grid, meta, p, chain_libs, liberty_list,
                                                    liberty_start, mark, p)
            if libs == 0:  # suicide (a capture always frees a liberty)
                continue
            if captured > 0:
                out[CAPTURE_SIZE + _one_hot(captured), row, col] = 1
            if libs == 1:
                out[SELF_ATARI_SIZE + _one_hot(stones), row, col] = 1
            out[LIBERTIES_AFTER + _one_hot(libs), row, col] = 1
            if not rules.is_eye(grid, meta, p, me):
                out[SENSIBLE, row, col] = 1
            if _touches_short_chain(grid, meta, p, chain_libs):
                _ladder_features(grid, meta, p, libs, out, row, col, chain_libs, liberty_list,
                                 liberty_start, ladder_grids, ladder_metas, ladder_moves)
    if out.shape[0] > PLAYER_COLOR and me == BLACK:
        out[PLAYER_COLOR] = 1


@njit(cache=True, _nrt=False, inline="always")
def _touches_short_chain(grid, meta, p, chain_libs):
    """Is p next to a chain with one or two liberties (the only ones ladders concern)?"""
    stride = meta[STRIDE]
    for d in range(4):
        q = neighbour(p, d, stride)
        cq = grid[COLOR, q]
        if (cq == BLACK or cq == WHITE) and chain_libs[grid[HEAD, q]] <= 2:
            return True
    return False


@njit(cache=True, _nrt=False)
def _ladder_features(grid, meta, p, libs_after, out, row, col, chain_libs, liberty_list,
                     liberty_start, ladder_grids, ladder_metas, ladder_moves):
    """Ladder capture / escape for the legal move p: only chains next to p, or next to an
    opponent chain that p captures, can be involved; each chain is read once."""
    stride = meta[STRIDE]
    me = meta[TO_MOVE]
    read0, read1, read2, read3 = -1, -1, -1, -1  # chain heads already read for this move
    for d in range(4):
        q = neighbour(p, d, stride)
        cq = grid[COLOR, q]
        if cq != BLACK and cq != WHITE:
            continue
        h = grid[HEAD, q]
        libs = chain_libs[h]
        if libs > 2 or h == read0 or h == read1 or h == read2 or h == read3:
            continue
        read0, read1, read2, read3 = h, read0, read1, read2
        if cq != me and libs == 2 and out[LADDER_CAPTURE, row, col] == 0:
            first = liberty_list[liberty_start[h]]
            run_to = liberty_list[liberty_start[h] + 1] if first == p else first
            if is_ladder_capture(grid, meta, p, q, run_to, ladder_grids, ladder_metas, ladder_moves):
                out[LADDER_CAPTURE, row, col] = 1
        elif cq == me and libs == 1 and out[LADDER_ESCAPE, row, col] == 0:
            # p extends the chain: it escapes with three liberties, or with two that hold
            if libs_after >= 3 or (libs_after == 2 and is_ladder_escape(
                    grid, meta, p, q, ladder_grids, ladder_metas, ladder_moves)):
                out[LADDER_ESCAPE, row, col] = 1
        elif cq != me and libs == 1 and out[LADDER_ESCAPE, row, col] == 0:
            # capturing an attacker chain in atari can rescue own chains in atari touching it
            s = h
            while True:
                for e in range(4):
                    r = neighbour(s, e, stride)
                    if (grid[COLOR, r] == me and chain_libs[grid[HEAD, r]] == 1
                            and out[LADDER_ESCAPE, row, col] == 0
                            and is_ladder_escape(grid, meta, p, r, ladder_grids, ladder_metas, ladder_moves)):
                        out[LADDER_ESCAPE, row, col] = 1
                s = grid[NEXT, s]
                if s == h:
                    break


@njit(cache=True)
def encode_batch_into(grids, metas, out, workspace):
    for i in range(grids.shape[0]):
        encode_into(grids[i], metas[i], out[i], workspace)


class Workspace(NamedTuple):
    """Scratch arrays for encode_into, reused so that encoding allocates nothing."""
    ladder_grids: np.ndarray   # the ladder reader's boards, one per ply
    ladder_metas: np.ndarray
    ladder_moves: np.ndarray   # the ladder reader's node stack
    chain_libs: np.ndarray     # per chain head: its exact liberty count
    liberty_list: np.ndarray   # every chain's liberties, one run per chain
    liberty_start: np.ndarray  # per chain head: where its run starts in liberty_list
    mark: np.ndarray           # per point: a stamp for counting unions of liberties


def new_workspace(size):
    """A Workspace for boards of `size`."""
    grid, meta = rules.new_position(size)
    points = grid.shape[1]
    return Workspace(np.zeros((LADDER_MAX_PLIES + 2,) + grid.shape, grid.dtype),
                     np.zeros((LADDER_MAX_PLIES + 2,) + meta.shape, meta.dtype),
                     np.zeros((LADDER_MAX_PLIES + 2, NODE_COLUMNS), np.int64),
                     np.zeros(points, np.int32), np.zeros(4 * points, np.int32),
                     np.zeros(points, np.int32), np.zeros(points, np.int64))


class Encoder:
    """Feature planes for boards of one size; holds the ladder reader's scratch boards."""

    def __init__(self, size, value_net=False):
        self.size = size
        self.planes = NUM_VALUE_PLANES if value_net else NUM_PLANES
        self.workspace = new_workspace(size)

    def encode(self, board, out=None):
        if board.size != self.size:
            raise ValueError(f"encoder is for {self.size}x{self.size}, board is {board.size}x{board.size}")
        if out is None:
            out = np.empty((self.planes, self.size, self.size), np.uint8)
        encode_into(*board.position, out, self.workspace)
        return out

    def encode_arrays(self, grids, metas, out=None):
        """Planes for a batch of positions given as stacked (grid, meta) arrays."""
        if out is None:
            out = np.empty((len(grids), self.planes, self.size, self.size), np.uint8)
        encode_batch_into(grids, metas, out, self.workspace)
        return out

    def encode_batch(self, boards, out=None):
        grids = np.stack([b.position.grid for b in boards])
        metas = np.stack([b.position.meta for b in boards])
        return self.encode_arrays(grids, metas, out)


# --- the eight symmetries ------------------------------------------------------------------

def transform_planes(planes, symmetry):
    """Apply one of the 8 dihedral symmetries (0 = identity) to (..., size, size) planes:
    `symmetry` % 4 quarter turns, then a left-right flip when symmetry >= 4."""
    out = np.rot90(planes, symmetry % 4, axes=(-2, -1))
    if symmetry >= 4:
        out = np.flip(out, axis=-1)
    return np.ascontiguousarray(out)


def move_symmetry_table(size):
    """table[s, i]: where move index i (row * size + col, pass = size * size) goes under symmetry s."""
    n = size * size
    table = np.empty((8, n + 1), np.int64)
    indices = np.arange(n).reshape(size, size)
    for s in range(8):
        moved = transform_planes(indices, s).ravel()
        table[s, moved] = np.arange(n)  # the index moved[j] now sits at j
        table[s, n] = n
    return table


def inverse_symmetry(symmetry):
    """The symmetry that undoes `symmetry` (quarter turns invert; flips are their own inverse)."""
    return (4 - symmetry) % 4 if symmetry < 4 else symmetry

"""Go rules as Numba kernels over flat padded arrays.

A position is two arrays: `grid[FIELD, point]` (int32) and `meta[FIELD]` (int64).
Points are indices into an (n+2) x (n+2) array whose border is WALL, so the
four neighbours of `p` are p-1, p+1, p-stride, p+stride with no bounds checks.
Chains are circular linked lists (NEXT) with a HEAD per stone; the chain's
stone count and pseudo-liberty count live at its head. A pseudo-liberty is a
(stone, empty neighbour) pair: it is zero exactly when the chain has no
liberty, and cheap to keep up to date, which is all that captures and
legality need. Exact liberties are counted on demand.

The hot kernels are compiled with `_nrt=False` (no reference counting: they
never allocate) and inlined: Numba otherwise increments and decrements an
atomic reference count for every array argument of every call, which cost
over a third of the playout time.
"""
from typing import NamedTuple

import numpy as np
from numba import njit

from gogo import coords
from gogo.coords import MAX_POINTS, PASS

EMPTY, BLACK, WHITE, WALL = 0, 1, 2, 3

# grid rows
COLOR, HEAD, NEXT, STONES, LIBS, EMPTY_INDEX, EMPTY_LIST, PLACED_AT = range(8)
GRID_FIELDS = 8

# meta entries
SIZE, STRIDE, TO_MOVE, KO_POINT, KO_COLOR, PASSES, MOVE_NUMBER, \
    PRISONERS_BLACK, PRISONERS_WHITE, HASH, NUM_EMPTY = range(11)
META_FIELDS = 11

# move_status results
LEGAL, OCCUPIED, KO, SUICIDE, SUPERKO = range(5)
STATUS_NAMES = ("legal", "occupied", "ko", "suicide", "superko")

ZOBRIST = np.random.default_rng(20161).integers(
    -(2 ** 63), 2 ** 63 - 1, size=(3, MAX_POINTS), dtype=np.int64)


class Position(NamedTuple):
    """The arrays of one position, as every kernel takes them."""
    grid: np.ndarray
    meta: np.ndarray

    def copy(self):
        return Position(self.grid.copy(), self.meta.copy())


def new_position(size):
    """The Position of an empty board of `size` x `size`, black to move. The grid is int16
    (every value fits), which halves what copies and the ladder reader move around."""
    coords.check_size(size)
    stride = size + 2
    grid = np.zeros((GRID_FIELDS, stride * stride), np.int16)
    grid[COLOR] = WALL
    grid[HEAD] = -1
    meta = np.zeros(META_FIELDS, np.int64)
    meta[SIZE], meta[STRIDE], meta[TO_MOVE] = size, stride, BLACK
    meta[KO_POINT] = PASS
    points = np.array(coords.board_points(size))
    grid[COLOR, points] = EMPTY
    grid[EMPTY_LIST, :len(points)] = points
    grid[EMPTY_INDEX, points] = np.arange(len(points))
    meta[NUM_EMPTY] = len(points)
    return Position(grid, meta)


@njit(cache=True, _nrt=False, inline="always")
def _add_empty(grid, meta, p):
    n = meta[NUM_EMPTY]
    grid[EMPTY_LIST, n] = p
    grid[EMPTY_INDEX, p] = n
    meta[NUM_EMPTY] = n + 1


@njit(cache=True, _nrt=False, inline="always")
def remove_empty(grid, meta, p):
    """Take empty point p out of the empty-point list. Only place_stone and the random-move
    draws (gogo.go.playout, on their own copy of a position) call it."""
    last = meta[NUM_EMPTY] - 1
    i = grid[EMPTY_INDEX, p]
    moved = grid[EMPTY_LIST, last]
    grid[EMPTY_LIST, i] = moved
    grid[EMPTY_INDEX, moved] = i
    meta[NUM_EMPTY] = last


@njit(cache=True, inline="always")
def neighbour(p, d, stride):
    if d == 0:
        return p - stride
    if d == 1:
        return p - 1
    if d == 2:
        return p + 1
    return p + stride


@njit(cache=True, inline="always")
def diagonal(p, d, stride):
    if d == 0:
        return p - stride - 1
    if d == 1:
        return p - stride + 1
    if d == 2:
        return p + stride - 1
    return p + stride + 1


@njit(cache=True, _nrt=False, inline="always")
def _merge_chains(grid, a, b):
    """Join chain b into chain a (the larger keeps its head); returns the head."""
    if grid[STONES, a] < grid[STONES, b]:
        a, b = b, a
    s = b
    while True:
        grid[HEAD, s] = a
        s = grid[NEXT, s]
        if s == b:
            break
    grid[NEXT, a], grid[NEXT, b] = grid[NEXT, b], grid[NEXT, a]
    grid[STONES, a] += grid[STONES, b]
    grid[LIBS, a] += grid[LIBS, b]
    return a


@njit(cache=True, _nrt=False, inline="always")
def _remove_chain(grid, meta, h):
    """Take chain h off the board; returns the number of stones removed."""
    stride = meta[STRIDE]
    dead = grid[COLOR, h]
    captor = 3 - dead
    count = 0
    s = h
    while True:
        grid[COLOR, s] = EMPTY
        grid[HEAD, s] = -1
        meta[HASH] ^= ZOBRIST[dead, s]
        _add_empty(grid, meta, s)
        for d in range(4):
            q = neighbour(s, d, stride)
            if grid[COLOR, q] == captor:
                grid[LIBS, grid[HEAD, q]] += 1
        count += 1
        s = grid[NEXT, s]
        if s == h:
            break
    return count


@njit(cache=True, _nrt=False, inline="always")
def place_stone(grid, meta, p, c):
    """Put a stone of colour c on empty point p and make the captures.

    No legality check: callers check first. Updates ko, prisoners, hash,
    move number and the player to move. Returns the number of stones captured.
    """
    stride = meta[STRIDE]
    remove_empty(grid, meta, p)
    grid[COLOR, p] = c
    grid[HEAD, p] = p
    grid[NEXT, p] = p
    grid[STONES, p] = 1
    grid[PLACED_AT, p] = meta[MOVE_NUMBER] + 1
    grid[LIBS, p] = 0
    meta[HASH] ^= ZOBRIST[c, p]
    captured = 0
    last_captured = PASS
    for d in range(4):
        q = neighbour(p, d, stride)
        cq = grid[COLOR, q]
        if cq == EMPTY:
            grid[LIBS, grid[HEAD, p]] += 1
        elif cq != WALL:
            h = grid[HEAD, q]
            grid[LIBS, h] -= 1
            if cq == c:
                if h != grid[HEAD, p]:
                    _merge_chains(grid, grid[HEAD, p], h)
            elif grid[LIBS, h] == 0:
                captured += _remove_chain(grid, meta, h)
                last_captured = q
    own = grid[HEAD, p]
    if captured == 1 and grid[STONES, own] == 1 and grid[LIBS, own] == 1:
        meta[KO_POINT] = last_captured
        meta[KO_COLOR] = 3 - c
    else:
        meta[KO_POINT] = PASS
    meta[PRISONERS_BLACK + c - 1] += captured
    meta[TO_MOVE] = 3 - c
    meta[PASSES] = 0
    meta[MOVE_NUMBER] += 1
    return captured


@njit(cache=True, _nrt=False, inline="always")
def pass_move(meta, c):
    meta[KO_POINT] = PASS
    meta[TO_MOVE] = 3 - c
    meta[PASSES] += 1
    meta[MOVE_NUMBER] += 1


@njit(cache=True, _nrt=False, inline="always")
def _adjacency(grid, p, h, stride):
    """How many of p's neighbours belong to the chain with head h."""
    k = 0
    for d in range(4):
        q = neighbour(p, d, stride)
        cq = grid[COLOR, q]
        if (cq == BLACK or cq == WHITE) and grid[HEAD, q] == h:
            k += 1
    return k


@njit(cache=True, _nrt=False, inline="always")
def move_status(grid, meta, p, c):
    """LEGAL, OCCUPIED, KO or SUICIDE for colour c at point p (no superko)."""
    if grid[COLOR, p] != EMPTY:
        return OCCUPIED
    if p == meta[KO_POINT] and c == meta[KO_COLOR]:
        return KO
    stride = meta[STRIDE]
    for d in range(4):
        q = neighbour(p, d, stride)
        cq = grid[COLOR, q]
        if cq == EMPTY:
            return LEGAL
        if cq == WALL:
            continue
        h = grid[HEAD, q]
        k = _adjacency(grid, p, h, stride)
        if cq == c:
            if grid[LIBS, h] > k:
                return LEGAL
        elif grid[LIBS, h] == k:
            return LEGAL
    return SUICIDE


@njit(cache=True, _nrt=False, inline="always")
def hash_after_move(grid, meta, p, c):
    """The Zobrist hash of the position after c plays a legal move at p."""
    stride = meta[STRIDE]
    h = meta[HASH] ^ ZOBRIST[c, p]
    opp = 3 - c
    seen0, seen1, seen2 = -1, -1, -1
    for d in range(4):
        q = neighbour(p, d, stride)
        if grid[COLOR, q] != opp:
            continue
        chain = grid[HEAD, q]
        if chain == seen0 or chain == seen1 or chain == seen2:
            continue
        seen0, seen1, seen2 = chain, seen0, seen1
        if grid[LIBS, chain] == _adjacency(grid, p, chain, stride):
            s = chain
            while True:
                h ^= ZOBRIST[opp, s]
                s = grid[NEXT, s]
                if s == chain:
                    break
    return h


@njit(cache=True, _nrt=False, inline="always")
def move_status_superko(grid, meta, p, c, history, num_history):
    """move_status, plus SUPERKO when the move repeats an earlier position."""
    status = move_status(grid, meta, p, c)
    if status != LEGAL:
        return status
    after = hash_after_move(grid, meta, p, c)
    for i in range(num_history):
        if history[i] == after:
            return SUPERKO
    return LEGAL


@njit(cache=True, _nrt=False, inline="always")
def is_eye(grid, meta, p, c):
    """True if empty point p is an eye of colour c: surrounded orthogonally by c
    (or the edge) and with fewer than two enemy diagonals (none on the edge)."""
    stride = meta[STRIDE]
    for d in range(4):
        cq = grid[COLOR, neighbour(p, d, stride)]
        if cq != c and cq != WALL:
            return False
    enemy = 0
    edge = False
    for d in range(4):
        cq = grid[COLOR, diagonal(p, d, stride)]
        if cq == WALL:
            edge = True
        elif cq == 3 - c:
            enemy += 1
    if edge:
        return enemy == 0
    return enemy < 2


@njit(cache=True, _nrt=False, inline="always")
def is_sensible(grid, meta, p, c):
    """Legal (simple ko) and not filling one's own eye."""
    return move_status(grid, meta, p, c) == LEGAL and not is_eye(grid, meta, p, c)


@njit(cache=True)
def chain_liberties(grid, meta, p):
    """The exact number of liberties of the chain through stone p."""
    stride = meta[STRIDE]
    mark = np.zeros(grid.shape[1], np.bool_)
    count = 0
    s = p
    while True:
        for d in range(4):
            q = neighbour(s, d, stride)
            if grid[COLOR, q] == EMPTY and not mark[q]:
                mark[q] = True
                count += 1
        s = grid[NEXT, s]
        if s == p:
            break
    return count


@njit(cache=True)
def area_ownership(grid, meta, owner):
    """Tromp-Taylor: write each point's owner (BLACK, WHITE or EMPTY for dame)
    into `owner`; stones own themselves, empty regions belong to the only
    colour they reach."""
    stride = meta[STRIDE]
    unvisited = -1
    for p in range(grid.shape[1]):
        cp = grid[COLOR, p]
        owner[p] = EMPTY if cp == WALL else (unvisited if cp == EMPTY else cp)
    region = np.empty(meta[NUM_EMPTY], np.int32)  # the points of one region, in visiting order
    for i in range(meta[NUM_EMPTY]):
        start = grid[EMPTY_LIST, i]
        if owner[start] != unvisited:
            continue
        owner[start] = EMPTY
        region[0] = start
        count, reach = 1, 0  # reach: bit 1 black, bit 2 white
        k = 0
        while k < count:
            s = region[k]
            k += 1
            for d in range(4):
                q = neighbour(s, d, stride)
                cq = grid[COLOR, q]
                if cq == EMPTY:
                    if owner[q] == unvisited:
                        owner[q] = EMPTY
                        region[count] = q
                        count += 1
                elif cq != WALL:
                    reach |= cq
        if reach == BLACK or reach == WHITE:
            for k in range(count):
                owner[region[k]] = reach


@njit(cache=True)
def area_score(grid, meta):
    """Black's area minus White's area (no komi)."""
    owner = np.empty(grid.shape[1], np.int32)
    area_ownership(grid, meta, owner)
    score = 0
    for p in range(owner.shape[0]):
        if owner[p] == BLACK:
            score += 1
        elif owner[p] == WHITE:
            score -= 1
    return score

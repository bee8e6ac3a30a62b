"""Every empty point's 3x3 pattern key, kept up to date as stones are placed and captured.

A stone's state in a key depends on its chain's liberties capped at 3 (kept at the chain's head),
so a move changes the keys of the empty points around the move, around the stones it captures, and
around the stones of every chain whose capped count changed: the chains next to the move and next
to the captured stones. `play` finds those points and recomputes their keys; it leaves their list
in `dirty` for the rollout kernels, which recompute the move weights of just those points. A chain
whose count stays the same (most often: three or more before and after) costs no walk at all.

Keys are stored as Black sees them (Black the mover); `swap_colours` gives White's view.
"""
from typing import NamedTuple

import numpy as np
from numba import njit

from gogo.go import rules
from gogo.go.rules import BLACK, WHITE, EMPTY, WALL, COLOR, HEAD, NEXT, STRIDE, NUM_EMPTY, EMPTY_LIST
from gogo.rollouts.patterns import COLOUR_SWAP, EMPTY_STATE, WALL_STATE, STATE_BITS

# counters entries
DIRTY_COUNT, STAMP, CAPTURED_COUNT = range(3)


class PatternState(NamedTuple):
    key: np.ndarray        # int64 [points]: the empty point's 3x3 key, Black's view
    liberties: np.ndarray  # int32 [points]: at a chain's head, its liberties capped at 3
    dirty: np.ndarray      # int32 [points]: points whose key (or occupancy) the last play changed
    stamp: np.ndarray      # int32 [points]: marks points already in `dirty`
    captured: np.ndarray   # int32 [points]: the stones the last play captured
    counters: np.ndarray   # int64 [3]


@njit(cache=True)
def new_state(points):
    return PatternState(np.zeros(points, np.int64), np.zeros(points, np.int32),
                        np.zeros(points, np.int32), np.zeros(points, np.int32),
                        np.zeros(points, np.int32), np.zeros(3, np.int64))


@njit(cache=True, _nrt=False, inline="always")
def stone_state(colour, liberties):
    """A point's state for Black as the mover."""
    if colour == EMPTY:
        return EMPTY_STATE
    if colour == WALL:
        return WALL_STATE
    return (1 if colour == BLACK else 4) + liberties


@njit(cache=True, _nrt=False, inline="always")
def point_state(grid, st, q):
    """Point q's state for Black as the mover."""
    colour = grid[COLOR, q]
    if colour == BLACK or colour == WHITE:
        return stone_state(colour, st.liberties[grid[HEAD, q]])
    return stone_state(colour, 0)


@njit(cache=True, _nrt=False, inline="always")
def compute_key(grid, st, p, stride):
    """p's 3x3 key, Black's view, in patterns.NEIGHBOURS_3X3 order."""
    key = 0
    i = 0
    for dr in range(-1, 2):
        for dc in range(-1, 2):
            if dr == 0 and dc == 0:
                continue
            q = p + dr * stride + dc
            key |= np.int64(point_state(grid, st, q)) << (STATE_BITS * i)
            i += 1
    return key


@njit(cache=True, _nrt=False, inline="always")
def swap_colours(key, fields):
    """The key as the other player sees it."""
    out = 0
    for i in range(fields):
        out |= COLOUR_SWAP[(key >> (STATE_BITS * i)) & 7] << (STATE_BITS * i)
    return out


@njit(cache=True, _nrt=False, inline="always")
def capped_liberties(grid, meta, s):
    """The liberties of the chain through stone s, counted up to 3."""
    stride = meta[STRIDE]
    a, b = -1, -1
    t = s
    while True:
        for d in range(4):
            q = rules.neighbour(t, d, stride)
            if grid[COLOR, q] == EMPTY and q != a and q != b:
                if a < 0:
                    a = q
                elif b < 0:
                    b = q
                else:
                    return 3
        t = grid[NEXT, t]
        if t == s:
            break
    return 2 if b >= 0 else (1 if a >= 0 else 0)


@njit(cache=True, _nrt=False, inline="always")
def _mark(st, p):
    if st.stamp[p] != st.counters[STAMP]:
        st.stamp[p] = st.counters[STAMP]
        st.dirty[st.counters[DIRTY_COUNT]] = p
        st.counters[DIRTY_COUNT] += 1


@njit(cache=True, _nrt=False, inline="always")
def _mark_around(grid, st, p, stride):
    for dr in range(-1, 2):
        for dc in range(-1, 2):
            q = p + dr * stride + dc
            if grid[COLOR, q] == EMPTY:
                _mark(st, q)


@njit(cache=True, _nrt=False)
def _mark_chain(grid, meta, st, s):
    """Mark the empty points around every stone of s's chain."""
    stride = meta[STRIDE]
    t = s
    while True:
        _mark_around(grid, st, t, stride)
        t = grid[NEXT, t]
        if t == s:
            break


@njit(cache=True, _nrt=False, inline="always")
def _refresh_once(grid, meta, st, q):
    """Recount the capped liberties of q's chain (once per chain and play: the head stone carries
    the play's stamp); when the count changed, the points around the chain are dirty."""
    h = grid[HEAD, q]
    if st.stamp[h] != st.counters[STAMP]:
        st.stamp[h] = st.counters[STAMP]
        count = capped_liberties(grid, meta, h)
        if count != st.liberties[h]:
            st.liberties[h] = count
            _mark_chain(grid, meta, st, h)


@njit(cache=True, _nrt=False)
def reset(grid, meta, st):
    """Compute every key and liberty count from scratch; every empty point becomes dirty."""
    stride = meta[STRIDE]
    st.counters[STAMP] += 1
    st.counters[DIRTY_COUNT] = 0
    st.counters[CAPTURED_COUNT] = 0
    for p in range(grid.shape[1]):
        c = grid[COLOR, p]
        if (c == BLACK or c == WHITE) and grid[HEAD, p] == p:
            st.liberties[p] = capped_liberties(grid, meta, p)
    for i in range(meta[NUM_EMPTY]):
        p = grid[EMPTY_LIST, i]
        st.key[p] = compute_key(grid, st, p, stride)
        _mark(st, p)


@njit(cache=True, _nrt=False)
def pass_move(meta, st, c):
    """A pass: nothing changes but the turn (and no stones were just captured)."""
    rules.pass_move(meta, c)
    st.counters[DIRTY_COUNT] = 0
    st.counters[CAPTURED_COUNT] = 0


@njit(cache=True, _nrt=False)
def vital_point(st, stride):
    """After a play that captured 3 to 6 stones: the captured point with the most captured
    neighbours, when one point has the most (the middle of a straight or bent three, the centre of
    a pyramid four; a square or a straight four has none), else -1. AlphaGo's nakade feature."""
    n = st.counters[CAPTURED_COUNT]
    if n < 3 or n > 6:
        return -1
    best, best_count, ties = -1, 0, 0
    for i in range(n):
        count = 0
        for j in range(n):
            d = st.captured[i] - st.captured[j]
            if d == 1 or d == -1 or d == stride or d == -stride:
                count += 1
        if count > best_count:
            best, best_count, ties = st.captured[i], count, 0
        elif count == best_count:
            ties += 1
    return best if ties == 0 and best_count >= 2 else -1


@njit(cache=True, _nrt=False)
def play(grid, meta, st, p, c):
    """Place c's stone at p (a legal move) and bring the keys up to date; `dirty` lists p and the
    empty points whose keys changed. Returns the number of stones captured."""
    stride = meta[STRIDE]
    st.counters[STAMP] += 1
    st.counters[DIRTY_COUNT] = 0
    captured = 0
    merged = -1  # the liberty count all chains p joins have, -2 if they differ
    for d in range(4):
        q = rules.neighbour(p, d, stride)
        cq = grid[COLOR, q]
        if cq == c:
            count = st.liberties[grid[HEAD, q]]
            merged = count if merged == -1 or merged == count else -2
        elif cq == 3 - c and st.liberties[grid[HEAD, q]] == 1 and st.stamp[q] != st.counters[STAMP]:
            t = q  # a chain in atari next to p is captured: remember its stones
            while True:
                st.stamp[t] = st.counters[STAMP]
                st.captured[captured] = t
                captured += 1
                t = grid[NEXT, t]
                if t == q:
                    break
    st.counters[CAPTURED_COUNT] = captured
    rules.place_stone(grid, meta, p, c)
    st.counters[STAMP] += 1
    _mark(st, p)
    _mark_around(grid, st, p, stride)
    h = grid[HEAD, p]
    st.liberties[h] = capped_liberties(grid, meta, h)
    st.stamp[h] = st.counters[STAMP]
    if merged != -1 and merged != st.liberties[h]:  # the joined chains' stones changed state
        _mark_chain(grid, meta, st, h)
    for d in range(4):
        q = rules.neighbour(p, d, stride)
        if grid[COLOR, q] == 3 - c:
            _refresh_once(grid, meta, st, q)
    for k in range(captured):
        _mark_around(grid, st, st.captured[k], stride)
    for k in range(captured):
        s = st.captured[k]
        for d in range(4):
            q = rules.neighbour(s, d, stride)
            if grid[COLOR, q] == c:
                _refresh_once(grid, meta, st, q)
    for i in range(st.counters[DIRTY_COUNT]):
        q = st.dirty[i]
        if grid[COLOR, q] == EMPTY:
            st.key[q] = compute_key(grid, st, q, stride)
    return captured

"""Light random playouts: uniformly random sensible moves to the end of the game.

Used by the playout benchmark, by Monte Carlo dead-stone estimation, and by the search where no
rollout policy is given.
Playouts use simple ko only (checking positional superko costs a hash-history
scan per move, and a superko cycle in a random game is vanishingly rare);
a playout also stops after MAX_MOVES_PER_POINT x points moves.
"""
import numpy as np
from numba import njit

from gogo.go import rules
from gogo.go.rules import BLACK, WHITE, PASS

MAX_MOVES_PER_POINT = 3


@njit(cache=True, _nrt=False, inline="always")
def _random_below(rng, n):
    """xorshift64 step; returns an int uniform-enough in [0, n)."""
    x = rng[0]
    x ^= x << np.uint64(13)
    x ^= x >> np.uint64(7)
    x ^= x << np.uint64(17)
    rng[0] = x
    return np.int64((x >> np.uint64(32)) * np.uint64(n) >> np.uint64(32))


@njit(cache=True, _nrt=False, inline="always")
def random_sensible_move(grid, meta, c, rng):
    """A uniformly random sensible move for c, or PASS when none is left.

    Draws from the empty-point list without replacement: a rejected point is
    swapped behind the part still being drawn from.
    """
    remaining = meta[rules.NUM_EMPTY]
    while remaining > 0:
        i = _random_below(rng, remaining)
        p = grid[rules.EMPTY_LIST, i]
        if rules.is_sensible(grid, meta, p, c):
            return p
        remaining -= 1
        q = grid[rules.EMPTY_LIST, remaining]
        grid[rules.EMPTY_LIST, i] = q
        grid[rules.EMPTY_LIST, remaining] = p
        grid[rules.EMPTY_INDEX, q] = i
        grid[rules.EMPTY_INDEX, p] = remaining
    return PASS


@njit(cache=True, _nrt=False)
def play_out(grid, meta, rng):
    """Play random sensible moves until two passes in a row; returns moves played."""
    limit = MAX_MOVES_PER_POINT * meta[rules.SIZE] * meta[rules.SIZE]
    moves = 0
    while meta[rules.PASSES] < 2 and moves < limit:
        c = meta[rules.TO_MOVE]
        p = random_sensible_move(grid, meta, c, rng)
        if p == PASS:
            rules.pass_move(meta, c)
        else:
            rules.place_stone(grid, meta, p, c)
        moves += 1
    return moves


@njit(cache=True, _nrt=False, inline="always")
def _scrambled(seed):
    """An xorshift state from any seed: small seeds would start it with many zero bits."""
    return np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) | np.uint64(1)


@njit(cache=True)
def run_playouts(grid, meta, count, seed):
    """`count` playouts from one position; returns (total moves, each playout's
    area score for Black without komi, per-point ownership sums: +1 black, -1 white)."""
    rng = np.empty(1, np.uint64)
    rng[0] = _scrambled(seed)
    ownership = np.zeros(grid.shape[1], np.int64)
    owner = np.empty(grid.shape[1], np.int32)
    scores = np.empty(count, np.int64)
    total_moves = 0
    work_grid = np.empty_like(grid)
    work_meta = np.empty_like(meta)
    for i in range(count):
        work_grid[:] = grid
        work_meta[:] = meta
        work_meta[rules.PASSES] = 0
        total_moves += play_out(work_grid, work_meta, rng)
        rules.area_ownership(work_grid, work_meta, owner)
        score = 0
        for p in range(owner.shape[0]):
            if owner[p] == BLACK:
                ownership[p] += 1
                score += 1
            elif owner[p] == WHITE:
                ownership[p] -= 1
                score -= 1
        scores[i] = score
    return total_moves, scores, ownership


@njit(cache=True, nogil=True)
def playout_values(grids, metas, count, seed, komi):
    """For each position, the mean result (+1 win, -1 loss, by area score with komi) of `count`
    playouts, from the view of the player to move. Releases the GIL: it runs beside the nets."""
    values = np.empty(grids.shape[0])
    for i in range(grids.shape[0]):
        _, scores, _ = run_playouts(grids[i], metas[i], count, seed + 7919 * i)
        values[i] = mean_result(scores, komi, metas[i][rules.TO_MOVE])
    return values


@njit(cache=True, _nrt=False)
def mean_result(scores, komi, to_move):
    """The mean of +1 (Black's area score beats komi), -1 or 0 over scores, for the player to move."""
    black = 0.0
    for s in scores:
        black += 1.0 if s > komi else (-1.0 if s < komi else 0.0)
    black /= scores.shape[0]
    return black if to_move == BLACK else -black


def ownership(board, playouts=200, seed=1):
    """Mean Tromp-Taylor owner of each point over random playouts:
    size x size floats in [-1, 1], +1 black; row 0 at the bottom."""
    _, _, owned = run_playouts(*board.position, playouts, seed)
    n = board.size
    return (owned / playouts).reshape(n + 2, n + 2)[1:n + 1, 1:n + 1]


def random_move(board, color, rng_seed):
    """A uniformly random sensible move on a Board, honouring its superko rule. Any seed will do:
    it is scrambled first, so nearby small seeds give unrelated moves."""
    rng = np.array([_scrambled(rng_seed)], np.uint64)
    grid, meta = board.position.copy()
    while True:
        p = random_sensible_move(grid, meta, color, rng)
        if p == PASS or board.is_legal(p, color):
            return int(p)
        # the pick repeats a position: take it out of the draw and try again
        rules.remove_empty(grid, meta, p)

"""The rollout policy's kernels: a move's features and logit, sampling from the softmax, and
rollouts played with it to the end of the game.

A move's logit is the sum of the weights of its features (the layout below): its 3x3 pattern (or
the unknown-pattern weight), the tactical flags its key holds (capture, save-atari, self-atari),
and, for the twelve points of the diamond around the previous move, the place in the diamond (the
first eight are AlphaGo's "neighbour" features) and the response pattern; nakade: the vital
point of the 3 to 6 stones the previous move captured (state.vital_point); and the move's line
from the edge (not in AlphaGo's table: it lets the softmax serve as priors where there are no nets). Moves that are illegal
or fill the mover's own eye have no logit, so rollouts end, as uniform playouts do, when only eyes
are left.

Rollouts keep each empty point's weight exp(logit) for both colours and the weights' sum per board
row; a move recomputes the weights of the points `state.play` reports dirty, and sampling picks a
row, then a point, after giving the diamond points their response weights. Like gogo.go.playout
they use simple ko and stop after MAX_MOVES_PER_POINT x points moves.
"""
from typing import NamedTuple

import numpy as np
from numba import njit

from gogo.coords import index_of_point
from gogo.go import rules
from gogo.go.playout import _random_below, _scrambled, mean_result
from gogo.go.rules import (BLACK, WHITE, EMPTY, COLOR, STRIDE, SIZE, TO_MOVE, PASSES, KO_POINT,
                           KO_COLOR, MOVE_NUMBER, PLACED_AT, PASS)
from gogo.rollouts import patterns, state as pattern_state
from gogo.rollouts.patterns import (CAPTURE_FLAG, EYE_FLAG, LEGAL_FLAG, SAVE_ATARI_FLAG,
                                    SELF_ATARI_FLAG, PLACE_SHIFT, STATE_BITS, WALL_STATE)

# the weight vector's layout
UNKNOWN_PATTERN, CAPTURE, SAVE_ATARI, SELF_ATARI = range(4)
DIAMOND_PLACE = 4                          # 12 weights: the candidate's place in the diamond
NAKADE = DIAMOND_PLACE + len(patterns.DIAMOND)  # 4 weights: the vital point of 3..6 captured stones
LINE = NAKADE + 4                          # 5 weights: the move's line, 1..4 and >= 5 from the edge
LINES = 5
FIRST_PATTERN = LINE + LINES               # then the 3x3 patterns, then the responses
MAX_FEATURES = 8                           # per candidate move
MAX_LOGIT = 60.0
MAX_MOVES_PER_POINT = 3

DIAMOND_ROWS = np.array([o[0] for o in patterns.DIAMOND], np.int64)
DIAMOND_COLS = np.array([o[1] for o in patterns.DIAMOND], np.int64)


class Tables(NamedTuple):
    """A rollout policy as the kernels read it (built by `tables`). The *_weights tables hold
    exp(logit) per key (patterns.weighted_table), computed from the weights when the tables are
    built, so rollouts take a known pattern's weight with one look-up and no exp; training reads
    the index tables and `weights` alone."""
    pattern_keys: np.ndarray      # int64: hash table of every image of the 3x3 patterns
    pattern_index: np.ndarray     # int32: their weight index
    pattern_weights: np.ndarray   # float64 [slots, 2]: key, exp of a move's whole logit
    response_keys: np.ndarray     # int64: the same for the response patterns
    response_index: np.ndarray
    response_weights: np.ndarray  # float64 [slots, 2]: key, exp of the response pattern's weight
    place_factor: np.ndarray      # float64 [12]: exp of each diamond place's weight
    nakade_factor: np.ndarray     # float64 [4]: exp of the nakade weights
    line_factor: np.ndarray       # float64 [LINES]: exp of the line weights
    weights: np.ndarray           # float64


class Weights(NamedTuple):
    """A rollout's cached move weights."""
    weight: np.ndarray   # float64 [2, points], by colour - 1: exp(logit) without the response
                         # features, 0 where the move is not sensible
    row_sum: np.ndarray  # float64 [2, stride]
    rows: np.ndarray     # int64 [stride]: the stamp of the play that changed the row
    point_row: np.ndarray  # int64 [points]: each point's row (division is slow)
    point_line: np.ndarray  # int64 [points]: each point's line from the edge, 0..LINES-1
    special: np.ndarray  # int64 [16]: sampling's scratch: the points drawn outside the rows,
    special_row: np.ndarray  # int64 [16]: their rows,
    scratch: np.ndarray  # float64 [3, 16]: their weights, saved row sums and base weights,
    features: np.ndarray  # int64 [MAX_FEATURES]: and one move's features


@njit(cache=True)
def new_weights(points, stride):
    lines = np.zeros(points, np.int64)
    for p in range(points):
        lines[p] = line_of(p, stride)
    return Weights(np.zeros((2, points)), np.zeros((2, stride)), np.zeros(stride, np.int64),
                   np.arange(points) // stride, lines, np.zeros(16, np.int64), np.zeros(16, np.int64),
                   np.zeros((3, 16)), np.zeros(MAX_FEATURES, np.int64))


@njit(cache=True, _nrt=False)
def line_of(p, stride):
    """The line of board point p from the nearest edge, 0 (the first line) .. LINES - 1 (and beyond)."""
    row, col, n = p // stride - 1, p % stride - 1, stride - 2
    return max(0, min(row, col, n - 1 - row, n - 1 - col, LINES - 1))


def tables(weights, pattern_keys, pattern_index, response_keys, response_index):
    """The Tables of hash tables (gogo.rollouts.patterns.symmetric_table) and weights."""
    pattern_factor = np.zeros(len(pattern_keys))
    _pattern_factors(pattern_keys, pattern_index, weights, pattern_factor)
    response_factor = np.where(response_index >= 0, np.exp(np.minimum(
        weights[np.maximum(response_index, 0)], MAX_LOGIT)), 0.0)
    def factors(first, count):
        return np.exp(np.minimum(weights[first:first + count], MAX_LOGIT))

    return Tables(pattern_keys, pattern_index, patterns.weighted_table(pattern_keys, pattern_factor),
                  response_keys, response_index, patterns.weighted_table(response_keys, response_factor),
                  factors(DIAMOND_PLACE, len(patterns.DIAMOND)), factors(NAKADE, 4), factors(LINE, LINES),
                  weights)


@njit(cache=True)
def _pattern_factors(keys, index, weights, out):
    features = np.empty(MAX_FEATURES, np.int64)
    for slot in range(keys.shape[0]):
        if index[slot] < 0:
            continue
        n = _features_of(keys[slot], index[slot], features, 0)
        out[slot] = np.exp(min(logit_of(weights, features, n), MAX_LOGIT)) if n >= 0 else 0.0


# --- features ------------------------------------------------------------------------------------

@njit(cache=True, _nrt=False)
def pattern_features(tables, key, out, n):
    """Write the features of a move whose 3x3 key (mover's view) is `key` into out[n:]; returns the
    new count, or -1 if the move is illegal (ko aside) or fills the mover's eye."""
    return _features_of(key, patterns.lookup(tables.pattern_keys, tables.pattern_index, key), out, n)


@njit(cache=True, _nrt=False)
def _features_of(key, index, out, n):
    flags = patterns.key_flags(key)
    if not (flags & LEGAL_FLAG) or (flags & EYE_FLAG):
        return -1
    out[n] = index if index >= 0 else UNKNOWN_PATTERN
    n += 1
    if flags & CAPTURE_FLAG:
        out[n] = CAPTURE
        n += 1
    if flags & SAVE_ATARI_FLAG:
        out[n] = SAVE_ATARI
        n += 1
    if flags & SELF_ATARI_FLAG:
        out[n] = SELF_ATARI
        n += 1
    return n


@njit(cache=True, _nrt=False, inline="always")
def diamond_key(grid, pst, meta, last, colour):
    """The response key of the diamond around `last` without the candidate's place, colour's view."""
    stride = meta[STRIDE]
    row, col = last // stride, last % stride
    key = np.int64(0)
    for j in range(DIAMOND_ROWS.shape[0] + 1):
        if j < DIAMOND_ROWS.shape[0]:
            r, c = row + DIAMOND_ROWS[j], col + DIAMOND_COLS[j]
        else:
            r, c = row, col
        if r < 0 or c < 0 or r >= stride or c >= stride:
            s = WALL_STATE
        else:
            s = pattern_state.point_state(grid, pst, r * stride + c)
        key |= np.int64(s) << (STATE_BITS * j)
    if colour == WHITE:
        key = pattern_state.swap_colours(key, DIAMOND_ROWS.shape[0] + 1)
    return key


@njit(cache=True, _nrt=False, inline="always")
def diamond_point(last_row, last_col, j, stride):
    """The j-th diamond point around the previous move at (last_row, last_col) of the padded
    board, or -1 off it. (The caller divides once: integer division costs more than the rest.)"""
    row, col = last_row + DIAMOND_ROWS[j], last_col + DIAMOND_COLS[j]
    if row < 0 or col < 0 or row >= stride or col >= stride:
        return -1
    return row * stride + col


@njit(cache=True, _nrt=False)
def response_features(tables, response_key, j, out, n):
    out[n] = DIAMOND_PLACE + j
    n += 1
    index = patterns.lookup(tables.response_keys, tables.response_index,
                            response_key | (np.int64(j) << PLACE_SHIFT))
    if index >= 0:
        out[n] = index
        n += 1
    return n


@njit(cache=True, _nrt=False, inline="always")
def mover_key(pst, p, colour):
    key = pst.key[p]
    return key if colour == BLACK else pattern_state.swap_colours(key, 8)


@njit(cache=True)
def candidate_features(grid, meta, pst, tables, colour, last, points, features, counts, row_of):
    """Every sensible move of `colour` (ko respected): points[i], its features features[i, :counts[i]].
    row_of: an int array over the points, all -1, left so. Returns the number of moves."""
    stride = meta[STRIDE]
    n = 0
    for i in range(meta[rules.NUM_EMPTY]):
        p = grid[rules.EMPTY_LIST, i]
        if p == meta[KO_POINT] and colour == meta[KO_COLOR]:
            continue
        k = pattern_features(tables, mover_key(pst, p, colour), features[n], 0)
        if k < 0:
            continue
        features[n, k] = LINE + line_of(p, stride)
        k += 1
        points[n], counts[n], row_of[p] = p, k, n
        n += 1
    if last != PASS:
        response_key = diamond_key(grid, pst, meta, last, colour)
        last_row, last_col = last // stride, last % stride
        for j in range(DIAMOND_ROWS.shape[0]):
            q = diamond_point(last_row, last_col, j, stride)
            if q >= 0 and row_of[q] >= 0:
                r = row_of[q]
                counts[r] = response_features(tables, response_key, j, features[r], counts[r])
    vital = pattern_state.vital_point(pst, stride)
    if vital >= 0 and row_of[vital] >= 0:
        r = row_of[vital]
        features[r, counts[r]] = NAKADE + pst.counters[pattern_state.CAPTURED_COUNT] - 3
        counts[r] += 1
    for i in range(n):
        row_of[points[i]] = -1
    return n


@njit(cache=True, _nrt=False, inline="always")
def logit_of(weights, features, count):
    total = 0.0
    for k in range(count):
        total += weights[features[k]]
    return total


@njit(cache=True)
def move_priors(grids, metas, tables, priors, sensible):
    """For each position: the policy's softmax over the mover's sensible moves, by move index,
    into priors[i] (0 elsewhere), and which moves those are into sensible[i]."""
    points = grids.shape[2]
    pst = pattern_state.new_state(points)
    candidates, counts = np.empty(points, np.int64), np.empty(points, np.int64)
    features = np.empty((points, MAX_FEATURES), np.int64)
    row_of, logits = np.full(points, -1, np.int64), np.empty(points)
    for i in range(grids.shape[0]):
        grid, meta = grids[i], metas[i]
        pattern_state.reset(grid, meta, pst)
        n = candidate_features(grid, meta, pst, tables, meta[TO_MOVE], last_move(grid, meta), candidates,
                               features, counts, row_of)
        priors[i, :] = 0.0
        sensible[i, :] = False
        best = -np.inf
        for k in range(n):
            logits[k] = logit_of(tables.weights, features[k], counts[k])
            best = max(best, logits[k])
        total = 0.0
        for k in range(n):
            logits[k] = np.exp(logits[k] - best)
            total += logits[k]
        for k in range(n):
            index = index_of_point(candidates[k], meta[SIZE])
            priors[i, index] = logits[k] / total
            sensible[i, index] = True


# --- rollouts ------------------------------------------------------------------------------------

@njit(cache=True, _nrt=False, inline="always")
def _refresh(grid, meta, pst, tables, w, p, stamp):
    for ci in range(2):
        weight = 0.0
        if grid[COLOR, p] == EMPTY:
            key = mover_key(pst, p, ci + 1)
            weight = patterns.find_weight(tables.pattern_weights, key)
            if weight < 0.0:  # a pattern of no weight of its own
                weight = 0.0
                k = _features_of(key, -1, w.features, 0)
                if k >= 0:
                    weight = np.exp(min(logit_of(tables.weights, w.features, k), MAX_LOGIT))
            weight *= tables.line_factor[w.point_line[p]]
        w.weight[ci, p] = weight
    w.rows[w.point_row[p]] = stamp


@njit(cache=True, _nrt=False)
def refresh_weights(grid, meta, pst, tables, w):
    """Recompute the weights of the points the last play made dirty, and their rows' sums."""
    stamp = pst.counters[pattern_state.STAMP]
    for i in range(pst.counters[pattern_state.DIRTY_COUNT]):
        _refresh(grid, meta, pst, tables, w, pst.dirty[i], stamp)
    _sum_rows(meta, w, stamp)


@njit(cache=True, _nrt=False)
def reset_weights(grid, meta, pst, tables, w):
    """Every point's weights from scratch (after state.reset)."""
    stamp = pst.counters[pattern_state.STAMP]
    for p in range(grid.shape[1]):
        _refresh(grid, meta, pst, tables, w, p, stamp)
    _sum_rows(meta, w, stamp)


@njit(cache=True, _nrt=False, inline="always")
def _sum_rows(meta, w, stamp):
    stride = meta[STRIDE]
    for r in range(stride):
        if w.rows[r] == stamp:
            for ci in range(2):
                total = 0.0
                for p in range(r * stride, r * stride + stride):
                    total += w.weight[ci, p]
                w.row_sum[ci, r] = total


@njit(cache=True, _nrt=False, inline="always")
def _random_unit(rng):
    return _random_below(rng, 1 << 30) / float(1 << 30)


@njit(cache=True, _nrt=False)
def sample_move(grid, meta, pst, tables, w, colour, last, rng):
    """A move drawn from the policy's softmax for `colour`, or PASS when it has no sensible move."""
    stride = meta[STRIDE]
    ci = colour - 1
    special, special_row = w.special, w.special_row
    special_weight, saved_row, base_weight = w.scratch[0], w.scratch[1], w.scratch[2]
    count = 0
    if last != PASS:  # the diamond's points get their response weights, outside the row sums
        response_key = diamond_key(grid, pst, meta, last, colour)
        last_row, last_col = w.point_row[last], last - w.point_row[last] * stride
        for j in range(DIAMOND_ROWS.shape[0]):
            q = diamond_point(last_row, last_col, j, stride)
            if q < 0 or w.weight[ci, q] == 0.0:
                continue
            special_row[count] = last_row + DIAMOND_ROWS[j]
            weight = w.weight[ci, q] * tables.place_factor[j]
            factor = patterns.find_weight(tables.response_weights, response_key | (np.int64(j) << PLACE_SHIFT))
            if factor >= 0.0:
                weight *= factor
            special[count], special_weight[count] = q, weight
            count += 1
    vital = pattern_state.vital_point(pst, stride) if last != PASS else -1
    if vital >= 0 and w.weight[ci, vital] > 0.0:
        factor = tables.nakade_factor[pst.counters[pattern_state.CAPTURED_COUNT] - 3]
        for j in range(count + 1):
            if j == count:  # not a diamond point
                special[count], special_weight[count] = vital, w.weight[ci, vital] * factor
                special_row[count] = w.point_row[vital]
                count += 1
                break
            if special[j] == vital:
                special_weight[j] *= factor
                break
    ko = meta[KO_POINT] if meta[KO_COLOR] == colour else PASS
    if ko != PASS and w.weight[ci, ko] > 0.0:  # the ko point: weight 0 for this draw
        special[count], special_weight[count], special_row[count] = ko, 0.0, w.point_row[ko]
        for j in range(count):
            if special[j] == ko:
                special_weight[j] = 0.0
        count += 1
    for j in range(count):  # take the special points out of their rows
        q = special[j]
        saved_row[j] = w.row_sum[ci, special_row[j]]
        base_weight[j] = w.weight[ci, q]
    for j in range(count):
        q = special[j]
        w.row_sum[ci, special_row[j]] -= w.weight[ci, q]
        w.weight[ci, q] = 0.0
    special_total = 0.0
    for j in range(count):
        special_total += special_weight[j]
    total = special_total
    for r in range(stride):
        total += w.row_sum[ci, r]
    move = PASS
    if total > 0.0:
        u = _random_unit(rng) * total
        move = _pick(w, ci, stride, special, special_weight, count, u, special_total)
    for j in range(count - 1, -1, -1):  # put them back exactly
        q = special[j]
        w.weight[ci, q] = base_weight[j]
        w.row_sum[ci, special_row[j]] = saved_row[j]
    return move


@njit(cache=True, _nrt=False, inline="always")
def _pick(w, ci, stride, special, special_weight, count, u, special_total):
    if u < special_total:
        for j in range(count):
            u -= special_weight[j]
            if u < 0.0 and special_weight[j] > 0.0:
                return special[j]
    u -= special_total
    last_row = -1
    for r in range(stride):
        row = w.row_sum[ci, r]
        if row <= 0.0:
            continue
        last_row = r
        if u < row:
            break
        u -= row
    if last_row < 0:  # rounding: a special point, if any has weight
        for j in range(count):
            if special_weight[j] > 0.0:
                return special[j]
        return PASS
    fallback = PASS
    for p in range(last_row * stride, last_row * stride + stride):
        if w.weight[ci, p] > 0.0:
            fallback = p
            u -= w.weight[ci, p]
            if u < 0.0:
                return p
    return fallback  # rounding left u past the row's last weight


@njit(cache=True)
def last_move(grid, meta):
    """The point of the last move, or PASS (the last move was a pass, or there was none)."""
    if meta[PASSES] > 0 or meta[MOVE_NUMBER] == 0:
        return PASS
    for p in range(grid.shape[1]):
        c = grid[COLOR, p]
        if (c == BLACK or c == WHITE) and grid[PLACED_AT, p] == meta[MOVE_NUMBER]:
            return p
    return PASS


@njit(cache=True)
def play_rollout(grid, meta, pst, tables, w, rng):
    """Play the policy's moves until two passes in a row; returns the number of moves."""
    pattern_state.reset(grid, meta, pst)
    reset_weights(grid, meta, pst, tables, w)
    last = last_move(grid, meta)
    limit = MAX_MOVES_PER_POINT * meta[SIZE] * meta[SIZE]
    moves = 0
    while meta[PASSES] < 2 and moves < limit:
        c = meta[TO_MOVE]
        p = sample_move(grid, meta, pst, tables, w, c, last, rng)
        if p == PASS:
            pattern_state.pass_move(meta, pst, c)
        else:
            pattern_state.play(grid, meta, pst, p, c)
            refresh_weights(grid, meta, pst, tables, w)
        last = p
        moves += 1
    return moves


@njit(cache=True, nogil=True)
def run_rollouts(grid, meta, count, seed, tables):
    """`count` rollouts from one position: (total moves, each one's area score for Black, no komi)."""
    rng, pst, w, work_grid, work_meta = _workspace(grid, meta, seed)
    scores = np.empty(count, np.int64)
    return _rollouts_into(grid, meta, rng, tables, pst, w, work_grid, work_meta, scores), scores


@njit(cache=True, nogil=True)
def rollout_ownership(grid, meta, count, seed, tables):
    """`count` rollouts from one position: (each point's owner summed over them, +1 Black, -1
    White, by area; each one's area score for Black, no komi)."""
    rng, pst, w, work_grid, work_meta = _workspace(grid, meta, seed)
    owned, owner = np.zeros(grid.shape[1], np.int64), np.empty(grid.shape[1], np.int32)
    scores = np.empty(count, np.int64)
    for i in range(count):
        _rollouts_into(grid, meta, rng, tables, pst, w, work_grid, work_meta, scores[i:i + 1])
        rules.area_ownership(work_grid, work_meta, owner)
        for p in range(owner.shape[0]):
            owned[p] += 1 if owner[p] == BLACK else (-1 if owner[p] == WHITE else 0)
    return owned, scores


@njit(cache=True, nogil=True)
def rollout_values(grids, metas, count, seed, tables, komi):
    """For each position, the mean result (+1 win, -1 loss, by area score with komi) of `count`
    rollouts, from the view of the player to move. Releases the GIL: it runs beside the nets."""
    values = np.empty(grids.shape[0])
    if grids.shape[0] == 0:
        return values
    rng, pst, w, work_grid, work_meta = _workspace(grids[0], metas[0], seed)
    scores = np.empty(count, np.int64)
    for i in range(grids.shape[0]):
        rng[0] = _scrambled(seed + 7919 * i)
        _rollouts_into(grids[i], metas[i], rng, tables, pst, w, work_grid, work_meta, scores)
        values[i] = mean_result(scores, komi, metas[i][TO_MOVE])
    return values


@njit(cache=True)
def _workspace(grid, meta, seed):
    """What rollouts from positions of this board size play in: the random state, the pattern
    state, the weights and a copy of the position (made once, reused for every rollout)."""
    rng = np.empty(1, np.uint64)
    rng[0] = _scrambled(seed)
    points = grid.shape[1]
    return (rng, pattern_state.new_state(points), new_weights(points, meta[STRIDE]), np.empty_like(grid),
            np.empty_like(meta))


@njit(cache=True)
def _rollouts_into(grid, meta, rng, tables, pst, w, work_grid, work_meta, scores):
    """scores.shape[0] rollouts from the position into scores; returns the moves played."""
    total = 0
    for i in range(scores.shape[0]):
        work_grid[:] = grid
        work_meta[:] = meta
        work_meta[PASSES] = 0
        total += play_rollout(work_grid, work_meta, pst, tables, w, rng)
        scores[i] = rules.area_score(work_grid, work_meta)
    return total

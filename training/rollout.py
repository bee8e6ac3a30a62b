"""Training the fast rollout policy (gogo.rollouts) on a game store: `gogo train rollout`.

Two passes over the training split's games, replayed by Numba kernels that keep the pattern keys
up to date exactly as rollouts do (gogo.rollouts.state):

1. harvest: count the 3x3 patterns of every sensible move, and the response patterns of the
   moves around each previous move, over the first HARVEST_POSITIONS positions; the canonical
   patterns seen at least `min_count` times get weights.
2. fit: multinomial logistic regression, a softmax over the mover's sensible moves, one position
   at a time with AdaGrad and a small L2 penalty, until `minutes` or `positions` run out.

Positions whose move is a pass, or a move rollouts never play (filling one's own eye), are skipped.
The weights file is written every CHECKPOINT_SECONDS with the AdaGrad sums and how many games were
fitted, so `resume` carries on from there; `evaluate` gives top-1 on a split.
"""
import time

import numpy as np
from numba import njit

from gogo.coords import point_of_index
from gogo.errors import GogoError
from gogo.go import rules
from gogo.go.rules import LEGAL, PASS, TO_MOVE
from gogo.records.store import load_store
from gogo.rollouts import kernels, patterns, policy as rollout_policy, state as pattern_state
from gogo.rollouts.kernels import MAX_FEATURES
from selfplay.games import DEFAULT_KOMI
from training.metrics import eval_store, mse_by_phase
from training.positions import replay_into, start_game
from training.sampler import EXPERT_VALUE_STREAM, PositionSampler

GAMES_PER_CHUNK = 100
CHECKPOINT_SECONDS = 60
MAX_RESPONSES_PER_POSITION = len(patterns.DIAMOND)
VALUE_ROLLOUTS = 16  # per position, for the rollouts' value MSE


class Workspace:
    """The arrays the kernels replay and fit with, for one board size."""

    def __init__(self, size, num_weights):
        self.empty = rules.new_position(size)
        self.grid, self.meta = self.empty.copy()
        points = self.grid.shape[1]
        self.state = pattern_state.new_state(points)
        self.points = np.empty(points, np.int64)
        self.features = np.empty((points, MAX_FEATURES), np.int64)
        self.counts = np.empty(points, np.int64)
        self.row_of = np.full(points, -1, np.int64)
        self.logits = np.empty(points)
        self.gradient = np.zeros(num_weights)
        self.touched = np.empty(num_weights, np.int64)
        self.mark = np.zeros(num_weights, np.int64)


# --- kernels -------------------------------------------------------------------------------------

@njit(cache=True)
def _begin(store_arrays, g, size, grid, meta, empty, pst):
    moves, colors, move_offsets, setup_points, setup_colors, setup_offsets = store_arrays
    if not start_game(grid, meta, empty[0], empty[1], setup_points, setup_colors,
                      setup_offsets[g], setup_offsets[g + 1], size):
        return False
    pattern_state.reset(grid, meta, pst)
    return True


@njit(cache=True)
def _advance(grid, meta, pst, move, colour, size):
    """Play one stored move into the pattern state; its point, PASS, or -2 if it is illegal."""
    meta[TO_MOVE] = colour
    if move == size * size:
        pattern_state.pass_move(meta, pst, colour)
        return PASS
    p = point_of_index(move, size)
    if move < 0 or move > size * size or rules.move_status(grid, meta, p, colour) != LEGAL:
        return -2
    pattern_state.play(grid, meta, pst, p, colour)
    return p


@njit(cache=True)
def _harvest(store_arrays, games, size, limit, empty, grid, meta, pst, counts3, responses):
    """Count sensible moves' 3x3 keys into counts3 (dense over 2^24), write response keys into
    `responses`; returns (positions, responses written)."""
    moves, colors, move_offsets = store_arrays[0], store_arrays[1], store_arrays[2]
    positions, written = 0, 0
    stride = size + 2
    for g in games:
        if positions >= limit:
            break
        if not _begin(store_arrays, g, size, grid, meta, empty, pst):
            continue
        last = PASS
        for k in range(move_offsets[g], move_offsets[g + 1]):
            colour = colors[k]
            for i in range(meta[rules.NUM_EMPTY]):
                key = kernels.mover_key(pst, grid[rules.EMPTY_LIST, i], colour)
                flags = patterns.key_flags(key)
                if (flags & patterns.LEGAL_FLAG) and not (flags & patterns.EYE_FLAG):
                    counts3[key] += 1
            if last != PASS and written + MAX_RESPONSES_PER_POSITION <= responses.shape[0]:
                response_key = kernels.diamond_key(grid, pst, meta, last, colour)
                for j in range(kernels.DIAMOND_ROWS.shape[0]):
                    q = kernels.diamond_point(last // stride, last % stride, j, stride)
                    if q >= 0 and grid[rules.COLOR, q] == rules.EMPTY:
                        responses[written] = response_key | (np.int64(j) << patterns.PLACE_SHIFT)
                        written += 1
            positions += 1
            last = _advance(grid, meta, pst, moves[k], colour, size)
            if last == -2:
                break
    return positions, written


@njit(cache=True)
def _fit(store_arrays, games, size, empty, grid, meta, pst, tables, accumulated, lr, l2, learn,
         points, features, counts, row_of, logits, gradient, touched, mark):
    """One pass over `games`: the softmax's loss and gradient at every position, an AdaGrad step
    when `learn`. Returns (positions, correct top-1 before the step, summed log-loss, skipped)."""
    moves, colors, move_offsets = store_arrays[0], store_arrays[1], store_arrays[2]
    weights = tables.weights
    positions, correct, skipped, loss = 0, 0, 0, 0.0
    for g in games:
        if not _begin(store_arrays, g, size, grid, meta, empty, pst):
            continue
        last = PASS
        for k in range(move_offsets[g], move_offsets[g + 1]):
            colour, move = colors[k], moves[k]
            if move != size * size:
                meta[TO_MOVE] = colour
                n = kernels.candidate_features(grid, meta, pst, tables, colour, last, points,
                                               features, counts, row_of)
                played = -1
                target = point_of_index(move, size)
                best, best_logit = -1, -np.inf
                for i in range(n):
                    logits[i] = kernels.logit_of(weights, features[i], counts[i])
                    if points[i] == target:
                        played = i
                    if logits[i] > best_logit:
                        best, best_logit = i, logits[i]
                if played < 0:
                    skipped += 1
                else:
                    positions += 1
                    if best == played:
                        correct += 1
                    total = 0.0
                    for i in range(n):
                        logits[i] = np.exp(logits[i] - best_logit)
                        total += logits[i]
                    loss -= np.log(logits[played] / total)
                    if learn:
                        _step(weights, accumulated, lr, l2, features, counts, logits, total, n,
                              played, gradient, touched, mark, positions)
            last = _advance(grid, meta, pst, move, colour, size)
            if last == -2:
                break
    return positions, correct, loss, skipped


@njit(cache=True, inline="always")
def _step(weights, accumulated, lr, l2, features, counts, probabilities, total, n, played,
          gradient, touched, mark, stamp):
    used = 0
    for i in range(n):
        p = probabilities[i] / total - (1.0 if i == played else 0.0)
        for j in range(counts[i]):
            f = features[i, j]
            if mark[f] != stamp:
                mark[f] = stamp
                touched[used] = f
                used += 1
            gradient[f] += p
    for u in range(used):
        f = touched[u]
        g = gradient[f] + l2 * weights[f]
        accumulated[f] += g * g
        weights[f] -= lr * g / (np.sqrt(accumulated[f]) + 1e-8)
        gradient[f] = 0.0


# --- the driver ----------------------------------------------------------------------------------

def _arrays(store):
    return (store.moves.astype(np.int64), store.colors.astype(np.int64), store.move_offsets,
            store.setup_points.astype(np.int64), store.setup_colors.astype(np.int64),
            store.setup_offsets)


def _games(store, split, size):
    games = store.games(split, size)
    if len(games) == 0:
        raise GogoError(f"{store.path or 'the games'}: no {size}x{size} games in the {split or 'whole'} split")
    return games


def harvest(store, games, size, positions, min_count):
    """(canonical 3x3 keys, canonical response keys) seen at least min_count times, most common
    first."""
    work = Workspace(size, 1)
    counts3 = np.zeros(1 << 24, np.int64)
    responses = np.empty(positions * MAX_RESPONSES_PER_POSITION, np.int64)
    _, written = _harvest(_arrays(store), games, size, positions, (work.empty.grid, work.empty.meta),
                          work.grid, work.meta, work.state, counts3, responses)
    keys = np.flatnonzero(counts3)
    return (_frequent(patterns.canonical_3x3(keys), counts3[keys], min_count),
            _frequent(patterns.canonical_response(responses[:written]), None, min_count))


def _frequent(keys, counts, min_count):
    unique, inverse = np.unique(keys, return_inverse=True)
    totals = np.bincount(inverse, weights=counts)
    keep = np.flatnonzero(totals >= min_count)
    return unique[keep[np.argsort(-totals[keep], kind="stable")]]


def evaluate(rollout, store, split="test", size=19, max_games=None):
    """{'positions', 'top1', 'log_loss', 'skipped'} of a RolloutPolicy on a split of a store (None:
    every game)."""
    games = _games(store, split, size)[:max_games]
    work = Workspace(size, len(rollout.weights))
    positions, correct, loss, skipped = _fit(
        _arrays(store), games, size, (work.empty.grid, work.empty.meta), work.grid, work.meta,
        work.state, rollout.tables, np.zeros(0), 0.0, 0.0, False, work.points, work.features,
        work.counts, work.row_of, work.logits, work.gradient, work.touched, work.mark)
    return {"positions": int(positions), "top1": correct / max(positions, 1),
            "log_loss": loss / max(positions, 1), "skipped": int(skipped)}


def value_metrics(rollout, store, split="test", size=19, rollouts=VALUE_ROLLOUTS, seed=1):
    """The rollouts as a value function, on the positions a value net is measured on (one per
    decided game, sampler.EXPERT_VALUE_STREAM, as training.metrics.eval_metrics draws them): each
    position's mean result of `rollouts` rollouts with the game's komi, against the outcome."""
    squared, move_numbers = [], []
    for batch, values in rollout_values(rollout, store, split, size, rollouts, seed):
        squared.extend((values - batch.results) ** 2)
        move_numbers.extend(batch.move_numbers)
    mse = float(np.mean(squared)) if squared else float("nan")
    return {"value_positions": len(squared), "value_rollouts": rollouts, "value_mse": mse,
            "value_mse_quarter": mse / 4, "value_mse_by_phase": mse_by_phase(squared, move_numbers)}


def rollout_values(rollout, store, split="test", size=19, rollouts=VALUE_ROLLOUTS, seed=1):
    """(sampler Batch, each position's mean rollout result for the player to move, with the
    game's komi) over the value positions of a split (one per decided game, in store order)."""
    sampler = PositionSampler(store, split=split, batch_size=256, seed=0, shuffle=False, symmetries=False,
                              epochs=1, drop_last=False, size=size, **EXPERT_VALUE_STREAM)
    empty = rules.new_position(size)
    grid, meta = empty.copy()
    for batch in sampler:
        values = np.empty(len(batch.results))
        for k, (game, number) in enumerate(zip(batch.games, batch.move_numbers)):
            moves, colors = store.game_moves(game)
            points, setup_colors = store.game_setup(game)
            replay_into(grid, meta, empty.grid, empty.meta, moves, colors, points, setup_colors, size, number)
            meta[TO_MOVE] = colors[number]
            komi = DEFAULT_KOMI if np.isnan(store.komi[game]) else float(store.komi[game])
            values[k] = rollout.values(grid[None], meta[None], rollouts, seed + int(game), komi)[0]
        yield batch, values
    sampler.close()


def rollout_metrics(weights, data, split="test", size=19, log=None, rollouts=VALUE_ROLLOUTS):
    """`gogo eval --rollout`: top-1 of the rollout policy in `weights` (None: the bundled one for
    the size) on the size x size games of a store's split or of SGF sources
    (training.metrics.eval_store), and the value MSE of `rollouts` rollouts a position (value_metrics). The patterns are
    local: any policy plays any size."""
    rollout = rollout_policy.load(weights) if weights else rollout_policy.bundled(size)
    if rollout is None:
        raise GogoError("no bundled rollout policy: give --weights")
    store, split = eval_store(size, data, split, log)
    result = {**evaluate(rollout, store, split, size), **value_metrics(rollout, store, split, size, rollouts)}
    return {"weights": str(weights or rollout_policy.bundled_path(size)), "kind": "rollout",
            "size": size, "data": list(data), "split": split or "all", **result}


def train(config, log=print, stop=None):
    """Fit a rollout policy (a training.config.RolloutConfig) and write it to config.out; returns
    its test-split evaluation (positions 0 when the store has no test games). `stop`: a callable that says when to stop early (e.g. a SIGTERM)."""
    store = load_store(config.store)
    size = int(np.bincount(store.size).argmax())
    games = np.random.default_rng(config.seed).permutation(_games(store, "train", size))
    if config.resume:
        rollout = rollout_policy.load(config.out)
        if "adagrad_state" not in rollout.extra:
            raise GogoError(f"{config.out}: holds no training state to resume")
        accumulated = rollout.extra["adagrad_state"].astype(np.float64)
        done_games, fitted = rollout.config["fitted_games"], rollout.config["fitted_positions"]
    else:
        pattern_keys, response_keys = harvest(store, games, size, config.harvest_positions, config.min_count)
        log(f"patterns: {len(pattern_keys)} 3x3, {len(response_keys)} response (min count {config.min_count})")
        rollout = rollout_policy.RolloutPolicy.uniform(pattern_keys, response_keys)
        accumulated, done_games, fitted = np.zeros(len(rollout.weights)), 0, 0
    work = Workspace(size, len(rollout.weights))
    arrays = _arrays(store)
    started = last_save = time.monotonic()
    seconds = rollout.config.get("train_seconds", 0.0)
    while done_games < len(games):
        if (config.minutes is not None and time.monotonic() - started >= config.minutes * 60) or \
                (config.positions is not None and fitted >= config.positions) or (stop is not None and stop()):
            break
        chunk = games[done_games:done_games + GAMES_PER_CHUNK]
        t = time.monotonic()
        n, correct, loss, _ = _fit(
            arrays, chunk, size, (work.empty.grid, work.empty.meta), work.grid, work.meta,
            work.state, rollout.tables, accumulated, config.lr, config.l2, True, work.points, work.features,
            work.counts, work.row_of, work.logits, work.gradient, work.touched, work.mark)
        seconds += time.monotonic() - t
        done_games, fitted = done_games + len(chunk), fitted + n
        log(f"games {done_games} positions {fitted} train top1 {correct / max(n, 1):.4f} "
            f"loss {loss / max(n, 1):.4f} seconds {seconds:.0f}")
        if time.monotonic() - last_save >= CHECKPOINT_SECONDS:
            _save(rollout, config, accumulated, done_games, fitted, seconds, store, size)
            last_save = time.monotonic()
    has_test = len(store.games("test", size)) > 0
    result = evaluate(rollout, store, "test", size) if has_test else {"positions": 0, "top1": None}
    _save(rollout, config, accumulated, done_games, fitted, seconds, store, size, result)
    return result


def _save(rollout, config, accumulated, done_games, fitted, seconds, store, size, test=None):
    rollout.config.update(fitted_games=int(done_games), fitted_positions=int(fitted),
                          train_seconds=round(seconds, 1), board_size=size, seed=config.seed,
                          min_count=config.min_count, lr=config.lr, l2=config.l2)
    provenance = {"store": str(store.path), "store_fingerprint": store.fingerprint}
    if test is not None:
        provenance["test"] = test
    rollout_policy.save(rollout, config.out, provenance, extra={"adagrad_state": accumulated})

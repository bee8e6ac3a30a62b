"""Policy net against policy net in batched games (selfplay.games.play): the strength measure of
RL (`eval_vs_init`) and of the pipeline's evaluation stage. Engine against engine over GTP is
selfplay/match.py."""
import time

import numpy as np

from gogo import stats
from selfplay.games import DEFAULT_KOMI, half_and_half, play
from selfplay.movers import PolicyMover


def head_to_head(net_a, net_b, games, komi=DEFAULT_KOMI, seed=0, device=None, temperature=1.0, greedy=False,
                 batch=256):
    """Policy net A against policy net B, A Black in the first half of each batch: A's wins (a jigo
    counts half), win rate, 95% Wilson interval and Elo (as `gogo match` reports them)."""
    movers = [PolicyMover(net, device, temperature, greedy) for net in (net_a, net_b)]
    rng = np.random.default_rng(seed)
    wins, played, start = 0.0, 0, time.perf_counter()
    while played < games:
        count = min(batch, games - played)
        a_black, assign = half_and_half(count)
        result = play(movers, assign, count, net_a.config.board_size, komi, rng)
        outcome = result.winner * np.where(a_black, 1, -1)
        wins += (outcome > 0).sum() + 0.5 * (outcome == 0).sum()
        played += count
    rate = wins / max(games, 1)
    low, high = stats.wilson_interval(wins, games)
    return {"games": games, "a_wins": wins, "a_win_rate": round(rate, 4), "a_win_rate_95": [round(low, 4), round(high, 4)],
            "elo_a_minus_b": round(stats.elo(rate), 1), "seconds": round(time.perf_counter() - start, 1)}

"""The search's move against the expert's, off-line: `gogo eval --search VISITS ...`.

Matches decide what the search keeps, but 40 games on 19x19 take hours here. This is the look of a
few minutes before one, as mixed_values is for lambda: on one position per held-out game (a move
number drawn by a seeded generator), the engine's own player (gogo.players.search.SearchPlayer,
never resigning) searches with the settings given, and its move is compared with the expert's and
with the raw policy's on the same position (the root's highest prior). Agreeing with high-dan
moves is not strength; but a setting whose search agrees less with the experts than its own
priors do is not the one to spend a match on.
"""
import time
from itertools import islice

import numpy as np

from gogo import nets
from gogo.errors import GogoError
from gogo.go.board import PASS
from gogo.players.search import SearchPlayer
from gogo.records.sgf import replay
from gogo.search.leaves import format_mixing
from training.metrics import eval_store

SEARCH_POSITIONS = 200  # positions with no --positions: a few minutes at 100 visits on one core
MIN_MOVE = 10  # positions from this move on (the openings are the policy's, and alike)


def positions(store, split, size, seed=0):
    """(board, color, expert point) triples, one per game of the split in a seeded order, at a
    random move number from MIN_MOVE on where the expert did not pass."""
    rng = np.random.default_rng(seed)
    for i in rng.permutation(store.games(split, size)):
        record = store.record(int(i))
        moves = [k for k in range(MIN_MOVE, len(record.moves)) if record.moves[k][1] is not None]
        if not moves:
            continue
        k = int(rng.choice(moves))
        color, (row, col) = record.moves[k]
        board = replay(record, moves=k, keep_undo=False)
        yield board, color, board.point(row, col)


def search_agreement(weights, data, visits, split="test", count=None, size=19, log=None, **settings):
    """{"search_top1", "policy_top1", "search_agrees_with_policy", and the positions where only one
    of the two found the expert's move: "search_right_priors_wrong", "priors_right_search_wrong"
    (a sign test's counts), ...} of the search with
    `settings` (SearchPlayer's c_puct, fpu_reduction, mixing, rollouts, rollout_weights,
    move_choice, prior_temperature, device) at `visits` a move, and of its priors, on `count` positions
    (SEARCH_POSITIONS if None) of the split; the board size is the net's (`size` without one)."""
    if visits < 1:
        raise GogoError(f"--search {visits}: give at least 1 visit")
    size = nets.read_config(weights).board_size if weights else size
    player = SearchPlayer(weights, visits=visits, resign=False, seed=1, **settings)
    if not player.use(size):
        raise GogoError(f"no {size}x{size} nets to search with: give --weights")
    store, split = eval_store(size, data, split, log)
    searched = prior_hits = search_hits = agreements = search_only = priors_only = 0
    start = time.perf_counter()
    for board, color, expert in islice(positions(store, split, size), count or SEARCH_POSITIONS):
        player.new_game(board)
        move = player.genmove(board, color)
        children = player.search.children()
        best_prior = int(children.moves[np.argmax(children.priors)]) if len(children.moves) else PASS
        searched += 1
        search_hits += move == expert
        prior_hits += best_prior == expert
        agreements += move == best_prior
        search_only += move == expert != best_prior
        priors_only += best_prior == expert != move
        if log and searched % 50 == 0:
            log(f"{searched} positions: search {search_hits / searched:.3f}, priors {prior_hits / searched:.3f}")
    if not searched:
        raise GogoError(f"no {size}x{size} positions from move {MIN_MOVE} on in {', '.join(map(str, data))}")
    evaluator = player.evaluator
    return {"weights": str(nets.weights_for(nets.PRIORS, size, weights)), "kind": "search", "size": size,
            "data": list(map(str, data)), "split": split or "all", "search_positions": searched,
            "search_visits": visits, "search_top1": search_hits / searched, "policy_top1": prior_hits / searched,
            "search_agrees_with_policy": agreements / searched,
            "search_right_priors_wrong": search_only, "priors_right_search_wrong": priors_only,
            "seconds_per_position": (time.perf_counter() - start) / searched,
            "c_puct": player.c_puct, "fpu_reduction": player.fpu_reduction, "move_choice": player.move_choice,
            "prior_temperature": player.prior_temperature,
            "lambda": format_mixing(evaluator.mixing), "rollouts": evaluator.rollouts if evaluator.uses_rollouts else 0}

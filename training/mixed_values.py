"""The search's leaf values measured off-line: `gogo eval --weights NET --lambda L ...`.

A leaf's value in the search is (1 - lambda) * the value net + lambda * the mean result of
rollouts of the rollout policy (gogo.search.leaves). Here both are computed once on the positions a
value net is measured on (one per decided game, sampler.EXPERT_VALUE_STREAM, in store order), and
the mean squared error against the outcome is reported for every lambda (or schedule of lambda by
move number) asked for, overall and by game phase: a cheap look at which mixes are worth a match,
before matches decide.
"""
import numpy as np

from gogo import nets
from gogo.errors import GogoError
from gogo.rollouts import policy as rollout_policy
from gogo.search.leaves import format_mixing, mixing_at, parse_mixing
from training.metrics import eval_store, mse_by_phase
from training.rollout import VALUE_ROLLOUTS, rollout_values


def mixed_value_metrics(weights, data, mixings, split="test", rollout_weights=None, rollouts=VALUE_ROLLOUTS,
                        device=None, log=None):
    """{"lambda_positions", "lambda_rollouts", "value_mse_by_lambda": {lambda: {"mse", "mse_quarter",
    "by_phase"}}} of the value or dual net in `weights` mixed with rollouts of the rollout policy
    (the bundled one of the net's size without rollout_weights) at each of `mixings` (--lambda's
    texts, leaves.parse_mixing)."""
    mixings = [parse_mixing(text) for text in mixings]
    net = nets.load(weights)
    if net.config.kind == nets.POLICY:
        raise GogoError(f"{weights}: a policy net has no value to mix; give a value or two-headed net")
    size = net.config.board_size
    rollout = rollout_policy.load(rollout_weights) if rollout_weights else rollout_policy.bundled(size)
    if rollout is None:
        raise GogoError("no bundled rollout policy: give --rollout-weights")
    store, split = eval_store(size, data, split, log)
    runner = nets.Runner(net, device)
    parts = []
    for batch, rollout_part in rollout_values(rollout, store, split, size, rollouts):
        output = runner(batch.planes)  # a dual net's: (logits, values)
        parts.append((output[1] if isinstance(output, tuple) else output, rollout_part, batch.results,
                      batch.move_numbers))
    values, rolled, results, move_numbers = (np.concatenate(part) for part in zip(*parts))
    by_lambda = {}
    for mixing in mixings:
        share = mixing_at(mixing, move_numbers)
        squared = ((1 - share) * values.astype(np.float64) + share * rolled - results) ** 2
        by_lambda[format_mixing(mixing)] = {"mse": float(squared.mean()), "mse_quarter": float(squared.mean() / 4),
                                  "by_phase": mse_by_phase(squared, move_numbers)}
    return {"lambda_positions": len(results), "lambda_rollouts": rollouts, "value_mse_by_lambda": by_lambda}

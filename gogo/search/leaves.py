"""Leaf evaluation for the search by the nets: priors from the policy net; values from the value
net, from random playouts scored by Tromp-Taylor with komi, or AlphaGo's mix of the two."""
import numpy as np

from gogo import features, nets
from gogo.go import playout, rules
from gogo.go.rules import BLACK

PRIOR_TEMPERATURE = 1 / 0.67  # the paper's softmax temperature beta = 0.67 for the SL priors
ROLLOUTS_PER_LEAF = 4


class NetEvaluator:
    """A leaf evaluator for gogo.search.mcts.Search: priors from the policy net; values
    (1 - mixing) * value net + mixing * random playouts (the paper's lambda; 1 without a value
    net)."""

    def __init__(self, policy, value=None, device=None, rollouts=ROLLOUTS_PER_LEAF, seed=1, mixing=0.0):
        self.policy = nets.Runner(policy, device)
        self.value = nets.Runner(value, device) if value is not None else None
        self.mixing = 1.0 if value is None else mixing
        self.encoder = features.Encoder(policy.config.board_size, value_net=value is not None)
        self.rollouts = rollouts
        self.seed = seed

    def __call__(self, grids, metas, komi):
        planes = self.encoder.encode_arrays(grids, metas)
        priors = self.policy.policy(planes[:, :features.NUM_PLANES], PRIOR_TEMPERATURE)
        sensible = planes[:, features.SENSIBLE].reshape(len(grids), -1).astype(bool)
        values = 0.0
        if self.mixing < 1:
            values = (1 - self.mixing) * self.value(planes)
        if self.mixing > 0:
            rollouts = [self._rollout_value(grid, meta, komi) for grid, meta in zip(grids, metas)]
            values = values + self.mixing * np.array(rollouts)
        return priors, sensible, values

    def move_probabilities(self, board):
        """The policy net's move probabilities (softmax temperature 1) for the player to move on
        `board`, over the move indices."""
        planes = self.encoder.encode(board)[None, :features.NUM_PLANES]
        return self.policy.policy(planes)[0]

    def _rollout_value(self, grid, meta, komi):
        self.seed += 1
        _, scores, _ = playout.run_playouts(grid, meta, self.rollouts, self.seed)
        black = np.sign(scores - komi).mean()
        return black if meta[rules.TO_MOVE] == BLACK else -black

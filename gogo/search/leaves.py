"""Leaf evaluation for the search by the nets: priors from the policy net; values from the value
net, from rollouts scored by Tromp-Taylor with komi, or AlphaGo's mix of the two. Where there
are no nets, the rollout policy alone gives both (RolloutEvaluator).

Rollouts are played by the rollout policy (gogo.rollouts: AlphaGo's fast pattern policy) when one
is given, else they are uniform random playouts. Either way they run in a second thread while the
nets evaluate the same batch (their kernels release the GIL), so on a CPU they use the core the
net leaves idle instead of adding to the net's time.
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from gogo import features, nets
from gogo.errors import GogoError
from gogo.go import playout, rules

PRIOR_TEMPERATURE = 1 / 0.67  # the paper's softmax temperature beta = 0.67 for the SL priors
ROLLOUTS_PER_LEAF = 4
MIXING_WITH_BOTH = 0.5  # the paper's lambda where there are a value net and a rollout policy


def parse_mixing(text):
    """A lambda from the command line: a number in 0..1, or a schedule by the leaf's move number,
    MOVE:LAMBDA points ("0:0,120:0.25,200:0.75"; linear between them, flat beyond), as a tuple
    of (move, lambda) pairs."""
    constant = ":" not in text
    try:
        points = [(0, float(text))] if constant else \
            [(int(move), float(share)) for move, share in (point.split(":") for point in text.split(","))]
    except ValueError:
        raise GogoError(f"lambda {text!r}: give a number or MOVE:LAMBDA points, e.g. 0:0,120:0.25,200:0.75") from None
    moves = [move for move, _ in points]
    if any(not 0 <= share <= 1 for _, share in points) or moves != sorted(set(moves)):
        raise GogoError(f"lambda {text!r}: each lambda must lie in 0..1, the moves rise")
    return points[0][1] if constant else tuple(points)


def format_mixing(mixing):
    """The command line's text of a lambda or a schedule (parse_mixing's inverse)."""
    if isinstance(mixing, tuple):
        return ",".join(f"{move}:{share:g}" for move, share in mixing)
    return str(mixing)


def mixing_at(mixing, move_numbers):
    """The lambda of each position by its move number: an array like move_numbers for a
    schedule, the one number for a constant lambda (either multiplies an array of values)."""
    if isinstance(mixing, tuple):
        moves, shares = zip(*mixing)
        return np.interp(np.asarray(move_numbers, dtype=np.float64), moves, shares)
    return float(mixing)


def mixing_bounds(mixing):
    """(the lowest, the highest) lambda a mixing or schedule takes."""
    shares = [share for _, share in mixing] if isinstance(mixing, tuple) else [mixing]
    return min(shares), max(shares)


def default_mixing(value_net, rollout_policy):
    """The paper's lambda: rollouts alone without a value net; 0.5 with a value net and the
    rollout policy; the value net alone when the rollouts would be uniform random ones."""
    if not value_net:
        return 1.0
    return MIXING_WITH_BOTH if rollout_policy else 0.0


class NetEvaluator:
    """A leaf evaluator for gogo.search.mcts.Search: priors from the policy net; values
    (1 - mixing) * value net + mixing * rollouts (the paper's lambda, or a schedule of it by the
    leaf's move number, parse_mixing; 1 without a value net, default_mixing when None). `policy`
    may be a dual net: one forward pass then gives the priors and the value net's part (its value
    head, unless a separate value net is given)."""

    def __init__(self, policy, value=None, device=None, rollouts=ROLLOUTS_PER_LEAF, seed=1, mixing=None,
                 rollout_policy=None, prior_temperature=PRIOR_TEMPERATURE):
        self.policy = nets.Runner(policy, device)
        self.value = nets.Runner(value, device) if value is not None else None
        self.dual = policy.config.kind == nets.DUAL
        has_value = value is not None or self.dual
        if not has_value:
            mixing = 1.0
        elif mixing is None:
            mixing = default_mixing(True, rollout_policy is not None)
        self.mixing = mixing
        self.rollout_policy = rollout_policy
        self.encoder = features.Encoder(policy.config.board_size, value_net=has_value)
        self.rollouts = rollouts
        self.seed = seed
        self.prior_temperature = prior_temperature
        lowest, highest = mixing_bounds(mixing)
        self.uses_net_values, self.uses_rollouts = lowest < 1, highest > 0
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="rollouts") if self.uses_rollouts else None

    def __call__(self, grids, metas, komi):
        rollouts = None
        if self.uses_rollouts:
            self.seed += 1
            rollouts = self.pool.submit(self._rollout_values, grids, metas, komi, self.seed)
        planes = self.encoder.encode_arrays(grids, metas)
        logits, net_values = self._nets(planes, self.uses_net_values)
        priors = nets.softmax(logits, self.prior_temperature)
        sensible = planes[:, features.SENSIBLE].reshape(len(grids), -1).astype(bool)
        mixing = mixing_at(self.mixing, metas[:, rules.MOVE_NUMBER])
        values = 0.0
        if self.uses_net_values:
            values = (1 - mixing) * net_values
        if rollouts is not None:
            values = values + mixing * rollouts.result()
        return priors, sensible, values

    def _nets(self, planes, values_needed):
        """(move logits, the value net's values or None) of encoded positions."""
        if self.dual:
            logits, values = self.policy(planes)
            return logits, self.value(planes) if self.value is not None and values_needed else values
        logits = self.policy(planes[:, :features.NUM_PLANES])
        return logits, self.value(planes) if values_needed else None

    def _rollout_values(self, grids, metas, komi, seed):
        if self.rollout_policy is not None:
            return self.rollout_policy.values(grids, metas, self.rollouts, seed, komi)
        return playout.playout_values(grids, metas, self.rollouts, seed, komi)

    def move_probabilities(self, board):
        """The policy net's move probabilities (softmax temperature 1) for the player to move on
        `board`, over the move indices."""
        logits, _ = self._nets(self.encoder.encode(board)[None], False)
        return nets.softmax(logits)[0]


class RolloutEvaluator:
    """A leaf evaluator with no nets, for board sizes that have none: priors from the rollout
    policy's softmax, values from its rollouts (a pattern-playout engine, as Go programs were
    before nets)."""

    value = None
    mixing = 1.0

    def __init__(self, rollout_policy, rollouts=ROLLOUTS_PER_LEAF, seed=1):
        self.rollout_policy, self.rollouts, self.seed = rollout_policy, rollouts, seed

    def __call__(self, grids, metas, komi):
        priors, sensible = self.rollout_policy.move_priors(grids, metas)
        self.seed += 1
        return priors, sensible, self.rollout_policy.values(grids, metas, self.rollouts, self.seed, komi)

    def move_probabilities(self, board):
        """The rollout policy's move probabilities for the player to move, over the move indices."""
        grid, meta = board.position
        return self.rollout_policy.move_priors(grid[None], meta[None])[0][0]

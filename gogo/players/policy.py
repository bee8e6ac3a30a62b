"""A player that plays the policy network's move with no search (`gogo gtp --policy-only`).

It plays the most probable sensible move (legal under the board's ko rule, not filling its own
eye), or samples from the policy when asked to. It passes when no sensible move is left, and
also when the opponent has just passed and the position, scored with dead stones removed, is a
win: the policy net knows nothing about passing. It resigns (players.base.ResignRule) when
rollouts of the bundled rollout policy find the game lost on several of its moves in a row: the
policy net knows nothing about winning either.
"""
import logging

import numpy as np

from gogo import features, nets
from gogo.errors import GogoError
from gogo.go.board import PASS
from gogo.players.base import (RESIGN, RESIGN_THRESHOLD, Player, RandomPlayer, ResignRule, opponent_passed,
                               wins_if_game_ends)
from gogo.rollouts import policy as rollout_policy

log = logging.getLogger("gogo.policy")

RESIGN_ROLLOUTS = 64  # rollouts that value a position for resigning (about 20 ms on 19x19)


class PolicyPlayer(Player):
    """With `weights` (a policy net, or a two-headed net whose policy head then plays), that net
    on its board size. Without, the bundled net of whatever size the
    board has (gogo/weights/), loaded when a game of that size starts."""

    def __init__(self, weights=None, device=None, sample=False, temperature=1.0, seed=None, resign=True,
                 resign_threshold=RESIGN_THRESHOLD):
        self.weights = weights  # None: the bundled nets
        self.device = device
        self.models = {}  # board size -> (Runner, Encoder), or None: no net for that size
        if weights is not None:
            self.model(nets.read_config(weights).board_size)  # a bad file fails here, not in a game
        self.sample = sample
        self.temperature = temperature
        self.rng = np.random.default_rng(seed)
        self.fallback = RandomPlayer(seed)
        self.resign_rule = ResignRule(resign_threshold, resign)
        self.rollouts = rollout_policy.bundled(19) if resign else None
        self.seed = seed or 1

    def model(self, size):
        """(Runner, Encoder) for a board size, or None when there is no net for it."""
        if size not in self.models:
            path = nets.weights_for(nets.POLICY, size, self.weights)
            self.models[size] = None if path is None else self._load(path)
        return self.models[size]

    def _load(self, path):
        net = nets.load(path)
        if net.config.kind == nets.VALUE:
            raise GogoError(f"{path}: a value net has no moves to play; give a policy or two-headed net")
        runner = nets.Runner(net, self.device)
        log.info("%s net %s: %d filters, %d layers, %dx%d, on %s", net.config.kind, path, net.config.filters,
                 net.config.layers, net.config.board_size, net.config.board_size, runner.device)
        return runner, features.Encoder(net.config.board_size, value_net=net.config.kind == nets.DUAL)

    def move_probabilities(self, board, color):
        """The policy over the points for `color` to move, as (size*size,) floats (a two-headed
        net's policy head)."""
        runner, encoder = self.model(board.size)
        planes = encoder.encode(board.with_to_move(color))
        probabilities = runner.policy(planes[None], self.temperature)[0]
        return probabilities, planes[features.SENSIBLE].ravel()

    def genmove(self, board, color):
        if self.model(board.size) is None:
            log.warning("no policy net for %dx%d; playing random moves", board.size, board.size)
            return self.fallback.genmove(board, color)
        if opponent_passed(board, color) and wins_if_game_ends(board, color):
            return PASS
        if self.rollouts is not None and self.resign_rule.hopeless(board, self._rollout_value(board, color)):
            return RESIGN
        probabilities, sensible = self.move_probabilities(board, color)
        probabilities = probabilities * sensible
        while probabilities.sum() > 0:
            if self.sample:
                index = int(self.rng.choice(len(probabilities), p=probabilities / probabilities.sum()))
            else:
                index = int(np.argmax(probabilities))
            point = board.point_of_index(index)
            if board.is_legal(point, color):  # the planes use simple ko; the board may use superko
                return point
            probabilities[index] = 0
        return PASS

    def new_game(self, board):
        self.resign_rule.reset()

    def _rollout_value(self, board, color):
        """The mean rollout result for `color` to move (+1 won .. -1 lost)."""
        self.seed += 1
        grid, meta = board.with_to_move(color).position
        return float(self.rollouts.values(grid[None], meta[None], RESIGN_ROLLOUTS, self.seed, board.komi)[0])

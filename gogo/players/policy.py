"""A player that plays the policy network's move with no search (`gogo gtp --policy-only`).

It plays the most probable sensible move (legal under the board's ko rule, not filling its own
eye), or samples from the policy when asked to. It passes when no sensible move is left, and
also when the opponent has just passed and the position, scored with dead stones removed, is a
win: the policy net knows nothing about passing. It resigns (players.base.ResignRule) when the
position's value is hopeless on several of its moves in a row: the policy net knows nothing
about winning either. The value is the search's leaf value (search.leaves): the value net's (a
two-headed net's value head, from the same forward pass; else the bundled value net of the
board size) mixed with rollouts of the bundled rollout policy, or the rollouts alone where
there is no value net.
"""
import logging

import numpy as np

from gogo import features, nets
from gogo.errors import GogoError
from gogo.go.board import PASS
from gogo.players.base import (RESIGN, Player, RandomPlayer, ResignRule, opponent_passed,
                               wins_if_game_ends)
from gogo.rollouts import policy as rollout_policy
from gogo.search.leaves import default_mixing

log = logging.getLogger("gogo.policy")

RESIGN_ROLLOUTS = 64  # rollouts that value a position for resigning (about 20 ms on 19x19)


class Model:
    """The nets of one board size: the policy (or two-headed) net, the separate value net or
    None, and the rollouts' share of the position's value (the paper's lambda)."""

    def __init__(self, net, value_net, device, has_rollouts):
        self.runner = nets.Runner(net, device)
        self.dual = net.config.kind == nets.DUAL
        self.value_runner = nets.Runner(value_net, device) if value_net is not None else None
        has_value = self.dual or value_net is not None
        self.encoder = features.Encoder(net.config.board_size, value_net=has_value)
        self.mixing = default_mixing(has_value, has_rollouts)

    def evaluate(self, planes, temperature):
        """(move probabilities, the value net's value for the player to move, or None) of one
        position's encoded planes."""
        if self.dual:
            logits, values = self.runner(planes[None])
        else:
            logits, values = self.runner(planes[None, :features.NUM_PLANES]), None
        if self.value_runner is not None:  # a separate value net, as the search's, over a dual net's head
            values = self.value_runner(planes[None])
        return nets.softmax(logits, temperature)[0], None if values is None else float(values[0])


class PolicyPlayer(Player):
    """With `weights` (a policy net, or a two-headed net whose policy head then plays), that net
    on its board size. Without, the bundled nets of whatever size the board has (gogo/weights/),
    loaded when a game of that size starts: the policy net, and the value net where one is
    bundled."""

    def __init__(self, weights=None, device=None, sample=False, temperature=1.0, seed=None, resign=True,
                 resign_threshold=None):
        self.weights = weights  # None: the bundled nets
        self.device = device
        self.rollouts = rollout_policy.bundled(19) if resign else None
        self.models = {}  # board size -> Model, or None: no net for that size
        if weights is not None:
            self.model(nets.read_config(weights).board_size)  # a bad file fails here, not in a game
        self.sample = sample
        self.temperature = temperature
        self.rng = np.random.default_rng(seed)
        self.fallback = RandomPlayer(seed)
        self.resign_rule = ResignRule(resign_threshold, resign)
        self.seed = seed or 1

    def model(self, size):
        """The Model for a board size, or None when there is no net for it."""
        if size not in self.models:
            path = nets.weights_for(nets.POLICY, size, self.weights)
            self.models[size] = None if path is None else self._load(path, size)
        return self.models[size]

    def _load(self, path, size):
        net = nets.load(path)
        if net.config.kind == nets.VALUE:
            raise GogoError(f"{path}: a value net has no moves to play; give a policy or two-headed net")
        # the bundled nets go with the bundled value net (the search's too, over a dual net's head),
        # which only the resign rule reads
        needs_value_net = self.weights is None and self.rollouts is not None
        value_path = nets.weights_for(nets.VALUE, size) if needs_value_net else None
        value_net = nets.load(value_path, kind=nets.VALUE, board_size=size) if value_path else None
        model = Model(net, value_net, self.device, self.rollouts is not None)
        log.info("%s net %s: %d filters, %d layers, %dx%d, on %s; values: %s", net.config.kind, path,
                 net.config.filters, net.config.layers, size, size, model.runner.device,
                 value_path or ("its value head" if model.dual else "rollouts"))
        return model

    def evaluate(self, board, color):
        """(the policy over the points for `color` to move, as (size*size,) floats; the sensible
        points' mask; the value net's value or None)."""
        model = self.model(board.size)
        planes = model.encoder.encode(board.with_to_move(color))
        probabilities, value = model.evaluate(planes, self.temperature)
        return probabilities, planes[features.SENSIBLE].ravel(), value

    def genmove(self, board, color):
        if self.model(board.size) is None:
            log.warning("no policy net for %dx%d; playing random moves", board.size, board.size)
            return self.fallback.genmove(board, color)
        if opponent_passed(board, color) and wins_if_game_ends(board, color):
            return PASS
        probabilities, sensible, value = self.evaluate(board, color)
        if self.rollouts is not None and self.resign_rule.hopeless(board, self._value(board, color, value)):
            return RESIGN
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

    def _value(self, board, color, net_value):
        """The position's value for `color` to move (+1 won .. -1 lost): the value net's mixed
        with the mean rollout result, as the search mixes them."""
        mixing = self.model(board.size).mixing
        self.seed += 1
        grid, meta = board.with_to_move(color).position
        rollouts = float(self.rollouts.values(grid[None], meta[None], RESIGN_ROLLOUTS, self.seed, board.komi)[0])
        return mixing * rollouts + (1 - mixing) * (net_value if net_value is not None else 0.0)

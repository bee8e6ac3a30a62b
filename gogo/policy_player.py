"""A player that plays the policy network's move with no search (`gogo gtp --policy-only`).

It plays the most probable sensible move (legal under the board's ko rule, not filling its own
eye), or samples from the policy when asked to. It passes when no sensible move is left, and
also when the opponent has just passed and the position, scored with dead stones removed, is a
win: the policy net knows nothing about passing.
"""
import logging

import numpy as np

from gogo import features, nets, scoring
from gogo.board import PASS
from gogo.player import Player, RandomPlayer

log = logging.getLogger("gogo.policy")


class PolicyPlayer(Player):
    def __init__(self, weights=None, device=None, sample=False, temperature=1.0, seed=None):
        path = weights or nets.DEFAULT_POLICY_WEIGHTS
        self.weights = path
        self.net = nets.load(path, kind=nets.POLICY)
        self.size = self.net.config.board_size
        self.evaluator = nets.Evaluator(self.net, device)
        self.encoder = features.Encoder(self.size)
        self.sample = sample
        self.temperature = temperature
        self.rng = np.random.default_rng(seed)
        self.fallback = RandomPlayer(seed)
        log.info("policy net %s: %d filters, %d layers, %dx%d, on %s", path, self.net.config.filters,
                 self.net.config.layers, self.size, self.size, self.evaluator.device)

    def move_probabilities(self, board, color):
        """The policy over the points for `color` to move, as (size*size,) floats."""
        position = board
        if board.to_move != color:
            position = board.copy()
            position.to_move = color
        planes = self.encoder.encode(position)
        probabilities = self.evaluator.policy(planes[None], self.temperature)[0]
        return probabilities, planes[features.SENSIBLE].ravel()

    def genmove(self, board, color):
        if board.size != self.size:
            log.warning("the policy net is for %dx%d; playing random moves on %dx%d",
                        self.size, self.size, board.size, board.size)
            return self.fallback.genmove(board, color)
        if board.moves and board.moves[-1] == (3 - color, PASS) and self._winning(board, color):
            return PASS
        probabilities, sensible = self.move_probabilities(board, color)
        probabilities = probabilities * sensible
        while probabilities.sum() > 0:
            if self.sample:
                index = int(self.rng.choice(len(probabilities), p=probabilities / probabilities.sum()))
            else:
                index = int(np.argmax(probabilities))
            point = board.point(*divmod(index, self.size))
            if board.is_legal(point, color):  # the planes use simple ko; the board may use superko
                return point
            probabilities[index] = 0
        return PASS

    @staticmethod
    def _winning(board, color):
        score = scoring.score_without(board, scoring.dead_chains(board))
        return score > 0 if color == 1 else score < 0

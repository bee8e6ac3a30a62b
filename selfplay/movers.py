"""Who picks the moves of batched games (selfplay.games.play): a policy net, a uniformly random
sensible move, or the MCTS engine.

A mover's choose(planes, sensible, rng, boards) gets the positions of the games it moves in, as
feature planes and the sensible points (legal under simple ko, not filling an own eye), and returns
one move index per game (gogo.coords: row * size + col, pass = size * size). Only a mover with
needs_boards = True is also given the positions as Boards.

A player is what a batch of games is told to play with (selfplay.games.InProcess,
selfplay.cluster.Workers): a NetPlayer (a policy net and how it samples), which can travel to
another process, or a net-free mover itself; player.mover(device) gives the mover. The weights
version of the net players (weights_version) is what each game records as having played it.
"""
import hashlib
from dataclasses import dataclass

import numpy as np

from gogo import nets
from gogo.players.base import PASS, RESIGN


class PolicyMover:
    """Moves drawn from a policy net's (or a two-headed net's policy head's) softmax over the
    sensible points (or its argmax)."""

    def __init__(self, net, device=None, temperature=1.0, greedy=False):
        self.runner = net if isinstance(net, nets.Runner) else nets.Runner(net, device)
        self.planes = self.runner.net.config.input_planes
        self.temperature, self.greedy = temperature, greedy

    def choose(self, planes, sensible, rng, boards=None):
        logits = self.runner.logits(planes[:, :self.planes]) / self.temperature
        return pick_moves(logits, sensible, rng, self.greedy)


@dataclass
class NetPlayer:
    """A policy net as a player: its PolicyMover on a device samples at temperature (or greedy)."""
    net: object
    temperature: float = 1.0
    greedy: bool = False

    def mover(self, device):
        return PolicyMover(self.net, device, self.temperature, self.greedy)


def weights_version(nets):
    """Which weights played a game: per net a digest of its tensors, joined by '+'."""
    return "+".join(_digest(net) for net in nets)


def _digest(net):
    digest = hashlib.blake2b(digest_size=8)
    for name, tensor in net.state_dict().items():
        digest.update(name.encode() + tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def players_version(players):
    """The weights version of the net players among players (the others have no weights)."""
    return weights_version([p.net for p in players if isinstance(p, NetPlayer)])


class RandomMover:
    """A uniformly random sensible move (the value data's one random move)."""

    def mover(self, device):
        return self

    def choose(self, planes, sensible, rng, boards=None):
        return pick_moves(np.zeros(sensible.shape, np.float32), sensible, rng, greedy=False)


class SearchMover:
    """The MCTS engine's move (gogo.players.search.SearchPlayer), one game at a time: for search
    games. Give it a player with resigning off; a resignation would be played as a pass."""

    needs_boards = True

    def __init__(self, player):
        self.player = player

    def mover(self, device):
        return self

    def choose(self, planes, sensible, rng, boards=None):
        moves = np.empty(len(boards), np.int64)
        for i, board in enumerate(boards):
            self.player.new_game(board)
            point = self.player.genmove(board, board.to_move)
            moves[i] = board.index(PASS if point == RESIGN else point)
        return moves


def pick_moves(logits, sensible, rng, greedy=False):
    """Per row, a sampled (Gumbel-max) or the best sensible index; the pass index when no point
    is sensible. logits: (B, n*n) floats; sensible: (B, n*n) bool."""
    scores = np.where(sensible, logits, -np.inf)
    if not greedy:
        scores = scores - np.log(-np.log(rng.random(scores.shape)))
    moves = np.argmax(scores, axis=1)
    moves[~sensible.any(axis=1)] = logits.shape[1]  # n*n: the pass index
    return moves

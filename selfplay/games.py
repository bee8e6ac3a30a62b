"""Many games at once, in one process: the lockstep game loop (`play`) and the finished games
(`Games`), for `gogo selfplay`, RL and the value data.

Games run in lockstep on stacked Numba boards. Every step, the games whose player to move uses the
same mover (selfplay/movers.py: a policy net, uniform random moves, or search) are encoded in one
Numba call and given to that mover at once (one batched net call); the moves are played by another
Numba call. A mover passes only when it has no sensible move; a game ends after two passes in a
row or MOVE_CAP_PER_POINT x points moves, and is scored by Tromp-Taylor area with komi. Played to
the end this way, every dead stone has been captured, so the area score is the result. Positional
superko is not checked (a cycle in such games is rare, and the move cap ends it).

Which mover plays a move is the caller's choice (`assign`): the current net against an opponent
for RL, the SL net then one random move then the RL net for the value data. Games come back as a
`Games`: moves, winners and scores, plus, when asked, the planes and moves each mover saw (the RL
update trains on them), and the weights version that played each game.

Batches of games are played by a place: InProcess here, or selfplay.cluster.Workers on Ray; both
play(game, players, batches, size, komi) with a game function game(movers, count, size, komi, rng)
-> (Games, extra arrays): selfplay_games here, the RL iteration's and the value data's in training.
A batch's seed gives its rng (random_source): one Generator for the batch, or with GameSeeds one
stream per game (GameStreams), so that a game is the same whichever batch it is played in.
"""
import time
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from gogo import coords, features
from gogo.go import rules
from gogo.go.board import Board
from gogo.go.rules import BLACK, WHITE
from selfplay.movers import players_version

# Games of policy nets that never fill their own eyes end near one move per point; the cap only
# bounds the history arrays. (A random playout, gogo.go.playout, wanders longer: its cap is 3.)
MOVE_CAP_PER_POINT = 2
DEFAULT_KOMI = 7.5


@dataclass
class Games:
    """Finished games. moves[g], colors[g]: int16 / int8 arrays (move indices, gogo.coords; pass =
    size * size). winner: +1 black, -1 white, 0 jigo. score: black area minus white area minus
    komi. positions[m]: (planes uint8 [k, 48, n, n], moves int64 [k], games int64 [k]) for each
    recorded mover m. versions[g]: the weights version that played game g (movers.weights_version;
    "" when not known)."""
    size: int
    komi: float
    moves: list
    colors: list
    winner: np.ndarray
    score: np.ndarray
    seconds: float = 0.0
    positions: dict = field(default_factory=dict)
    versions: np.ndarray | None = None

    def __post_init__(self):
        if self.versions is None:
            self.versions = np.full(len(self.moves), "")

    def __len__(self):
        return len(self.moves)

    @property
    def num_moves(self):
        return int(sum(len(m) for m in self.moves))

    def stats(self):
        seconds = max(self.seconds, 1e-9)
        return {"games": len(self), "size": self.size, "seconds": round(self.seconds, 2),
                "games_per_hour": round(3600 * len(self) / seconds, 1),
                "moves_per_s": round(self.num_moves / seconds, 1),
                "mean_length": round(self.num_moves / max(len(self), 1), 1),
                "black_wins": int((self.winner > 0).sum()), "white_wins": int((self.winner < 0).sum())}

    def subset(self, games):
        """The games at these indices (positions are not carried)."""
        return Games(self.size, self.komi, [self.moves[g] for g in games], [self.colors[g] for g in games],
                     self.winner[games], self.score[games], versions=self.versions[games])


def concatenate(batches):
    """One Games of several, with the positions of the movers every batch recorded (their game
    numbers counted on from batch to batch)."""
    first = batches[0]
    starts = np.cumsum([0] + [len(b) for b in batches[:-1]])
    recorded = set.intersection(*(set(b.positions) for b in batches))
    positions = {m: _joined([b.positions[m] for b in batches], starts) for m in recorded}
    return Games(first.size, first.komi, [m for b in batches for m in b.moves],
                 [c for b in batches for c in b.colors], np.concatenate([b.winner for b in batches]),
                 np.concatenate([b.score for b in batches]), sum(b.seconds for b in batches), positions,
                 np.concatenate([b.versions for b in batches]))


def _joined(parts, starts):
    """One mover's (planes, moves, games) of several batches; a batch where it played no move has
    None for each."""
    kept = [(p, start) for p, start in zip(parts, starts) if p[0] is not None]
    if not kept:
        return None, None, None
    return (np.concatenate([p[0] for p, _ in kept]), np.concatenate([p[1] for p, _ in kept]),
            np.concatenate([p[2] + start for p, start in kept]))


class InProcess:
    """The place that plays batches of games one after another in this process, on a device."""

    batches_at_once = 1

    def __init__(self, device=None):
        self.device = device

    def play(self, game, players, batches, size, komi, on_batch=None):
        """Each batch ({index: (seed or numpy Generator, count)}, in order) as game(movers, count,
        size, komi, rng) plays it with the players' movers, every game recording the players'
        weights version; on_batch(index, games, extra) is told of each. Returns {index: (games,
        extra)}."""
        movers, version = [p.mover(self.device) for p in players], players_version(players)
        results = {}
        for index, (seed, count) in batches.items():
            games, extra = game(movers, count, size, komi, random_source(seed, count))
            games.versions = np.full(len(games), version)
            results[index] = games, extra
            if on_batch:
                on_batch(index, games, extra)
        return results


@dataclass(frozen=True)
class GameSeeds:
    """A batch's seed when every game has a random stream of its own: the batch's game k is game
    first + k, seeded by (*root, first + k). A game's moves then do not depend on the games played
    beside it, so games split into batches in any way (an RL iteration's over any number of
    processes or Ray workers) are the same games."""
    root: tuple
    first: int


class GameStreams:
    """play()'s random source for a batch of GameSeeds: one numpy Generator per game; numbers:
    the games' numbers (first, first + 1, ...)."""

    def __init__(self, seeds, count):
        self.numbers = np.arange(seeds.first, seeds.first + count)
        self.generators = [np.random.default_rng([*seeds.root, int(n)]) for n in self.numbers]

    def rows(self, games):
        """The random source of a mover choosing in these games (indices into the batch)."""
        return RowStreams([self.generators[g] for g in games])


class RowStreams:
    """A Generator's random(shape) (what movers draw) with row i drawn from the i-th game's stream."""

    def __init__(self, generators):
        self.generators = generators

    def random(self, shape):
        return np.stack([g.random(shape[1:]) for g in self.generators])


def random_source(seed, count):
    """The random source of a batch of count games for the game function: GameStreams for
    GameSeeds, else numpy's Generator of the seed (a Generator is itself: one RNG through batches)."""
    return GameStreams(seed, count) if isinstance(seed, GameSeeds) else np.random.default_rng(seed)


def selfplay_games(movers, count, size, komi, rng):
    """`gogo selfplay`'s games: one mover plays both colours, or of two the first is Black."""
    return play(movers, black_and_white(len(movers)), count, size, komi, rng), {}


def black_and_white(movers):
    """play()'s assign for `gogo selfplay`: one mover plays both colours, or of two the first is
    Black and the second White."""
    return lambda move_number, games, colors: np.where(colors == BLACK, 0, movers - 1)


def half_and_half(count):
    """Colours for `count` games of mover 0 against mover 1, mover 0 Black in the first half
    (rounded up) and White in the rest: which games mover 0 is Black in, and play()'s assign."""
    first_black = np.arange(count) < (count + 1) // 2
    return first_black, first_mover_black(first_black)


def first_mover_black(first_black):
    """play()'s assign for games of mover 0 against mover 1, mover 0 Black where first_black holds."""
    def assign(move_number, games, colors):
        return np.where((colors == BLACK) == first_black[games], 0, 1)
    return assign


@njit(cache=True)
def _play_moves(grids, metas, games, moves, size):
    """Play moves[k] (a move index, pass = size*size) for its colour to move in game games[k]."""
    for k in range(games.shape[0]):
        g = games[k]
        color = metas[g, rules.TO_MOVE]
        if moves[k] == size * size:
            rules.pass_move(metas[g], color)
        else:
            rules.place_stone(grids[g], metas[g], coords.point_of_index(moves[k], size), color)


@njit(cache=True)
def _scores(grids, metas, games, komi):
    out = np.empty(games.shape[0], np.float64)
    for k in range(games.shape[0]):
        out[k] = rules.area_score(grids[games[k]], metas[games[k]]) - komi
    return out


def play(movers, assign, count, size, komi=DEFAULT_KOMI, rng=None, record=(), max_moves=None,
         progress=None):
    """Play `count` games at once and return them as Games.

    movers: a list of movers. assign(move_number, games, colors) -> the mover index for each of
    those games (arrays of equal length) at that move. rng: a numpy Generator, or GameStreams (a
    stream per game; its movers may only draw random(shape)). record: mover indices whose positions
    (planes, chosen move, game) are kept. progress: called with (moves played, games running)."""
    rng = rng if rng is not None else np.random.default_rng()
    max_moves = max_moves or MOVE_CAP_PER_POINT * size * size
    empty_grid, empty_meta = rules.new_position(size)
    grids = np.repeat(empty_grid[None], count, axis=0)
    metas = np.repeat(empty_meta[None], count, axis=0)
    history = np.full((count, max_moves), coords.pass_index(size), np.int16)
    # a two-headed net's mover reads the colour plane too; the others take all the planes as they are
    encoder = features.Encoder(size, value_net=any(getattr(m, "planes", 0) > features.NUM_PLANES for m in movers))
    kept = {m: ([], [], []) for m in record}
    running = np.arange(count)
    start = time.perf_counter()
    for move_number in range(max_moves):
        colors = metas[running, rules.TO_MOVE]
        who = np.asarray(assign(move_number, running, colors))
        moves = np.empty(len(running), np.int64)
        for m in np.unique(who):
            rows = np.flatnonzero(who == m)
            games = running[rows]
            planes = encoder.encode_arrays(grids[games], metas[games])
            sensible = planes[:, features.SENSIBLE].reshape(len(games), -1).astype(bool)
            boards = None
            if getattr(movers[m], "needs_boards", False):  # copies: a mover must not play on the games
                boards = [Board.from_position(rules.Position(grids[g], metas[g]), komi) for g in games]
            draws = rng.rows(games) if isinstance(rng, GameStreams) else rng
            moves[rows] = movers[m].choose(planes, sensible, draws, boards)
            if m in kept:
                played = moves[rows] < coords.pass_index(size)
                kept[m][0].append(planes[played, :features.NUM_PLANES])
                kept[m][1].append(moves[rows][played])
                kept[m][2].append(games[played])
        _play_moves(grids, metas, running, moves, size)
        history[running, move_number] = moves
        running = running[metas[running, rules.PASSES] < 2]
        if progress is not None:
            progress(move_number + 1, len(running))
        if not len(running):
            break
    everything = np.arange(count)
    score = _scores(grids, metas, everything, float(komi))
    lengths = metas[:, rules.MOVE_NUMBER].astype(np.int64)  # every move and pass played
    game_moves = [history[g, :lengths[g]].copy() for g in everything]
    game_colors = [np.where(np.arange(lengths[g]) % 2 == 0, BLACK, WHITE).astype(np.int8) for g in everything]
    positions = {m: tuple(np.concatenate(parts) if parts else None for parts in kept[m]) for m in kept}
    return Games(size, float(komi), game_moves, game_colors, np.sign(score).astype(np.int8), score,
                 time.perf_counter() - start, positions)

"""The player interface (what the GTP engine and self-play ask for moves), GTP's time settings,
and the random player.

A player is any object with `genmove(board, color)` returning a point on the board, PASS or
RESIGN. The optional hooks below let a player learn about the game (new game, moves played,
time settings); `Player` implements them all as no-ops, so a player only overrides what it uses.

    class MyPlayer(Player):
        name = "mine"
        def genmove(self, board, color):
            ...

The board handed to `genmove` is the engine's own: a player must not change it (copy it with
`board.copy()` to search). The engine plays the returned move itself; a move it cannot play
(occupied, ko, suicide, superko) is answered with an error, never played.
"""
import random

from gogo.go import playout, scoring
from gogo.go.board import BLACK, PASS

__all__ = ["Player", "RandomPlayer", "PASS", "RESIGN", "ResignRule", "TimeSettings"]

RESIGN = -2  # genmove's answer for resigning (PASS is -1; board points are >= 0)
RESIGN_THRESHOLD = -0.9  # resign when our move's value is below this (by board size, below)...
RESIGN_MOVES = 3  # ...on this many of our moves in a row...
RESIGN_OPENING = 0.1  # ...and never in the first tenth of the board's points in moves
# The bundled 19x19 two-headed net's value head is less sure of itself than the 9x9 value net: in
# 70 games, -0.9 resigned 5 of the 70 lost sides and -0.8 resigned 21, none of them a side that went
# on to win (tools/resign_threshold.py; docs/search.md). -0.8 is Leela Zero's 10% winrate too.
RESIGN_THRESHOLD_BY_SIZE = {19: -0.8}


def opponent_passed(board, color):
    """Did the opponent of `color` just pass (so that a pass by `color` ends the game)?"""
    return bool(board.moves) and board.moves[-1] == (3 - color, PASS)


def wins_if_game_ends(board, color):
    """Does `color` win if the game ends now, scored with dead stones removed (gogo.go.scoring, as
    GNU Go and the GUIs score it, not Tromp-Taylor's every-stone-counts)?"""
    score = scoring.score_without(board, scoring.dead_chains(board))
    return score > 0 if color == BLACK else score < 0


def default_resign_threshold(size):
    """The resign threshold of a board size when none is given."""
    return RESIGN_THRESHOLD_BY_SIZE.get(size, RESIGN_THRESHOLD)


class ResignRule:
    """When a player resigns: after RESIGN_MOVES of its moves in a row whose value (its own view,
    -1 lost .. +1 won) was below the threshold (None: default_resign_threshold of the board's
    size) and trusted (read enough), past the opening. One bad reading never resigns a game."""

    def __init__(self, threshold=None, enabled=True):
        self.threshold, self.enabled = threshold, enabled
        self.hopeless_moves = 0

    def reset(self):
        """A new game."""
        self.hopeless_moves = 0

    def hopeless(self, board, value, trusted=True):
        """Record this move's value; True when the player should resign now."""
        threshold = default_resign_threshold(board.size) if self.threshold is None else self.threshold
        below = trusted and value < threshold
        self.hopeless_moves = self.hopeless_moves + 1 if below else 0
        past_opening = board.move_number >= RESIGN_OPENING * board.size * board.size
        return self.enabled and past_opening and self.hopeless_moves >= RESIGN_MOVES


class TimeSettings:
    """Canadian byo-yomi as GTP `time_settings` gives it: main time, then `byo_yomi_stones`
    moves in every `byo_yomi_time` seconds. See `unlimited` and `absolute` for the special cases."""

    def __init__(self, main_time=0.0, byo_yomi_time=0.0, byo_yomi_stones=0):
        self.main_time = main_time
        self.byo_yomi_time = byo_yomi_time
        self.byo_yomi_stones = byo_yomi_stones

    @property
    def unlimited(self):
        """GTP: byo_yomi_time > 0 with byo_yomi_stones == 0 means no time limit."""
        return self.byo_yomi_time > 0 and self.byo_yomi_stones == 0

    @property
    def absolute(self):
        """Main time only: byo_yomi_time == 0."""
        return self.byo_yomi_time == 0

    def __repr__(self):
        return (f"TimeSettings(main_time={self.main_time}, byo_yomi_time={self.byo_yomi_time}, "
                f"byo_yomi_stones={self.byo_yomi_stones})")


class Player:
    """The player interface. Subclasses must implement `genmove`; the hooks are optional."""

    name = "player"

    def genmove(self, board, color):
        """A move for `color` on `board`: a point, PASS or RESIGN. Must not modify `board`."""
        raise NotImplementedError

    # --- optional hooks ------------------------------------------------------------------
    def new_game(self, board):
        """A new game starts (clear_board, boardsize, handicap, loadsgf) on `board`."""

    def played(self, board, color, point):
        """`color` played `point` (PASS included); `board` already shows the move."""

    def undone(self, board):
        """The last move was taken back; `board` is the position now."""

    def set_time_settings(self, settings):
        """GTP time_settings: a TimeSettings for both players."""

    def set_time_left(self, color, seconds, stones):
        """GTP time_left: `color` has `seconds` left for `stones` more moves (0: main time)."""

    def close(self):
        """The engine is shutting down."""


class RandomPlayer(Player):
    """A uniformly random sensible move: legal (simple ko and the board's superko rule) and not
    filling the player's own eye; passes when no such move is left. Never resigns.

    Seeded: the same seed and the same sequence of positions give the same moves."""

    name = "random"

    def __init__(self, seed=None):
        self.seed = seed
        self._rng = random.Random(seed)

    def genmove(self, board, color):
        return playout.random_move(board, color, self._rng.getrandbits(63))

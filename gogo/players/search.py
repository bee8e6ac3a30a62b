"""A player that searches: PUCT guided by the policy net, leaves judged by the value net, by
rollouts of the rollout policy (AlphaGo's fast pattern policy; uniform random playouts where there
is none or when asked), or by the paper's mix of both (lambda); and the time it gives a move
(think_time).

    gogo gtp                               # bundled nets and rollout policy: value net and rollouts
                                           # mixed where a value net is bundled (9x9), else rollouts
    gogo gtp --visits 800 --value-weights value.safetensors --lambda 0.3
"""
import logging
import sys
import time

from gogo import nets
from gogo.errors import GogoError
from gogo.go.board import PASS
from gogo.players.base import (RESIGN, Player, RandomPlayer, ResignRule, opponent_passed,
                               wins_if_game_ends)
from gogo.rollouts import policy as rollout_policy
from gogo.search.leaves import PRIOR_TEMPERATURE, ROLLOUTS_PER_LEAF, NetEvaluator, RolloutEvaluator, format_mixing
from gogo.search.mcts import C_PUCT, FPU_REDUCTION, Search

log = logging.getLogger("gogo.engine")

RESIGN_MIN_VISITS = 20  # a move's value counts towards resigning (players.base.ResignRule) from here
SAFETY_SECONDS = 0.5  # kept back from every move's budget for the net and the GUI
MIN_MOVES_LEFT = 20  # main time is spread over at least this many more of our moves
DEFAULT_VISITS = 400  # per move with no time limit and no --visits: about 2 s on 19x19 on one CPU core
PONDER_VISITS_FACTOR = 10  # pondering stops at this many times the visits per move (bounds the tree's memory)


def think_time(settings, left, board):
    """Seconds to spend on this move, or None for no limit. `settings` is the game's
    TimeSettings (None: none given), `left` our (seconds, stones) from time_left, if any."""
    if settings is None or settings.unlimited:
        return None
    main_left = settings.main_time if left is None else left[0]
    stones = 0 if left is None else left[1]
    if stones > 0:  # in byo-yomi: this period's time over its remaining stones
        return max(0.05, main_left / stones - SAFETY_SECONDS)
    moves_left = max(MIN_MOVES_LEFT, (board.size * board.size - board.move_number) // 3)
    budget = main_left / moves_left
    if not settings.absolute:  # main time first, then a byo-yomi period is always there
        budget += settings.byo_yomi_time / max(settings.byo_yomi_stones, 1)
    return max(0.05, budget - SAFETY_SECONDS)


class SearchPlayer(Player):
    """With `weights` (and `value_weights`), those nets on their board size. Without, the bundled
    nets of whatever size the board has (nets.weights_for), loaded when a game of that size
    starts; `value_weights` alone replaces the bundled value net on its size. Rollouts: the policy
    in `rollout_weights`, else the bundled one; uniform random playouts with uniform_rollouts.
    mixing: the paper's lambda (None: leaves.default_mixing). move_choice: one of mcts.MOVE_CHOICES.
    prior_temperature: the priors are softmax(logits / prior_temperature) of the policy net."""

    def __init__(self, weights=None, value_weights=None, visits=None, batch=8, device=None, seed=None,
                 c_puct=C_PUCT, fpu_reduction=FPU_REDUCTION, resign=True, resign_threshold=None, seconds=None,
                 mixing=None, rollout_weights=None, uniform_rollouts=False, rollouts=None, move_choice="visits",
                 prior_temperature=PRIOR_TEMPERATURE):
        self.weights, self.value_weights = weights, value_weights
        self.rollout_policy = None
        if not uniform_rollouts:
            path = rollout_weights or rollout_policy.bundled_path(19)
            self.rollout_policy = rollout_policy.load(path) if path is not None else None
        self.rollouts = rollouts or ROLLOUTS_PER_LEAF
        self.device, self.seed, self.mixing, self.batch = device, seed or 1, mixing, batch
        self.c_puct, self.fpu_reduction, self.move_choice = c_puct, fpu_reduction, move_choice
        self.prior_temperature = prior_temperature
        self.searches = {}  # board size -> Search, or None: no nets for that size
        self.search = None  # the Search of the board size in play (see use)
        if weights:
            self.use(nets.read_config(weights).board_size)
        if value_weights:
            size = nets.read_config(value_weights).board_size
            if not self.use(size):
                raise GogoError(f"{value_weights}: a value net for {size}x{size}, and there is no policy "
                                f"net for {size}x{size} to search with")
        self.visits = visits  # per move at most; None: DEFAULT_VISITS, or all the time allows
        self.seconds = seconds  # per move, when no time settings say otherwise
        self.time_settings = None
        self.time_left = {}
        self.resign_rule = ResignRule(resign_threshold, resign)
        self.fallback = RandomPlayer(seed)

    @property
    def evaluator(self):
        """The leaf evaluator (a NetEvaluator) of the board size in play."""
        return self.search.evaluate

    def use(self, size):
        """Make the nets for this board size the ones in play (loading them the first time);
        False when there are none for it."""
        if size not in self.searches:
            self.searches[size] = self._load(size)
        self.search = self.searches[size]
        return self.search is not None

    def can_search(self, size):
        """Whether this player searches on a size x size board (without loading anything): with
        its nets for the size, or with the rollout policy alone where it has none."""
        return nets.weights_for(nets.PRIORS, size, self.weights) is not None or self._searches_without_nets

    @property
    def _searches_without_nets(self):
        """Sizes with no nets are searched with the rollout policy alone: when there is one, and
        the player was not given nets of its own (which are for one size)."""
        return self.rollout_policy is not None and self.weights is None

    def _nets_for(self, size):
        """(priors, value net or None) weights files for a board size; priors None: no nets."""
        priors = nets.weights_for(nets.PRIORS, size, self.weights)
        value = nets.weights_for(nets.VALUE, size, self.value_weights) if self.value_weights else None
        if value is None and self.weights is None:  # the bundled priors go with the bundled value net
            value = nets.weights_for(nets.VALUE, size)
        return priors, value

    def _load(self, size):
        priors_path, value_path = self._nets_for(size)
        if priors_path is None:
            return self._rollouts_only(size)
        policy = nets.load(priors_path, board_size=size)  # a policy net, or a dual net: priors and values
        if policy.config.kind == nets.VALUE:
            raise GogoError(f"{priors_path}: a value net cannot give the search's priors")
        value = nets.load(value_path, kind=nets.VALUE, board_size=size) if value_path else None
        evaluator = NetEvaluator(policy, value, self.device, rollouts=self.rollouts, seed=self.seed,
                                 mixing=self.mixing, rollout_policy=self.rollout_policy,
                                 prior_temperature=self.prior_temperature)
        log.info("search on %dx%d: priors %s, values %s, rollouts %s, lambda %s", size, size, priors_path,
                 value_path or ("its value head" if evaluator.dual else "none"), "pattern" if self.rollout_policy else "uniform",
                 format_mixing(evaluator.mixing))
        return self._search_with(evaluator)

    def _rollouts_only(self, size):
        """A board size with no nets: the rollout policy's priors and rollouts, or None without it."""
        if not self._searches_without_nets:
            return None
        log.info("search on %dx%d: no nets; priors and values from the rollout policy", size, size)
        return self._search_with(RolloutEvaluator(self.rollout_policy, self.rollouts, self.seed))

    def _search_with(self, evaluator):
        return Search(evaluator, batch=self.batch, c_puct=self.c_puct, fpu_reduction=self.fpu_reduction,
                      move_choice=self.move_choice)

    def genmove(self, board, color):
        if not self.use(board.size):
            log.warning("no nets for %dx%d; playing random moves", board.size, board.size)
            return self.fallback.genmove(board, color)
        self._search(board.with_to_move(color), color)
        best = self.search.best_child(board, color)
        if best is not None and best.move == PASS and opponent_passed(board, color) \
                and not wins_if_game_ends(board, color):
            # the search scores two passes by Tromp-Taylor, where dead stones count as alive:
            # never end a game that is lost once they are removed
            best = self.search.best_child(board, color, allow_pass=False) or best
        if best is None:
            return PASS
        log.info("%s: %d visits, value %.3f", board.vertex(best.move), best.visits, best.q)
        if self.resign_rule.hopeless(board, best.q, trusted=best.visits >= RESIGN_MIN_VISITS):
            return RESIGN
        return best.move

    def new_game(self, board):
        self.resign_rule.reset()
        for search in self.searches.values():
            if search is not None:
                search.forget()

    @property
    def visits_per_move(self):
        """The visits a move gets when no time limit stops it first."""
        return self.visits or DEFAULT_VISITS

    def _search(self, position, color):
        """Search up to `visits` visits (DEFAULT_VISITS with no time limit), stopping when the
        move's time is up."""
        budget = think_time(self.time_settings, self.time_left.get(color), position)
        if budget is None:
            budget = self.seconds
        if budget is None:
            self.search.run(position, self.visits_per_move)
            return
        limit = self.visits or sys.maxsize
        deadline = time.perf_counter() + budget
        self.search.run(position, min(limit, self.search.batch))
        while time.perf_counter() < deadline and self.search.visits < limit:
            self.search.run(position, self.search.visits + self.search.batch)

    def ponder(self, board, interrupted):
        """Think on the opponent's time: search the position for the player to move until
        `interrupted()`; the tree is reused when the game goes on from here."""
        if board.passes >= 2 or not self.use(board.size):
            return
        limit = PONDER_VISITS_FACTOR * self.visits_per_move
        while not interrupted() and self.search.visits < limit:
            self.search.run(board, self.search.visits + self.search.batch)

    def set_time_settings(self, settings):
        self.time_settings = settings
        self.time_left = {}

    def set_time_left(self, color, seconds, stones):
        self.time_left[color] = (seconds, stones)

"""A player that searches: PUCT guided by the policy net, leaves judged by the value net or,
without one, by random playouts (AlphaGo's rollouts, with lambda = 1).

    gogo gtp                               # bundled nets: a value net where one is bundled (9x9),
                                           # else playout values
    gogo gtp --visits 800 --value-weights value.safetensors
"""
import logging
import sys
import time

import numpy as np

from gogo import features, nets, playout, rules
from gogo.board import BLACK, PASS
from gogo.player import RESIGN, Player, RandomPlayer
from gogo.search import C_PUCT, Search

log = logging.getLogger("gogo.engine")

PRIOR_TEMPERATURE = 1 / 0.67  # the paper's softmax temperature beta = 0.67 for the SL priors
ROLLOUTS_PER_LEAF = 4
RESIGN_BELOW = -0.9  # resign when the chosen move's value is below this...
RESIGN_MIN_VISITS = 200  # ...and it has been read this much
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


class NetEvaluator:
    """Leaf evaluation for gogo.search: priors from the policy net; values from the value net,
    from random playouts scored by Tromp-Taylor with komi, or AlphaGo's mix of the two:
    (1 - mixing) * value net + mixing * playouts (the paper's lambda; 1 without a value net)."""

    def __init__(self, policy, value=None, device=None, rollouts=ROLLOUTS_PER_LEAF, komi=7.5, seed=1, mixing=0.0):
        self.policy = nets.Evaluator(policy, device)
        self.value = nets.Evaluator(value, device) if value is not None else None
        self.mixing = 1.0 if value is None else mixing
        size = policy.config.board_size
        self.encoder = features.Encoder(size, value_net=value is not None)
        self.rollouts = rollouts
        self.komi = komi
        self.seed = seed

    def __call__(self, grids, metas):
        planes = self.encoder.encode_arrays(grids, metas)
        priors = self.policy.policy(planes[:, :features.NUM_PLANES], PRIOR_TEMPERATURE)
        sensible = planes[:, features.SENSIBLE].reshape(len(grids), -1).astype(bool)
        values = 0.0
        if self.mixing < 1:
            values = (1 - self.mixing) * self.value(planes)
        if self.mixing > 0:
            values = values + self.mixing * np.array([self._rollout_value(g, m) for g, m in zip(grids, metas)])
        return priors, sensible, values

    def _rollout_value(self, grid, meta):
        self.seed += 1
        _, scores, _ = playout.run_playouts(grid, meta, self.rollouts, self.seed)
        black = np.sign(scores - self.komi).mean()
        return black if meta[rules.TO_MOVE] == BLACK else -black


class SearchPlayer(Player):
    """With `weights` (and `value_weights`), those nets on their board size. Without, the bundled
    nets of whatever size the board has (nets.bundled_search_weights), loaded when a game of that
    size starts; `value_weights` alone replaces the bundled value net on its size."""

    def __init__(self, weights=None, value_weights=None, visits=None, batch=8, device=None, seed=None,
                 c_puct=C_PUCT, resign=True, seconds=None, mixing=0.0):
        self.weights, self.value_weights = weights, value_weights
        self.device, self.seed, self.mixing, self.batch, self.c_puct = device, seed or 1, mixing, batch, c_puct
        self.searches = {}  # board size -> Search, or None: no nets for that size
        self.search = None  # the Search of the board size in play (see use)
        if weights:
            self.use(nets.read_config(weights).board_size)
        if value_weights:
            size = nets.read_config(value_weights).board_size
            if not self.use(size):
                raise ValueError(f"{value_weights}: a value net for {size}x{size}, and there is no policy "
                                 f"net for {size}x{size} to search with")
        self.visits = visits  # per move at most; None: DEFAULT_VISITS, or all the time allows
        self.seconds = seconds  # per move, when no time settings say otherwise
        self.time_settings = None
        self.time_left = {}
        self.resign = resign
        self.fallback = RandomPlayer(seed)
        self.last = None  # (moves, visits, q, priors) of the last search, for analysis

    @property
    def evaluator(self):
        return self.search.evaluate

    def use(self, size):
        """Make the nets for this board size the ones in play (loading them the first time);
        False when there are none for it."""
        if size not in self.searches:
            self.searches[size] = self._load(size)
        self.search = self.searches[size]
        return self.search is not None

    def _nets_for(self, size):
        """(policy path, value path or None) for a board size, or (None, None)."""
        value = self.value_weights
        if value and nets.read_config(value).board_size != size:
            value = None
        if self.weights:
            return (self.weights, value) if nets.read_config(self.weights).board_size == size else (None, None)
        prior, bundled_value = nets.bundled_search_weights(size)
        return prior, value or bundled_value

    def _load(self, size):
        policy_path, value_path = self._nets_for(size)
        if policy_path is None:
            return None
        policy = nets.load(policy_path, kind=nets.POLICY)
        value = nets.load(value_path, kind=nets.VALUE, board_size=size) if value_path else None
        evaluator = NetEvaluator(policy, value, self.device, seed=self.seed, mixing=self.mixing)
        log.info("search on %dx%d: priors %s, values %s", size, size, policy_path,
                 value_path or "random playouts")
        return Search(evaluator, batch=self.batch, c_puct=self.c_puct)

    def genmove(self, board, color):
        if not self.use(board.size):
            log.warning("no nets for %dx%d; playing random moves", board.size, board.size)
            return self.fallback.genmove(board, color)
        position = board
        if board.to_move != color:
            position = board.copy()
            position.to_move = color
        self.evaluator.komi = self.search.komi = board.komi
        moves, visits, q, priors = self.last = self._search(position, color)
        # a kept subtree may hold a move the root's superko history forbids
        legal = [i for i in np.argsort(-visits) if moves[i] == PASS or board.is_legal(int(moves[i]), color)]
        if not legal:
            return PASS
        best = int(legal[0])
        log.info("%s: %d visits, value %.3f", board.vertex(int(moves[best])), visits[best], q[best])
        if self.resign and visits[best] >= RESIGN_MIN_VISITS and q[best] < RESIGN_BELOW:
            return RESIGN
        return int(moves[best])

    def new_game(self, board):
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
            return self.search.run(position, self.visits_per_move)
        limit = self.visits or sys.maxsize
        deadline = time.perf_counter() + budget
        result = self.search.run(position, min(limit, self.search.batch))
        while time.perf_counter() < deadline and self.search.tree.visits[0] < limit:
            result = self.search.run(position, int(self.search.tree.visits[0]) + self.search.batch)
        return result

    def ponder(self, board, interrupted):
        """Think on the opponent's time: search the position for the player to move until
        `interrupted()`; the tree is reused when the game goes on from here."""
        if board.passes >= 2 or not self.use(board.size):
            return
        limit = PONDER_VISITS_FACTOR * self.visits_per_move
        while not interrupted() and self.search.tree.visits[0] < limit:
            self.search.run(board, int(self.search.tree.visits[0]) + self.search.batch)

    def set_time_settings(self, settings):
        self.time_settings = settings
        self.time_left = {}

    def set_time_left(self, color, seconds, stones):
        self.time_left[color] = (seconds, stones)

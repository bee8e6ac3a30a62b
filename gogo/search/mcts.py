"""Monte Carlo tree search with PUCT (the selection rule is in gogo.search.tree), and its read API:
the root's children, the best legal move, principal variations.

Leaves are collected in batches: the descents of a batch are kept apart by virtual losses, the
batch is evaluated in one call of the leaf evaluator (one net call), then expanded and backed up.

Moves considered at a node are the sensible ones (legal under simple ko, not filling one's own
eye) plus a pass. Positional superko is enforced at the root, where the real game history is
known. Two passes in a row end the game: that node is terminal and is scored by Tromp-Taylor
with the komi of the board searched, so the search never passes away a game it would win by
playing on.
"""
import math
from typing import NamedTuple

import numpy as np

from gogo.go import rules
from gogo.go.rules import PASS
from gogo.search.tree import Tree, backup, expand, select_leaves, terminal_value

C_PUCT = 2.0  # AlphaGo used 5; 2 won 133 of 200 9x9 games against 5 (docs/strength.md)
FPU_REDUCTION = 0.25  # an unvisited child's value: the parent's Q less this
PASS_PRIOR = 0.01  # the policy net has no pass output; pass gets this prior before renormalising,
PASS_PRIOR_AFTER_PASS = 0.5  # or this one when the opponent has just passed: passing then ends the
# game, so its value is exact and worth reading at once
PV_LENGTH = 30  # moves of a principal variation, at most
MOVE_CHOICES = ("visits", "lcb")  # how the move is chosen: the most visited, or the best lower bound
LCB_Z = 1.96  # the lower bound's normal quantile (two-sided 95%)
LCB_MIN_VISIT_FRACTION = 0.1  # under "lcb" only moves with this share of the most visits compete
# (Leela Zero's): a move read a few times has too wide a bound to mean anything


class Children(NamedTuple):
    """The root's children, in tree order, as numpy arrays."""
    moves: np.ndarray  # points or PASS
    visits: np.ndarray
    q: np.ndarray  # mean value for the player to move at the root; NaN where unvisited
    priors: np.ndarray


class Child(NamedTuple):
    """One of the root's children."""
    move: int  # a point or PASS
    visits: int
    q: float  # mean value for the player to move at the root (NaN while unvisited)
    prior: np.float32  # as the tree stores it


class Search:
    """PUCT search from a Board with a leaf evaluator.

    `evaluate(grids, metas, komi) -> (priors (B, N*N), sensible (B, N*N) bool, values (B,))` gives,
    for each leaf position, the move priors, which points are sensible, and the value for the
    player to move under that komi. The search supplies the positions and the komi of the board
    it searches; the evaluator may be the nets (gogo.search.leaves.NetEvaluator), a uniform prior
    with scripted values (tests), or anything else.
    """

    def __init__(self, evaluate, batch=8, c_puct=C_PUCT, fpu_reduction=FPU_REDUCTION,
                 dirichlet_alpha=None, dirichlet_epsilon=0.25, seed=None, move_choice="visits"):
        if move_choice not in MOVE_CHOICES:
            raise ValueError(f"move choice {move_choice!r}: use one of {', '.join(MOVE_CHOICES)}")
        self.evaluate = evaluate
        self.move_choice = move_choice
        self.batch = batch
        self.c_puct = c_puct
        self.fpu_reduction = fpu_reduction
        self.dirichlet_alpha = dirichlet_alpha  # root noise for self-play (None: off)
        self.dirichlet_epsilon = dirichlet_epsilon
        self.rng = np.random.default_rng(seed)
        self.tree = Tree()
        self.root_game = None  # (setup stones, moves, player to move) of the position at the tree's root

    # --- searching ---------------------------------------------------------------------------
    def forget(self):
        """Drop the tree: the next search starts afresh (a new game)."""
        self.root_game = None
        self.tree.reset()

    def reuse(self, board):
        """Keep the part of the last tree under `board`'s position, if the game went on from the
        last root by moves the tree holds; else start afresh. Returns the visits kept."""
        kept = self._descend(board)
        if kept is None:
            self.tree.reset()
        elif kept != 0:
            self.tree = self.tree.subtree(kept)
        return self.visits

    def _descend(self, board):
        """The node of `board`'s position in the tree, or None where the tree does not lead to it."""
        if self.root_game is None or board.setup_stones != self.root_game[0]:
            return None
        then = self.root_game[1]
        if board.moves[:len(then)] != then:
            return None
        node = 0
        expected = self.root_game[2]
        moves = self.tree.arrays.move
        for color, point in board.moves[len(then):]:
            matches = [child for child in self.tree.children(node) if moves[child] == point]
            if color != expected or not matches:
                return None
            node = matches[0]
            expected = 3 - expected
        return node if expected == board.to_move else None

    def run(self, board, visits, reuse=True):
        """Search `board` (under its komi) until the root has `visits` visits (those kept from the
        last search count, with reuse); returns the root's children."""
        if reuse:
            self.reuse(board)
        else:
            self.tree.reset()
        self.root_game = (board.setup_stones, list(board.moves), board.to_move)
        if self.dirichlet_alpha is not None and self.tree.children(0):
            self._add_noise()
        size = board.size
        grid, meta = board.position
        leaf_grids = np.empty((self.batch,) + grid.shape, grid.dtype)
        leaf_metas = np.empty((self.batch,) + meta.shape, meta.dtype)
        leaf_nodes = np.empty(self.batch, np.int64)
        paths = np.empty((self.batch, 4 * size * size), np.int64)
        lengths = np.empty(self.batch, np.int64)
        while self.visits < visits:
            self.tree.reserve(self.batch * (size * size + 1))
            tree = self.tree.arrays
            # every descent would stop at an unexpanded root
            batch = min(self.batch, visits - self.visits) if self.tree.children(0) else 1
            select_leaves(tree, grid, meta, batch, self.c_puct, self.fpu_reduction, leaf_nodes, leaf_grids,
                          leaf_metas, paths, lengths)
            priors, sensible, values = self.evaluate(leaf_grids[:batch], leaf_metas[:batch], board.komi)
            for i in range(batch):
                node = int(leaf_nodes[i])
                leaf_meta = leaf_metas[i]
                if tree.terminal[node] or leaf_meta[rules.PASSES] >= 2:
                    tree.terminal[node] = 1
                    value = terminal_value(leaf_grids[i], leaf_meta, board.komi)
                else:
                    if node == 0:
                        sensible[i] &= _legal_indices(board)
                    pass_prior = PASS_PRIOR_AFTER_PASS if leaf_meta[rules.PASSES] == 1 else PASS_PRIOR
                    expand(tree, node, priors[i], sensible[i], size, pass_prior)
                    if node == 0 and self.dirichlet_alpha is not None:
                        self._add_noise()
                    value = float(values[i])
                backup(tree, paths[i], int(lengths[i]), value)
        return self.children()

    def _add_noise(self):
        """Mix Dirichlet noise into the root's priors (self-play exploration)."""
        children = self.tree.children(0)
        noise = self.rng.dirichlet(np.full(len(children), self.dirichlet_alpha))
        priors = self.tree.arrays.prior[children.start:children.stop]
        priors[:] = (1 - self.dirichlet_epsilon) * priors + self.dirichlet_epsilon * noise

    # --- reading the tree --------------------------------------------------------------------
    @property
    def visits(self):
        """The root's visits."""
        return int(self.tree.arrays.visits[0])

    def children(self):
        """The root's children (moves, visits, Q, priors); empty arrays before the first search."""
        children = self.tree.children(0)
        tree, part = self.tree.arrays, slice(children.start, children.stop)
        visits = tree.visits[part].copy()
        q = np.where(visits > 0, tree.value_sum[part] / np.maximum(visits, 1), np.nan)
        return Children(tree.move[part].copy(), visits, q, tree.prior[part].copy())

    def ranked_children(self):
        """The root's children as Child records, the move the search would play first: the most
        visited first, or under move_choice "lcb" the children with at least
        LCB_MIN_VISIT_FRACTION of the most visits by their winrate's lower bound, then the rest
        by visits. Equal visits come in the order of numpy's default sort, by which genmove has
        always broken ties: kept so that a seed still gives the same game."""
        moves, visits, q, priors = self.children()
        order = np.argsort(-visits)
        if self.move_choice == "lcb" and len(order):
            least = max(1, LCB_MIN_VISIT_FRACTION * visits[order[0]])
            contenders = [i for i in order if visits[i] >= least]
            order = sorted(contenders, key=lambda i: -winrate_lcb(q[i], visits[i])) + \
                [i for i in order if visits[i] < least]
        return [Child(int(moves[i]), int(visits[i]), float(q[i]), priors[i]) for i in order]

    def best_child(self, board, color, allow_pass=True):
        """The root's first child in ranked_children() whose move `color` may play on `board`
        under the board's own ko rule (a kept subtree may hold a move the game's superko history
        forbids), a pass only when `allow_pass`; None when there is none."""
        return next((child for child in self.ranked_children()
                     if (child.move == PASS and allow_pass) or
                     (child.move != PASS and board.is_legal(child.move, color))), None)

    def principal_variation(self, move=None):
        """The most visited line from the root, or `move` (one of the root's) followed by the most
        visited line after it: a list of moves, PV_LENGTH at most after the move."""
        tree, node, line = self.tree.arrays, 0, []
        if move is not None:
            node = next(child for child in self.tree.children(0) if tree.move[child] == move)
            line.append(int(move))
        for _ in range(PV_LENGTH):
            children = self.tree.children(node)
            if not children:
                break
            node = children[int(np.argmax(tree.visits[children.start:children.stop]))]
            if tree.visits[node] == 0:
                break
            line.append(int(tree.move[node]))
        return line


def winrate_lcb(q, visits):
    """The lower bound (LCB_Z) of a move's winrate in [0, 1] from its mean value q in [-1, 1]
    over `visits` visits, by the binomial's normal approximation; 0 for an unvisited move."""
    if visits <= 0:
        return 0.0
    winrate = (q + 1) / 2
    return max(0.0, winrate - LCB_Z * math.sqrt(max(winrate * (1 - winrate), 1e-6) / visits))


def _legal_indices(board):
    """Which move indices are legal at the root under the board's own ko rule (positional superko)."""
    legal = np.zeros(board.size * board.size, bool)
    legal[[board.index(point) for point in board.legal_points()]] = True
    return legal

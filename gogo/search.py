"""Monte Carlo tree search with PUCT, on preallocated Numba arrays (struct of arrays).

A node is an index into the tree's arrays; a node's children sit in one contiguous range
[first, first + count). A node's statistics are from the view of the player who played its move
(the player to move at its parent), so selection at any node maximises

    Q(child) + c_puct * P(child) * sqrt(sum of the children's visits) / (1 + N(child))

where Q = W / N, and an unvisited child is valued at the parent's own Q less FPU_REDUCTION
(first-play urgency, as in Leela Zero), so untried moves get tried when the tried ones look bad. Leaves are collected in batches: each descent adds a
virtual loss of VIRTUAL_LOSS visits, each a loss, along its path so that the next descent looks
elsewhere; the batch is evaluated in one net call; expansion and backup take the virtual losses
back out. Values are from the view of the player to move at the evaluated position, and flip
sign at every ply on the way up.

Moves considered at a node are the sensible ones (legal under simple ko, not filling one's own
eye) plus a pass. Positional superko is enforced at the root, where the real game history is
known. Two passes in a row end the game: that node is terminal and is scored by Tromp-Taylor
with komi, so the search never passes away a game it would win by playing on.
"""
import math

import numpy as np
from numba import njit

from gogo import rules
from gogo.rules import PASS, LEGAL

C_PUCT = 5.0
VIRTUAL_LOSS = 3
FPU_REDUCTION = 0.25  # an unvisited child's value: the parent's Q less this
PASS_PRIOR = 0.01  # the policy net has no pass output; pass gets this prior before renormalising,
PASS_PRIOR_AFTER_PASS = 0.5  # or this one when the opponent has just passed: passing then ends the
# game, so its value is exact and worth reading at once
INITIAL_CAPACITY = 1 << 14

UNEXPANDED = -1


class Tree:
    """The search tree's arrays; grown by doubling when a batch might not fit."""

    def __init__(self, capacity=INITIAL_CAPACITY):
        self.move = np.empty(capacity, np.int32)
        self.first = np.empty(capacity, np.int32)
        self.count = np.empty(capacity, np.int32)
        self.prior = np.empty(capacity, np.float32)
        self.visits = np.empty(capacity, np.int32)
        self.value_sum = np.empty(capacity, np.float64)
        self.terminal = np.empty(capacity, np.int8)  # 1: the game is over at this node
        self.size = np.zeros(1, np.int64)  # nodes in use
        self.reset()

    @property
    def arrays(self):
        return (self.move, self.first, self.count, self.prior, self.visits, self.value_sum, self.terminal,
                self.size)

    @property
    def capacity(self):
        return len(self.move)

    def reset(self):
        """A tree holding only the root (unexpanded)."""
        self.size[0] = 1
        _init_node(self.arrays, 0, PASS, 1.0)

    def reserve(self, nodes):
        """Make room for `nodes` more nodes."""
        needed = int(self.size[0]) + nodes
        if needed <= self.capacity:
            return
        capacity = self.capacity
        while capacity < needed:
            capacity *= 2
        for name in ("move", "first", "count", "prior", "visits", "value_sum", "terminal"):
            old = getattr(self, name)
            new = np.empty(capacity, old.dtype)
            new[:len(old)] = old
            setattr(self, name, new)


@njit(cache=True)
def _init_node(tree, node, move, prior):
    move_a, first, count, prior_a, visits, value_sum, terminal, _ = tree
    move_a[node] = move
    first[node] = UNEXPANDED
    count[node] = 0
    prior_a[node] = prior
    visits[node] = 0
    value_sum[node] = 0.0
    terminal[node] = 0


@njit(cache=True)
def _select_child(tree, node, c_puct, fpu_reduction):
    move, first, count, prior, visits, value_sum, terminal, _ = tree
    total = 0
    for child in range(first[node], first[node] + count[node]):
        total += visits[child]
    scale = c_puct * math.sqrt(max(total, 1))
    # the node's own statistics are from the other player's view
    fpu = (-value_sum[node] / visits[node] if visits[node] > 0 else 0.0) - fpu_reduction
    best, best_score = -1, -1e300
    for child in range(first[node], first[node] + count[node]):
        n = visits[child]
        q = value_sum[child] / n if n > 0 else fpu
        score = q + scale * prior[child] / (1 + n)
        if score > best_score:
            best, best_score = child, score
    return best


@njit(cache=True)
def select_leaves(tree, root_grid, root_meta, batch, c_puct, fpu_reduction, leaf_nodes, leaf_grids, leaf_metas, paths,
                  path_lengths):
    """Descend `batch` times from the root, each time to an unexpanded or terminal node, adding
    virtual losses on the way. Fills leaf_nodes[i], the leaf's position in leaf_grids[i] /
    leaf_metas[i], and its path (root excluded) in paths[i, :path_lengths[i]]."""
    move, first, count, prior, visits, value_sum, terminal, _ = tree
    for i in range(batch):
        grid = leaf_grids[i]
        meta = leaf_metas[i]
        grid[:, :] = root_grid
        meta[:] = root_meta
        node = 0
        depth = 0
        while first[node] != UNEXPANDED and terminal[node] == 0 and count[node] > 0:
            node = _select_child(tree, node, c_puct, fpu_reduction)
            visits[node] += VIRTUAL_LOSS
            value_sum[node] -= VIRTUAL_LOSS
            paths[i, depth] = node
            depth += 1
            c = meta[rules.TO_MOVE]
            if move[node] == PASS:
                rules.pass_move(meta, c)
            else:
                rules.place_stone(grid, meta, move[node], c)
        leaf_nodes[i] = node
        path_lengths[i] = depth


@njit(cache=True)
def expand(tree, node, priors, sensible, size, pass_prior):
    """Give `node` a child for every sensible point (prior from `priors`, over the points) and a
    pass (prior `pass_prior`), priors renormalised to sum to 1."""
    move, first, count, prior, visits, value_sum, terminal, used = tree
    if first[node] != UNEXPANDED:
        return  # a leaf reached twice in one batch: expanded once
    stride = size + 2
    total = pass_prior
    for index in range(size * size):
        if sensible[index]:
            total += priors[index]
    first[node] = used[0]
    k = used[0]
    for index in range(size * size):
        if sensible[index]:
            point = (index // size + 1) * stride + index % size + 1
            _init_node(tree, k, point, priors[index] / total)
            k += 1
    _init_node(tree, k, PASS, pass_prior / total)
    k += 1
    count[node] = k - used[0]
    used[0] = k


@njit(cache=True)
def terminal_value(grid, meta, komi):
    """+1 / -1 / 0 for the player to move at a finished position, by Tromp-Taylor with komi."""
    score = rules.area_score(grid, meta) - komi
    if score == 0:
        return 0.0
    black_wins = score > 0
    return 1.0 if black_wins == (meta[rules.TO_MOVE] == rules.BLACK) else -1.0


@njit(cache=True)
def backup(tree, paths, path_length, value):
    """Add a leaf's value (for the player to move at the leaf) along its path, taking the
    virtual losses back out. The node just above the leaf was chosen by the other player."""
    move, first, count, prior, visits, value_sum, terminal, _ = tree
    v = -value
    for depth in range(path_length - 1, -1, -1):
        node = paths[depth]
        visits[node] += 1 - VIRTUAL_LOSS
        value_sum[node] += v + VIRTUAL_LOSS
        v = -v
    visits[0] += 1
    value_sum[0] += v


@njit(cache=True)
def copy_subtree(source, target, node):
    """Copy the subtree under `node` of `source` into the empty tree `target`, `node` becoming
    its root (index 0); children ranges are renumbered, breadth first."""
    s_move, s_first, s_count, s_prior, s_visits, s_value, s_terminal, _ = source
    t_move, t_first, t_count, t_prior, t_visits, t_value, t_terminal, t_used = target
    queue = np.empty(s_move.shape[0], np.int64)  # source node of each target node
    queue[0] = node
    used = 1
    k = 0
    while k < used:
        old = queue[k]
        t_move[k], t_prior[k] = s_move[old], s_prior[old]
        t_visits[k], t_value[k], t_terminal[k] = s_visits[old], s_value[old], s_terminal[old]
        t_count[k] = s_count[old]
        if s_first[old] == UNEXPANDED:
            t_first[k] = UNEXPANDED
        else:
            t_first[k] = used
            for child in range(s_first[old], s_first[old] + s_count[old]):
                queue[used] = child
                used += 1
        k += 1
    t_used[0] = used


def root_children(tree):
    """(moves, visits, Q, priors) of the root's children, as numpy arrays."""
    start, n = int(tree.first[0]), int(tree.count[0])
    if start == UNEXPANDED:
        empty = np.array([], np.int32)
        return empty, empty, np.array([], np.float64), np.array([], np.float32)
    sl = slice(start, start + n)
    visits = tree.visits[sl].copy()
    q = np.where(visits > 0, tree.value_sum[sl] / np.maximum(visits, 1), np.nan)
    return tree.move[sl].copy(), visits, q, tree.prior[sl].copy()


def principal_variation(tree, node=0, limit=30):
    """The most visited line from `node`: a list of moves."""
    line = []
    while tree.first[node] != UNEXPANDED and tree.count[node] > 0 and len(line) < limit:
        start = int(tree.first[node])
        children = range(start, start + int(tree.count[node]))
        node = max(children, key=lambda c: tree.visits[c])
        if tree.visits[node] == 0:
            break
        line.append(int(tree.move[node]))
    return line


class Search:
    """PUCT search from a Board with a leaf evaluator.

    `evaluate(grids, metas) -> (priors (B, N*N), sensible (B, N*N) bool, values (B,))` gives,
    for each leaf position, the move priors, which points are sensible, and the value for the
    player to move. The search supplies the positions; the evaluator may be the nets
    (gogo.search_nets), a uniform prior with scripted values (tests), or anything else.
    """

    def __init__(self, evaluate, batch=8, c_puct=C_PUCT, fpu_reduction=FPU_REDUCTION, komi=7.5,
                 dirichlet_alpha=None, dirichlet_epsilon=0.25, seed=None):
        self.evaluate = evaluate
        self.batch = batch
        self.c_puct = c_puct
        self.fpu_reduction = fpu_reduction
        self.komi = komi
        self.dirichlet_alpha = dirichlet_alpha  # root noise for self-play (None: off)
        self.dirichlet_epsilon = dirichlet_epsilon
        self.rng = np.random.default_rng(seed)
        self.tree = Tree()
        self.root_game = None  # (setup stones, moves) of the position at the tree's root

    def forget(self):
        """Drop the tree: the next search starts afresh (a new game)."""
        self.root_game = None
        self.tree.reset()

    def reuse(self, board):
        """Keep the part of the last tree under `board`'s position, if the game went on from the
        last root by moves the tree holds; else start afresh. Returns the visits kept."""
        kept = self._descend(board)
        if kept is None or kept == 0:
            if kept is None:
                self.tree.reset()
            return int(self.tree.visits[0])
        fresh = Tree(self.tree.capacity)
        copy_subtree(self.tree.arrays, fresh.arrays, kept)
        self.tree = fresh
        return int(self.tree.visits[0])

    def _descend(self, board):
        if self.root_game is None or board.setup_stones != self.root_game[0]:
            return None
        then = self.root_game[1]
        if board.moves[:len(then)] != then:
            return None
        node = 0
        expected = self.root_game[2]
        for color, point in board.moves[len(then):]:
            start, count = int(self.tree.first[node]), int(self.tree.count[node])
            if color != expected or start == UNEXPANDED:
                return None
            matches = [c for c in range(start, start + count) if self.tree.move[c] == point]
            if not matches:
                return None
            node = matches[0]
            expected = 3 - expected
        return node if expected == board.to_move else None

    def run(self, board, visits, reuse=True):
        """Search `board` until the root has `visits` visits (those kept from the last search
        count, with reuse); returns the root's children."""
        if reuse:
            self.reuse(board)
        else:
            self.tree.reset()
        self.root_game = (board.setup_stones, list(board.moves), board.to_move)
        if self.dirichlet_alpha is not None and self.tree.first[0] != UNEXPANDED:
            self._add_noise()
        size = board.size
        shape = board.grid.shape
        leaf_grids = np.empty((self.batch,) + shape, board.grid.dtype)
        leaf_metas = np.empty((self.batch,) + board.meta.shape, board.meta.dtype)
        leaf_nodes = np.empty(self.batch, np.int64)
        paths = np.empty((self.batch, 4 * size * size), np.int64)
        lengths = np.empty(self.batch, np.int64)
        komi = self.komi
        while self.tree.visits[0] < visits:
            self.tree.reserve(self.batch * (size * size + 1))
            batch = min(self.batch, visits - int(self.tree.visits[0]))
            if self.tree.first[0] == UNEXPANDED:
                batch = 1  # every descent would stop at the unexpanded root
            select_leaves(self.tree.arrays, board.grid, board.meta, batch, self.c_puct, self.fpu_reduction,
                          leaf_nodes,
                          leaf_grids, leaf_metas, paths, lengths)
            priors, sensible, values = self.evaluate(leaf_grids[:batch], leaf_metas[:batch])
            for i in range(batch):
                node = int(leaf_nodes[i])
                meta = leaf_metas[i]
                if self.tree.terminal[node] or meta[rules.PASSES] >= 2:
                    self.tree.terminal[node] = 1
                    value = terminal_value(leaf_grids[i], meta, komi)
                else:
                    if node == 0:
                        sensible[i] &= root_legal(board)
                    pass_prior = PASS_PRIOR_AFTER_PASS if meta[rules.PASSES] == 1 else PASS_PRIOR
                    expand(self.tree.arrays, node, priors[i], sensible[i], size, pass_prior)
                    if node == 0 and self.dirichlet_alpha is not None:
                        self._add_noise()
                    value = float(values[i])
                backup(self.tree.arrays, paths[i], int(lengths[i]), value)
        return root_children(self.tree)

    def _add_noise(self):
        """Mix Dirichlet noise into the root's priors (self-play exploration)."""
        start, count = int(self.tree.first[0]), int(self.tree.count[0])
        noise = self.rng.dirichlet(np.full(count, self.dirichlet_alpha))
        priors = self.tree.prior[start:start + count]
        priors[:] = (1 - self.dirichlet_epsilon) * priors + self.dirichlet_epsilon * noise


def root_legal(board):
    """Which points are legal at the root under the board's own ko rule (positional superko)."""
    size = board.size
    legal = np.zeros(size * size, bool)
    for index in range(size * size):
        point = board.point(*divmod(index, size))
        legal[index] = board.status(point) == LEGAL
    return legal

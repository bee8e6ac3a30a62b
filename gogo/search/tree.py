"""The search tree: preallocated node arrays (a struct of arrays, TreeArrays) and the Numba kernels
that work on them: selecting leaves, expanding, backing up, copying a subtree, scoring a finished
game.

A node is an index into the arrays; node 0 is the root. A node's children sit in one contiguous
range [first, first + count). A node's statistics are from the view of the player who played its
move (the player to move at its parent), so selection at any node maximises

    Q(child) + c_puct * P(child) * sqrt(sum of the children's visits) / (1 + N(child))

where Q = W / N, and an unvisited child is valued at the parent's own Q less the first-play
reduction (as in Leela Zero), so untried moves get tried when the tried ones look bad. Each
descent adds a virtual loss of VIRTUAL_LOSS visits, each a loss, along its path so that the next
descent of a batch looks elsewhere; backup takes them back out. Values are from the view of the
player to move at the evaluated position, and flip sign at every ply on the way up.
"""
import math
from typing import NamedTuple

import numpy as np
from numba import njit

from gogo import coords
from gogo.go import rules
from gogo.go.rules import PASS

VIRTUAL_LOSS = 3
INITIAL_CAPACITY = 1 << 14
UNEXPANDED = -1  # `first` of a node whose children are not made yet


class TreeArrays(NamedTuple):
    """The nodes' fields, one array each, indexed by node; the kernels read them by name."""
    move: np.ndarray  # int32: the point played to reach the node, or PASS
    first: np.ndarray  # int32: the first child, or UNEXPANDED
    count: np.ndarray  # int32: the number of children
    prior: np.ndarray  # float32: the policy's probability of the move
    visits: np.ndarray  # int32
    value_sum: np.ndarray  # float64: W, for the player who played the move
    terminal: np.ndarray  # int8: 1 where the game is over
    used: np.ndarray  # int64, one element: the number of nodes in use


def _new_arrays(capacity):
    return TreeArrays(move=np.empty(capacity, np.int32), first=np.empty(capacity, np.int32),
                      count=np.empty(capacity, np.int32), prior=np.empty(capacity, np.float32),
                      visits=np.empty(capacity, np.int32), value_sum=np.empty(capacity, np.float64),
                      terminal=np.empty(capacity, np.int8), used=np.zeros(1, np.int64))


class Tree:
    """The search tree's arrays (`arrays`, for the kernels); grown by doubling when a batch might
    not fit."""

    def __init__(self, capacity=INITIAL_CAPACITY):
        self.arrays = _new_arrays(capacity)
        self.reset()

    @property
    def capacity(self):
        return len(self.arrays.move)

    @property
    def num_nodes(self):
        return int(self.arrays.used[0])

    def reset(self):
        """A tree holding only the root (unexpanded)."""
        self.arrays.used[0] = 1
        _init_node(self.arrays, 0, PASS, 1.0)

    def reserve(self, nodes):
        """Make room for `nodes` more nodes."""
        needed = self.num_nodes + nodes
        if needed <= self.capacity:
            return
        capacity = self.capacity
        while capacity < needed:
            capacity *= 2
        grown = _new_arrays(capacity)
        for old, new in zip(self.arrays, grown):
            new[:len(old)] = old
        self.arrays = grown

    def children(self, node):
        """The node indices of `node`'s children: a range, empty before it is expanded."""
        first = int(self.arrays.first[node])
        if first == UNEXPANDED:
            return range(0)
        return range(first, first + int(self.arrays.count[node]))

    def subtree(self, node):
        """A new tree holding a copy of the subtree under `node`, `node` as its root."""
        other = Tree(self.capacity)
        copy_subtree(self.arrays, other.arrays, node)
        return other


@njit(cache=True)
def _init_node(tree, node, move, prior):
    tree.move[node] = move
    tree.first[node] = UNEXPANDED
    tree.count[node] = 0
    tree.prior[node] = prior
    tree.visits[node] = 0
    tree.value_sum[node] = 0.0
    tree.terminal[node] = 0


@njit(cache=True)
def _select_child(tree, node, c_puct, fpu_reduction):
    start, stop = tree.first[node], tree.first[node] + tree.count[node]
    total = 0
    for child in range(start, stop):
        total += tree.visits[child]
    scale = c_puct * math.sqrt(max(total, 1))
    # the node's own statistics are from the other player's view
    fpu = (-tree.value_sum[node] / tree.visits[node] if tree.visits[node] > 0 else 0.0) - fpu_reduction
    best, best_score = -1, -1e300
    for child in range(start, stop):
        n = tree.visits[child]
        q = tree.value_sum[child] / n if n > 0 else fpu
        score = q + scale * tree.prior[child] / (1 + n)
        if score > best_score:
            best, best_score = child, score
    return best


@njit(cache=True)
def select_leaves(tree, root_grid, root_meta, batch, c_puct, fpu_reduction, leaf_nodes, leaf_grids, leaf_metas, paths,
                  path_lengths):
    """Descend `batch` times from the root, each time to an unexpanded or terminal node, adding
    virtual losses on the way. Fills leaf_nodes[i], the leaf's position in leaf_grids[i] /
    leaf_metas[i], and its path (root excluded) in paths[i, :path_lengths[i]]."""
    for i in range(batch):
        grid = leaf_grids[i]
        meta = leaf_metas[i]
        grid[:, :] = root_grid
        meta[:] = root_meta
        node = 0
        depth = 0
        while tree.first[node] != UNEXPANDED and tree.terminal[node] == 0 and tree.count[node] > 0:
            node = _select_child(tree, node, c_puct, fpu_reduction)
            tree.visits[node] += VIRTUAL_LOSS
            tree.value_sum[node] -= VIRTUAL_LOSS
            paths[i, depth] = node
            depth += 1
            color = meta[rules.TO_MOVE]
            if tree.move[node] == PASS:
                rules.pass_move(meta, color)
            else:
                rules.place_stone(grid, meta, tree.move[node], color)
        leaf_nodes[i] = node
        path_lengths[i] = depth


@njit(cache=True)
def expand(tree, node, priors, sensible, size, pass_prior):
    """Give `node` a child for every sensible point (prior from `priors`, over the move indices)
    and a pass (prior `pass_prior`), priors renormalised to sum to 1."""
    if tree.first[node] != UNEXPANDED:
        return  # a leaf reached twice in one batch: expanded once
    total = pass_prior
    for index in range(size * size):
        if sensible[index]:
            total += priors[index]
    start = tree.used[0]
    k = start
    for index in range(size * size):
        if sensible[index]:
            _init_node(tree, k, coords.point_of_index(index, size), priors[index] / total)
            k += 1
    _init_node(tree, k, PASS, pass_prior / total)
    k += 1
    tree.first[node] = start
    tree.count[node] = k - start
    tree.used[0] = k


@njit(cache=True)
def terminal_value(grid, meta, komi):
    """+1 / -1 / 0 for the player to move at a finished position, by Tromp-Taylor with komi."""
    score = rules.area_score(grid, meta) - komi
    if score == 0:
        return 0.0
    black_wins = score > 0
    return 1.0 if black_wins == (meta[rules.TO_MOVE] == rules.BLACK) else -1.0


@njit(cache=True)
def backup(tree, path, path_length, value):
    """Add a leaf's value (for the player to move at the leaf) along its path, taking the
    virtual losses back out. The node just above the leaf was chosen by the other player."""
    v = -value
    for depth in range(path_length - 1, -1, -1):
        node = path[depth]
        tree.visits[node] += 1 - VIRTUAL_LOSS
        tree.value_sum[node] += v + VIRTUAL_LOSS
        v = -v
    tree.visits[0] += 1
    tree.value_sum[0] += v


@njit(cache=True)
def copy_subtree(source, target, node):
    """Copy the subtree under `node` of `source` into the empty tree `target`, `node` becoming
    its root (index 0); children ranges are renumbered, breadth first."""
    queue = np.empty(source.move.shape[0], np.int64)  # source node of each target node
    queue[0] = node
    used = 1
    k = 0
    while k < used:
        old = queue[k]
        target.move[k], target.prior[k] = source.move[old], source.prior[old]
        target.visits[k], target.value_sum[k] = source.visits[old], source.value_sum[old]
        target.terminal[k] = source.terminal[old]
        target.count[k] = source.count[old]
        if source.first[old] == UNEXPANDED:
            target.first[k] = UNEXPANDED
        else:
            target.first[k] = used
            for child in range(source.first[old], source.first[old] + source.count[old]):
                queue[used] = child
                used += 1
        k += 1
    target.used[0] = used

"""Positions of a game store, replayed and encoded by Numba kernels.

A position is (game, move number, symmetry): the board before that move, from the view of the player
who made it (so two moves of one colour in a row are encoded right), under one of the eight dihedral
symmetries. The kernels replay the stored moves with gogo.go.rules.place_stone / pass_move directly (no
Python Board; every move is checked legal under simple ko, so a corrupt store is caught, not
trusted), then call gogo.features.encode_into and write the planes through a gather table that
equals gogo.features.transform_planes.
"""
import numpy as np
from numba import njit

from gogo import features
from gogo.coords import point_of_index
from gogo.errors import GogoError
from gogo.go import rules
from gogo.go.rules import (BLACK, WHITE, EMPTY, COLOR, PLACED_AT, MOVE_NUMBER, PRISONERS_BLACK,
                        PRISONERS_WHITE, KO_POINT, PASSES, TO_MOVE, PASS, LEGAL)


@njit(cache=True, _nrt=False)
def start_game(grid, meta, empty_grid, empty_meta, points, colors, first, last, size):
    """The empty board plus setup stones [first, last) (placed long ago). False if they cannot be."""
    for f in range(grid.shape[0]):
        for p in range(grid.shape[1]):
            grid[f, p] = empty_grid[f, p]
    for i in range(meta.shape[0]):
        meta[i] = empty_meta[i]
    for k in range(first, last):
        if points[k] < 0 or points[k] >= size * size or (colors[k] != BLACK and colors[k] != WHITE):
            return False
        p = point_of_index(points[k], size)
        if grid[COLOR, p] != EMPTY:
            return False
        rules.place_stone(grid, meta, p, colors[k])
        grid[PLACED_AT, p] = 0
    meta[MOVE_NUMBER] = 0
    meta[PRISONERS_BLACK] = 0
    meta[PRISONERS_WHITE] = 0
    meta[KO_POINT] = PASS
    meta[PASSES] = 0
    return True


@njit(cache=True, _nrt=False)
def _play(grid, meta, move, color, size):
    """Play a stored move (pass = size * size); False if it is illegal (a corrupt store)."""
    if color != BLACK and color != WHITE:
        return False
    if move == size * size:
        rules.pass_move(meta, color)
        return True
    if move < 0 or move > size * size:
        return False
    p = point_of_index(move, size)
    if rules.move_status(grid, meta, p, color) != LEGAL:
        return False
    rules.place_stone(grid, meta, p, color)
    return True


@njit(cache=True)
def replay_into(grid, meta, empty_grid, empty_meta, moves, colors, setup_points, setup_colors,
                size, upto):
    """The board after the setup and the first `upto` moves; False if the game does not replay."""
    if not start_game(grid, meta, empty_grid, empty_meta, setup_points, setup_colors, 0,
                  setup_points.shape[0], size):
        return False
    for k in range(upto):
        if not _play(grid, meta, moves[k], colors[k], size):
            return False
    return True


@njit(cache=True)
def _encode_positions(moves, colors, move_offsets, setup_points, setup_colors, setup_offsets, size,
                      games, move_numbers, symmetries, dest, gather, out, grid, meta, empty_grid,
                      empty_meta, scratch, workspace):
    """Encode positions (sorted by game, then move) into out[dest[k]] under their symmetries;
    `gather[s, j]` is the point whose value lands on j. Returns -1, or a game that does not replay."""
    n = size * size
    planes = scratch.shape[0]
    flat = scratch.reshape((planes, n))
    current, played = -1, 0
    for k in range(games.shape[0]):
        g, m = games[k], move_numbers[k]
        if g != current or m < played:
            if not start_game(grid, meta, empty_grid, empty_meta, setup_points, setup_colors,
                          setup_offsets[g], setup_offsets[g + 1], size):
                return g
            current, played = g, 0
        base = move_offsets[g]
        while played < m:
            if not _play(grid, meta, moves[base + played], colors[base + played], size):
                return g
            played += 1
        meta[TO_MOVE] = colors[base + m]
        features.encode_into(grid, meta, scratch, workspace)
        target = out[dest[k]].reshape((planes, n))
        s = symmetries[k]
        for c in range(planes):
            for j in range(n):
                target[c, j] = flat[c, gather[s, j]]
    return -1


@njit(cache=True)
def candidates(moves, move_offsets, games, pass_move, include_passes):
    """(offsets [len(games)+1], move numbers) of the positions each game offers as a target."""
    offsets = np.zeros(games.shape[0] + 1, np.int64)
    for i in range(games.shape[0]):
        g = games[i]
        count = move_offsets[g + 1] - move_offsets[g]
        if not include_passes:
            count = 0
            for k in range(move_offsets[g], move_offsets[g + 1]):
                if moves[k] != pass_move:
                    count += 1
        offsets[i + 1] = offsets[i] + count
    numbers = np.empty(offsets[-1], np.int16)
    for i in range(games.shape[0]):
        g = games[i]
        j = offsets[i]
        for k in range(move_offsets[g], move_offsets[g + 1]):
            if include_passes or moves[k] != pass_move:
                numbers[j] = k - move_offsets[g]
                j += 1
    return offsets, numbers


def gather_table(size):
    """gather[s, j]: the point (row * size + col) that symmetry s moves to j (so
    planes.reshape(C, -1)[:, gather[s]] equals features.transform_planes(planes, s))."""
    table = features.move_symmetry_table(size)[:, :size * size]
    return np.argsort(table, axis=1).astype(np.int32)


class PositionEncoder:
    """Encodes (game, move number, symmetry) positions of a store; holds the scratch arrays."""

    def __init__(self, store, size, value_planes=False):
        self.store, self.size = store, size
        self.planes = features.NUM_VALUE_PLANES if value_planes else features.NUM_PLANES
        encoder = features.Encoder(size, value_net=value_planes)
        self.workspace = encoder.workspace
        self.empty = rules.new_position(size)
        self.grid, self.meta = self.empty.copy()
        self.scratch = np.empty((self.planes, size, size), np.uint8)
        self.gather = gather_table(size)

    def encode(self, games, move_numbers, symmetries, out):
        """Planes of the positions into out[:len(games)] ([k, planes, size, size] uint8)."""
        s = self.store
        games, move_numbers = np.asarray(games, np.int64), np.asarray(move_numbers, np.int64)
        symmetries = np.asarray(symmetries, np.int64)
        if len(games) and (out.shape[1:] != self.scratch.shape or len(out) < len(games)
                           or not out.flags.c_contiguous or (s.size[games] != self.size).any()
                           or (move_numbers < 0).any() or (move_numbers >= s.lengths[games]).any()
                           or (symmetries < 0).any() or (symmetries > 7).any()):
            raise ValueError("positions outside the store, of another board size, or a bad output array")
        order = np.lexsort((move_numbers, games))
        bad = _encode_positions(s.moves, s.colors, s.move_offsets, s.setup_points, s.setup_colors,
                                s.setup_offsets, self.size, games[order], move_numbers[order],
                                symmetries[order], order, self.gather, out, self.grid, self.meta,
                                self.empty.grid, self.empty.meta, self.scratch, self.workspace)
        if bad >= 0:
            raise GogoError(f"game {bad} of the store does not replay (a corrupt store?)")
        return out

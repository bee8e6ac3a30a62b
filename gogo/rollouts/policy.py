"""A rollout policy: its weights file, the bundled one, and what the engine asks of it.

File: safetensors (read with safetensors.numpy, nothing unpickled) holding `weights` (float32, the
layout of gogo.rollouts.kernels), `patterns` (canonical 3x3 keys; pattern i has weight
FIRST_PATTERN + i) and `responses` (canonical response keys, after the patterns), with a JSON
config in the metadata under "gogo-rollout" (kind, feature version, board size it was trained on,
pattern counts, provenance). The patterns are local, so a policy plays on any board size.
"""
import json

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import load_file, save_file

from gogo.errors import GogoError
from gogo.files import atomic_path, bundled_weights
from gogo.go import rules
from gogo.rollouts import kernels, patterns, state as pattern_state
from gogo.rollouts.kernels import FIRST_PATTERN, MAX_FEATURES

KIND = "rollout"
FEATURE_VERSION = 3  # 2: nakade weights; 3: line weights
METADATA_KEY = "gogo-rollout"
BUNDLED_NAME = "rollout"


class RolloutPolicy:
    """Weights and pattern tables; `tables` is what the kernels read (built once: a policy's
    weights do not change after it is made, except in training, which reads only the weights)."""

    def __init__(self, weights, pattern_keys, response_keys, config=None, extra=None):
        self.pattern_keys = np.asarray(pattern_keys, np.int64)
        self.response_keys = np.asarray(response_keys, np.int64)
        self.weights = np.asarray(weights, np.float64)
        expected = FIRST_PATTERN + len(self.pattern_keys) + len(self.response_keys)
        if self.weights.shape != (expected,):
            raise GogoError(f"rollout policy: {self.weights.shape[0]} weights, its patterns need {expected}")
        self.config = dict(config or {})
        self.extra = dict(extra or {})  # other tensors of the file (a training run's state)
        self.tables = self._tables()

    @classmethod
    def uniform(cls, pattern_keys=(), response_keys=()):
        """All weights 0: uniformly random sensible moves (the starting point of training)."""
        return cls(np.zeros(FIRST_PATTERN + len(pattern_keys) + len(response_keys)),
                   pattern_keys, response_keys)

    def _tables(self):
        pk, pi = patterns.symmetric_table(self.pattern_keys, FIRST_PATTERN, patterns.images_3x3)
        rk, ri = patterns.symmetric_table(self.response_keys, FIRST_PATTERN + len(self.pattern_keys),
                                          patterns.images_response)
        return kernels.tables(self.weights, pk, pi, rk, ri)

    def with_weights(self, weights):
        return RolloutPolicy(weights, self.pattern_keys, self.response_keys, self.config)

    # --- the engine's questions ---
    def move_logits(self, board):
        """{point: logit} over the sensible moves of the player to move on a gogo Board."""
        grid, meta = board.position.copy()
        pst = pattern_state.new_state(grid.shape[1])
        pattern_state.reset(grid, meta, pst)
        points = np.empty(grid.shape[1], np.int64)
        features = np.empty((grid.shape[1], MAX_FEATURES), np.int64)
        counts = np.empty(grid.shape[1], np.int64)
        row_of = np.full(grid.shape[1], -1, np.int64)
        n = kernels.candidate_features(grid, meta, pst, self.tables, meta[rules.TO_MOVE],
                                       kernels.last_move(grid, meta), points, features, counts, row_of)
        return {int(points[i]): float(self.weights[features[i, :counts[i]]].sum()) for i in range(n)}

    def move_priors(self, grids, metas):
        """(priors float32 [B, size*size], sensible bool [B, size*size]): the policy's softmax over
        each position's sensible moves, as the search's priors (for board sizes with no nets)."""
        size = int(metas[0][rules.SIZE])
        priors = np.empty((len(grids), size * size))
        sensible = np.empty((len(grids), size * size), np.bool_)
        kernels.move_priors(grids, metas, self.tables, priors, sensible)
        return priors.astype(np.float32), sensible

    def rollout_scores(self, board, count, seed=1):
        """(total moves, each rollout's area score for Black without komi) from a Board."""
        return kernels.run_rollouts(*board.position, count, seed, self.tables)

    def ownership(self, board, count, seed=1):
        """Each point's mean owner over `count` rollouts: size x size floats in [-1, 1], +1 Black,
        row 0 at the bottom (as gogo.go.playout.ownership)."""
        return self.position_ownership(*board.position, count, seed)

    def position_ownership(self, grid, meta, count, seed=1):
        """ownership() of a position given as the rules kernels' (grid, meta)."""
        owned, _ = kernels.rollout_ownership(grid, meta, count, seed, self.tables)
        n = int(meta[rules.SIZE])
        return (owned / count).reshape(n + 2, n + 2)[1:n + 1, 1:n + 1]

    def values(self, grids, metas, count, seed, komi):
        """Each position's mean rollout result for the player to move (+1 win .. -1 loss)."""
        return kernels.rollout_values(grids, metas, count, seed, self.tables, komi)


def save(policy, path, provenance=None, extra=None):
    """Write the policy atomically; `extra`: more named arrays to keep in the file."""
    config = dict(policy.config, kind=KIND, feature_version=FEATURE_VERSION,
                  patterns=len(policy.pattern_keys), responses=len(policy.response_keys))
    if provenance is not None:
        config["provenance"] = provenance
    tensors = {"weights": policy.weights.astype(np.float32), "patterns": policy.pattern_keys,
               "responses": policy.response_keys, **(extra or {})}
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={METADATA_KEY: json.dumps(config)})


def load(path):
    """A RolloutPolicy from its file; a GogoError naming the file when it is not one."""
    try:
        tensors = load_file(str(path))
        with safe_open(str(path), framework="np") as handle:
            metadata = handle.metadata() or {}
    except (OSError, SafetensorError) as error:
        raise GogoError(f"{path}: not a readable safetensors file ({error})") from None
    try:
        config = json.loads(metadata[METADATA_KEY])
    except (KeyError, ValueError):
        raise GogoError(f"{path}: no rollout policy config in the file's metadata") from None
    if config.get("kind") != KIND or config.get("feature_version") != FEATURE_VERSION:
        raise GogoError(f"{path}: not a rollout policy of feature version {FEATURE_VERSION}")
    missing = {"weights", "patterns", "responses"} - set(tensors)
    if missing:
        raise GogoError(f"{path}: missing tensors {sorted(missing)}")
    try:
        return RolloutPolicy(tensors.pop("weights"), tensors.pop("patterns"), tensors.pop("responses"),
                             config, extra=tensors)
    except GogoError as error:
        raise GogoError(f"{path}: {error}") from None


def bundled_path(size):
    """The bundled rollout policy's file for a board size (the 19x19 one where the size has none),
    or None."""
    return bundled_weights(BUNDLED_NAME, size) or bundled_weights(BUNDLED_NAME, 19)


def bundled(size):
    """The bundled rollout policy for a board size, or None."""
    path = bundled_path(size)
    return load(path) if path is not None else None

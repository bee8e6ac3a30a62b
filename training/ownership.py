"""Final-ownership labels for a game store: who owns each point when the game is over.

An expert game's result is one bit for a whole position; the owner of every point at the end is
361 targets, and they teach a trunk what territory and dead stones are, which the value head then
sums (KataGo's ownership target). The stored games mostly end by resignation or in an unsettled
final position, so the labels come from the bundled rollout policy: `ROLLOUTS` rollouts played from
each game's last position, each point's mean area owner (+1 Black .. -1 White).

The labels live beside the store, in STORE's name with `.ownership.npz` (`stores/all19.npz` ->
`stores/all19.ownership.npz`), written by `gogo data --ownership STORE`: `ownership` int8 [games,
size * size] (the mean owner times 127, Black's view, row * size + col, games of another size than
the store's largest all zero), the store's fingerprint, the rollouts and the policy's provenance.
"""
import contextlib
import multiprocessing
import time
from pathlib import Path

import numpy as np
import torch.nn.functional as F

from gogo.errors import GogoError
from gogo.files import atomic_path
from gogo.go import rules
from gogo.records.store import load_store
from gogo.rollouts import policy as rollout_policy
from training.positions import replay_into

FORMAT, VERSION = "gogo-ownership", 1
ROLLOUTS = 16
SCALE = 127
CHUNK_GAMES = 2000


def labels_path(store_path):
    path = Path(store_path)
    return path.with_name(path.name.removesuffix(".npz") + ".ownership.npz")


def final_ownership(store, games, rollouts, seed, policy, size):
    """int8 [len(games), size * size]: each game's last position's mean owner, times SCALE."""
    empty = rules.new_position(size)
    grid, meta = empty.copy()
    out = np.zeros((len(games), size * size), np.int8)
    for k, g in enumerate(games):
        moves, colors = store.game_moves(g)
        points, setup_colors = store.game_setup(g)
        if not replay_into(grid, meta, empty.grid, empty.meta, moves, colors, points, setup_colors,
                           size, len(moves)):
            raise GogoError(f"{store.path}: game {g} ({store.name(g)}) does not replay")
        mean = policy.position_ownership(grid, meta, rollouts, seed + int(g))
        out[k] = np.round(mean.ravel() * SCALE).astype(np.int8)
    return out


_WORK = {}  # what forked workers read: the store and the policy, shared copy-on-write


def _label_chunk(games):
    w = _WORK
    return final_ownership(w["store"], games, w["rollouts"], w["seed"], w["policy"], w["size"])


def build_labels(store_path, rollouts=ROLLOUTS, workers=1, seed=1, progress=None):
    """Label every game of the store's board size and write the labels file atomically; returns
    a report (path, games, seconds)."""
    store = load_store(store_path)
    size = int(store.size.max())
    policy = rollout_policy.bundled(size)
    games = np.flatnonzero(store.size == size)
    labels = np.zeros((store.num_games, size * size), np.int8)
    chunks = [games[i:i + CHUNK_GAMES] for i in range(0, len(games), CHUNK_GAMES)]
    start, done = time.perf_counter(), 0
    _WORK.update(store=store, rollouts=rollouts, seed=seed, policy=policy, size=size)
    try:
        with contextlib.ExitStack() as stack:
            label = map
            if workers > 1:
                label = stack.enter_context(multiprocessing.get_context("fork").Pool(workers)).imap
            for chunk, result in zip(chunks, label(_label_chunk, chunks)):
                labels[chunk] = result
                done += len(chunk)
                progress and progress(done, len(games), time.perf_counter() - start)
    finally:
        _WORK.clear()
    path = labels_path(store_path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, format=FORMAT, version=VERSION, fingerprint=store.fingerprint, size=size,
                     rollouts=rollouts, policy=str(policy.config.get("provenance", {})), ownership=labels)
    return {"path": str(path), "games": len(games), "size": size, "rollouts": rollouts,
            "seconds": round(time.perf_counter() - start, 1)}


def load_labels(store):
    """int8 [games, size * size] labels of a loaded store; GogoError naming the file when it is
    missing, not a labels file, or made for another store."""
    path = labels_path(store.path)
    hint = f"(gogo data --ownership {store.path} writes it)"
    try:
        with np.load(path, allow_pickle=False) as arrays:
            if str(arrays["format"]) != FORMAT or int(arrays["version"]) != VERSION:
                raise GogoError(f"{path}: not a gogo ownership labels file of version {VERSION} {hint}")
            if str(arrays["fingerprint"]) != store.fingerprint:
                raise GogoError(f"{path}: made for another store than {store.path} {hint}")
            return arrays["ownership"]
    except FileNotFoundError:
        raise GogoError(f"{path}: no ownership labels for {store.path} {hint}") from None
    except (OSError, KeyError, ValueError) as error:
        raise GogoError(f"{path}: not a readable ownership labels file ({error}) {hint}") from None


def ownership_error(ownership_logits, owners, reduction="mean"):
    """Binary cross-entropy of the ownership head against the labels, per point."""
    target = (owners.float() / SCALE + 1) / 2
    return F.binary_cross_entropy_with_logits(ownership_logits.float(), target, reduction=reduction)

"""Self-play on Ray: `gogo selfplay --ray [ADDRESS] --workers N --out OUT` (docs/cluster.md).

N Ray actors (workers), each a process with one torch thread, play batches of games. Batch i holds
min(batch, games - i * batch) games drawn from the RNG seeded by (seed, i): the games are a function
of the options alone, whichever worker plays which batch and however often one is handed out
again. The nets reach the workers once, through Ray's object store, with their weights version
(a digest of the tensors), which every batch file and the store's info record.

The driver hands batches out, takes them back as they finish and writes each whole, atomically,
to OUT/batches/batch-000123.npz (the games as moves, colours, lengths, winner, score). A worker
killed mid-batch is restarted by Ray and its batch handed out again: nothing of it was written, and
the seed it was playing is played again from the start, so no game is lost or recorded twice. A
killed driver, run again with the same options, plays only the batches not on disk. At the end
OUT/games.npz is written from the batches in order: the same game store as the one-machine path's.

Ray is imported by this module alone, which only --ray imports.
"""
import hashlib
import json
import os
import time
from collections import deque
from pathlib import Path

import numpy as np
import ray
import torch
from ray.exceptions import RayActorError

from gogo.errors import GogoError
from gogo.files import atomic_path
from selfplay.games import Games, black_and_white, concatenate, play
from selfplay.movers import PolicyMover

BATCHES = "batches"
TRIES = 5  # a batch whose worker died this many times is a fault Ray does not mend: stop


def weights_version(nets):
    """A digest of the nets' tensors: which weights played a game."""
    digest = hashlib.blake2b(digest_size=8)
    for net in nets:
        for name, tensor in net.state_dict().items():
            digest.update(name.encode() + tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


@ray.remote(max_restarts=-1, max_task_retries=0, num_cpus=1)
class Worker:
    """One self-play process: the movers of `players` (net, temperature, greedy) on the CPU."""

    def __init__(self, players):
        torch.set_num_threads(1)  # a worker per core: more threads only wait
        self.movers = [PolicyMover(net, "cpu", temperature, greedy) for net, temperature, greedy in players]

    def pid(self):
        return os.getpid()

    def play(self, seed, index, count, size, komi):
        movers = self.movers
        assign = black_and_white(len(movers))
        return play(movers, assign, count, size, komi, np.random.default_rng([seed, index]))


def connect(address, workers):
    """Join the Ray cluster at address ("auto": the one `ray start` began on this node), or start
    one on this machine (address "local") with a CPU for each of the workers at least."""
    if ray.is_initialized():
        return
    if address == "local":
        ray.init(num_cpus=max(os.cpu_count(), workers), include_dashboard=False, log_to_driver=False)
    else:
        ray.init(address=address, log_to_driver=False)


def start_workers(players, count):
    """count Workers sharing the players' nets through the object store, and the reference to
    them there: keep it while the workers live (a restarted worker reads its nets from it)."""
    shared = ray.put(players)
    return [Worker.remote(shared) for _ in range(count)], shared


def play_batches(workers, out, settings, on_batch=None):
    """Play settings' games (games, batch, seed, size, komi, version) on the workers, each batch
    saved to out/batches as it comes back (on_batch(index, games) is told too); returns (the games
    in batch order, the times a batch was handed out again)."""
    folder = Path(out) / BATCHES
    folder.mkdir(parents=True, exist_ok=True)
    check_settings(folder / "settings.json", settings)
    total, batch = settings["games"], settings["batch"]
    counts = [min(batch, total - start) for start in range(0, total, batch)]
    todo = deque(i for i in range(len(counts)) if not batch_path(folder, i).exists())
    idle, running, failures, retried = list(workers), {}, {}, 0
    while todo or running:
        while todo and idle:
            index, worker = todo.popleft(), idle.pop()
            task = worker.play.remote(settings["seed"], index, counts[index], settings["size"], settings["komi"])
            running[task] = worker, index
        (task,), _ = ray.wait(list(running), num_returns=1)
        worker, index = running.pop(task)
        idle.append(worker)
        try:
            games = ray.get(task)
        except RayActorError:  # the worker's process died: Ray restarts it, the batch goes again
            failures[index] = failures.get(index, 0) + 1
            if failures[index] >= TRIES:
                raise GogoError(f"self-play batch {index} lost its worker {TRIES} times: giving up") from None
            todo.appendleft(index)
            retried += 1
            continue
        save_batch(batch_path(folder, index), games, settings["version"])
        if on_batch:
            on_batch(index, games)
    return concatenate([load_batch(batch_path(folder, i), settings) for i in range(len(counts))]), retried


def check_settings(path, settings):
    """Batches on disk are only resumed by a run with the same settings."""
    if path.exists() and json.loads(path.read_text()) != settings:
        raise GogoError(f"{path.parent} holds self-play batches made with other settings: {path.read_text()} "
                        f"(now {json.dumps(settings)})")
    path.write_text(json.dumps(settings, indent=1))


def batch_path(folder, index):
    return Path(folder) / f"batch-{index:06d}.npz"


def save_batch(path, games, version):
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, moves=np.concatenate(games.moves), colors=np.concatenate(games.colors),
                 lengths=np.array([len(m) for m in games.moves]), winner=games.winner, score=games.score,
                 seconds=games.seconds, version=version)


def load_batch(path, settings):
    with np.load(path, allow_pickle=False) as z:
        ends = np.cumsum(z["lengths"])[:-1]
        return Games(settings["size"], float(settings["komi"]), np.split(z["moves"], ends),
                     np.split(z["colors"], ends), z["winner"], z["score"], float(z["seconds"]))


def selfplay(players, workers, out, settings, address="local", on_batch=None):
    """All of `gogo selfplay --ray`: connect, start the workers, play; returns (Games whose seconds
    are the driver's wall clock, the batches handed out again)."""
    connect(address, workers)
    start = time.perf_counter()
    actors, _shared = start_workers(players, workers)
    games, retried = play_batches(actors, out, settings, on_batch)
    games.seconds = time.perf_counter() - start
    return games, retried

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
import os
import time
from collections import deque
from pathlib import Path

import numpy as np
import ray
import torch
from ray.exceptions import RayActorError

from gogo.errors import GogoError
from selfplay.export import check_settings, load_games, save_games
from selfplay.games import black_and_white, concatenate, play
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
        """Batch `index`: count games from the RNG seeded by (seed, index)."""
        return play(self.movers, black_and_white(len(self.movers)), count, size, komi,
                    np.random.default_rng([seed, index]))


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
    if not workers:
        raise GogoError("self-play on Ray needs at least one worker")
    folder = Path(out) / BATCHES
    folder.mkdir(parents=True, exist_ok=True)
    check_settings(folder / "settings.json", settings, "self-play batches")
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
        save_games(batch_path(folder, index), games, version=settings["version"])
        if on_batch:
            on_batch(index, games)
    stored = [load_games(batch_path(folder, i), settings["size"], settings["komi"])[0] for i in range(len(counts))]
    return concatenate(stored), retried


def batch_path(folder, index):
    return Path(folder) / f"batch-{index:06d}.npz"




def selfplay(players, workers, out, settings, address="local", on_batch=None):
    """All of `gogo selfplay --ray`: connect, start the workers, play; returns (Games whose seconds
    are the driver's wall clock, the batches handed out again)."""
    connect(address, workers)
    start = time.perf_counter()
    actors, _shared = start_workers(players, workers)
    games, retried = play_batches(actors, out, settings, on_batch)
    games.seconds = time.perf_counter() - start
    return games, retried


# --- the driver's own ceiling ------------------------------------------------------------------

@ray.remote(num_cpus=0, max_concurrency=1000)
class StandIn:
    """Stand-in workers (one thread each in one process) that play no game: they wait as long as a
    batch takes and hand back the same real one, so the driver alone is measured."""

    def __init__(self, games, seconds):
        self.games, self.seconds = games, seconds

    def play(self, seed, index, count, size, komi):
        time.sleep(self.seconds)
        return self.games


def driver_ceiling(games, workers, seconds, batches, out, per_process=25):
    """Games/s the driver takes in and stores from `workers` stand-ins, each handing back `games`
    (a real batch) every `seconds`, over `batches` batches written to out (Ray already connected)."""
    stand_ins = [StandIn.remote(games, seconds) for _ in range(-(-workers // per_process))]
    handles = [stand_ins[i % len(stand_ins)] for i in range(workers)]
    settings = {"games": batches * len(games), "batch": len(games), "seed": 0, "size": games.size,
                "komi": games.komi, "version": "stand-in"}
    ray.get([s.__ray_ready__.remote() for s in stand_ins])  # started: their start-up is not the driver's
    start = time.perf_counter()
    play_batches(handles, out, settings)
    elapsed = time.perf_counter() - start
    offered = workers * len(games) / seconds
    return {"workers": workers, "games_per_batch": len(games), "seconds_per_batch": seconds,
            "offered_games_per_s": round(offered, 1), "stored_games_per_s": round(batches * len(games) / elapsed, 1),
            "elapsed_s": round(elapsed, 2)}

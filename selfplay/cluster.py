"""Self-play on Ray: `gogo selfplay --ray [ADDRESS] --workers N --out OUT` and the pipeline's
[cluster] table (docs/cluster.md).

Workers is the place (selfplay.games) that plays batches of games on N Ray actors (workers), each a
process with one torch thread: the same play(game, players, batches, size, komi) as InProcess, so
`gogo selfplay`, the RL iterations and the value data play on either. Batch i is seeded by its own
seed (for `gogo selfplay`, (seed, i)): the games are a function of the options alone, whichever
worker plays which batch and however often one is handed out again.

The nets reach the workers through Ray's object store: each weights version (movers.weights_version,
a digest of the tensors) is put there once, and a task carries references to the versions it plays
with; a worker fetches a version the first time it meets it (checking its digest), keeps the last
few, and labels every game with the versions that played it. So when the RL trainer publishes a new
version each iteration, the next batches carry it to the running workers.

A worker killed mid-batch is restarted by Ray and its batch handed out again: nothing of it was
kept, and the seed it was playing is played again from the start, so no game is lost or recorded
twice. `gogo selfplay --ray` writes each batch whole, atomically, to OUT/batches/batch-000123.npz
as it comes back; a killed driver, run again with the same options, plays only the batches not on
disk. At the end OUT/games.npz is written from the batches in order: the same game store as the
one-machine path's.

Ray is imported by this module alone, which only --ray or a [cluster] table imports.
"""
import copy
import os
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import ray
import torch
from ray.exceptions import RayActorError

from gogo.errors import GogoError
from selfplay.export import check_settings, load_games, save_games
from selfplay.games import concatenate, random_source, selfplay_games
from selfplay.movers import NetPlayer, weights_version

BATCHES = "batches"
TRIES = 5  # a batch whose worker died this many times is a fault Ray does not mend: stop
KEEP = 8  # weights versions a worker (and the driver's object store) keeps


@dataclass
class SharedNet:
    """A NetPlayer whose net is in the object store: its version and [reference] (in a list, so
    that Ray hands the reference itself to the task, not the net)."""
    version: str
    box: list
    temperature: float
    greedy: bool


@ray.remote(max_restarts=-1, max_task_retries=0, num_cpus=1)
class Worker:
    """One self-play process playing on the CPU, with the nets of the last KEEP versions it met."""

    def __init__(self):
        torch.set_num_threads(1)  # a worker per core: more threads only wait
        self.nets = OrderedDict()

    def pid(self):
        return os.getpid()

    def versions(self):
        return list(self.nets)

    def play(self, game, seed, count, size, komi, players):
        """count games from the RNG seeded by seed, as game(movers, ...) plays them; players:
        SharedNets and net-free movers. Returns (Games labelled with the nets' versions, extra)."""
        here = [NetPlayer(self.net(p), p.temperature, p.greedy) if isinstance(p, SharedNet) else p for p in players]
        games, extra = game([p.mover("cpu") for p in here], count, size, komi, random_source(seed, count))
        games.versions = np.full(len(games), "+".join(p.version for p in players if isinstance(p, SharedNet)))
        return games, extra

    def net(self, shared):
        if shared.version not in self.nets:
            net = ray.get(shared.box[0])
            if weights_version([net]) != shared.version:
                raise GogoError(f"weights version {shared.version} arrived as {weights_version([net])}")
            self.nets[shared.version] = net
            while len(self.nets) > KEEP:
                self.nets.popitem(last=False)
        return self.nets[shared.version]


def connect(address, workers):
    """Join the Ray cluster at address ("auto": the one `ray start` began on this node), or start
    one on this machine (address "local") with a CPU for each of the workers at least."""
    if ray.is_initialized():
        return
    if address == "local":
        ray.init(num_cpus=max(os.cpu_count(), workers), include_dashboard=False, log_to_driver=False)
    else:
        ray.init(address=address, log_to_driver=False)


def start(address, count):
    """count Workers on the Ray cluster at address (connect's)."""
    if count < 1:
        raise GogoError("self-play on Ray needs at least one worker")
    connect(address, count)
    return Workers([Worker.remote() for _ in range(count)])


class Workers:
    """The place (selfplay.games) that plays batches on Ray actors; retried counts the batches
    handed out again after their worker died."""

    def __init__(self, actors):
        self.actors, self.retried = actors, 0
        self.batches_at_once = len(actors)
        self.shared = OrderedDict()  # weights version -> reference: each version put once

    def share(self, player):
        """The player as the workers get it: a NetPlayer's net in the object store."""
        if not isinstance(player, NetPlayer):
            return player
        version = weights_version([player.net])
        if version not in self.shared:
            self.shared[version] = ray.put(copy.deepcopy(player.net).cpu())
            while len(self.shared) > KEEP:
                self.shared.popitem(last=False)
        self.shared.move_to_end(version)
        return SharedNet(version, [self.shared[version]], player.temperature, player.greedy)

    def play(self, game, players, batches, size, komi, on_batch=None):
        """InProcess.play's batches ({index: (seed, count)}) on the workers, on_batch(index, games,
        extra) told of each as it comes back (in any order); returns {index: (games, extra)} in the
        batches' order."""
        shared = [self.share(p) for p in players]
        todo, idle, running, failures, results = deque(batches), list(self.actors), {}, {}, {}
        while todo or running:
            while todo and idle:
                index, worker = todo.popleft(), idle.pop()
                seed, count = batches[index]
                running[worker.play.remote(game, seed, count, size, komi, shared)] = worker, index
            (task,), _ = ray.wait(list(running), num_returns=1)
            worker, index = running.pop(task)
            idle.append(worker)
            try:
                results[index] = ray.get(task)
            except RayActorError:  # the worker's process died: Ray restarts it, the batch goes again
                failures[index] = failures.get(index, 0) + 1
                if failures[index] >= TRIES:
                    raise GogoError(f"self-play batch {index} lost its worker {TRIES} times: giving up") from None
                todo.appendleft(index)
                self.retried += 1
                continue
            if on_batch:
                on_batch(index, *results[index])
        return {index: results[index] for index in batches}  # in the batches' order, as InProcess


def play_batches(workers, players, out, settings, on_batch=None):
    """`gogo selfplay --ray`'s games: settings' games (games, batch, seed, size, komi, version) on
    the workers, batch i seeded by (seed, i), each saved to out/batches as it comes back
    (on_batch(index, games) is told too) and those on disk not played again; returns the games in
    batch order."""
    folder = Path(out) / BATCHES
    folder.mkdir(parents=True, exist_ok=True)
    check_settings(folder / "settings.json", settings, "self-play batches")
    total, batch = settings["games"], settings["batch"]
    counts = [min(batch, total - first) for first in range(0, total, batch)]
    todo = {i: ([settings["seed"], i], count) for i, count in enumerate(counts) if not batch_path(folder, i).exists()}

    def save(index, games, extra):
        save_games(batch_path(folder, index), games)
        if on_batch:
            on_batch(index, games)

    workers.play(selfplay_games, players, todo, settings["size"], settings["komi"], save)
    return concatenate([load_games(batch_path(folder, i), settings["size"], settings["komi"])[0]
                        for i in range(len(counts))])


def batch_path(folder, index):
    return Path(folder) / f"batch-{index:06d}.npz"


def selfplay(players, workers, out, settings, address="local", on_batch=None):
    """All of `gogo selfplay --ray`: connect, start the workers, play; returns (Games whose seconds
    are the driver's wall clock, the batches handed out again)."""
    begun = time.perf_counter()
    place = start(address, workers)
    games = play_batches(place, players, out, settings, on_batch)
    games.seconds = time.perf_counter() - begun
    return games, place.retried


# --- the driver's own ceiling ------------------------------------------------------------------

@ray.remote(num_cpus=0, max_concurrency=1000)
class StandIn:
    """Stand-in workers (one thread each in one process) that play no game: they wait as long as a
    batch takes and hand back the same real one, so the driver alone is measured."""

    def __init__(self, games, seconds):
        self.games, self.seconds = games, seconds

    def play(self, game, seed, count, size, komi, players):
        time.sleep(self.seconds)
        return self.games, {}


def driver_ceiling(games, workers, seconds, batches, out, per_process=25):
    """Games/s the driver takes in and stores from `workers` stand-ins, each handing back `games`
    (a real batch) every `seconds`, over `batches` batches written to out (Ray already connected)."""
    stand_ins = [StandIn.remote(games, seconds) for _ in range(-(-workers // per_process))]
    handles = [stand_ins[i % len(stand_ins)] for i in range(workers)]
    settings = {"games": batches * len(games), "batch": len(games), "seed": 0, "size": games.size,
                "komi": games.komi, "version": "stand-in"}
    ray.get([s.__ray_ready__.remote() for s in stand_ins])  # started: their start-up is not the driver's
    begun = time.perf_counter()
    play_batches(Workers(handles), [], out, settings)
    elapsed = time.perf_counter() - begun
    offered = workers * len(games) / seconds
    return {"workers": workers, "games_per_batch": len(games), "seconds_per_batch": seconds,
            "offered_games_per_s": round(offered, 1), "stored_games_per_s": round(batches * len(games) / elapsed, 1),
            "elapsed_s": round(elapsed, 2)}

"""Training positions streamed from a game store: replayed, encoded, shuffled, symmetrised, batched.

    sampler = PositionSampler("stores/all19.npz", split="train", batch_size=256, seed=1, workers=8)
    for batch in sampler:          # Batch(planes uint8 [B, 48, N, N], moves int64 [B], results float32 [B], ...)
        ...
        checkpoint["data"] = sampler.state_dict()
    # after a kill: PositionSampler(same store and options).load_state_dict(checkpoint["data"])

The stream. Positions are (game, move number) pairs: the position before that move, from the view of
the player who made it (the planes' player to move is that move's colour, so consecutive moves of one
colour are encoded right). The target is the move's index (row * size + col) under the position's
symmetry, and the result is the game's winner from the mover's view (+1, -1, 0 for draw/unknown).
Pass moves are not targets unless include_passes (AlphaGo's policy has no pass output).

An epoch is a permutation of the games (seeded by (seed, epoch)) cut into blocks of `block_games`
games. A block's positions (every move of every game, or one random move per game with
one_per_game) are permuted together and each gets a random symmetry, seeded by (seed, epoch, block):
the shuffle buffer is a whole block (2,048 games, about 400k positions, by default). The blocks of
the epochs laid end to end are the stream, and a batch is the next `batch_size` positions of it. So
the batches are a function of (store, split, seed, options) alone, whatever the number of workers,
and the state is one number: the positions consumed. state_dict() / load_state_dict() save and
restore it; a killed run that reloads it gets exactly the batches it would have had.

Workers. The main process cuts the stream into chunks (a multiple of the batch size, about 1,024
positions) and hands them to worker processes (fork); each replays its positions on the Numba board
(training/positions.py: kernels calling gogo.go.rules.place_stone directly, no Python Board) and
writes the planes into a slot of a shared-memory ring; the main process takes the chunks back in
order, whichever worker finishes first, and copies batches out. workers=0 does it all in-process.
Workers ignore Ctrl-C and exit by themselves within a second if the main process dies (kill -9).
Call close() (or use `with`) to stop them early; iterating again restarts them where the stream is.
"""
from __future__ import annotations

import collections
import hashlib
import json
import mmap
import multiprocessing
import os
import queue
import signal
import time
import traceback
from typing import NamedTuple

import numpy as np

from gogo import features
from gogo.errors import GogoError
from gogo.go.rules import BLACK
from training.ownership import load_labels
from training.positions import PositionEncoder, candidates, gather_table
from gogo.records.store import WIN_BY, GameStore, load_store

STATE_VERSION = 1
# A value net's positions from expert games: one per game (a game's positions share its result and
# would be memorised together), from games won on the board or by resignation only (a result on
# time or by forfeit says little about the position).
EXPERT_VALUE_STREAM = dict(value_planes=True, one_per_game=True, require_winner=True,
                           exclude_win_by=("time", "forfeit"))
# A two-headed net's: every position of those games (its value loss is weighted low instead),
# shuffled across the whole split: in a block of 2,048 games each game came back about every 15
# batches, and the value head learned the block's results by heart (train MSE 0.89 while the
# validation's stayed 1.0) instead of reading them off the board.
EXPERT_DUAL_STREAM = dict(value_planes=True, require_winner=True, exclude_win_by=("time", "forfeit"),
                          block_games=1 << 17)


# --- the sampler -------------------------------------------------------------------------------

class Batch(NamedTuple):
    planes: np.ndarray        # uint8 [B, planes, size, size]
    moves: np.ndarray         # int64 [B]: the move played, under the symmetry; pass = size * size
    results: np.ndarray       # float32 [B]: +1 the player to move won, -1 lost, 0 unknown/draw
    games: np.ndarray         # int64 [B]: game indices in the store
    move_numbers: np.ndarray  # int64 [B]: moves played before the position
    symmetries: np.ndarray    # int64 [B]: 0..7 (features.transform_planes)
    ownership: np.ndarray = None  # int8 [B, size * size]: each point's final owner, x127, +: the mover


class PositionSampler:
    """An iterator of Batch from one split of a game store; see the module docstring.

    store: a GameStore or a path. one_per_game: one random position per game per epoch (value
    nets); else every position. last_position: only each game's last stored position, even
    before a pass (training/value.py stores a game up to the move played from its one kept
    position); implies one_per_game. symmetries: a random one of the 8 per position (else identity).
    value_planes: 49 planes. shuffle=False: games in store order, positions in game order (for
    evaluation). epochs: stop after that many (None: forever); drop_last: drop a short last batch.
    workers: processes (0: in-process). copy=False: a batch's planes are a view into a buffer
    that is reused once the next batch is asked for (saves a copy when the trainer copies them at
    once, e.g. into pinned memory). split=None: every game of the store. require_winner /
    exclude_win_by: leave out games with no winner / with these results (e.g. ('time',
    'forfeit')). block_games: the shuffle window, in games. size: the board size (needed only
    when the split holds several). load_state_dict(state, strict=False) accepts a state saved
    for another stream (other data or options) and just goes on from its position.
    shard=(index, count): one of count processes training together (training/distributed.py):
    each batch of the stream is cut into count equal slices and this sampler encodes and yields
    slice index alone (batch_size // count positions); the stream, its position and the state
    are those of the whole batches, so a state carries over to any count.
    ownership: batches carry each position's final-ownership labels (training/ownership.py), from
    the mover's view and under the position's symmetry.
    """

    def __init__(self, store, split="train", batch_size=256, seed=0, *, one_per_game=False,
                 last_position=False, symmetries=True, value_planes=False, include_passes=False,
                 shuffle=True, epochs=None, drop_last=True, workers=0, size=None, require_winner=False,
                 exclude_win_by=(), block_games=None, chunk_size=1024, copy=True, shard=(0, 1), ownership=False):
        self.store = store if isinstance(store, GameStore) else load_store(store)
        st = self.store
        if not len(st.games(split)):
            raise GogoError(f"no games in split {split!r} of {st.path or 'the store'}")
        if size is None:
            sizes = np.unique(st.size[st.games(split)])
            if len(sizes) != 1:
                raise GogoError(f"split {split!r} holds board sizes {sizes.tolist()}: choose one with size=")
            size = int(sizes[0])
        self.size, self.split, self.batch_size, self.seed = size, split, batch_size, seed
        if batch_size % shard[1] or (shard[1] > 1 and not drop_last):
            raise GogoError(f"a batch of {batch_size} positions does not split into {shard[1]} equal "
                            "slices (with drop_last)")
        self.shard = shard
        one_per_game = one_per_game or last_position
        self.one_per_game, self.symmetries, self.shuffle = one_per_game, symmetries, shuffle
        self.value_planes, self.include_passes = value_planes, include_passes
        self.epochs, self.drop_last, self.workers, self.copy = epochs, drop_last, workers, copy
        self.planes = features.NUM_VALUE_PLANES if value_planes else features.NUM_PLANES
        self.block_games = block_games or (65536 if one_per_game else 2048)
        self.chunk_size = max(1, chunk_size // batch_size) * batch_size
        games = st.games(split, size)
        if require_winner:
            games = games[st.winner[games] != 0]
        for name in exclude_win_by:
            games = games[st.win_by[games] != WIN_BY.index(name)]
        if last_position:
            games = games[st.lengths[games] > 0]
            offsets, numbers = np.arange(len(games) + 1), (st.lengths[games] - 1).astype(np.int16)
        else:
            offsets, numbers = candidates(st.moves, st.move_offsets, games.astype(np.int64),
                                           size * size, include_passes)
            keep = np.diff(offsets) > 0
            if not keep.all():
                games = games[keep]
                offsets, numbers = candidates(st.moves, st.move_offsets, games.astype(np.int64),
                                               size * size, include_passes)
        self.games, self._offsets, self._numbers = games.astype(np.int64), offsets, numbers
        self._counts = np.diff(offsets)
        self.positions_per_epoch = len(games) if one_per_game else int(offsets[-1])
        if self.positions_per_epoch == 0:
            raise GogoError(f"no positions in split {split!r} of {st.path or 'the store'}")
        self._table = features.move_symmetry_table(size)
        self._ownership = load_labels(st) if ownership else None
        self._gather = gather_table(size)
        self.stream = {"store": st.fingerprint, "split": split, "size": size, "seed": seed,
                       "one_per_game": one_per_game, "symmetries": symmetries,
                       "include_passes": include_passes, "shuffle": shuffle,
                       "block_games": self.block_games,
                       "games": hashlib.blake2b(self.games.tobytes(), digest_size=8).hexdigest()}
        if last_position:  # absent when False, so states saved before the option still match
            self.stream["last_position"] = True
        self.position = 0  # positions handed out so far
        self.batches = 0
        self._run = None

    # --- state ---
    def state_dict(self):
        return {"version": STATE_VERSION, "position": self.position, "batches": self.batches,
                "epoch": self.position // self.positions_per_epoch, "stream": dict(self.stream)}

    def load_state_dict(self, state, strict=True):
        if strict and state.get("stream") != self.stream:
            raise GogoError("the saved data state is for another stream: saved "
                             f"{json.dumps(state.get('stream'))}, now {json.dumps(self.stream)}")
        self._stop()
        self.position, self.batches = int(state["position"]), int(state.get("batches", 0))

    def reset(self, position=0):
        """Go back (or forward) to a stream position, e.g. to run a validation sampler again."""
        self._stop()
        self.position, self.batches = position, position // self.batch_size

    @property
    def epoch(self):
        """Epochs completed, fractional."""
        return self.position / self.positions_per_epoch

    def __len__(self):
        """Batches per epoch."""
        full, rest = divmod(self.positions_per_epoch, self.batch_size)
        return full + (rest > 0 and not self.drop_last)

    # --- the stream ---
    def _rng(self, epoch, kind, block=0):
        return np.random.default_rng([self.seed, epoch, kind, block])

    def _epoch_order(self, epoch):
        if not self.shuffle:
            return np.arange(len(self.games))
        return self._rng(epoch, 1).permutation(len(self.games))

    def _block_sizes(self, order):
        starts = np.arange(0, len(order), self.block_games)
        if self.one_per_game:
            return np.minimum(self.block_games, len(order) - starts)
        return np.add.reduceat(self._counts[order], starts)

    def _block(self, epoch, block, order):
        """(local game, move number, symmetry) of a block's positions, in stream order."""
        local = order[block * self.block_games:(block + 1) * self.block_games]
        rng = self._rng(epoch, 2, block)
        if self.one_per_game:
            pick = self._offsets[local] + (rng.random(len(local)) * self._counts[local]).astype(np.int64)
            numbers = self._numbers[np.minimum(pick, self._offsets[local + 1] - 1)]
        else:
            counts = self._counts[local]
            total = int(counts.sum())
            first = np.repeat(self._offsets[local] - np.cumsum(counts) + counts, counts)
            numbers = self._numbers[first + np.arange(total)]
            local = np.repeat(local, counts)
            if self.shuffle:
                perm = rng.permutation(total)
                local, numbers = local[perm], numbers[perm]
        syms = rng.integers(0, 8, len(local)) if self.symmetries else np.zeros(len(local), np.int64)
        return local, numbers.astype(np.int64), syms.astype(np.int64)

    def _pieces(self, start):
        """Slices of blocks, from stream position `start` to the end."""
        total = self.positions_per_epoch
        epoch, within = divmod(start, total)
        while self.epochs is None or epoch < self.epochs:
            order = self._epoch_order(epoch)
            sizes = self._block_sizes(order)
            ends = np.cumsum(sizes)
            for block in range(int(np.searchsorted(ends, within, side="right")), len(sizes)):
                local, numbers, syms = self._block(epoch, block, order)
                skip = within - (int(ends[block]) - int(sizes[block]))
                if skip > 0:
                    local, numbers, syms = local[skip:], numbers[skip:], syms[skip:]
                within = int(ends[block])
                yield local, numbers, syms
            epoch, within = epoch + 1, 0

    def _chunks(self, start):
        """(games, move numbers, symmetries) of chunk_size positions at a time."""
        parts, have = [], 0
        for piece in self._pieces(start):
            while len(piece[0]):
                take = min(self.chunk_size - have, len(piece[0]))
                parts.append(tuple(a[:take] for a in piece))
                piece = tuple(a[take:] for a in piece)
                have += take
                if have == self.chunk_size:
                    yield self._spec(parts)
                    parts, have = [], 0
        if have:
            yield self._spec(parts)

    def _spec(self, parts):
        local, numbers, syms = (np.concatenate(a) for a in zip(*parts))
        keep = self._slices(len(local))
        return self.games[local[keep]], numbers[keep], syms[keep]

    def _slices(self, positions):
        """The indices of this shard's slice of each whole batch in a chunk of positions."""
        index, count = self.shard
        if count == 1:
            return slice(None)
        whole, width = positions // self.batch_size, self.batch_size // count
        starts = np.arange(whole) * self.batch_size + index * width
        return (starts[:, None] + np.arange(width)).ravel()

    # --- iteration ---
    def __iter__(self):
        return self

    def __next__(self):
        if self._run is None:
            self._run = self._batches()
        try:
            return next(self._run)
        except BaseException as e:  # a worker failed, or the end: a later call starts afresh
            self._run = None if not isinstance(e, StopIteration) else self._run
            raise

    def _batches(self):
        encoder = PositionEncoder(self.store, self.size, self.value_planes)
        specs = self._chunks(self.position)
        if self.workers <= 0:
            out = np.empty((self.chunk_size, self.planes, self.size, self.size), np.uint8)
            for spec in specs:
                encoder.encode(*spec, out)
                yield from self._cut(spec, out)
            return
        ring = _Ring(encoder, self.workers, self.chunk_size, int(self.games[0]))
        try:
            pending = collections.deque()
            for slot in range(ring.slots):
                spec = next(specs, None)
                if spec is None:
                    break
                pending.append((ring.submit(slot, spec), slot, spec))
            while pending:
                task, slot, spec = pending.popleft()
                ring.wait(task)
                yield from self._cut(spec, ring.planes[slot])
                spec = next(specs, None)
                if spec is not None:
                    pending.append((ring.submit(slot, spec), slot, spec))
        finally:
            ring.close()

    def _cut(self, spec, planes):
        games, numbers, syms = spec
        flat = self.store.move_offsets[games] + numbers
        moves = self._table[syms, self.store.moves[flat].astype(np.int64)]
        sign = np.where(self.store.colors[flat] == BLACK, 1, -1)
        results = (self.store.winner[games] * sign).astype(np.float32)
        owners = None
        if self._ownership is not None:
            owners = np.take_along_axis(self._ownership[games], self._gather[syms], axis=1)
            owners *= sign.astype(np.int8)[:, None]
        width, count = self.batch_size // self.shard[1], self.shard[1]
        for i in range(0, len(games), width):
            j = min(i + width, len(games))
            if j - i < width and self.drop_last:
                return
            self.position += (j - i) * count
            self.batches += 1
            yield Batch(planes[i:j].copy() if self.copy else planes[i:j], moves[i:j], results[i:j],
                        games[i:j], numbers[i:j], syms[i:j], None if owners is None else owners[i:j])

    def _stop(self):
        if self._run is not None:
            self._run.close()
            self._run = None

    def close(self):
        """Stop the workers (iterating again restarts them where the stream stands)."""
        self._stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


# --- worker processes --------------------------------------------------------------------------

class _Ring:
    """Worker processes writing chunks of planes into slots of one shared anonymous mapping."""

    def __init__(self, encoder, workers, chunk_size, warm_game):
        if "fork" not in multiprocessing.get_all_start_methods():
            raise RuntimeError("data workers need the fork start method; use workers=0")
        self.slots = 2 * workers + 1
        shape = (self.slots, chunk_size, encoder.planes, encoder.size, encoder.size)
        self.memory = mmap.mmap(-1, int(np.prod(shape)))
        self.planes = np.frombuffer(self.memory, np.uint8).reshape(shape)
        out = np.empty((1, encoder.planes, encoder.size, encoder.size), np.uint8)
        encoder.encode(np.array([warm_game]), np.array([0]), np.array([0]), out)  # compile first
        context = multiprocessing.get_context("fork")
        self.tasks, self.done = context.Queue(), context.Queue()
        self.procs = [context.Process(target=_worker, args=(encoder, self.memory, shape, self.tasks,
                                                           self.done, os.getpid()), daemon=True)
                      for _ in range(workers)]
        for p in self.procs:
            p.start()
        self.next_task, self.finished = 0, set()

    def submit(self, slot, spec):
        task = self.next_task
        self.next_task += 1
        self.tasks.put((task, slot) + tuple(spec))
        return task

    def wait(self, task):
        while task not in self.finished:
            try:
                done, error = self.done.get(timeout=1.0)
            except queue.Empty:
                dead = [p.exitcode for p in self.procs if p.exitcode is not None]
                if dead:
                    raise RuntimeError(f"a data worker died (exit code {dead[0]})") from None
                continue
            if error:
                raise RuntimeError(f"data worker failed:\n{error}")
            self.finished.add(done)
        self.finished.discard(task)

    def close(self):
        for p in self.procs:
            if p.is_alive():
                p.terminate()
        for p in self.procs:
            p.join(5)
        for q in (self.tasks, self.done):
            q.cancel_join_thread()
            q.close()
        self.planes = None
        try:
            self.memory.close()
        except BufferError:  # a view is still alive somewhere; the mapping goes with it
            pass


def _worker(encoder, memory, shape, tasks, done, parent):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's business
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the trainer's clean-stop handler: its exit
    # terminates the workers once and waits for them
    planes = np.frombuffer(memory, np.uint8).reshape(shape)
    while True:
        try:
            task = tasks.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:
                return
            continue
        number, slot, games, numbers, syms = task
        try:
            encoder.encode(games, numbers, syms, planes[slot])
            done.put((number, None))
        except Exception:
            done.put((number, traceback.format_exc()))


# --- measuring ---------------------------------------------------------------------------------

def bench(store, workers=1, seconds=20.0, batch_size=256, split="train", **options):
    """Positions per second the sampler delivers (after its first batch: start-up apart)."""
    import platform
    started = time.perf_counter()
    sampler = PositionSampler(store, split=split, batch_size=batch_size, seed=1, workers=workers,
                              **options)
    next(sampler)
    ready = time.perf_counter()
    positions = 0
    while time.perf_counter() - ready < seconds:
        positions += len(next(sampler).moves)
    elapsed = time.perf_counter() - ready
    sampler.close()
    return {"benchmark": "data", "store": str(sampler.store.path), "split": split,
            "size": sampler.size, "workers": workers, "batch_size": batch_size,
            "planes": sampler.planes, "symmetries": sampler.symmetries,
            "one_per_game": sampler.one_per_game, "seconds": round(elapsed, 2),
            "positions": positions, "positions_per_second": round(positions / elapsed, 1),
            "startup_seconds": round(ready - started, 2), "cpus": os.cpu_count(),
            "python": platform.python_version()}


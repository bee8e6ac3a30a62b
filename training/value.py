"""The value net on self-play positions: `gogo train value` (config.ValueConfig; the AlphaGo
paper's value data).

    gogo train value --sl sl/policy.safetensors --rl rl/policy.safetensors --games 100000 --out RUN

The data (Silver et al. 2016): successive positions of one game are strongly correlated and share
its result, so a value net trained on whole games memorises them; each self-play game gives one
position. Per game, U is drawn uniformly from 1..U_max (450 on 19x19, scaled by the number of
points: 101 on 9x9); the SL policy plays moves 1..U-1 (sampled at temperature 1), move U is a
uniformly random sensible move, the RL policy plays both colours from move U+1 to the end, and
the position after move U is kept with the final result. A game that ends before a move is played
from that position has none to give: it is dropped (counted), and batches are played until
`games` positions are kept.

Files in the run folder:
- value-data/chunk-00000.npz, ...: the whole games of one batch played at once, with their U.
  Batch i is seeded by (seed, i) and its size follows from the batches before it, so a killed run
  loses at most the batch in flight and resuming plays the same games it would have played.
- value-data.npz: a game store (gogo/records/store.py) holding each kept game's first U+1 moves (the
  last stored move is the one played from the kept position, so the sampler's last_position option
  encodes that position from the view of its player to move) and the final winner; an extra array
  random_move (int16[G]) holds U; the split is by key with `held_out` of the games in each of val
  and test (the stores' 1% is too few for a data set of thousands).
- the training run of `gogo train sl --value` (training/sl.py: checkpoint, exact resume, log.csv,
  curves, validation MSE) on the last position of each game; value.safetensors; summary.json with
  the generation numbers and the MSE on the val and test splits.

Under torchrun (training/distributed.py) rank 0 plays the games while the other ranks wait, then
all train on the store together, and rank 0 measures and writes the summary.
"""
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from gogo import nets
from gogo.errors import GogoError
from gogo.records.store import SPLITS, load_store, save_store
from selfplay.export import as_store_arrays, check_settings, load_games, save_games
from selfplay.games import InProcess, concatenate, play
from selfplay.movers import NetPlayer, RandomMover
from training import distributed, sl
from training.checkpoint import CHECKPOINT
from training.config import as_options
from training.metrics import held_out_batches, net_metrics

PAPER_U_MAX, PAPER_POINTS = 450, 361
SL_MOVER, RANDOM_MOVER, RL_MOVER = 0, 1, 2
CHUNKS, DATA, SUMMARY = "value-data", "value-data.npz", "summary.json"
VALUE_DATA = dict(value_planes=True, last_position=True)  # the sampler's options: each game's last position


def u_max(size):
    return round(PAPER_U_MAX * size * size / PAPER_POINTS)


def draw_u(rng, count, size):
    """The move number (1-based) of each game's random move, uniform over 1..u_max(size)."""
    return rng.integers(1, u_max(size) + 1, count)


def schedule(u, rl_mover=RL_MOVER):
    """play()'s assign: the SL policy before move U, the random mover at U, the RL policy after."""
    def assign(move_number, games, colors):
        number, random_at = move_number + 1, u[games]
        return np.where(number < random_at, SL_MOVER, np.where(number == random_at, RANDOM_MOVER, rl_mover))
    return assign


def kept(games, u):
    """Games with a move played from the position after move U (the others ended before it)."""
    return np.array([len(m) for m in games.moves]) > u


# --- generation ----------------------------------------------------------------------------------

def chunk_games(movers, count, size, komi, rng):
    """A batch of value data: count games of the movers (SL, random[, RL]), each with its U drawn
    first from rng; extra: u."""
    u = draw_u(rng, count, size)
    rl_mover = RL_MOVER if len(movers) > RL_MOVER else SL_MOVER  # the SL net plays the RL part too
    return play(movers, schedule(u, rl_mover), count, size, komi, rng), {"u": u}


def chunk_counts(need, batch_games, most):
    """The sizes of the next chunks: `need` games in chunks of batch_games, at most `most` chunks."""
    return [min(batch_games, need - first) for first in range(0, need, batch_games)][:most]


def generate(config, place=None):
    """Play until config.games positions are kept, then write out/value-data.npz; resumes from the
    chunks of an earlier call with the same settings. The chunks are played on the place
    (selfplay.games: InProcess unless given), as many at a time as it plays at once. Returns the
    generation numbers (also in the store's info)."""
    out, rl_weights = Path(config.out), config.rl or config.sl
    size = nets.read_config(config.sl).board_size
    settings = {"sl": str(Path(config.sl).resolve()), "rl": str(Path(rl_weights).resolve()),
                "games": config.games, "batch_games": config.batch_games, "seed": config.seed,
                "komi": config.komi, "held_out": config.held_out, "size": size}
    folder = out / CHUNKS
    folder.mkdir(parents=True, exist_ok=True)
    check_settings(folder / "settings.json", settings, "value data")
    if (out / DATA).exists():
        return load_store(out / DATA).info["generation"]
    place = place or InProcess(config.device)
    players = [NetPlayer(nets.load(config.sl, kind=nets.POLICY_KINDS, board_size=size)), RandomMover()]
    if Path(rl_weights).resolve() != Path(config.sl).resolve():
        players.append(NetPlayer(nets.load(rl_weights, kind=nets.POLICY_KINDS, board_size=size)))
    batches = load_chunks(folder, size, config.komi)
    have = sum(int(kept(b, u).sum()) for b, u in batches)

    def save(index, batch, extra):  # each chunk whole, atomically, as it comes
        save_games(folder / f"chunk-{index:05d}.npz", batch, u=extra["u"])
        print(f"value data: chunk {index}, {len(batch)} games, {batch.stats()['games_per_hour']:.0f} games/hour",
              file=sys.stderr, flush=True)

    while have < config.games:
        counts = chunk_counts(config.games - have, config.batch_games, place.batches_at_once)
        wave = {len(batches) + k: ([config.seed, len(batches) + k], count) for k, count in enumerate(counts)}
        played = place.play(chunk_games, players, wave, size, config.komi, save)
        for index in sorted(played):
            batch, extra = played[index]
            batches.append((batch, extra["u"]))
            have += int(kept(batch, extra["u"]).sum())
        print(f"value data: {min(have, config.games)}/{config.games} positions", file=sys.stderr, flush=True)
    return write_store(batches, out / DATA, settings)


def load_chunks(folder, size, komi):
    """[(Games, u)] of the chunks in the folder, in order, up to the first one missing (a driver
    killed while its workers played several leaves later ones: those are removed, to be played
    again as the chunks before them say)."""
    batches = []
    for path in sorted(folder.glob("chunk-*.npz")):
        if path.name != f"chunk-{len(batches):05d}.npz":
            path.unlink()
            continue
        games, extra = load_games(path, size, komi, extra=("u",))
        batches.append((games, extra["u"]))
    return batches


def write_store(batches, path, settings):
    """The first settings['games'] kept games, each cut after the move played from its kept position."""
    everything, u = concatenate([b for b, _ in batches]), np.concatenate([u for _, u in batches])
    keep = np.flatnonzero(kept(everything, u))[:settings["games"]]
    arrays = as_store_arrays(everything.subset(keep), "selfplay-value", last_moves=u[keep] + 1,
                             seed=settings["seed"], held_out=settings["held_out"])
    arrays["random_move"] = u[keep].astype(np.int16)
    played = len(everything)
    stats = {"games_played": played, "positions": len(keep), "games_dropped": int(played - kept(everything, u).sum()),
             "u_max": u_max(everything.size), "mean_u": round(float(u[keep].mean()), 1),
             "seconds": round(everything.seconds, 1),
             "games_per_hour": round(3600 * played / max(everything.seconds, 1e-9), 1),
             "mean_game_length": everything.stats()["mean_length"],
             "splits": {s: int((arrays["split"] == k).sum()) for k, s in enumerate(SPLITS)}}
    arrays["info"] = np.array(json.dumps({"builder": "gogo train value", "date": time.strftime("%Y-%m-%d"),
                                          "settings": settings, "generation": stats}))
    save_store(arrays, path)
    return stats


# --- training ------------------------------------------------------------------------------------

def train(config):
    """Train (or resume, if out holds a checkpoint) the value net on out/value-data.npz, then
    measure MSE on the val and test splits; writes and returns the summary (rank 0; the other
    ranks of a torchrun launch return None)."""
    out = Path(config.out)
    data = out / DATA
    store = load_store(data)
    for split in ("val", "test"):
        if not len(store.games(split)):
            raise GogoError(f"no {split} games in {data}; play more games or hold out a larger fraction")
    training = config.training(data, resume=(out / CHECKPOINT).exists())
    if not sl.train(training, VALUE_DATA, recorded=as_options("value", config) | asdict(training)):
        raise GogoError(f"the value net's training in {out} stopped early; --resume goes on from there")
    if not distributed.is_main():
        return None
    device = nets.pick_device(config.device)
    net = nets.to_device(nets.load(out / f"{nets.VALUE}.safetensors", kind=nets.VALUE), device)
    summary = {"store": str(data), **store.info.get("generation", {}),
               "steps": net.config.provenance["steps"], "net": f"{net.config.filters}x{net.config.layers}"}
    for split in ("val", "test"):
        batches = held_out_batches(store, split, len(store), config.batch, VALUE_DATA)
        metrics = net_metrics(net, batches, device, nets.VALUE)
        summary.update({f"{split}_mse": round(metrics["mse"], 5), f"{split}_positions": metrics["positions"]})
    (out / SUMMARY).write_text(json.dumps(summary, indent=1))
    return summary


def generate_and_train(config, place=None):
    """All of `gogo train value` (a ValueConfig): the data (its games on the place: see generate),
    then the net; returns the summary (None on ranks other than 0). Refuses to start afresh over an
    earlier run's data unless resuming."""
    out = Path(config.out)
    if not config.resume and (out / CHUNKS).exists():
        raise GogoError(f"{out} already holds a run; use --resume or another --out")
    distributed.barrier()  # every rank has looked before rank 0 writes
    if distributed.is_main():
        generate(config, place)
    distributed.barrier()  # rank 0's data is there for all
    return train(config)

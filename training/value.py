"""The value net on self-play positions: `gogo train value` (the AlphaGo paper's value data).

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
  loses at most the batch in flight and `--resume` plays the same games it would have played.
- value-data.npz: a game store (training/store.py) holding each kept game's first U+1 moves (the
  last stored move is the one played from the kept position, so the sampler's last_position option
  encodes that position from the view of its player to move) and the final winner; an extra array
  random_move (int16[G]) holds U; the split is by key with `held_out` of the games in each of val
  and test (the stores' 1% is too few for a data set of thousands).
- the training run of `gogo train sl --value` (training/sl.py: checkpoint, exact resume, log.csv,
  curves, validation MSE) on the last position of each game; value.safetensors; summary.json with
  the generation numbers and the MSE on the val and test splits.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from gogo import nets
from selfplay.play import DEFAULT_KOMI, Games, PolicyMover, RandomMover, concatenate, play, store_arrays
from training import sl
from training.checkpoint import CHECKPOINT
from training.store import load_store, save_store

PAPER_U_MAX, PAPER_POINTS = 450, 361
SL_MOVER, RANDOM_MOVER, RL_MOVER = 0, 1, 2
CHUNKS, DATA, SUMMARY = "value-data", "value-data.npz", "summary.json"


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

def generate(sl_weights, rl_weights, games, out, seed=1, batch_games=256, komi=DEFAULT_KOMI,
             held_out=0.05, device=None):
    """Play until `games` positions are kept, then write out/value-data.npz; resumes from the chunks
    of an earlier call with the same settings. Returns the generation numbers (also in the store's
    info)."""
    out, rl_weights = Path(out), rl_weights or sl_weights
    size = nets.read_config(sl_weights).board_size
    settings = {"sl": str(Path(sl_weights).resolve()), "rl": str(Path(rl_weights).resolve()), "games": games,
                "batch_games": batch_games, "seed": seed, "komi": komi, "held_out": held_out, "size": size}
    folder = out / CHUNKS
    folder.mkdir(parents=True, exist_ok=True)
    check_settings(folder / "settings.json", settings)
    if (out / DATA).exists():
        return load_store(out / DATA).info["generation"]
    sl_net = nets.load(sl_weights, kind=nets.POLICY, board_size=size)
    movers = [PolicyMover(sl_net, device), RandomMover()]
    rl_mover = SL_MOVER  # one batched net call for both when the SL net plays the RL part too
    if Path(rl_weights).resolve() != Path(sl_weights).resolve():
        movers.append(PolicyMover(nets.load(rl_weights, kind=nets.POLICY, board_size=size), device))
        rl_mover = RL_MOVER
    batches = load_chunks(folder, size, komi)
    have = sum(int(kept(b, u).sum()) for b, u in batches)
    while have < games:
        rng = np.random.default_rng([seed, len(batches)])
        count = min(batch_games, games - have)
        u = draw_u(rng, count, size)
        batch = play(movers, schedule(u, rl_mover), count, size, komi, rng)
        save_chunk(folder / f"chunk-{len(batches):05d}.npz", batch, u)
        batches.append((batch, u))
        have += int(kept(batch, u).sum())
        print(f"value data: {min(have, games)}/{games} positions, batch {len(batches)}: "
              f"{batch.stats()['games_per_hour']:.0f} games/hour", file=sys.stderr, flush=True)
    return write_store(batches, out / DATA, settings)


def check_settings(path, settings):
    """Chunks are only resumed by a run with the same settings."""
    if path.exists() and json.loads(path.read_text()) != settings:
        raise SystemExit(f"gogo train value: {path.parent} holds value data made with other settings: "
                         f"{path.read_text()} (now {json.dumps(settings)})")
    path.write_text(json.dumps(settings, indent=1))


def save_chunk(path, games, u):
    """One batch of whole games and their U, atomically."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        np.savez(f, moves=np.concatenate(games.moves), colors=np.concatenate(games.colors),
                 lengths=np.array([len(m) for m in games.moves]), winner=games.winner, score=games.score,
                 seconds=games.seconds, u=u)
    os.replace(tmp, path)


def load_chunks(folder, size, komi):
    """[(Games, u)] of the chunks in the folder, in order."""
    batches = []
    for i, path in enumerate(sorted(folder.glob("chunk-*.npz"))):
        if path.name != f"chunk-{i:05d}.npz":
            raise SystemExit(f"gogo train value: {path} is out of sequence (chunk {i} missing)")
        with np.load(path, allow_pickle=False) as z:
            ends = np.cumsum(z["lengths"])[:-1]
            games = Games(size, float(komi), np.split(z["moves"], ends), np.split(z["colors"], ends),
                          z["winner"], z["score"], float(z["seconds"]))
            batches.append((games, z["u"]))
    return batches


def write_store(batches, path, settings):
    """The first settings['games'] kept games, each cut after the move played from its kept position."""
    everything, u = concatenate([b for b, _ in batches]), np.concatenate([u for _, u in batches])
    keep = np.flatnonzero(kept(everything, u))[:settings["games"]]
    chosen = Games(everything.size, everything.komi, [everything.moves[i] for i in keep],
                   [everything.colors[i] for i in keep], everything.winner[keep], everything.score[keep])
    arrays = store_arrays(chosen, "selfplay-value", last_moves=u[keep] + 1, seed=settings["seed"],
                          held_out=settings["held_out"])
    arrays["random_move"] = u[keep].astype(np.int16)
    played = len(everything)
    stats = {"games_played": played, "positions": len(keep), "games_dropped": int(played - kept(everything, u).sum()),
             "u_max": u_max(everything.size), "mean_u": round(float(u[keep].mean()), 1),
             "seconds": round(everything.seconds, 1),
             "games_per_hour": round(3600 * played / max(everything.seconds, 1e-9), 1),
             "mean_game_length": everything.stats()["mean_length"],
             "splits": {s: int((arrays["split"] == k).sum()) for k, s in enumerate(("train", "val", "test"))}}
    arrays["info"] = np.array(json.dumps({"builder": "gogo train value", "date": time.strftime("%Y-%m-%d"),
                                          "settings": settings, "generation": stats}))
    save_store(arrays, path)
    return stats


# --- training ------------------------------------------------------------------------------------

def value_options(args, symmetries=True):
    """The sampler's options (sl.run's hook): the last stored position of each game, 49 planes."""
    return dict(symmetries=symmetries, value_planes=True, last_position=True)


def training_args(store, out, **overrides):
    """`gogo train sl`'s defaults as args for train() (for callers other than the command line)."""
    parser = argparse.ArgumentParser()
    sl.add_training_arguments(parser)
    args = parser.parse_args([])
    vars(args).update(store=str(store), out=str(out), **overrides)
    return args


def train(args):
    """Train (or resume, if out holds a checkpoint) the value net on args.store, then measure MSE
    on the val and test splits; writes and returns the summary."""
    out = Path(args.out)
    store = load_store(args.store)
    for split in ("val", "test"):
        if not len(store.games(split)):
            raise SystemExit(f"gogo train value: no {split} games in {args.store}; play more games "
                             "or hold out a larger fraction")
    args.value, args.resume = True, (out / CHECKPOINT).exists()
    sl.run(args, value_options)
    device = nets.pick_device(args.device)
    net = nets.to_device(nets.load(out / f"{nets.VALUE}.safetensors", kind=nets.VALUE), device)
    summary = {"store": str(args.store), **store.info.get("generation", {}),
               "steps": net.config.provenance["steps"], "net": f"{net.config.filters}x{net.config.layers}"}
    for split in ("val", "test"):
        batches = sl.validation_set(store, args, value_options, split=split, positions=len(store))
        metrics = sl.evaluate(net, batches, device, value=True)
        summary.update({f"{split}_mse": round(metrics["mse"], 5), f"{split}_positions": metrics["positions"]})
    (out / SUMMARY).write_text(json.dumps(summary, indent=1))
    return summary


# --- `gogo train value` --------------------------------------------------------------------------

def add_arguments(parser):
    parser.add_argument("--sl", required=True, help="SL policy weights (moves before the random one)")
    parser.add_argument("--rl", help="RL policy weights (moves after the random one; default: --sl)")
    parser.add_argument("--games", type=int, required=True, help="positions to keep (one per game)")
    parser.add_argument("--out", required=True, help="run folder (created; reused with --resume)")
    parser.add_argument("--batch-games", type=int, default=256, help="games played at once")
    parser.add_argument("--komi", type=float, default=DEFAULT_KOMI)
    parser.add_argument("--held-out", type=float, default=0.05,
                        help="fraction of the games in each of the val and test splits")
    sl.add_training_arguments(parser)


def run(args):
    out = Path(args.out)
    if not args.resume and (out / CHUNKS).exists():
        raise SystemExit(f"gogo train value: {out} already holds a run; use --resume or another --out")
    generate(args.sl, args.rl, args.games, out, args.seed, args.batch_games, args.komi, args.held_out,
             args.device)
    args.store = str(out / DATA)
    summary = train(args)
    print(f"value net: test MSE {summary['test_mse']} on {summary['test_positions']} positions "
          f"(val {summary['val_mse']}); {summary['positions']} positions from {summary['games_played']} "
          f"games at {summary['games_per_hour']:.0f} games/hour; {out / SUMMARY}")
    return 0

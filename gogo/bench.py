"""`gogo bench`: throughput measurements printed as one JSON object."""
import json
import platform
import random
import time
from pathlib import Path

import numpy as np

from gogo import rules
from gogo.playout import run_playouts

PLAYOUT_BATCH = 200
FEATURE_POSITIONS = 500  # mid-game positions sampled for the feature benchmark
MID_GAME = (60, 200)  # moves played before a sampled position
SHARED_KGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "kgs-highdan"


def bench_playouts(size, seconds):
    """Random sensible-move playouts from the empty board on one core."""
    grid, meta = rules.new_position(size)
    run_playouts(grid, meta, 2, 0)  # compile (or load the cache) outside the timing
    playouts = moves = 0
    seed = 1
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        batch_moves, scores, _ = run_playouts(grid, meta, PLAYOUT_BATCH, seed)
        playouts += PLAYOUT_BATCH
        moves += int(batch_moves)
        seed += 1
    elapsed = time.perf_counter() - start
    return {
        "benchmark": "playouts",
        "size": size,
        "seconds": round(elapsed, 3),
        "playouts": playouts,
        "playouts_per_second": round(playouts / elapsed, 1),
        "moves_per_second": round(moves / elapsed, 1),
        "moves_per_playout": round(moves / playouts, 1),
        "black_win_rate_no_komi": round(float(np.mean(scores > 0)), 3),
        "machine": machine(),
    }


def sample_positions(sources, size, count, seed=1):
    """(grids, metas) of `count` mid-game positions, one per game, from SGF sources."""
    from gogo.sgf import GameRecord, iter_sources, replay
    rng = random.Random(seed)
    grids, metas = [], []
    for record in iter_sources(sources):
        if not isinstance(record, GameRecord) or record.size != size or len(record.moves) < MID_GAME[0] + 1:
            continue
        moves = rng.randrange(MID_GAME[0], min(MID_GAME[1], len(record.moves)))
        board = replay(record, moves=moves, keep_undo=False)
        grids.append(board.grid.copy())
        metas.append(board.meta.copy())
        if len(grids) == count:
            break
    if not grids:
        raise SystemExit(f"gogo bench features: no {size}x{size} games in {sources}")
    return np.stack(grids), np.stack(metas)


def bench_features(size, seconds, data=None):
    """48-plane encodings of real mid-game positions per second on one core."""
    from gogo.features import Encoder
    sources = data or sorted(str(p) for p in SHARED_KGS.glob("*.tar.gz"))[-1:]
    grids, metas = sample_positions(sources, size, FEATURE_POSITIONS)
    encoder = Encoder(size)
    out = encoder.encode_arrays(grids, metas)  # compile (or load the cache) outside the timing
    encoded = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        encoder.encode_arrays(grids, metas, out)
        encoded += len(grids)
    elapsed = time.perf_counter() - start
    return {
        "benchmark": "features",
        "size": size,
        "seconds": round(elapsed, 3),
        "positions": encoded,
        "positions_per_second": round(encoded / elapsed, 1),
        "distinct_positions": len(grids),
        "sources": [str(s) for s in sources],
        "mid_game_moves": list(MID_GAME),
        "ladder_captures_per_position": round(float(out[:, 44].sum()) / len(grids), 2),
        "machine": machine(),
    }


def machine():
    """What the numbers were measured on."""
    import os
    import numba
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "numba": numba.__version__}


BENCHMARKS = {"playouts": bench_playouts, "features": bench_features}


def add_arguments(parser):
    parser.add_argument("what", choices=sorted(BENCHMARKS))
    parser.add_argument("--size", type=int, default=19)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--data", nargs="*", help="SGF files, folders or archives (features; "
                        "default: the newest KGS archive in ../shared/data)")
    parser.add_argument("--json", action="store_true", help="print only the JSON object")


def run(args):
    options = {"data": args.data} if args.what == "features" else {}
    result = BENCHMARKS[args.what](args.size, args.seconds, **options)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0

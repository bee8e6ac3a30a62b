"""`gogo bench`: throughput measurements printed as one JSON object."""
import json
import platform
import time

import numpy as np

from gogo import rules
from gogo.playout import run_playouts

PLAYOUT_BATCH = 200


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


def machine():
    return {"cpu": platform.processor() or platform.machine(), "python": platform.python_version()}


BENCHMARKS = {"playouts": bench_playouts}


def add_arguments(parser):
    parser.add_argument("what", choices=sorted(BENCHMARKS))
    parser.add_argument("--size", type=int, default=19)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", action="store_true", help="print only the JSON object")


def run(args):
    result = BENCHMARKS[args.what](args.size, args.seconds)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0

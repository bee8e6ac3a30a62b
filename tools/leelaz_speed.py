#!/usr/bin/env python3
"""Search speed side by side: Leela Zero 0.17 (CPU) with a random 6-block x 64-filter net, and
`gogo bench search --net small` (13 layers x 64 filters), which costs about as much per
evaluation. Prints one JSON object.

    python3 tools/leelaz_speed.py --visits 1600 --seconds 30
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

LEELAZ = "/usr/games/leelaz"
NODES_PER_SECOND = re.compile(r"(\d+) visits, (\d+) nodes, (\d+) playouts, (\d+) n/s")


def write_random_weights(path, blocks=6, filters=64, seed=0):
    """A Leela Zero version-1 weights file with small random weights."""
    rng = np.random.default_rng(seed)
    lines = ["1"]

    def conv(inputs, outputs, size):
        lines.append(" ".join(f"{x:.4g}" for x in rng.normal(0, 0.05, outputs * inputs * size * size)))
        lines.append(" ".join(["0"] * outputs))  # biases
        lines.append(" ".join(["0"] * outputs))  # batch-norm means
        lines.append(" ".join(["1"] * outputs))  # batch-norm variances

    def dense(inputs, outputs):
        lines.append(" ".join(f"{x:.4g}" for x in rng.normal(0, 0.05, inputs * outputs)))
        lines.append(" ".join(["0"] * outputs))

    conv(18, filters, 3)
    for _ in range(2 * blocks):
        conv(filters, filters, 3)
    conv(filters, 2, 1)
    dense(2 * 361, 362)
    conv(filters, 1, 1)
    dense(361, 256)
    dense(256, 1)
    Path(path).write_text("\n".join(lines) + "\n")


def leelaz_speed(visits, threads, moves):
    """Nodes per second that Leela Zero reports over `moves` genmoves from the empty board."""
    with tempfile.TemporaryDirectory() as folder:
        weights = Path(folder) / "random-6x64.txt"
        write_random_weights(weights)
        command = [LEELAZ, "--cpu-only", "--gtp", "--noponder", "--weights", str(weights),
                   "--visits", str(visits), "--threads", str(threads), "--timemanage", "off", "--resignpct", "0"]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        start = time.perf_counter()
        script = "".join(f"genmove {'b' if i % 2 == 0 else 'w'}\n" for i in range(moves)) + "quit\n"
        _, stderr = process.communicate(script, timeout=3600)
        elapsed = time.perf_counter() - start
    speeds = [int(m.group(4)) for m in NODES_PER_SECOND.finditer(stderr)]
    if not speeds:
        raise SystemExit(f"no speed lines from leelaz:\n{stderr[-2000:]}")
    return {"engine": "leela-zero 0.17 --cpu-only", "net": "random 6 blocks x 64 filters",
            "threads": threads, "visits_per_move": visits, "moves": moves,
            "nodes_per_second_reported": speeds, "mean_nodes_per_second": round(float(np.mean(speeds)), 1),
            "wall_seconds": round(elapsed, 1)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=1600)
    parser.add_argument("--moves", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args(argv)
    if not Path(LEELAZ).exists():
        raise SystemExit(f"{LEELAZ} not found: apt-get install leela-zero")
    leela = leelaz_speed(args.visits, args.threads, args.moves)
    gogo = json.loads(subprocess.run([shutil.which("gogo") or "gogo", "bench", "search", "--net", "small",
                                      "--size", "19", "--seconds", str(args.seconds), "--json"],
                                     capture_output=True, text=True, check=True).stdout)
    print(json.dumps({"leela_zero": leela, "gogo": gogo}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

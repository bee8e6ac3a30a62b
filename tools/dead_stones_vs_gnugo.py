#!/usr/bin/env python3
"""Calibrate gogo's Monte Carlo dead-stone estimate against GNU Go's final_status_list.

GNU Go (level 1) plays itself from a few random opening moves to two passes on 9x9 and
13x13; on each final position we compare GNU Go's dead stones with the chains gogo calls dead
for several thresholds (gogo.scoring: a chain is dead when the mean ownership of its stones,
from its own side, is below -threshold). Prints agreement counts per threshold.

    python3 tools/dead_stones_vs_gnugo.py --games 60
    python3 tools/dead_stones_vs_gnugo.py --games 4 --show     # print the positions

Slow: GNU Go's own moves take most of the time (about 5 s a game).
"""
import argparse
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from gogo.go import playout, scoring  # noqa: E402
from gogo.go.board import BLACK  # noqa: E402
from gogo.gtp.engine import GtpEngine  # noqa: E402
from gogo.gtp.client import GtpClient, gnugo_path  # noqa: E402

THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.5)


def final_position(gnugo, size, seed, max_moves=400):
    """GNU Go self-play after 4..30 random moves; returns (engine, finished)."""
    engine = GtpEngine(size=size, seed=seed)
    gnugo.send_many([f"boardsize {size}", "clear_board", "komi 7.5"])
    random_moves = random.Random(seed).randint(4, 30)
    passes, n, color = 0, 0, "b"
    while passes < 2 and n < max_moves:
        if n < random_moves:
            move = engine.handle(f"genmove {color}")[2:].strip()
            gnugo.send(f"play {color} {move}")
        else:
            ok, move = gnugo.send(f"genmove {color}")
            engine.handle(f"play {color} {move}")
        passes = passes + 1 if move.lower() == "pass" else 0
        n += 1
        color = "w" if color == "b" else "b"
    return engine, passes == 2


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--playouts", type=int, default=scoring.DEFAULT_PLAYOUTS)
    parser.add_argument("--show", action="store_true", help="print each position and both verdicts")
    args = parser.parse_args(argv)
    gnugo = GtpClient([gnugo_path(), "--mode", "gtp", "--level", "1"])
    agree = {t: 0 for t in THRESHOLDS}
    finished_games = 0
    for seed in range(args.first_seed, args.first_seed + args.games):
        size = 9 if seed % 2 == 0 else 13
        engine, finished = final_position(gnugo, size, seed)
        if not finished:
            print(f"seed {seed}: no two passes in 400 moves, skipped", file=sys.stderr)
            continue
        finished_games += 1
        board = engine.board
        theirs = set(gnugo.send("final_status_list dead")[1].split())
        owned = playout.ownership(board, args.playouts, seed)
        means = []
        for color, points in board.chains():
            sign = 1.0 if color == BLACK else -1.0
            means.append((sign * float(np.mean([owned[board.rowcol(p)] for p in points])),
                          {board.vertex(p) for p in points}))
        for t in THRESHOLDS:
            ours = set().union(*[v for m, v in means if m < -t]) if means else set()
            agree[t] += ours == theirs
            if ours != theirs and args.show:
                print(f"seed {seed} threshold {t}: gnugo only {sorted(theirs - ours)}, "
                      f"gogo only {sorted(ours - theirs)}")
        if args.show:
            print(board)
            print("gnugo dead:", " ".join(sorted(theirs)) or "-")
            ordered = sorted(means, key=lambda x: x[0])
            print("chain means:", ", ".join(f"{min(v)}:{m:+.2f}" for m, v in ordered))
    gnugo.close()
    print(f"{finished_games} finished games; positions where gogo's dead stones equal GNU Go's:")
    for t in THRESHOLDS:
        print(f"  threshold {t}: {agree[t]}/{finished_games}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

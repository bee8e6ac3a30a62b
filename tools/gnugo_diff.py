#!/usr/bin/env python3
"""Differential test of gogo's rules against GNU Go 3.8 over GTP.

Random games are played on both engines at once: gogo's GtpEngine in-process and
`gnugo --mode gtp` as a subprocess receive the same `play` commands. Besides random sensible
moves, the games deliberately try illegal moves (occupied points, suicide points, ko recaptures,
positional-superko repetitions), passes and legal eye-filling moves. After every attempt both
engines must agree on acceptance and on `list_stones black`, `list_stones white`,
`captures black` and `captures white`.

One difference is expected: gogo plays positional superko and GNU Go (by default) simple ko
only. When gogo rejects a move because of superko and GNU Go accepts it, that is checked to be
the reason and GNU Go's move is taken back with `undo`; nothing else is forgiven.

    python3 tools/gnugo_diff.py --games 1000            # half 9x9, half 19x19
    python3 tools/gnugo_diff.py --games 20 --sizes 13 --seed 7 --json
    GOGO_DIFF_GAMES=200 python3 -m pytest tests/test_gnugo.py -k differential

tests/test_gnugo.py runs this module's `run_games`.
"""
import argparse
import json
import os
import platform
import random
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from gogo.go import playout, rules  # noqa: E402
from gogo.go.board import BLACK, EMPTY, PASS, WHITE, max_fixed_handicap  # noqa: E402
from gogo.gtp.engine import GtpEngine  # noqa: E402
from gogo.gtp.client import GtpClient, gnugo_path  # noqa: E402

NAMES = {BLACK: "black", WHITE: "white"}
QUERIES = ["list_stones black", "list_stones white", "captures black", "captures white"]

# chances per attempt (see choose_attempt)
P_KO_RETAKE = 0.5      # a ko recapture is possible: try it
P_ILLEGAL = 0.10       # try an occupied / suicide / superko point
P_PASS = 0.02          # pass instead of moving
P_EYE_FILL = 0.03      # a legal move that fills one's own eye
P_SUPERKO_SETUP = 0.5  # after a ko capture: pass, pass, retake (a positional superko repetition)
P_HANDICAP = 0.15      # start the game with a fixed handicap


class Disagreement(Exception):
    pass


def parse(response):
    """(ok, text) of a full GTP response string."""
    head, _, rest = response.partition(" ")
    return head.startswith("="), rest.strip()


class Stats:
    def __init__(self):
        self.games = Counter()          # by size
        self.moves = 0                  # accepted moves (stones and passes)
        self.passes = 0
        self.attempts = Counter()       # by status: legal, occupied, ko, suicide, superko
        self.eye_fills = 0
        self.handicap_games = 0
        self.superko_undos = 0          # gogo rejected (superko), GNU Go accepted, undone there
        self.disagreements = []
        self.seconds = 0.0

    def as_dict(self):
        return {"games": sum(self.games.values()), "games_by_size": dict(self.games),
                "moves": self.moves, "passes": self.passes, "eye_fills": self.eye_fills,
                "handicap_games": self.handicap_games,
                "illegal_attempts": {k: self.attempts[k] for k in ("occupied", "suicide", "ko", "superko")},
                "superko_undos": self.superko_undos,
                "disagreements": len(self.disagreements), "disagreement_details": self.disagreements,
                "seconds": round(self.seconds, 1)}


class DiffGame:
    """One random game played on both engines; (size, seed) alone determine its moves."""

    def __init__(self, engine, gnugo, size, seed, stats):
        self.engine, self.gnugo, self.size, self.stats = engine, gnugo, size, stats
        self.rng = random.Random(seed)
        self.seed = seed
        self.log = []       # every command sent to both, to reproduce a disagreement
        self.plan = []      # forced attempts (color, point) queued by the superko set-up
        self.points = []    # the board's points, once the board is set up

    # --- talking to both ---------------------------------------------------------------
    def both(self, commands):
        """Send commands to both engines; returns (ours, theirs) lists of (ok, text)."""
        self.log.extend(commands)
        ours = [parse(self.engine.handle(c)) for c in commands]
        theirs = self.gnugo.send_many(commands)
        return ours, theirs

    def fail(self, what):
        detail = {"size": self.size, "seed": self.seed, "what": what,
                  "commands": self.log[-40:], "board": str(self.engine.board)}
        self.stats.disagreements.append(detail)
        raise Disagreement(what)

    def compare_position(self, ours, theirs):
        for q, (ok1, a), (ok2, b) in zip(QUERIES, ours, theirs):
            if not (ok1 and ok2):
                self.fail(f"{q} failed: ours {ok1} {a!r}, gnugo {ok2} {b!r}")
            same = set(a.split()) == set(b.split()) if q.startswith("list") else a == b
            if not same:
                self.fail(f"{q}: ours {a!r}, gnugo {b!r}")

    # --- the game ------------------------------------------------------------------------
    def setup(self):
        ours, theirs = self.both([f"boardsize {self.size}", "clear_board", "komi 7.5"])
        if not all(ok for ok, _ in ours + theirs):
            self.fail(f"setup failed: ours {ours}, gnugo {theirs}")
        most = max_fixed_handicap(self.size)
        if most and self.rng.random() < P_HANDICAP:
            n = self.rng.randint(2, most)
            ours, theirs = self.both([f"fixed_handicap {n}"])
            (ok1, a), (ok2, b) = ours[0], theirs[0]
            if not (ok1 and ok2 and set(a.split()) == set(b.split())):
                self.fail(f"fixed_handicap {n}: ours {ok1} {a!r}, gnugo {ok2} {b!r}")
            self.stats.handicap_games += 1

    def play(self):
        self.setup()
        board = self.engine.board
        self.points = board.points()
        cap = 4 * self.size * self.size
        stuck = 0  # consecutive passes because no sensible move was left
        attempts = 0
        while stuck < 2 and attempts < cap:
            attempts += 1
            color = board.to_move
            point, natural = self.choose_attempt(board, color)
            accepted = self.attempt(board, color, point)
            if accepted and point == PASS:
                stuck = stuck + 1 if natural else 0
            elif accepted:
                stuck = 0
                if board.ko_point != PASS and not self.plan and self.rng.random() < P_SUPERKO_SETUP:
                    # after pass, pass, retaking this ko repeats the position before the capture
                    self.plan = [(3 - color, PASS), (color, PASS), (3 - color, board.ko_point)]
        self.stats.games[self.size] += 1

    def choose_attempt(self, board, color):
        """(point, natural): the next attempt for `color`; natural is True for the pass of a
        player with no sensible move left."""
        if self.plan:
            planned_color, point = self.plan.pop(0)
            if planned_color == color:
                return point, False
            self.plan = []
        r = self.rng.random()
        ko = board.ko_point
        if ko != PASS and board.status(ko, color) == rules.KO and r < P_KO_RETAKE:
            return ko, False
        r = self.rng.random()
        if r < P_ILLEGAL:
            kinds = {"occupied": [], "suicide": [], "superko": []}
            for p in self.points:
                if board.color_at(p) != EMPTY:
                    kinds["occupied"].append(p)
                    continue
                s = board.status(p, color)
                if s == rules.SUICIDE:
                    kinds["suicide"].append(p)
                elif s == rules.SUPERKO:
                    kinds["superko"].append(p)
            if kinds["superko"]:
                return self.rng.choice(kinds["superko"]), False
            choices = [k for k in ("occupied", "suicide") if kinds[k]]
            if choices:
                return self.rng.choice(kinds[self.rng.choice(choices)]), False
        elif r < P_ILLEGAL + P_PASS:
            return PASS, False
        elif r < P_ILLEGAL + P_PASS + P_EYE_FILL:
            fills = [p for p in self.points
                     if board.is_legal(p, color) and not board.is_sensible(p, color)]
            if fills:
                self.stats.eye_fills += 1
                return self.rng.choice(fills), False
        point = playout.random_move(board, color, self.rng.getrandbits(63))
        return point, point == PASS

    def attempt(self, board, color, point):
        status = board.status(point, color)
        self.stats.attempts[rules.STATUS_NAMES[status]] += 1
        play = f"play {NAMES[color]} {board.vertex(point)}"
        ours, theirs = self.both([play] + QUERIES)
        (ok1, a), (ok2, b) = ours[0], theirs[0]
        if ok1 != (status == rules.LEGAL):
            self.fail(f"{play}: ours answered {ok1} {a!r} but its board says {rules.STATUS_NAMES[status]}")
        if ok1 != ok2:
            if not ok1 and ok2 and status == rules.SUPERKO:
                undo_ok, text = self.gnugo.send("undo")
                self.log.append("undo (gnugo only)")
                if not undo_ok:
                    self.fail(f"{play}: superko, gnugo accepted but could not undo: {text!r}")
                self.stats.superko_undos += 1
                theirs = [None] + self.gnugo.send_many(QUERIES)
            else:
                self.fail(f"{play} ({rules.STATUS_NAMES[status]}): ours {ok1} {a!r}, gnugo {ok2} {b!r}")
        if ok1 and not a == b == "":
            self.fail(f"{play}: unexpected answers ours {a!r}, gnugo {b!r}")
        self.compare_position(ours[1:], theirs[1:])
        if ok1:
            self.stats.moves += 1
            self.stats.passes += point == PASS
        return ok1


def run_games(games, sizes=(9, 19), seed=1, gnugo=None, progress=None):
    """Play `games` differential games, cycling through `sizes`; returns Stats."""
    gnugo = gnugo or gnugo_path()
    if gnugo is None:
        raise FileNotFoundError("GNU Go not found (set $GNUGO or install gnugo)")
    stats = Stats()
    start = time.perf_counter()
    engine = GtpEngine(size=sizes[0], komi=7.5, superko=True, seed=seed)
    client = GtpClient([gnugo, "--mode", "gtp"])
    try:
        for i in range(games):
            size = sizes[i % len(sizes)]
            game = DiffGame(engine, client, size, seed * 1_000_003 + i, stats)
            try:
                game.play()
            except Disagreement:
                stats.games[size] += 1
            if progress and (i + 1) % progress == 0:
                print(f"{i + 1} games, {stats.moves} moves, {len(stats.disagreements)} disagreements, "
                      f"{time.perf_counter() - start:.0f} s", file=sys.stderr)
    finally:
        client.close()
    stats.seconds = time.perf_counter() - start
    return stats


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", type=int, default=int(os.environ.get("GOGO_DIFF_GAMES", 100)))
    parser.add_argument("--sizes", default="9,19", help="comma-separated board sizes, cycled")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gnugo", default=None, help="GNU Go executable (default: found)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(","))
    stats = run_games(args.games, sizes, args.seed, args.gnugo, progress=None if args.json else 50)
    result = stats.as_dict()
    result.update(sizes=list(sizes), seed=args.seed, machine=f"{platform.machine()} "
                  f"{platform.system()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            if key != "disagreement_details":
                print(f"{key}: {value}")
        for d in stats.disagreements:
            print(json.dumps(d, indent=1))
    return 1 if stats.disagreements else 0


if __name__ == "__main__":
    sys.exit(main())

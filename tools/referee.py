#!/usr/bin/env python3
"""A minimal GTP referee: one game between two GTP engines, scored by both.

    python3 tools/referee.py --black "gogo gtp --seed 1" \\
        --white "/usr/games/gnugo --mode gtp --level 1" --size 9 --sgf game.sgf

The game ends after two consecutive passes, a resignation, an illegal move (the other side
wins) or --max-moves moves. Both engines are then asked for final_score. Prints one JSON object.
(selfplay/match.py is the full tool: many games, win rates, Elo.)
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from gogo.gtp_client import GtpClient  # noqa: E402

COLORS = ("black", "white")


def play_game(black, white, size=9, komi=7.5, max_moves=None, sgf_path=None, stderr=None):
    """Play one game between the GTP engine commands `black` and `white` (argument lists).
    Returns a dict: moves, end ('passes', 'resign', 'illegal' or 'max_moves'), winner when
    decided by resignation or illegal move, and each engine's final_score."""
    max_moves = max_moves or 4 * size * size
    engines = {c: GtpClient(cmd, stderr=subprocess.DEVNULL if stderr is None else stderr)
               for c, cmd in zip(COLORS, (black, white))}
    result = {"size": size, "komi": komi, "moves": [], "end": "max_moves", "winner": None}
    start = time.perf_counter()
    try:
        for c in COLORS:
            names = engines[c].send_many(["name", f"boardsize {size}", "clear_board", f"komi {komi}"])
            bad = [text for ok, text in names[1:] if not ok]
            if bad:
                raise RuntimeError(f"{c} engine refused the setup: {bad}")
            result[f"{c}_name"] = names[0][1]
        passes = 0
        turn = 0
        while len(result["moves"]) < max_moves:
            color, other = COLORS[turn], COLORS[1 - turn]
            ok, move = engines[color].send(f"genmove {color}")
            if not ok:
                raise RuntimeError(f"{color} failed to generate a move: {move}")
            move = move.lower()
            if move == "resign":
                result.update(end="resign", winner=other)
                break
            ok, text = engines[other].send(f"play {color} {move}")
            if not ok:
                result.update(end="illegal", winner=other, illegal=f"{color} {move}: {text}")
                break
            result["moves"].append(f"{color[0].upper()} {move}")
            passes = passes + 1 if move == "pass" else 0
            if passes == 2:
                result["end"] = "passes"
                break
            turn = 1 - turn
        for c in COLORS:
            ok, text = engines[c].send("final_score")
            result[f"{c}_score"] = text if ok else None
    finally:
        for engine in engines.values():
            engine.close()
    result["seconds"] = round(time.perf_counter() - start, 2)
    if sgf_path:
        write_sgf(result, sgf_path)
    return result


def write_sgf(result, path):
    from gogo import sgf
    from gogo.board import BLACK, WHITE, Board

    board = Board(result["size"])
    moves = []
    for move in result["moves"]:
        color, vertex = move.split()
        point = board.parse_vertex(vertex)
        moves.append((BLACK if color == "B" else WHITE, None if vertex == "pass" else board.rowcol(point)))
    score = result.get("black_score") if result["end"] == "passes" else None
    outcome = score or ({"black": "B+", "white": "W+"}[result["winner"]] + "R" if result["winner"] else None)
    record = sgf.GameRecord(size=result["size"], komi=result["komi"], moves=moves, result=outcome,
                            black_player=result.get("black_name"), white_player=result.get("white_name"))
    with open(path, "wb") as f:
        f.write(sgf.write_game(record))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--black", required=True, help="black engine command line")
    parser.add_argument("--white", required=True, help="white engine command line")
    parser.add_argument("--size", type=int, default=9)
    parser.add_argument("--komi", type=float, default=7.5)
    parser.add_argument("--max-moves", type=int, default=None)
    parser.add_argument("--sgf", default=None, help="write the game here")
    args = parser.parse_args(argv)
    result = play_game(shlex.split(args.black), shlex.split(args.white), args.size, args.komi,
                       args.max_moves, args.sgf, stderr=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

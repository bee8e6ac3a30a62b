"""`gogo match`: games between two GTP engines, with a win rate, a confidence interval and Elo.

    gogo match --black "gogo gtp --policy-only" --white "gnugo --mode gtp --level 10" --games 20 --size 19

`--black` takes Black in even-numbered games, so the engine named first is "A" and the other "B"
(selfplay/match.py). Every game can be written as SGF; the summary is JSON with --json. With
--sgf-dir a match that was stopped goes on with --resume (the same command otherwise).
"""
import json
import shlex
import sys

from selfplay.match import run_match


def add_arguments(parser):
    parser.add_argument("--black", required=True, help="engine A's command line (Black in game 0)")
    parser.add_argument("--white", required=True, help="engine B's command line (White in game 0)")
    parser.add_argument("--games", type=int, default=10)
    parser.add_argument("--size", type=int, default=19)
    parser.add_argument("--komi", type=float, default=7.5)
    parser.add_argument("--parallel", type=int, default=1, help="games at once")
    parser.add_argument("--max-moves", type=int, help="adjudicate by score after this many moves")
    parser.add_argument("--sgf-dir", help="write every game here as SGF")
    parser.add_argument("--opening-moves", type=int, default=0,
                        help="start each pair of games (one with each colour) from this many random moves")
    parser.add_argument("--resume", action="store_true", help="go on with the match whose journal is in "
                        "--sgf-dir: its finished games count, the rest are played")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")


def run(args):
    summary = run_match(shlex.split(args.black), shlex.split(args.white), args.games, args.size, args.komi,
                        args.parallel, args.sgf_dir, args.max_moves,
                        log=lambda line: print(line, file=sys.stderr, flush=True), opening_moves=args.opening_moves,
                        resume=args.resume)
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"A: {summary['engine_a']}\nB: {summary['engine_b']}")
        print(f"A won {summary['a_wins']}/{summary['games']} = {summary['a_win_rate']:.1%} "
              f"(95% {summary['a_win_rate_95'][0]:.1%}..{summary['a_win_rate_95'][1]:.1%}), "
              f"Elo A-B {summary['elo_a_minus_b']} ({summary['elo_95'][0]}..{summary['elo_95'][1]})")
    return 0

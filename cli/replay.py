"""`gogo replay SOURCES...`: read every game of every source, replay it, count good and rejected
(gogo.records.survey does the reading; this prints it).

Sources are .sgf files, folders and archives. Games are replayed with simple ko (SGF records are
mostly Japanese-rules games); --superko checks positional superko as well.
"""
import json
import os
import sys

from gogo.records.survey import SHORT, survey


def add_arguments(parser):
    parser.add_argument("sources", nargs="+", metavar="SOURCE",
                        help=".sgf files, folders, or .tar.gz/.tgz/.tar.xz/.tar.bz2/.tar/.zip archives")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: the number of CPUs; 1: no subprocesses)")
    parser.add_argument("--show-rejects", type=int, default=5, metavar="K",
                        help="examples listed per rejection reason (default 5)")
    parser.add_argument("--superko", action="store_true",
                        help="replay with positional superko (default: simple ko)")
    parser.add_argument("--progress", action="store_true",
                        help="a progress line on stderr every 10,000 games")


def print_text(r, out=sys.stdout):
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"games read {r['games_read']}, good {r['good']}, rejected {r['rejected']} "
      f"({r['rejected_distinct']} distinct)  ({r['wall_s']} s, {r['games_per_s']} games/s)")
    if r["rejections"]:
        p("rejections:")
        for cat, info in r["rejections"].items():
            p(f"  {info['count']:7d}  {cat}")
            for ex in info["examples"]:
                p(f"           {ex['source']}: {ex['detail']}")
    p("board sizes: " + ", ".join(f"{k}x{k} {v}" for k, v in r["board_sizes"].items()))
    p(f"handicap games {r['handicap_games']} ("
      + ", ".join(f"H{k} {v}" for k, v in r["handicap_stones"].items()) + ")")
    p(f"games with setup stones {r['setup_games']} "
      f"({r['setup_games_without_handicap']} without HA)")
    p(f"moves {r['moves']} ({r['moves_per_game']} per game), "
      f"games without moves {r['games_without_moves']}, "
      f"under {SHORT} moves {r[f'games_under_{SHORT}_moves']}")
    d = r["duplicates"]
    p(f"exact duplicates {d['games']} ({d['distinct_sequences']} sequences repeated, "
      f"{d['across_sources']} across sources, {d[f'of_games_under_{SHORT}_moves']} under "
      f"{SHORT} moves); unique games {d['unique_games']}")
    p("results: " + ", ".join(f"{k} {v}" for k, v in r["results"].items()))
    p("charsets: " + ", ".join(f"{k} {v}" for k, v in r["charsets"].items()))
    top = list(r["komi"].items())[:8]
    p("komi: " + ", ".join(f"{k} {v}" for k, v in top) + (", ..." if len(r["komi"]) > 8 else ""))
    if len(r["per_source"]) > 1:
        for s, c in r["per_source"].items():
            p(f"  {s}: " + ", ".join(f"{k} {v}" for k, v in c.items()))


def run(args):
    def progress(tally, seconds):
        print(f"gogo replay: {tally.read} games, {tally.rejected} rejected, "
              f"{tally.read / seconds:.0f} games/s", file=sys.stderr, flush=True)

    report = survey(args.sources, args.workers, args.superko, args.show_rejects,
                    progress if args.progress else None)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_text(report)
    return 0 if report["good"] else 1

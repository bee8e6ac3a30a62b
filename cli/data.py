"""`gogo data SOURCES... --out STORE`: build a game store (gogo/records/store.py) from SGF sources.

    gogo data ../shared/data/kgs-highdan ../shared/data/pro-games.tar.xz --out stores/all19.npz
    gogo data games/ --out stores/dan.npz --min-rank 6d --even-only --min-moves 50
    gogo data --info stores/all19.npz        # what a store holds
    gogo data --ownership stores/all19.npz   # final-ownership labels beside it (training/ownership.py)
"""
import json
import os
import sys

from gogo.records.store import Filters, build_store, load_store


def add_arguments(parser):
    parser.add_argument("sources", nargs="*", metavar="SOURCE",
                        help=".sgf files, folders, or .tar.gz/.tgz/.tar.xz/.tar.bz2/.tar/.zip archives")
    parser.add_argument("--out", metavar="STORE", help="the store to write (.npz)")
    parser.add_argument("--info", metavar="STORE", help="print what a store holds, and stop")
    parser.add_argument("--ownership", metavar="STORE",
                        help="label each game's final ownership by rollouts, beside the store, and stop")
    parser.add_argument("--rollouts", type=int, default=16,
                        help="with --ownership: rollouts from each game's last position (default 16)")
    parser.add_argument("--size", type=int, default=19, help="board size to keep (0: any; default 19)")
    parser.add_argument("--min-rank", metavar="RANK",
                        help="both players at least this rank (e.g. 6d; pro ranks pass any dan rank)")
    parser.add_argument("--allow-unranked", action="store_true",
                        help="with --min-rank, a player with no rank passes (default: fails)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--even-only", action="store_true", help="only even games (no handicap)")
    group.add_argument("--handicap-only", action="store_true", help="only handicap games")
    parser.add_argument("--min-moves", type=int, default=20, help="fewer moves: left out (default 20)")
    parser.add_argument("--val", type=float, default=0.01, help="validation fraction (default 0.01)")
    parser.add_argument("--test", type=float, default=0.01, help="test fraction (default 0.01)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: the number of CPUs; 0 or 1: none)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--progress", action="store_true", help="a line on stderr every 10,000 games")


def print_report(r, out=sys.stdout):
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"games read {r['games_read']}: stored {r['games']}, rejected {r['rejected']}, "
      f"filtered {r['filtered']}  ({r['seconds']} s, {r['workers']} workers)")
    for cat, info in r["rejections"].items():
        p(f"  rejected {info['count']:7d}  {cat}")
        for ex in info["examples"]:
            p(f"                    {ex['source']}: {ex['detail']}")
    for reason, n in r["filtered_by"].items():
        p(f"  filtered {n:7d}  {reason}")
    p("splits: " + ", ".join(f"{k} {v}" for k, v in r["splits"].items()) + f"; moves {r['moves']}")
    if "path" in r:
        p(f"wrote {r['path']} ({r['bytes'] / 1e6:.1f} MB)")


def run(args):
    if args.info:
        print(json.dumps(load_store(args.info).summary(), indent=2))
        return 0
    if args.ownership:
        return label_ownership(args)
    if not args.sources or not args.out:
        print("gogo data: give SOURCES and --out STORE (or --info STORE)", file=sys.stderr)
        return 2
    if not (0 <= args.val and 0 <= args.test and args.val + args.test < 1):
        print("gogo data: --val and --test must be fractions adding up to less than 1", file=sys.stderr)
        return 2
    filters = Filters(size=args.size or None, min_rank=args.min_rank,
                      handicap="even" if args.even_only else "handicap" if args.handicap_only else None,
                      min_moves=args.min_moves, allow_unranked=args.allow_unranked)
    if os.path.dirname(args.out):
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
    progress = None
    if args.progress:
        progress = lambda p: print(f"gogo data: {p['read']} games read, {p['good']} kept, "  # noqa: E731
                                   f"{p['read'] / p['seconds']:.0f} games/s", file=sys.stderr, flush=True)
    _, report = build_store(args.sources, args.out, filters, val=args.val, test=args.test,
                            workers=args.workers, progress=progress)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_report(report)
    return 0 if report["games"] else 1


def label_ownership(args):
    from training.ownership import build_labels

    if args.rollouts < 1:
        print("gogo data: --rollouts must be at least 1", file=sys.stderr)
        return 2
    progress = None
    if args.progress:
        progress = lambda done, total, s: print(f"gogo data: {done}/{total} games labelled, "  # noqa: E731
                                                f"{done / max(s, 1e-9):.0f} games/s", file=sys.stderr, flush=True)
    report = build_labels(args.ownership, rollouts=args.rollouts, workers=args.workers, progress=progress)
    print(json.dumps(report) if args.json else
          f"wrote {report['path']}: {report['games']} games, {report['rollouts']} rollouts each "
          f"({report['seconds']} s)")
    return 0

"""`gogo selfplay`: many games at once by policy nets (or search), written as SGF files and a game
store, with the games/hour they were played at.

    gogo selfplay --weights policy.safetensors --games 512 --batch 256 --out games/
    gogo selfplay --weights policy.safetensors --games 512 --batch 32 --out games/ --ray --workers 8

With --ray the batches are played by Ray workers on this machine or a cluster (selfplay/cluster.py,
docs/cluster.md); without it Ray is not imported.

A policy mover samples from the net's softmax (temperature 1, as RL plays) over the sensible
points, or takes the most probable one with --greedy (selfplay/movers.py, selfplay/games.py).
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

from gogo import nets
from gogo.errors import GogoError
from gogo.records.store import save_store
from selfplay.export import as_store_arrays, write_sgfs
from selfplay.games import DEFAULT_KOMI, InProcess, concatenate, selfplay_games
from selfplay.movers import NetPlayer, SearchMover, players_version


def add_arguments(parser):
    parser.add_argument("--weights", help="policy weights, or a two-headed net's (its policy head plays; "
                        "default: the bundled policy net)")
    parser.add_argument("--net", help="instead of weights: random weights of this config (alphago, small, "
                        "tiny), to measure speed")
    parser.add_argument("--size", type=int, default=19, help="board size with --net")
    parser.add_argument("--opponent", help="White's policy weights in every game (default: --weights)")
    parser.add_argument("--games", type=int, default=256, help="games in all")
    parser.add_argument("--batch", type=int, default=256, help="games played at once")
    parser.add_argument("--komi", type=float, default=DEFAULT_KOMI)
    parser.add_argument("--temperature", type=float, default=1.0, help="softmax temperature of the sampling")
    parser.add_argument("--greedy", action="store_true", help="play the most probable move, no sampling")
    parser.add_argument("--search", type=int, metavar="VISITS", help="search games: MCTS with this many visits")
    parser.add_argument("--value-weights", help="value net for --search (default: random playouts)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--device", help="torch device (default: cuda if present)")
    parser.add_argument("--out", help="folder for the SGF files and games.npz (game store format)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    add_ray_arguments(parser)


def add_ray_arguments(parser):
    """--ray [ADDRESS] and --workers N: `gogo selfplay`'s and `gogo train rl`'s games on Ray workers."""
    parser.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                        help="play on Ray workers: alone, on a Ray started here; or the cluster at ADDRESS "
                        "(auto: the one `ray start` joined this machine to); gogo selfplay needs --out")
    parser.add_argument("--workers", type=int, default=1, help="--ray: worker processes (default %(default)s)")


def make_player(weights, args):
    """The player of `weights` (None: the bundled nets) as the options say (selfplay/movers.py)."""
    if args.search:
        from gogo.players.search import SearchPlayer

        return SearchMover(SearchPlayer(weights=weights, value_weights=args.value_weights, visits=args.search,
                                        device=args.device, seed=args.seed, resign=False))
    if args.net:
        torch.manual_seed(args.seed)
        net = nets.build(nets.NetConfig.named(args.net, board_size=args.size))
    else:
        net = nets.load(weights or nets.DEFAULT_POLICY_WEIGHTS, kind=nets.POLICY_KINDS)
    return NetPlayer(net, args.temperature, args.greedy)


def play_here(players, size, names, args):
    """The games, played in this process one batch after another, with one RNG through them all."""
    rng = np.random.default_rng(args.seed)
    counts = [min(args.batch, args.games - first) for first in range(0, args.games, args.batch)]

    def on_batch(index, games, extra):
        if args.out:
            write_sgfs(games, args.out, names, first_index=index * args.batch)
        print(f"{index * args.batch + len(games)}/{args.games} games, {games.stats()['games_per_hour']:.0f} games/hour",
              file=sys.stderr, flush=True)

    played = InProcess(args.device).play(selfplay_games, players, {i: (rng, c) for i, c in enumerate(counts)},
                                         size, args.komi, on_batch)
    return concatenate([games for games, _ in played.values()])


def on_ray(players, size, names, args):
    """The games, played by Ray workers (selfplay/cluster.py), and the summary's cluster fields."""
    if args.search or not args.out:
        raise GogoError("--ray plays policy games (no --search) and needs --out for its batches")
    from selfplay import cluster

    settings = {"games": args.games, "batch": args.batch, "seed": args.seed, "size": size, "komi": args.komi,
                "version": players_version(players)}

    def on_batch(index, games):
        write_sgfs(games, args.out, names, first_index=index * args.batch)
        print(f"batch {index} done: {len(games)} games", file=sys.stderr, flush=True)

    games, retried = cluster.selfplay(players, args.workers, args.out, settings, args.ray, on_batch)
    return games, {"ray": args.ray, "workers": args.workers, "weights_version": settings["version"],
                   "batches_retried": retried}


def run(args):
    if args.net and (args.search or args.opponent):
        raise GogoError("--net (random weights) plays policy-only games against itself")
    weights = args.weights or nets.DEFAULT_POLICY_WEIGHTS
    black = make_player(args.weights, args)
    players = [black] if args.opponent is None else [black, make_player(args.opponent, args)]
    size = args.size if args.net else nets.read_config(weights).board_size
    names = ("gogo", "gogo") if args.opponent is None else (Path(args.weights or "bundled").stem,
                                                            Path(args.opponent).stem)
    extra = {}
    if args.ray:
        everything, extra = on_ray(players, size, names, args)
    else:
        everything = play_here(players, size, names, args)
    if args.out:
        save_store(as_store_arrays(everything, seed=args.seed), Path(args.out) / "games.npz")
    summary = {"weights": f"random {args.net}" if args.net else str(weights),
               "opponent": args.opponent, "threads": torch.get_num_threads(),
               "search_visits": args.search, "device": str(nets.pick_device(args.device)),
               "batch": args.batch, **extra, **everything.stats()}
    print(json.dumps(summary) if args.json else
          f"{summary['games']} games in {summary['seconds']} s: {summary['games_per_hour']:.0f} games/hour, "
          f"{summary['moves_per_s']:.0f} moves/s, {summary['mean_length']} moves a game, "
          f"black won {summary['black_wins']}")
    return 0

"""`gogo eval`: a net's accuracy on held-out games.

Policy nets: top-1 and top-5 move prediction and cross-entropy; value nets: mean squared error
against the game's outcome (games with a winner only). The data is a game store (its test split
by default) or SGF files, folders and archives, which are read, filtered to the net's board size
and replayed on the fly. Every position is used once, without symmetries.
"""
import json
import sys
from pathlib import Path

from gogo import nets
from training.data import PositionSampler
from training.sl import evaluate
from training.store import Filters, build_store, load_store

BATCH = 256


def add_arguments(parser):
    parser.add_argument("--weights", help="net weights (default: the bundled policy net)")
    parser.add_argument("--data", nargs="+", required=True,
                        help="a game store (.npz) or SGF files, folders and archives")
    parser.add_argument("--split", default="test", choices=["train", "val", "test", "all"],
                        help="which split of a store (default: test)")
    parser.add_argument("--positions", type=int, help="evaluate this many positions, drawn at random "
                        "(seeded) from the whole split (default: every position)")
    parser.add_argument("--device", help="torch device (default: cuda if present)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def positions(args, net):
    """A sampler over the requested positions, and a description of where they come from."""
    size = net.config.board_size
    value = net.config.kind == nets.VALUE
    if len(args.data) == 1 and args.data[0].endswith(".npz"):
        store, split = load_store(args.data[0]), None if args.split == "all" else args.split
    else:
        store, report = build_store(args.data, filters=Filters(size=size, min_moves=1), val=0, test=0)
        split = None
        print(f"gogo eval: {report['games']} games from {len(args.data)} source(s)", file=sys.stderr)
    sampler = PositionSampler(store, split=split, batch_size=BATCH, seed=0, shuffle=args.positions is not None,
                              symmetries=False, epochs=1, drop_last=False, size=size,
                              value_planes=value, require_winner=value)
    return sampler, {"data": args.data, "split": split or "all", "games": int(len(sampler.games))}


def limited(batches, positions):
    """The batches up to `positions` positions (all of them when None)."""
    seen = 0
    for batch in batches:
        if positions is not None and seen >= positions:
            return
        take = len(batch.moves) if positions is None else min(len(batch.moves), positions - seen)
        seen += take
        yield batch.planes[:take], batch.moves[:take], batch.results[:take]


def run(args):
    weights = args.weights or str(nets.DEFAULT_POLICY_WEIGHTS)
    try:
        net = nets.load(weights)
    except (OSError, ValueError) as error:
        raise SystemExit(f"gogo eval: {error}")
    sampler, where = positions(args, net)
    device = nets.pick_device(args.device)
    metrics = evaluate(net.to(device), limited(sampler, args.positions), device,
                       net.config.kind == nets.VALUE)
    sampler.close()
    result = {"weights": str(Path(weights)), "kind": net.config.kind, **where, **metrics}
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0

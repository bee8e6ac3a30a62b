"""`gogo eval`: a net's or the rollout policy's accuracy on held-out games (training/metrics.py,
training/rollout.py).

    gogo eval --weights runs/sl/policy.safetensors --data stores/all19.npz --json
    gogo eval --data games/ --positions 10000        # the bundled policy net on SGF files
    gogo eval --rollout --data stores/all19.npz --json  # the bundled rollout policy

Policy nets: top-1 and top-5 move prediction and cross-entropy; value nets: mean squared error
against the game's outcome, one position per game of the games won on the board or by resignation,
as `mse` and `value_mse` (outcomes +1/-1) and `value_mse_quarter` (the AlphaGo paper's 1/0 scale),
`value_std`, the spread of the net's values (0: a head that answers one constant), and
`value_mse_by_phase`, the raw error of the positions after 0-79, 80-159 and 160 or more moves.
The rollout policy: top-1, and its rollouts as a value function on those same positions (the mean
of 16 rollouts each, or --rollouts, `value_mse`), what the 19x19 search values its leaves with. With --lambda, a
value or dual net's values mixed with those rollouts as the search mixes them, at each lambda given
(`value_mse_by_lambda`; training/mixed_values.py). With --search VISITS, the engine's search
with the settings given (--c-puct, --fpu-reduction, --move-choice, one --lambda, --rollouts per
leaf) on one position per held-out game: how often its move is the expert's (`search_top1`),
against its own priors' best move on the same positions (`policy_top1`;
training/search_agreement.py), a look before a match.

    gogo eval --weights dual.safetensors --data stores/all19.npz --lambda 0 0.25 0.5 0.75 1 --json
    gogo eval --data stores/all19.npz --search 100 --lambda 0 --positions 200 --json
"""
import json
import sys

from gogo.errors import GogoError
from gogo.search.leaves import PRIOR_TEMPERATURE, ROLLOUTS_PER_LEAF, parse_mixing
from gogo.search.mcts import C_PUCT, FPU_REDUCTION, MOVE_CHOICES
from training.metrics import held_out_metrics
from training.mixed_values import mixed_value_metrics
from training.rollout import VALUE_ROLLOUTS, rollout_metrics
from training.search_agreement import SEARCH_POSITIONS, search_agreement


def add_arguments(parser):
    parser.add_argument("--weights", help="net weights (default: the bundled 19x19 policy net, or value "
                        "net with --value)")
    parser.add_argument("--value", action="store_true", help="without --weights: the bundled value net")
    parser.add_argument("--rollout", action="store_true", help="the rollout policy (the bundled one "
                        "without --weights): its top-1 over every position")
    parser.add_argument("--size", type=int, default=19, help="--rollout, and --search without --weights: "
                        "the board size of the games to read (default 19)")
    parser.add_argument("--data", nargs="+", required=True,
                        help="a game store (.npz) or SGF files, folders and archives")
    parser.add_argument("--split", default="test", choices=["train", "val", "test", "all"],
                        help="which split of a store (default: test)")
    parser.add_argument("--positions", type=int, help="evaluate this many positions, drawn at random "
                        "(seeded) from the whole split (default: every position)")
    parser.add_argument("--lambda", dest="mixings", nargs="+", metavar="LAMBDA",
                        help="a value or dual net's values mixed with rollouts, (1 - LAMBDA) * net + LAMBDA * "
                        "rollouts, as the search mixes them: the value MSE at each LAMBDA (a number, or a "
                        "schedule by move number as gogo gtp --lambda takes it)")
    parser.add_argument("--rollout-weights", help="--lambda: the rollout policy (default: the bundled one)")
    parser.add_argument("--rollouts", type=int,
                        help=f"--rollout and --lambda: rollouts averaged per position for their value "
                        f"(default {VALUE_ROLLOUTS}); --search: rollouts per leaf (default {ROLLOUTS_PER_LEAF})")
    parser.add_argument("--search", type=int, metavar="VISITS", help="the search's move at VISITS visits "
                        "against the expert's and its priors' (default positions: "
                        f"{SEARCH_POSITIONS}); --lambda then gives its one LAMBDA")
    parser.add_argument("--c-puct", type=float, default=C_PUCT, metavar="C",
                        help="--search: the exploration constant (default %(default)s)")
    parser.add_argument("--fpu-reduction", type=float, default=FPU_REDUCTION, metavar="R",
                        help="--search: an unvisited move's value below its parent's (default %(default)s)")
    parser.add_argument("--move-choice", choices=MOVE_CHOICES, default="visits",
                        help="--search: how the move is chosen (default %(default)s)")
    parser.add_argument("--prior-temperature", type=float, default=PRIOR_TEMPERATURE, metavar="T",
                        help="--search: priors softmax(logits / T) (default %(default).3g)")
    parser.add_argument("--device", help="torch device (default: cuda if present)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args):
    if args.rollouts is not None and args.rollouts < 1:
        raise GogoError(f"--rollouts {args.rollouts}: give at least 1")
    log = lambda line: print(f"gogo eval: {line}", file=sys.stderr)  # noqa: E731
    if args.search is not None:
        result = search_agreement(args.weights, args.data, args.search, args.split, args.positions, args.size,
                                  log, **search_settings(args))
    elif args.rollout:
        result = rollout_metrics(args.weights, args.data, args.split, args.size, log,
                                 args.rollouts or VALUE_ROLLOUTS)
    else:
        result = held_out_metrics(args.weights, args.data, args.split, args.positions, args.device,
                                  log=log, value=args.value)
        if args.mixings:
            result.update(mixed_value_metrics(result["weights"], args.data, args.mixings, args.split,
                                              args.rollout_weights, args.rollouts or VALUE_ROLLOUTS,
                                              args.device, log))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


def search_settings(args):
    """SearchPlayer's settings from --search's options."""
    if args.mixings and len(args.mixings) > 1:
        raise GogoError(f"--search searches with one --lambda, not {len(args.mixings)}")
    return {"c_puct": args.c_puct, "fpu_reduction": args.fpu_reduction, "move_choice": args.move_choice,
            "prior_temperature": args.prior_temperature,
            "mixing": parse_mixing(args.mixings[0]) if args.mixings else None,
            "rollouts": args.rollouts or ROLLOUTS_PER_LEAF, "rollout_weights": args.rollout_weights,
            "device": args.device}

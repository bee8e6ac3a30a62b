"""`gogo gtp`: the GTP engine (gogo.gtp.engine) served on stdin/stdout (gogo.gtp.server), with
the player its options choose.

Only protocol responses go to stdout; logs (and anything printed by accident) go to stderr.
See docs/gtp.md.
"""
import argparse
import logging
import sys

from gogo.coords import MAX_SIZE, MIN_SIZE
from gogo.errors import GogoError
from gogo.go import scoring
from gogo.gtp.engine import GtpEngine
from gogo.gtp.server import serve
from gogo.players.base import RandomPlayer
from gogo.search.leaves import PRIOR_TEMPERATURE, parse_mixing
from gogo.search.mcts import C_PUCT, FPU_REDUCTION, MOVE_CHOICES

log = logging.getLogger("gogo.gtp")


def add_arguments(parser):
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument("--size", type=int, default=19, help="initial board size (default 19)")
    parser.add_argument("--komi", type=float, default=7.5, help="initial komi (default 7.5)")
    parser.add_argument("--superko", action=argparse.BooleanOptionalAction,
                        default=True, help="positional superko (default: on)")
    parser.add_argument("--score-playouts", type=int, default=scoring.DEFAULT_PLAYOUTS,
                        help="random playouts for dead-stone estimation (default %(default)s)")
    parser.add_argument("--weights", help="policy net weights (default: the bundled weights)")
    parser.add_argument("--policy-only", action="store_true",
                        help="play the policy net's move with no search")
    parser.add_argument("--visits", type=int, help="search at most this many visits per move (PUCT with the "
                        "policy net; leaf values from the value net or random playouts). Default: 400 when "
                        "no time limit applies, else as many as the time allows")
    parser.add_argument("--value-weights", help="value net weights for the search (default: the bundled "
                        "value net of the board size, if any)")
    parser.add_argument("--lambda", dest="mixing", metavar="LAMBDA",
                        help="with a value net: leaf value = (1 - LAMBDA) * value net + LAMBDA * rollouts "
                        "(AlphaGo's mixing; default 0.5 with the rollout policy, 0 with uniform playouts; "
                        "rollouts alone without a value net). Or a schedule by the leaf's move number, "
                        "MOVE:LAMBDA points linear between them: 0:0,120:0.25,200:0.75")
    parser.add_argument("--rollout-weights", help="rollout policy for the search's rollouts (default: "
                        "the bundled one)")
    parser.add_argument("--uniform-rollouts", action="store_true", help="uniformly random playouts "
                        "instead of the rollout policy's")
    parser.add_argument("--rollouts", type=int, help="rollouts per leaf (default: 4, "
                        "gogo.search.leaves.ROLLOUTS_PER_LEAF)")
    parser.add_argument("--c-puct", type=float, default=C_PUCT, metavar="C",
                        help="the search's exploration constant (PUCT; default %(default)s)")
    parser.add_argument("--fpu-reduction", type=float, default=FPU_REDUCTION, metavar="R",
                        help="an unvisited move is valued as its parent less R (Leela Zero's first-play "
                        "urgency; default %(default)s)")
    parser.add_argument("--prior-temperature", type=float, default=PRIOR_TEMPERATURE, metavar="T",
                        help="the search's priors are softmax(policy logits / T) (default %(default).3g: "
                        "AlphaGo's beta = 0.67; 1 is the net's own)")
    parser.add_argument("--move-choice", choices=MOVE_CHOICES, default="visits",
                        help="play the most visited move, or (lcb) the best lower bound of the winrate among "
                        "moves with a tenth of the most visits, as Leela Zero does (default %(default)s)")
    parser.add_argument("--resign-threshold", type=float, metavar="V",
                        help="resign after 3 of our moves in a row valued below V (-1 lost .. 1 won; "
                        "default -0.8 on 19x19, -0.9 on other sizes, gogo.players.base.RESIGN_THRESHOLD_BY_SIZE); "
                        "the policy player values its moves as the search values a leaf")
    parser.add_argument("--no-resign", action="store_true", help="never resign")
    parser.add_argument("--seconds", type=float, help="search at most this long per move when the "
                        "GUI sends no time settings")
    parser.add_argument("--ponder", action="store_true", help="search on the opponent's time")
    parser.add_argument("--sample", action="store_true", help="play the policy net's move, sampled instead "
                        "of the most probable one (implies --policy-only)")
    parser.add_argument("--random", action="store_true", help="play uniformly random sensible moves")
    parser.add_argument("--device", help="torch device for the nets (default: cuda if present, else cpu)")
    parser.add_argument("--log-level", default="WARNING", help="stderr log level (default WARNING)")


def make_player(args):
    """The player `gogo gtp` plays with: the search, the policy net alone when asked, or random
    moves when asked or when there are no weights to load."""
    if args.random:
        return RandomPlayer(args.seed)
    from gogo import nets  # late: random play never loads torch

    if args.weights is None and nets.weights_for(nets.POLICY, 19) is None:
        log.warning("no bundled weights at %s: playing random moves", nets.DEFAULT_POLICY_WEIGHTS)
        return RandomPlayer(args.seed)
    if not (args.policy_only or args.sample):
        from gogo.players.search import SearchPlayer

        return SearchPlayer(args.weights, args.value_weights, visits=args.visits, device=args.device,
                            seed=args.seed, seconds=args.seconds,
                            mixing=None if args.mixing is None else parse_mixing(args.mixing),
                            rollout_weights=args.rollout_weights, uniform_rollouts=args.uniform_rollouts,
                            rollouts=args.rollouts, resign=not args.no_resign, c_puct=args.c_puct,
                            fpu_reduction=args.fpu_reduction, move_choice=args.move_choice,
                            prior_temperature=args.prior_temperature,
                            resign_threshold=args.resign_threshold)
    from gogo.players.policy import PolicyPlayer

    return PolicyPlayer(args.weights, device=args.device, sample=args.sample, seed=args.seed,
                        resign=not args.no_resign, resign_threshold=args.resign_threshold)


def run(args):
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(),
                        format="gogo gtp %(levelname)s: %(message)s")
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # anything printed by accident goes to stderr, never into the protocol
    if not MIN_SIZE <= args.size <= MAX_SIZE:
        raise GogoError(f"--size must be in {MIN_SIZE}..{MAX_SIZE}")
    try:
        player = make_player(args)
    except OSError as error:  # a weights file that vanished or cannot be read
        raise GogoError(str(error)) from None
    engine = GtpEngine(player, size=args.size, komi=args.komi, superko=args.superko,
                       seed=args.seed, score_playouts=args.score_playouts)
    engine.pondering = args.ponder
    try:
        # unbuffered: a reader thread blocked on a buffered stdin would abort the interpreter at exit
        serve(engine, sys.stdin.buffer.raw, protocol_out)
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    return 0

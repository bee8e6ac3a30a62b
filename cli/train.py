"""`gogo train sl|rl|value`: one subcommand per kind of training. The options become a config
object (training/config.py: SLConfig, RLConfig, ValueConfig, whose fields are the options' names
and defaults) for the library's training function (training/sl.py, rl.py, value.py).

    gogo train sl --store stores/all19.npz --out runs/sl
    gogo train rl --init runs/sl/policy.safetensors --out runs/rl
    gogo train value --sl runs/sl/policy.safetensors --rl runs/rl/policy.safetensors --games 100000 --out runs/value
    gogo train rollout --store stores/all19.npz --out rollout.safetensors --minutes 5
    torchrun --nproc-per-node 2 -m cli train sl --store stores/all19.npz --out runs/sl   # DDP: docs/cluster.md
    torchrun --nproc-per-node 2 -m cli train rl --init runs/sl/policy.safetensors --out runs/rl  # the games split
    gogo train rl --init runs/sl/policy.safetensors --out runs/rl --ray --workers 8  # the games on Ray workers
"""
from dataclasses import fields
from pathlib import Path

from cli import extras, selfplay
from gogo import nets
from gogo.errors import GogoError
from training import distributed, optim, rl, rollout, sl, value
from training.config import (BASELINES, RLConfig, RolloutConfig, SLConfig, TrainingConfig, ValueConfig,
                             with_recorded)
from training.stop import StopRequest

KINDS = {
    "sl": "supervised training on expert games (policy, or value with --value)",
    "rl": "policy-gradient self-play against a pool of earlier versions",
    "value": "value net on self-play positions (the paper's one position per game)",
    "rollout": "the fast rollout policy (patterns, softmax regression) on expert games",
}


def add_arguments(parser):
    sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    add_sl_arguments(sub.add_parser("sl", help=KINDS["sl"]))
    add_rl_arguments(sub.add_parser("rl", help=KINDS["rl"]))
    add_value_arguments(sub.add_parser("value", help=KINDS["value"]))
    add_rollout_arguments(sub.add_parser("rollout", help=KINDS["rollout"]))


def add_rollout_arguments(parser):
    d = RolloutConfig
    parser.add_argument("--store", required=True, help="game store from `gogo data`")
    parser.add_argument("--out", required=True, help="the policy's weights file (.safetensors), written "
                        "every minute as it trains")
    parser.add_argument("--minutes", type=float, default=d.minutes, help="stop after this long (default "
                        "%(default)s; SIGTERM or Ctrl-C stop cleanly too)")
    parser.add_argument("--positions", type=int, help="stop after fitting this many positions")
    parser.add_argument("--min-count", type=int, default=d.min_count,
                        help="patterns seen fewer times get no weight of their own (default %(default)s)")
    parser.add_argument("--harvest-positions", type=int, default=d.harvest_positions,
                        help="positions whose patterns are counted (default %(default)s)")
    parser.add_argument("--lr", type=float, default=d.lr, help="AdaGrad step (default %(default)s)")
    parser.add_argument("--l2", type=float, default=d.l2)
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--resume", action="store_true", help="continue training the policy in --out")


def add_sl_arguments(parser):
    parser.add_argument("--store", required=True, help="game store from `gogo data`")
    parser.add_argument("--out", required=True, help="run folder (created; reused with --resume)")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--value", action="store_true", help="train the value net on game outcomes")
    kind.add_argument("--dual", action="store_true", help="train a two-headed net (policy and value heads "
                      "on one trunk) on moves and outcomes")
    parser.add_argument("--value-weight", type=float, default=SLConfig.value_weight,
                        help="--dual: the value error's weight in the loss (default %(default)s)")
    parser.add_argument("--ownership-weight", type=float, default=SLConfig.ownership_weight,
                        help="--dual: > 0 adds an ownership head learning each game's final owners "
                        "(gogo data --ownership STORE), its loss weighted so (default %(default)s: none)")
    parser.add_argument("--head-lr-scale", type=float, default=SLConfig.head_lr_scale,
                        help="--dual: the value and ownership heads learn at the learning rate times this "
                        "(new heads on a warm trunk; default %(default)s)")
    add_training_arguments(parser)


def add_value_arguments(parser):
    parser.add_argument("--sl", required=True,
                        help="SL policy weights, or a two-headed net's (moves before the random one)")
    parser.add_argument("--rl", help="RL policy weights (moves after the random one; default: --sl)")
    parser.add_argument("--games", type=int, required=True, help="positions to keep (one per game)")
    parser.add_argument("--out", required=True, help="run folder (created; reused with --resume)")
    parser.add_argument("--batch-games", type=int, default=ValueConfig.batch_games, help="games played at once")
    parser.add_argument("--komi", type=float, default=ValueConfig.komi)
    parser.add_argument("--held-out", type=float, default=ValueConfig.held_out,
                        help="fraction of the games in each of the val and test splits")
    add_training_arguments(parser)


def add_training_arguments(parser):
    """The net, optimizer, schedule and run options of `gogo train sl` and `gogo train value`."""
    d = TrainingConfig
    parser.add_argument("--net", default=d.net, help=f"net config: {', '.join(nets.NAMED_CONFIGS)}")
    parser.add_argument("--filters", type=int, help="override the config's filters; with --init, widen the seed "
                        "net to this many (it computes what it did until training changes it)")
    parser.add_argument("--layers", type=int, help="override the config's layers")
    parser.add_argument("--init", help="start from these weights (e.g. SL weights for a value net; a net for a "
                        "larger board is resized, training/surgery.py)")
    parser.add_argument("--batch", type=int, default=d.batch)
    parser.add_argument("--steps", type=int, default=d.steps, help="total optimizer steps")
    parser.add_argument("--minutes", type=float, help="stop cleanly after this many minutes (a checkpoint "
                        "and the weights; SIGTERM or Ctrl-C do the same); --resume goes on from there")
    parser.add_argument("--optimizer", choices=optim.OPTIMIZERS, default=d.optimizer)
    parser.add_argument("--lr", type=float, help="learning rate (default: SGD the paper's 0.003 "
                        "scaled by batch/16 and by 1-momentum; AdamW 1e-3)")
    parser.add_argument("--halve-every", type=int, default=d.halve_every,
                        help="halve the learning rate every this many steps (0: never)")
    parser.add_argument("--checkpoint-every", type=int, default=d.checkpoint_every)
    parser.add_argument("--log-every", type=int, default=d.log_every)
    parser.add_argument("--val-every", type=int, default=d.val_every)
    parser.add_argument("--val-positions", type=int, default=d.val_positions)
    parser.add_argument("--workers", type=int, default=d.workers, help="data worker processes (0: in-process)")
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--device", help="torch device (default: cuda if present)")
    parser.add_argument("--compile", action="store_true", help="torch.compile the net")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def add_rl_arguments(parser):
    d = RLConfig
    parser.add_argument("--init", required=True, help="starting policy weights (the SL net)")
    parser.add_argument("--out", required=True, help="run folder (created; reused with --resume)")
    parser.add_argument("--iterations", type=int, default=d.iterations)
    parser.add_argument("--games", type=int, default=d.games, help="games per iteration (paper 128)")
    parser.add_argument("--pool-every", type=int, default=d.pool_every,
                        help="add the current weights to the opponent pool every this many iterations (paper 500)")
    parser.add_argument("--optimizer", choices=optim.OPTIMIZERS, default=d.optimizer)
    parser.add_argument("--lr", type=float, default=d.lr)
    parser.add_argument("--baseline", choices=BASELINES, default=d.baseline)
    parser.add_argument("--temperature", type=float, default=d.temperature,
                        help="sampling temperature of both players")
    parser.add_argument("--komi", type=float, default=d.komi)
    parser.add_argument("--checkpoint-every", type=int, default=d.checkpoint_every)
    parser.add_argument("--eval-every", type=int, default=d.eval_every,
                        help="play --eval-games against the starting net every this many iterations (0: never)")
    parser.add_argument("--eval-games", type=int, default=d.eval_games)
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--device", help="torch device (default: cuda if present)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out")
    selfplay.add_ray_arguments(parser)


def config_of(cls, args):
    """The config object of the parsed options (their dests are its fields). With --resume, the
    options left at their defaults are the run's recorded ones (training.config.with_recorded), so
    `gogo train sl --resume --out RUN --store STORE` goes on as the run began."""
    return with_recorded(cls(**{f.name: getattr(args, f.name) for f in fields(cls)}))


def run(args):
    if args.kind == "rollout" and distributed.launched():
        raise GogoError("rollout training runs in one process, not under torchrun (docs/cluster.md)")
    if args.kind == "rl" and args.ray and distributed.launched():
        raise GogoError("--ray plays the games of one trainer: run gogo train rl --ray outside torchrun")
    if args.kind == "rollout":
        config = RolloutConfig(**{f.name: getattr(args, f.name) for f in fields(RolloutConfig)})
        with StopRequest() as stop:
            result = rollout.train(config, log=lambda line: print(f"gogo train rollout: {line}"), stop=stop)
        print(f"rollout policy: test top-1 {result['top1']:.4f} on {result['positions']} positions; {args.out}")
        return 0
    progress_bar = args.kind != "rl" and not args.no_progress
    extras.require(extras.TRAIN, "matplotlib", *(["tqdm"] if progress_bar else []))
    with distributed.processes(args.device):  # the ranks' process group under torchrun
        return train(args)


def train(args):
    if args.kind == "sl":
        sl.train(config_of(SLConfig, args))
    elif args.kind == "rl":
        rl.train(config_of(RLConfig, args), rl_place(args))
    else:
        summary = value.generate_and_train(config_of(ValueConfig, args))
        if not distributed.is_main():
            return 0
        print(f"value net: test MSE {summary['test_mse']} on {summary['test_positions']} positions "
              f"(val {summary['val_mse']}); {summary['positions']} positions from {summary['games_played']} "
              f"games at {summary['games_per_hour']:.0f} games/hour; {Path(args.out) / value.SUMMARY}")
    return 0


def rl_place(args):
    """Where `gogo train rl` plays its games: on Ray workers with --ray (selfplay/cluster.py; the
    one trainer here sends them each new version), else in this process (None)."""
    if not args.ray:
        return None
    extras.require(extras.CLUSTER, "ray")
    from selfplay import cluster

    return cluster.start(args.ray, args.workers)

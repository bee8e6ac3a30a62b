"""What a training run is asked to do: the options of `gogo train sl|rl|value|rollout` as dataclasses,
the API of training/sl.py, rl.py, value.py and rollout.py.

Field names and defaults are exactly the command's option names (dashes as underscores) and
defaults: the command line (cli/train.py) builds these from its options, the pipeline
(training/pipeline.py) from its TOML tables, other callers directly.
"""
import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from gogo.errors import GogoError
from selfplay.games import DEFAULT_KOMI
from training.optim import OPTIMIZERS

BASELINES = ("none", "mean")


def check_choice(name, value, choices):
    if value not in choices:
        raise GogoError(f"{name} {value!r}: choose one of {', '.join(choices)}")


def check_positive(config, names):
    for name in names:
        if getattr(config, name) < 1:
            raise GogoError(f"--{name.replace('_', '-')} {getattr(config, name)}: must be at least 1")


@dataclass(kw_only=True)
class TrainingConfig:
    """The net, optimizer, schedule and run options that supervised training (`gogo train sl`)
    and the value net's training (`gogo train value`) share."""
    net: str = "small"  # a named config: nets.NAMED_CONFIGS
    filters: int | None = None  # override the config's filters
    layers: int | None = None  # override the config's layers
    init: str | None = None  # start from these weights (e.g. SL weights for a value net)
    batch: int = 256
    steps: int = 10000  # total optimizer steps
    minutes: float | None = None  # stop cleanly (checkpoint, weights) after this long; --resume goes on
    optimizer: str = "sgd"  # training.optim.OPTIMIZERS
    lr: float | None = None  # None: the optimizer's default (training.optim.learning_rate)
    halve_every: int = 0  # halve the learning rate every this many steps (0: never)
    checkpoint_every: int = 500
    log_every: int = 50
    val_every: int = 500
    val_positions: int = 4096
    workers: int = 1  # data worker processes (0: in-process)
    seed: int = 1
    device: str | None = None  # None: cuda if present
    compile: bool = False  # torch.compile the net
    resume: bool = False  # continue the run in out
    no_progress: bool = False  # no progress bar

    def __post_init__(self):
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_positive(self, ("batch", "checkpoint_every", "log_every", "val_every"))


@dataclass(kw_only=True)
class SLConfig(TrainingConfig):
    """`gogo train sl`: a policy net (or with value, a value net) on the games of a store."""
    store: str  # game store from `gogo data`
    out: str  # run folder
    value: bool = False  # train the value net on game outcomes
    dual: bool = False  # train a two-headed net: policy and value heads on one trunk
    value_weight: float = 0.02  # dual: the value MSE's weight in the loss (AlphaGo Zero 0.01, TamaGo 0.02)
    ownership_weight: float = 0.0  # dual: > 0 adds the ownership head, its loss weighted so (KataGo 1.5)
    head_lr_scale: float = 1.0  # dual: the value and ownership heads learn at lr times this


@dataclass(kw_only=True)
class ValueConfig(TrainingConfig):
    """`gogo train value`: self-play value data from the SL and RL policies, then the value net's
    training on it."""
    sl: str  # SL policy weights (moves before the random one)
    rl: str | None = None  # RL policy weights (moves after the random one; None: sl)
    games: int  # positions to keep (one per game)
    out: str  # run folder
    batch_games: int = 256  # games played at once
    komi: float = DEFAULT_KOMI
    held_out: float = 0.05  # fraction of the games in each of the val and test splits

    def training(self, store, resume):
        """The value net's training run (`gogo train sl --value`) on `store`, in the same folder."""
        shared = {f.name: getattr(self, f.name) for f in fields(TrainingConfig)}
        shared["resume"] = resume
        return SLConfig(**shared, store=str(store), out=self.out, value=True)


@dataclass(kw_only=True)
class RolloutConfig:
    """`gogo train rollout`: the fast rollout policy (training/rollout.py) on a store's games."""
    store: str  # game store from `gogo data`
    out: str  # the policy's weights file (rewritten in place as it trains; --resume goes on)
    minutes: float | None = 5.0  # stop after this long (SIGTERM or Ctrl-C stop too)
    positions: int | None = None  # or after fitting this many positions
    min_count: int = 30  # patterns seen fewer times get no weight of their own
    harvest_positions: int = 400_000  # positions whose patterns are counted
    lr: float = 0.1  # AdaGrad's step
    l2: float = 1e-5
    seed: int = 1
    resume: bool = False  # continue the policy in out


@dataclass(kw_only=True)
class RLConfig:
    """`gogo train rl`: REINFORCE by self-play against a pool of earlier versions."""
    init: str  # starting policy weights (the SL net)
    out: str  # run folder
    iterations: int = 1000
    games: int = 64  # games per iteration (paper 128)
    pool_every: int = 50  # add the current weights to the opponent pool every this many (paper 500)
    optimizer: str = "sgd"  # training.optim.OPTIMIZERS
    lr: float = 1e-4
    baseline: str = "mean"  # BASELINES
    temperature: float = 1.0  # sampling temperature of both players
    komi: float = DEFAULT_KOMI
    checkpoint_every: int = 10
    eval_every: int = 50  # play eval_games against the starting net every this many (0: never)
    eval_games: int = 200
    seed: int = 1
    device: str | None = None  # None: cuda if present
    resume: bool = False  # continue the run in out

    def __post_init__(self):
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("baseline", self.baseline, BASELINES)


def as_options(kind, config):
    """A run's options as its folder's args.json records them: the kind (sl, rl, value), then the
    config's fields in the command's order (its own options before the shared TrainingConfig ones)."""
    options = asdict(config)
    shared = [f.name for f in fields(TrainingConfig)] if isinstance(config, TrainingConfig) else []
    own = {k: v for k, v in options.items() if k not in shared}
    return {"kind": kind, **own, **{k: options[k] for k in shared}}


# options that belong to one sitting, not to the run: never taken from args.json
PER_SITTING = ("resume", "minutes", "no_progress", "device", "workers")


def with_recorded(config):
    """A resumed run's config: its fields left at their defaults take the run's recorded values
    (args.json in config.out), so a resume needs only the run folder and the store; the options
    of one sitting (PER_SITTING) stay as given."""
    recorded_path = Path(config.out) / "args.json"
    if not config.resume or not recorded_path.exists():
        return config
    recorded = json.loads(recorded_path.read_text())
    taken = {f.name: recorded[f.name] for f in fields(config)
             if f.name in recorded and f.name not in PER_SITTING and getattr(config, f.name) == f.default}
    return replace(config, **taken)

"""SL -> RL -> value -> evaluation from one config file, generation after generation, resumable:
`gogo pipeline CONFIG` (cli/pipeline.py).

    gogo pipeline configs/tiny-9x9.toml --out runs/tiny     # minutes on 2 CPU cores
    gogo pipeline configs/alphago-19x19.toml --out runs/ag   # a GPU run

The config is TOML: a few top-level settings and one table per stage (see configs/). Each table's
keys other than those named below are the options of the stage's training (training/config.py:
`steps = 300` is `gogo train sl --steps 300`), so every option of `gogo train sl|rl|value` can be
set there; a key that is no option is refused, naming the key and the file.

    board_size, komi, seed, generations, device
    [sl]     weights = W (use these, train nothing) | store = STORE | sources = [SGF sources]
             [sl.data]: options of `gogo data` for the store built from the sources
    [rl]     options of `gogo train rl` (each generation starts from the previous one's policy)
    [value]  options of `gogo train value` (data from the SL policy and this generation's RL policy;
             init = "sl" seeds the value net's trunk with the SL policy's)
    [eval]   EvalConfig: games (policy vs policy, sampling), gnugo_games, gnugo_level, gnugo_parallel,
             gnugo_max_moves, gnugo_opening_moves (random moves before each pair of games)
    [cluster] ClusterConfig: ray ("local", "auto" or a cluster's address), workers: the RL and value
             stages play their games on that many Ray workers (selfplay/cluster.py, docs/cluster.md);
             without the table they play in this process and Ray is not imported

The run folder holds sl/, gen-001/{rl,value,eval}, ..., and summary.json, summary.md and
summary.png (win rates and value error by generation). Every stage writes done.json when it
finishes; running the same command again skips finished stages and resumes an unfinished one from
its checkpoint, so an interrupted pipeline loses at most a checkpoint interval of work.
"""
import csv
import json
import os
import shutil
import sys
import tomllib
import typing
from dataclasses import dataclass, fields
from pathlib import Path

from gogo import nets
from gogo.errors import GogoError
from gogo.files import write_atomically
from gogo.gtp.client import gnugo_path
from gogo.records.store import Filters, build_store
from selfplay.arena import head_to_head
from selfplay.games import DEFAULT_KOMI
from selfplay.match import run_match
from training import rl, sl, value
from training.checkpoint import CHECKPOINT
from training.config import RLConfig, SLConfig, ValueConfig

DONE = "done.json"
STAGES = ("sl", "rl", "value", "eval")
SETTINGS = {"board_size", "komi", "seed", "generations", "device", "cluster", *STAGES}
SL_SOURCES = {"weights", "store", "sources", "data"}  # [sl]'s own keys; the others are SLConfig's
DATA_FILTERS = {"size", "min_rank", "allow_unranked", "min_moves"}  # [sl.data] keys for Filters
DATA_KEYS = DATA_FILTERS | {"even_only", "handicap_only", "val", "test", "workers"}


@dataclass(kw_only=True)
class EvalConfig:
    """[eval]: how each generation's RL policy is measured."""
    games: int = 200  # policy vs policy, sampling: against the previous generation and against SL
    gnugo_games: int = 0  # games against GNU Go over GTP (skipped when GNU Go is not installed)
    gnugo_level: int = 10
    gnugo_parallel: int = 1
    gnugo_max_moves: int | None = None
    gnugo_opening_moves: int = 0  # random moves before each pair of games


@dataclass(kw_only=True)
class ClusterConfig:
    """[cluster]: the Ray workers that play the RL and value stages' games."""
    ray: str = "local"  # "local": a Ray started on this machine; "auto": the one `ray start` joined; or an address
    workers: int = 1


TABLES = {"sl": SLConfig, "rl": RLConfig, "value": ValueConfig, "eval": EvalConfig, "cluster": ClusterConfig}


def read_config(path):
    """The pipeline config in `path`, every table's keys with underscores; GogoError naming the
    file for a file that does not parse, an unknown setting or a value of the wrong type."""
    try:
        with open(path, "rb") as handle:
            config = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise GogoError(f"{path}: {error}") from None
    unknown = set(config) - SETTINGS
    if unknown:
        raise GogoError(f"{path}: unknown settings {sorted(unknown)}")
    if "board_size" not in config:
        raise GogoError(f"{path}: board_size is required")
    for name, cls in TABLES.items():
        if name in config:
            config[name] = underscored(config[name])
            check_options(cls, config[name], f"{path} [{name}]", own=SL_SOURCES if name == "sl" else ())
    data = underscored(config.get("sl", {}).get("data", {}))
    unknown = set(data) - DATA_KEYS
    if unknown:
        raise GogoError(f"{path} [sl.data]: unknown settings {sorted(unknown)} (known: {sorted(DATA_KEYS)})")
    if "sl" in config:
        config["sl"]["data"] = data
    return config


def underscored(table):
    """A table's keys as option names: `batch-games` and `batch_games` are both --batch-games."""
    return {key.replace("-", "_"): value for key, value in table.items()}


def check_options(cls, table, where, own=()):
    """GogoError naming `where` unless every key of the table (but the table's `own`) is a field
    of the config class cls with a value of its type (an int does for a float)."""
    types = {f.name: f.type for f in fields(cls)}
    for key, option in table.items():
        if key in own:
            continue
        if key not in types:
            raise GogoError(f"{where}: unknown setting {key!r} (known: {', '.join(sorted(types))})")
        allowed = typing.get_args(types[key]) or (types[key],)
        if type(option) not in allowed and not (type(option) is int and float in allowed):
            names = " or ".join(t.__name__ for t in allowed if t is not type(None))
            raise GogoError(f"{where}: {key} = {option!r}, expected {names}")


def stage_config(cls, table, own=(), **given):
    """The stage's config: what the pipeline gives, overridden by the table's keys (but its own)."""
    return cls(**given | {k: v for k, v in table.items() if k not in own})


def finished(folder):
    done = Path(folder) / DONE
    return json.loads(done.read_text()) if done.exists() else None


def finish(folder, metrics):
    """Mark a stage done: done.json with its results, written atomically (gogo.files)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    write_atomically(Path(folder) / DONE, json.dumps(metrics, indent=1))
    return metrics


def started(folder, markers=(CHECKPOINT,)):
    """Whether an earlier attempt at the stage left work in its folder (so the stage resumes)."""
    return any((Path(folder) / m).exists() for m in markers)


def announce(stage, what):
    print(f"[pipeline] {stage}: {what}", file=sys.stderr, flush=True)


def build_sl_store(sources, path, size, data):
    """The [sl] store from its SGF sources, as `gogo data SOURCES --size SIZE --out PATH` with the
    [sl.data] options builds it (workers: the number of CPUs unless given)."""
    if data.get("even_only") and data.get("handicap_only"):
        raise GogoError("[sl.data]: even_only and handicap_only exclude each other")
    handicap = "even" if data.get("even_only") else "handicap" if data.get("handicap_only") else None
    options = {k: v for k, v in data.items() if k in DATA_FILTERS}
    options["size"] = options.get("size", size) or None  # 0: any size, as `gogo data --size 0`
    filters = Filters(**options, handicap=handicap)
    splits = {k: data[k] for k in ("val", "test") if k in data}
    _, report = build_store(sources, path, filters, workers=data.get("workers", os.cpu_count() or 1), **splits)
    if not report["games"]:
        raise GogoError(f"[sl] sources {sources}: no games kept ({report['games_read']} read)")
    return report


class Pipeline:
    def __init__(self, config, out, device=None):
        self.config, self.out = config, Path(out)
        self.size = int(config["board_size"])
        self.komi = float(config.get("komi", DEFAULT_KOMI))
        self.seed = int(config.get("seed", 1))
        self.device = device or config.get("device")
        self.workers = None  # the [cluster] table's, started when a stage first plays games

    def place(self):
        """Where the RL and value stages play their games: the [cluster] table's Ray workers (the
        same ones for every stage), or None (each stage in this process)."""
        if "cluster" not in self.config:
            return None
        if self.workers is None:
            from selfplay import cluster

            table = stage_config(ClusterConfig, self.config["cluster"])
            self.workers = cluster.start(table.ray, table.workers)
        return self.workers

    def stage_sl(self):
        folder = self.out / "sl"
        table = self.config.get("sl", {})
        if "weights" in table:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(table["weights"], folder / "policy.safetensors")
            return finish(folder, {"weights": str(folder / "policy.safetensors"), "from": table["weights"]})
        store = table.get("store")
        if store is None:
            sources = table.get("sources")
            if not sources:
                raise GogoError("[sl] needs weights, store or sources")
            store = str(folder / "store.npz")
            if not Path(store).exists():
                folder.mkdir(parents=True, exist_ok=True)
                announce("sl data", f"a store of {sources}")
                build_sl_store(sources, store, self.size, table.get("data", {}))
        train = folder / "train"
        config = stage_config(SLConfig, table, SL_SOURCES, store=store, out=str(train), no_progress=True,
                              seed=self.seed, device=self.device, resume=started(train))
        announce("sl", config)
        if not sl.train(config):  # a signal stopped it: not done
            raise GogoError("sl stopped early; the pipeline run again goes on from there")
        shutil.copyfile(train / "policy.safetensors", folder / "policy.safetensors")
        return finish(folder, {"weights": str(folder / "policy.safetensors"), "store": store,
                               **last_row(train, ("val_top1", "val_top5", "val_loss"))})

    def stage_rl(self, generation, init):
        folder = self.generation_dir(generation) / "rl"
        config = stage_config(RLConfig, self.config.get("rl", {}), init=str(init), out=str(folder),
                              komi=self.komi, seed=self.seed, device=self.device, resume=started(folder))
        announce(f"generation {generation} rl", config)
        if rl.train(config, self.place()) < config.iterations:  # a signal stopped it: not done
            raise GogoError(f"generation {generation} rl stopped early; the pipeline run again goes on from there")
        return finish(folder, {"weights": str(folder / "policy.safetensors"),
                               **last_row(folder, ("win_rate", "eval_vs_init"))})

    def stage_value(self, generation, sl_weights, rl_weights):
        folder = self.generation_dir(generation) / "value"
        table = dict(self.config.get("value", {}))
        if table.get("init") == "sl":  # seed the value net's trunk with the SL policy's
            table["init"] = str(sl_weights)
        config = stage_config(ValueConfig, table, sl=str(sl_weights), rl=str(rl_weights), out=str(folder),
                              komi=self.komi, no_progress=True, seed=self.seed, device=self.device,
                              resume=started(folder, (CHECKPOINT, value.CHUNKS)))
        announce(f"generation {generation} value", config)
        summary = value.generate_and_train(config, self.place())
        return finish(folder, {"weights": str(folder / "value.safetensors"), **summary})

    def stage_eval(self, generation, new, previous, sl_weights):
        folder = self.generation_dir(generation) / "eval"
        config = stage_config(EvalConfig, self.config.get("eval", {}))
        load = lambda path: nets.load(path, kind=nets.POLICY)  # noqa: E731
        metrics = {"games": config.games,
                   "vs_previous": head_to_head(load(new), load(previous), config.games, self.komi, self.seed,
                                               self.device),
                   "vs_sl": head_to_head(load(new), load(sl_weights), config.games, self.komi, self.seed + 1,
                                         self.device)}
        if config.gnugo_games:
            metrics["vs_gnugo"] = self.against_gnugo(new, config, folder)
        return finish(folder, metrics)

    def against_gnugo(self, weights, config, folder):
        gnugo = gnugo_path()
        if gnugo is None:
            return {"skipped": "GNU Go is not installed"}
        ours = [sys.executable, "-m", "cli", "gtp", "--weights", str(weights), "--policy-only",
                "--komi", str(self.komi)]
        theirs = [gnugo, "--mode", "gtp", "--level", str(config.gnugo_level)]
        summary = run_match(ours, theirs, config.gnugo_games, self.size, self.komi, parallel=config.gnugo_parallel,
                            sgf_dir=folder / "gnugo-games", max_moves=config.gnugo_max_moves,
                            opening_moves=config.gnugo_opening_moves, resume=True)  # a resumed pipeline goes on
        return {k: summary[k] for k in ("games", "a_wins", "a_win_rate", "a_win_rate_95", "elo_a_minus_b")}

    def generation_dir(self, generation):
        return self.out / f"gen-{generation:03d}"

    def run(self, until=None):
        self.out.mkdir(parents=True, exist_ok=True)
        sl_done = finished(self.out / "sl") or self.stage_sl()
        if until == "sl":
            return self.summarise()
        previous = sl_done["weights"]
        for generation in range(1, int(self.config.get("generations", 1)) + 1):
            folder = self.generation_dir(generation)
            rl_done = finished(folder / "rl") or self.stage_rl(generation, previous)
            if until == "rl":
                break
            if "value" in self.config:
                finished(folder / "value") or self.stage_value(generation, sl_done["weights"], rl_done["weights"])
            if until == "value":
                break
            finished(folder / "eval") or self.stage_eval(generation, rl_done["weights"], previous,
                                                         sl_done["weights"])
            previous = rl_done["weights"]
        return self.summarise()

    def summarise(self):
        """summary.json, summary.md (a table) and summary.png over the finished generations."""
        rows = []
        for folder in sorted(self.out.glob("gen-*")):
            stages = {s: finished(folder / s) or {} for s in ("rl", "value", "eval")}
            rows.append({"generation": int(folder.name[4:]), "rl_weights": stages["rl"].get("weights"),
                         "value_test_mse": stages["value"].get("test_mse"),
                         "vs_previous": stages["eval"].get("vs_previous", {}).get("a_win_rate"),
                         "vs_sl": stages["eval"].get("vs_sl", {}).get("a_win_rate"),
                         "vs_gnugo": stages["eval"].get("vs_gnugo", {}).get("a_win_rate")})
        summary = {"sl": finished(self.out / "sl"), "generations": rows}
        (self.out / "summary.json").write_text(json.dumps(summary, indent=1))
        lines = ["| generation | vs previous | vs SL | vs GNU Go | value test MSE |", "|---|---|---|---|---|"]
        cell = lambda v: "" if v is None else f"{v:.3f}"  # noqa: E731
        lines += [f"| {r['generation']} | {cell(r['vs_previous'])} | {cell(r['vs_sl'])} | {cell(r['vs_gnugo'])} "
                  f"| {cell(r['value_test_mse'])} |" for r in rows]
        (self.out / "summary.md").write_text("\n".join(lines) + "\n")
        plot(rows, self.out / "summary.png")
        print("\n".join(lines))
        return summary


def last_row(folder, fields):
    """The last logged value of each field in a training run's log.csv."""
    values = {}
    with open(Path(folder) / "log.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            values.update({f: float(row[f]) for f in fields if row.get(f)})
    return values


def plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (rates, errors) = plt.subplots(1, 2, figsize=(11, 4))
    generations = [r["generation"] for r in rows]
    for key in ("vs_previous", "vs_sl", "vs_gnugo"):
        points = [(g, r[key]) for g, r in zip(generations, rows) if r[key] is not None]
        if points:
            rates.plot(*zip(*points), marker="o", label=key.replace("_", " "))
    rates.axhline(0.5, color="grey", linewidth=0.8)
    rates.set(title="policy win rate", xlabel="generation", ylim=(0, 1), xticks=generations)
    if rates.lines[1:]:  # the 0.5 line has no label
        rates.legend()
    points = [(g, r["value_test_mse"]) for g, r in zip(generations, rows) if r["value_test_mse"] is not None]
    if points:
        errors.plot(*zip(*points), marker="o")
    errors.set(title="value net test MSE", xlabel="generation", xticks=generations)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)

"""`gogo pipeline CONFIG`: SL -> RL -> value -> evaluation, generation after generation, resumable.

    gogo pipeline configs/tiny-9x9.toml --out runs/tiny     # minutes on 2 CPU cores
    gogo pipeline configs/alphago-19x19.toml --out runs/ag   # a GPU run

The config is TOML: a few top-level settings and one table per stage (see configs/). Each table's
keys other than those named below are passed on to the stage's command as options (`steps = 300`
becomes `--steps 300`), so every option of `gogo train sl|rl|value` can be set there.

    board_size, komi, seed, generations, device
    [sl]     weights = W (use these, train nothing) | store = STORE | sources = [SGF sources]
    [rl]     options of `gogo train rl` (each generation starts from the previous one's policy)
    [value]  options of `gogo train value` (data from the SL policy and this generation's RL policy;
             init = "sl" seeds the value net's trunk with the SL policy's)
    [eval]   games (policy vs policy, sampling), gnugo_games, gnugo_level, gnugo_parallel,
             gnugo_max_moves, gnugo_opening_moves (random moves before each pair of games)

The run folder holds sl/, gen-001/{rl,value,eval.json}, ..., and summary.json, summary.md and
summary.png (win rates and value error by generation). Every stage writes done.json when it
finishes; running the same command again skips finished stages and resumes an unfinished one from
its checkpoint, so an interrupted pipeline loses at most a checkpoint interval of work.
"""
import csv
import json
import shlex
import shutil
import sys
import tomllib
from pathlib import Path

from gogo import cli, nets
from gogo.gtp_client import gnugo_path
from selfplay.play import head_to_head

DONE = "done.json"
STAGES = ("sl", "rl", "value", "eval")


def add_arguments(parser):
    parser.add_argument("config", help="pipeline config (TOML)")
    parser.add_argument("--out", help="run folder (default: runs/<config name>)")
    parser.add_argument("--until", choices=STAGES, help="stop after this stage of the last generation it reaches")
    parser.add_argument("--device", help="torch device for every stage (overrides the config)")


def read_config(path):
    try:
        with open(path, "rb") as handle:
            config = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SystemExit(f"gogo pipeline: {path}: {error}") from None
    unknown = set(config) - {"board_size", "komi", "seed", "generations", "device", *STAGES}
    if unknown:
        raise SystemExit(f"gogo pipeline: {path}: unknown settings {sorted(unknown)}")
    if "board_size" not in config:
        raise SystemExit(f"gogo pipeline: {path}: board_size is required")
    return config


def options(table, skip=()):
    """`key = value` -> ['--key', 'value'] for the keys not in skip (true booleans -> a flag)."""
    argv = []
    for key, value in table.items():
        if key in skip or value is False:
            continue
        argv.append(f"--{key.replace('_', '-')}")
        if value is not True:
            argv.append(str(value))
    return argv


def finished(folder):
    done = Path(folder) / DONE
    return json.loads(done.read_text()) if done.exists() else None


def finish(folder, metrics):
    Path(folder).mkdir(parents=True, exist_ok=True)
    tmp = Path(folder) / (DONE + ".tmp")
    tmp.write_text(json.dumps(metrics, indent=1))
    tmp.replace(Path(folder) / DONE)
    return metrics


def gogo(argv, stage):
    print(f"[pipeline] {stage}: gogo {shlex.join(argv)}", file=sys.stderr, flush=True)
    status = cli.main(argv)
    if status:
        raise SystemExit(f"gogo pipeline: stage {stage} failed (exit {status})")


def resume_flag(folder, markers=("checkpoint.safetensors",)):
    """--resume when an earlier attempt at the stage left work in its folder."""
    return ["--resume"] if any((Path(folder) / m).exists() for m in markers) else []


class Pipeline:
    def __init__(self, config, out, device=None):
        self.config, self.out = config, Path(out)
        self.size = int(config["board_size"])
        self.komi = float(config.get("komi", 7.5))
        self.seed = int(config.get("seed", 1))
        self.device = device or config.get("device")
        self.common = ["--seed", str(self.seed)] + (["--device", self.device] if self.device else [])

    def stage_sl(self):
        folder = self.out / "sl"
        table = dict(self.config.get("sl", {}))
        if "weights" in table:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(table["weights"], folder / "policy.safetensors")
            return finish(folder, {"weights": str(folder / "policy.safetensors"), "from": table["weights"]})
        store = table.get("store")
        if store is None:
            sources = table.get("sources")
            if not sources:
                raise SystemExit("gogo pipeline: [sl] needs weights, store or sources")
            store = str(folder / "store.npz")
            if not Path(store).exists():
                folder.mkdir(parents=True, exist_ok=True)
                gogo(["data", *sources, "--size", str(self.size), "--out", store,
                      *options(table.get("data", {}))], "sl data")
        train = folder / "train"
        gogo(["train", "sl", "--store", store, "--out", str(train), "--no-progress", *self.common,
              *resume_flag(train), *options(table, skip=("store", "sources", "data"))], "sl")
        shutil.copyfile(train / "policy.safetensors", folder / "policy.safetensors")
        return finish(folder, {"weights": str(folder / "policy.safetensors"), "store": store,
                               **last_row(train, ("val_top1", "val_top5", "val_loss"))})

    def stage_rl(self, generation, init):
        folder = self.generation_dir(generation) / "rl"
        gogo(["train", "rl", "--init", str(init), "--out", str(folder), "--komi", str(self.komi), *self.common,
              *resume_flag(folder), *options(self.config.get("rl", {}))], f"generation {generation} rl")
        return finish(folder, {"weights": str(folder / "policy.safetensors"),
                               **last_row(folder, ("win_rate", "eval_vs_init"))})

    def stage_value(self, generation, sl_weights, rl_weights):
        folder = self.generation_dir(generation) / "value"
        table = dict(self.config.get("value", {}))
        if table.get("init") == "sl":  # seed the value net's trunk with the SL policy's
            table["init"] = str(sl_weights)
        gogo(["train", "value", "--sl", str(sl_weights), "--rl", str(rl_weights), "--out", str(folder),
              "--komi", str(self.komi), "--no-progress", *self.common,
              *resume_flag(folder, ("checkpoint.safetensors", "value-data")), *options(table)],
             f"generation {generation} value")
        summary = json.loads((folder / "summary.json").read_text())
        return finish(folder, {"weights": str(folder / "value.safetensors"), **summary})

    def stage_eval(self, generation, new, previous, sl_weights):
        folder = self.generation_dir(generation) / "eval"
        table = self.config.get("eval", {})
        games = int(table.get("games", 200))
        load = lambda path: nets.load(path, kind=nets.POLICY)  # noqa: E731
        metrics = {"games": games,
                   "vs_previous": head_to_head(load(new), load(previous), games, self.komi, self.seed, self.device),
                   "vs_sl": head_to_head(load(new), load(sl_weights), games, self.komi, self.seed + 1, self.device)}
        if int(table.get("gnugo_games", 0)):
            metrics["vs_gnugo"] = self.against_gnugo(new, table, folder)
        return finish(folder, metrics)

    def against_gnugo(self, weights, table, folder):
        gnugo = gnugo_path()
        if gnugo is None:
            return {"skipped": "GNU Go is not installed"}
        from selfplay.match import run_match

        ours = [sys.executable, "-m", "gogo.cli", "gtp", "--weights", str(weights), "--policy-only",
                "--komi", str(self.komi)]
        theirs = [gnugo, "--mode", "gtp", "--level", str(table.get("gnugo_level", 10))]
        summary = run_match(ours, theirs, int(table["gnugo_games"]), self.size, self.komi,
                            parallel=int(table.get("gnugo_parallel", 1)), sgf_dir=folder / "gnugo-games",
                            max_moves=table.get("gnugo_max_moves"),
                            opening_moves=int(table.get("gnugo_opening_moves", 0)))
        return {k: summary[k] for k in ("games", "a_wins", "a_win_rate", "a_win_rate_95", "elo_a_minus_b")}

    def generation_dir(self, generation):
        return self.out / f"gen-{generation:03d}"

    def run(self, until=None):
        self.out.mkdir(parents=True, exist_ok=True)
        sl = finished(self.out / "sl") or self.stage_sl()
        if until == "sl":
            return self.summarise()
        previous = sl["weights"]
        for generation in range(1, int(self.config.get("generations", 1)) + 1):
            folder = self.generation_dir(generation)
            rl = finished(folder / "rl") or self.stage_rl(generation, previous)
            if until == "rl":
                break
            if "value" in self.config:
                finished(folder / "value") or self.stage_value(generation, sl["weights"], rl["weights"])
            if until == "value":
                break
            finished(folder / "eval") or self.stage_eval(generation, rl["weights"], previous, sl["weights"])
            previous = rl["weights"]
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


def run(args):
    config = read_config(args.config)
    out = args.out or str(Path("runs") / Path(args.config).stem)
    Pipeline(config, out, args.device).run(args.until)
    return 0

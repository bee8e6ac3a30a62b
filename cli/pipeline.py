"""`gogo pipeline CONFIG`: SL -> RL -> value -> evaluation from one TOML config, generation after
generation, resumable (training/pipeline.py; configs/ holds examples).

    gogo pipeline configs/tiny-9x9.toml --out runs/tiny     # minutes on 2 CPU cores
"""
from pathlib import Path

from cli import extras
from training.pipeline import STAGES, Pipeline, read_config


def add_arguments(parser):
    parser.add_argument("config", help="pipeline config (TOML)")
    parser.add_argument("--out", help="run folder (default: runs/<config name>)")
    parser.add_argument("--until", choices=STAGES, help="stop after this stage of the last generation it reaches")
    parser.add_argument("--device", help="torch device for every stage (overrides the config)")


def run(args):
    extras.require(extras.TRAIN, "matplotlib")  # the stages run without progress bars
    config = read_config(args.config)
    out = args.out or str(Path("runs") / Path(args.config).stem)
    Pipeline(config, out, args.device).run(args.until)
    return 0

"""The `gogo` command: one entry point, one module per subcommand.

Each subcommand module defines `add_arguments(parser)` and `run(args)`
(returning an exit status); modules are imported only when their command runs, so the
engine package never loads the training stack (training/, selfplay/) unless asked to.
"""
import argparse
import importlib
import sys

COMMANDS = {
    "gtp": ("gogo.gtp", "GTP engine on stdin/stdout"),
    "bench": ("gogo.bench", "benchmarks, one JSON object out"),
    "replay": ("gogo.replay", "read and replay SGF games; count good and rejected records"),
    "features": ("gogo.show_features", "the feature planes of one position of an SGF game"),
    "data": ("training.data_cli", "build a game store from SGF sources"),
    "train": ("training.train", "train nets: sl (expert games), rl (self-play), value (self-play positions)"),
    "eval": ("training.evaluate", "a net's accuracy on held-out games"),
    "selfplay": ("selfplay.play", "many games at once by policy nets (or search): SGF, a game store, games/hour"),
    "pipeline": ("selfplay.pipeline", "SL -> RL -> value -> evaluation from one config file, resumable"),
    "match": ("selfplay.match", "games between two GTP engines: win rate, interval, Elo"),
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="gogo", description="An AlphaGo-style Go engine.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] not in COMMANDS:
        parser.parse_args(argv or ["--help"])
        return 2
    module = importlib.import_module(COMMANDS[argv[0]][0])
    command_parser = argparse.ArgumentParser(prog=f"gogo {argv[0]}", description=COMMANDS[argv[0]][1])
    module.add_arguments(command_parser)
    return module.run(command_parser.parse_args(argv[1:])) or 0


if __name__ == "__main__":
    sys.exit(main())

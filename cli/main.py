"""The `gogo` command: one entry point, one module per subcommand (cli/<name>.py).

Each subcommand module defines `add_arguments(parser)` and `run(args)` (returning an exit
status). Modules are imported only when their command runs, so `gogo gtp` never loads the
training stack. A library failure (gogo.errors.GogoError) becomes one line on stderr,
"gogo COMMAND: message", and exit status 2.
"""
import argparse
import importlib
import sys

from gogo.errors import GogoError

COMMANDS = {
    "gtp": "GTP engine on stdin/stdout",
    "bench": "benchmarks, one JSON object out",
    "replay": "read and replay SGF games; count good and rejected records",
    "features": "the feature planes of one position of an SGF game",
    "data": "build a game store from SGF sources",
    "train": "train nets: sl (expert games), rl (self-play), value (self-play positions)",
    "eval": "a net's accuracy on held-out games",
    "selfplay": "many games at once by policy nets (or search): SGF, a game store, games/hour",
    "pipeline": "SL -> RL -> value -> evaluation from one config file, resumable",
    "match": "games between two GTP engines: win rate, interval, Elo",
    "serve": "the web board: play, watch the analysis, load, review and save games in a browser",
    "review": "a whole game reviewed: winrate and gogo's choice at every move, as SGF (and a PNG)",
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="gogo", description="An AlphaGo-style Go engine.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] not in COMMANDS:
        parser.parse_args(argv or ["--help"])
        return 2
    name = argv[0]
    module = importlib.import_module(f"cli.{name}")
    command_parser = argparse.ArgumentParser(prog=f"gogo {name}", description=COMMANDS[name])
    module.add_arguments(command_parser)
    args = command_parser.parse_args(argv[1:])
    try:
        return module.run(args) or 0
    except GogoError as error:
        print(f"gogo {name}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

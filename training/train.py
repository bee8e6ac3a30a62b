"""`gogo train sl|rl|value`: one subcommand per kind of training, each in its own module."""
import importlib

KINDS = {
    "sl": ("training.sl", "supervised training on expert games (policy, or value with --value)"),
    "rl": ("training.rl", "policy-gradient self-play against a pool of earlier versions"),
    "value": ("training.value", "value net on self-play positions (the paper's one position per game)"),
}


def add_arguments(parser):
    sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind, (module, help_text) in KINDS.items():
        importlib.import_module(module).add_arguments(sub.add_parser(kind, help=help_text))


def run(args):
    return importlib.import_module(KINDS[args.kind][0]).run(args)

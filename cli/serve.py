"""`gogo serve`: the web board (gogo.web) on uvicorn. Play gogo on 9x9, 13x13 or 19x19, watch its
analysis live, load, review and save SGF games, in a browser. See docs/web.md.
"""
import logging
import sys

from cli import extras

def add_arguments(parser):
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, "
                        "this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--weights", help="policy net weights (default: the bundled nets of each board size)")
    parser.add_argument("--value-weights", help="value net weights (default: the bundled value net, if any)")
    parser.add_argument("--device", help="torch device for the nets (default: cuda if present, else cpu)")
    parser.add_argument("--log-level", default="WARNING", help="stderr log level (default WARNING)")


def run(args):
    extras.require(extras.WEB, "starlette", "uvicorn")
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(), format="gogo serve %(levelname)s: %(message)s")
    from gogo.players.search import SearchPlayer  # late: after the check that names the missing extras
    from gogo.web.app import create_app, server

    def make_player():
        return SearchPlayer(args.weights, args.value_weights, device=args.device)

    make_player()  # a bad weights file fails here, not in the first game
    print(f"gogo serve: http://{args.host}:{args.port}/", file=sys.stderr, flush=True)
    server(create_app(make_player, args.weights), args.host, args.port).run()
    return 0

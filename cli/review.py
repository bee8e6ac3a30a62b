"""`gogo review GAME.sgf --out REVIEWED.sgf [--visits N] [--png GRAPH.png]`: every position of a
game searched (gogo.review), written back as SGF with a comment on every move (Black's winrate,
what the move cost, gogo's choice) and gogo's line as a variation where it preferred another
move; optionally Black's winrate over the game as a PNG. See docs/web.md.
"""
import sys

from cli import extras
from gogo.errors import GogoError
from gogo.players.search import SearchPlayer
from gogo.records import sgf
from gogo.review.game import annotate, biggest_drops, describe_drop, review_moves, review_positions
from gogo.review.plot import winrate_png


def add_arguments(parser):
    parser.add_argument("game", help="an SGF file (its first game is reviewed)")
    parser.add_argument("--out", required=True, help="the reviewed SGF to write")
    parser.add_argument("--visits", type=int, default=200, help="visits a position (default 200)")
    parser.add_argument("--png", help="write Black's winrate over the game here (needs matplotlib)")
    parser.add_argument("--weights", help="policy net weights (default: the bundled net of the board size)")
    parser.add_argument("--value-weights", help="value net weights (default: the bundled value net, if any)")
    parser.add_argument("--device", help="torch device for the nets (default: cuda if present, else cpu)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def run(args):
    if args.visits < 1:
        raise GogoError("--visits must be at least 1")
    if args.png:
        extras.require(extras.WEB, "matplotlib")
    record = sgf.read_game(args.game)
    player = SearchPlayer(args.weights, args.value_weights, device=args.device)

    def progress(done, total):
        print(f"\rgogo review: {done}/{total} positions", end="\n" if done == total else "",
              file=sys.stderr, flush=True)

    positions = review_positions(record, player, args.visits, progress=None if args.quiet else progress)
    moves = review_moves(record, positions)
    with open(args.out, "wb") as f:
        f.write(annotate(record, positions, moves, args.visits))
    if args.png:
        title = f"{record.black_player or 'Black'} - {record.white_player or 'White'}, {args.visits} visits a position"
        winrate_png(positions, moves, args.png, record.size, title)
    for move in biggest_drops(moves):
        print(describe_drop(move, record.size))
    return 0

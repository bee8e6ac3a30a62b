"""`gogo features FILE.sgf --move N`: the feature planes of one position, by name.

Each one-hot group prints as one diagram of the integer it encodes (. for none, 8 for >= 8);
single planes print as 0/1 diagrams. --json gives every plane by name, rows from the top of
the board (the last row) down, as the diagrams show them.
"""
import json

import numpy as np

from gogo import features as F
from gogo.errors import GogoError
from gogo.go.board import BLACK
from gogo.records.sgf import read_game, replay


def position(path, move):
    """The Board after the first `move` moves of the game in `path`."""
    try:
        record = read_game(path)
    except OSError as error:
        raise GogoError(f"{path}: {error.strerror or error}") from None
    if not 0 <= move <= len(record.moves):
        raise GogoError(f"{path}: move {move} is outside 0..{len(record.moves)}")
    return replay(record, moves=move, keep_undo=False)


def group_values(planes, first, count):
    """The integer a one-hot group encodes at each point (0 where no plane is set)."""
    hot = planes[first:first + count]
    return np.where(hot.any(axis=0), hot.argmax(axis=0) + 1, 0) if count > 1 else hot[0]


def diagram(values):
    rows = np.flipud(values)
    return "\n".join(" ".join("." if v == 0 else str(int(v)) for v in row) for row in rows)


def add_arguments(parser):
    parser.add_argument("sgf", help="an .sgf file")
    parser.add_argument("--move", type=int, required=True,
                        help="moves played before the position (0: the start, after any setup)")
    parser.add_argument("--value-net", action="store_true", help="include the 49th plane (player colour)")
    parser.add_argument("--json", action="store_true", help="every plane by name as JSON")


def run(args):
    board = position(args.sgf, args.move)
    planes = F.Encoder(board.size, value_net=args.value_net).encode(board)
    to_move = "black" if board.to_move == BLACK else "white"
    if args.json:
        names = F.plane_names(value_net=args.value_net)
        print(json.dumps({"sgf": args.sgf, "move": args.move, "size": board.size, "to_move": to_move,
                          "planes": {name: np.flipud(plane).tolist() for name, plane in zip(names, planes)}}))
        return 0
    print(f"{args.sgf} after {args.move} moves, {to_move} to move\n{board}\n")
    for name, first, count in F.FEATURE_GROUPS:
        if first < len(planes):
            print(f"{name}{' (1..7, 8 means >= 8)' if count > 1 else ''}:")
            print(diagram(group_values(planes, first, count)) + "\n")
    return 0

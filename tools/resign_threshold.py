#!/usr/bin/env python3
"""Which resign threshold a net can afford: replays finished games (SGF files or folders, e.g. a
`gogo match --sgf-dir`), values every position for the player to move as the search values a
leaf (the net's value mixed with rollouts of the bundled rollout policy, gogo.search.leaves), and
plays gogo's resign rule (gogo.players.base.ResignRule: below the threshold on several of the
side's moves in a row, past the opening) over each side of each game at every threshold asked
for. A resignation is false when that side went on to win. Prints one JSON object:

    python3 tools/resign_threshold.py state/m19-dual state/m19-gnugo-1s --thresholds -0.9 -0.8 -0.7

It measures the evaluator without a search: the search's root value averages many leaves, so it
is about as extreme as these values, not more.
"""
import argparse
import json
import sys
from types import SimpleNamespace

import numpy as np

from gogo import nets
from gogo.errors import GogoError
from gogo.go.board import BLACK, PASS, WHITE, Board
from gogo.players.base import ResignRule
from gogo.players.policy import RESIGN_ROLLOUTS
from gogo.records.sgf import read_game
from gogo.records.sgf_sources import iter_sgf_files
from gogo.rollouts import policy as rollout_policy
from gogo.search.leaves import NetEvaluator, parse_mixing

BATCH = 32


def game_values(evaluator, record):
    """(the colours to move, their values) before each move of the record."""
    board = Board(record.size, komi=record.komi if record.komi is not None else 7.5, superko=False,
                  keep_undo=False)  # simple ko, as sgf.replay
    positions, colors = [], []
    for color, point in record.moves:
        positions.append(tuple(part.copy() for part in board.with_to_move(color).position))
        colors.append(color)
        board.play(PASS if point is None else board.point(*point), color)
    values = []
    for start in range(0, len(positions), BATCH):
        grids, metas = (np.stack(part) for part in zip(*positions[start:start + BATCH]))
        values.extend(evaluator(grids, metas, board.komi)[2].tolist())
    return colors, values


def first_resignation(colors, values, side, threshold, size):
    """The move number at which `side` resigns by the rule, or None."""
    rule = ResignRule(threshold)
    for number, (color, value) in enumerate(zip(colors, values)):
        if color == side and rule.hopeless(SimpleNamespace(move_number=number, size=size), value):
            return number
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="+", help="SGF files or folders of finished games")
    parser.add_argument("--weights", default=str(nets.bundled_weights(nets.DUAL, 19)),
                        help="a two-headed net (default: the bundled 19x19 one), or a policy net with --value-weights")
    parser.add_argument("--value-weights", help="a value net beside a policy net")
    parser.add_argument("--lambda", dest="mixing", default="0.5", help="the rollouts' share (gogo gtp --lambda)")
    parser.add_argument("--thresholds", type=float, nargs="+", default=[-0.9, -0.85, -0.8, -0.75, -0.7, -0.6])
    args = parser.parse_args(argv)
    net = nets.load(args.weights)
    value = nets.load(args.value_weights, kind=nets.VALUE) if args.value_weights else None
    if net.config.kind != nets.DUAL and value is None:
        raise GogoError(f"{args.weights}: give a two-headed net, or --value-weights")
    size = net.config.board_size
    evaluator = NetEvaluator(net, value, mixing=parse_mixing(args.mixing), rollouts=RESIGN_ROLLOUTS,
                             rollout_policy=rollout_policy.bundled(size))
    sides = []  # (won, moves in the game, {threshold: resign move or None})
    for item in iter_sgf_files(args.sources):
        if isinstance(item, Exception):
            raise item
        source, data = item
        record = read_game(data, source)
        if record.size != size or record.winner is None:
            continue
        colors, values = game_values(evaluator, record)
        for side in (BLACK, WHITE):
            sides.append((record.winner == side, len(record.moves),
                          {t: first_resignation(colors, values, side, t, size) for t in args.thresholds}))
    result = {"weights": args.weights, "value_weights": args.value_weights, "lambda": args.mixing,
              "rollouts": RESIGN_ROLLOUTS, "games": len(sides) // 2, "thresholds": {}}
    for threshold in args.thresholds:
        resigned = [(won, moves - at) for won, moves, at_by in sides if (at := at_by[threshold]) is not None]
        lost = sum(1 for won, _, _ in sides if not won)
        result["thresholds"][str(threshold)] = {
            "resignations": len(resigned), "false_resignations": sum(won for won, _ in resigned),
            "lost_sides_resigned": sum(not won for won, _ in resigned), "lost_sides": lost,
            "mean_moves_saved": float(np.mean([saved for _, saved in resigned])) if resigned else 0.0}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Live analysis for Go GUIs: Leela Zero's `lz-analyze` / `lz-genmove_analyze` and Sabaki's
`analyze` / `genmove_analyze`, whose answers stream "info" lines until new input arrives.

One info line lists the searched moves, most visited first:

    info move D4 visits 120 winrate 5312 prior 1804 lcb 5120 order 0 pv D4 Q16 D16 info move ...

Winrate, prior and lcb are in units of 1/10000 in Leela Zero's format; Sabaki's `analyze` takes
the same line (it reads Leela Zero's scale). lcb is the winrate's lower 95% bound, from the
move's visits.
"""
import math
import time

import numpy as np

from gogo.board import PASS
from gogo.search import principal_variation

Z95 = 1.96
MAX_MOVES_SHOWN = 30


def parse_analyze_args(args):
    """(color or None, interval in seconds) from `lz-analyze [color] [interval] [...]` and
    `analyze [color] [interval]`; the interval is in centiseconds, as Lizzie and Sabaki send it."""
    from gogo.gtp import GtpError, parse_color

    color, interval = None, 1.0
    words = list(args)
    if words and not words[0].isdigit() and words[0] != "interval":
        color = parse_color(words.pop(0))
    while words:
        word = words.pop(0)
        if word == "interval" and words:
            word = words.pop(0)
        if word.isdigit():
            interval = int(word) / 100
        elif word in ("minmoves", "maxmoves", "avoid", "allow"):
            raise GtpError(f"{word} is not supported")
    return color, max(interval, 0.05)


def info_line(board, search):
    """The info line for the search's root; empty while nothing has been searched."""
    tree = search.tree
    start, count = int(tree.first[0]), int(tree.count[0])
    if start < 0 or count == 0:
        return ""
    children = [c for c in range(start, start + count) if tree.visits[c] > 0]
    children.sort(key=lambda c: -tree.visits[c])
    parts = []
    for order, child in enumerate(children[:MAX_MOVES_SHOWN]):
        n = int(tree.visits[child])
        winrate = (tree.value_sum[child] / n + 1) / 2
        lcb = max(0.0, winrate - Z95 * math.sqrt(max(winrate * (1 - winrate), 1e-6) / n))
        pv = [board.vertex(int(tree.move[child]))] + [board.vertex(m) for m in principal_variation(tree, child)]
        parts.append(f"info move {board.vertex(int(tree.move[child]))} visits {n} "
                     f"winrate {int(round(10000 * winrate))} prior {int(round(10000 * tree.prior[child]))} "
                     f"lcb {int(round(10000 * lcb))} order {order} pv {' '.join(pv)}")
    return " ".join(parts)


def analyze(player, board, color, interval, interrupted, visits_limit=None):
    """Search `board` for `color` in steps, yielding an info line every `interval` seconds,
    until `interrupted()` (new input) or `visits_limit` visits. The last yield is the final line."""
    position = board
    if board.to_move != color:
        position = board.copy()
        position.to_move = color
    search = player.search
    player.evaluator.komi = search.komi = board.komi
    last = time.perf_counter()
    while not interrupted():
        target = int(search.tree.visits[0]) + search.batch
        if visits_limit is not None:
            target = min(target, visits_limit)
        search.run(position, target)
        if time.perf_counter() - last >= interval:
            last = time.perf_counter()
            yield info_line(board, search)
        if visits_limit is not None and search.tree.visits[0] >= visits_limit:
            break
    yield info_line(board, search)


def best_move(player, board, color):
    """The most visited legal move of the last analysis."""
    tree = player.search.tree
    start, count = int(tree.first[0]), int(tree.count[0])
    if start < 0:
        return PASS
    order = sorted(range(start, start + count), key=lambda c: -tree.visits[c])
    for child in order:
        move = int(tree.move[child])
        if move == PASS or board.is_legal(move, color):
            return move
    return PASS


def heatmap(board, values):
    """GoGui's gfx format: a colour per point from 0..1 values (size*size, row 0 at the bottom)."""
    values = np.asarray(values, float)
    top = values.max() if values.size and values.max() > 0 else 1.0
    lines = []
    for index, value in enumerate(values):
        if value > 0:
            shade = int(255 * value / top)
            lines.append(f"COLOR #{shade:02x}00{255 - shade:02x} {board.vertex(board.point(*divmod(index, board.size)))}")
    return "\n".join(lines)

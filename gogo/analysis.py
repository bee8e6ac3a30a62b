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
from gogo.gtp_protocol import GtpError, parse_color
from gogo.search import principal_variation

Z95 = 1.96
MAX_MOVES_SHOWN = 30


def parse_analyze_args(args):
    """(color or None, interval in seconds) from `lz-analyze [color] [interval] [...]` and
    `analyze [color] [interval]`; the interval is in centiseconds, as Lizzie and Sabaki send it."""
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


class AnalysisCommands:
    """The GTP engine's analysis commands (a mixin of gogo.gtp_engine.GtpEngine, kept here with
    the analysis they serve)."""

    def _searcher(self):
        """The player's search, or a search player made from its policy net for analysis, with
        the nets for the board's size in play."""
        if hasattr(self.player, "search"):
            searcher = self.player
        else:
            if getattr(self, "_analysis_player", None) is None:
                from gogo.engine import SearchPlayer

                try:
                    self._analysis_player = SearchPlayer(getattr(self.player, "weights", None))
                except (OSError, ValueError) as e:
                    raise GtpError(f"analysis needs policy net weights ({e})") from None
            searcher = self._analysis_player
        if not searcher.use(self.board.size):
            raise GtpError(f"no nets for {self.board.size}x{self.board.size}")
        return searcher

    def cmd_analyze(self, *args):
        color, interval = parse_analyze_args(args)
        searcher = self._searcher()
        color = self.board.to_move if color is None else color
        return analyze(searcher, self.board, color, interval, self._interrupted_by_input)

    def cmd_genmove_analyze(self, *args):
        color, interval = parse_analyze_args(args)
        if color is None:
            raise GtpError("syntax error")
        searcher = self._searcher()

        def stream():
            yield from analyze(searcher, self.board, color, interval, self._interrupted_by_input,
                               visits_limit=searcher.visits_per_move)
            point = best_move(searcher, self.board, color)
            self.board.play(point, color)
            self.player.played(self.board, color, point)
            yield f"play {self.board.vertex(point)}"

        return stream()

    def cmd_gogui_analyze_commands(self):
        return "gfx/Policy heatmap/gogo-policy_heatmap\ngfx/Visit heatmap/gogo-visit_heatmap"

    def cmd_policy_heatmap(self):
        searcher = self._searcher()
        planes = searcher.evaluator.encoder.encode(self.board)[None, :48]
        return heatmap(self.board, searcher.evaluator.policy.policy(planes)[0])

    def cmd_visit_heatmap(self):
        tree = self._searcher().search.tree
        visits = np.zeros(self.board.size ** 2)
        start = int(tree.first[0])
        for child in range(start, start + int(tree.count[0]) if start >= 0 else start):
            move = int(tree.move[child])
            if move != PASS:
                row, col = self.board.rowcol(move)
                visits[row * self.board.size + col] = tree.visits[child]
        return heatmap(self.board, visits)

    def ponder(self, interrupted):
        """Between commands: let a search player think on the opponent's time, if asked to."""
        if self.pondering and hasattr(self.player, "ponder") and not self.quit:
            self.player.ponder(self.board, interrupted)

    def _interrupted_by_input(self):
        return self._interrupted()


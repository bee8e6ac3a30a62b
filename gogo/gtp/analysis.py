"""Live analysis for Go GUIs: Leela Zero's `lz-analyze` / `lz-genmove_analyze` and Sabaki's
`analyze` / `genmove_analyze`, whose answers stream "info" lines until new input arrives, and
GoGui's heatmaps; AnalysisCommands is the handler the GTP engine registers them from.

One info line lists the searched moves, the one the engine would play first (most visited, or
with --move-choice lcb by the lower bound):

    info move D4 visits 120 winrate 5312 prior 1804 lcb 5120 order 0 pv D4 Q16 D16 info move ...

Winrate, prior and lcb are in units of 1/10000 in Leela Zero's format; Sabaki's `analyze` takes
the same line (it reads Leela Zero's scale). lcb is the winrate's lower 95% bound, from the
move's visits.
"""
import time
from typing import Protocol

import numpy as np

from gogo.errors import GogoError
from gogo.go.board import PASS, Board
from gogo.gtp.protocol import GtpError, parse_color
from gogo.players.base import Player
from gogo.search.mcts import winrate_lcb

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
    parts = []
    visited = [child for child in search.ranked_children() if child.visits > 0]
    for order, child in enumerate(visited[:MAX_MOVES_SHOWN]):
        winrate = (child.q + 1) / 2
        lcb = winrate_lcb(child.q, child.visits)
        pv = " ".join(board.vertex(move) for move in search.principal_variation(child.move))
        parts.append(f"info move {board.vertex(child.move)} visits {child.visits} "
                     f"winrate {int(round(10000 * winrate))} prior {int(round(10000 * child.prior))} "
                     f"lcb {int(round(10000 * lcb))} order {order} pv {pv}")
    return " ".join(parts)


def analyze(player, board, color, interval, interrupted, visits_limit=None):
    """Search `board` for `color` in steps, yielding an info line every `interval` seconds,
    until `interrupted()` (new input) or `visits_limit` visits. The last yield is the final line."""
    position = board.with_to_move(color)
    search = player.search
    last = time.perf_counter()
    while not interrupted():
        target = search.visits + search.batch
        if visits_limit is not None:
            target = min(target, visits_limit)
        search.run(position, target)
        if time.perf_counter() - last >= interval:
            last = time.perf_counter()
            yield info_line(board, search)
        if visits_limit is not None and search.visits >= visits_limit:
            break
    yield info_line(board, search)


def heatmap(board, values):
    """GoGui's gfx format: a colour per point from 0..1 values (over the move indices)."""
    values = np.asarray(values, float)
    top = values.max() if values.size and values.max() > 0 else 1.0
    lines = []
    for index, value in enumerate(values):
        if value > 0:
            shade = int(255 * value / top)
            lines.append(f"COLOR #{shade:02x}00{255 - shade:02x} {board.vertex(board.point_of_index(index))}")
    return "\n".join(lines)


class Host(Protocol):
    """What the analysis commands use of the GTP engine that registers them."""

    board: Board  # the game's position; the engine makes a new one for a new game
    player: Player

    def play(self, color, point):
        """Play a move on the board and tell the player."""

    def interrupted(self):
        """Whether new input has arrived while a command runs: a stream stops then."""


class AnalysisCommands:
    """The analysis commands (`cmd_*`), for a GTP engine (a Host) to register. They search with
    the engine's player where it is a search player, else with one made from its policy net."""

    def __init__(self, engine: Host):
        self.engine = engine
        self._analysis_player = None  # the search player made for a player that does not search

    def _searcher(self):
        """The search player to analyse with, with the nets for the board's size in play."""
        player, size = self.engine.player, self.engine.board.size
        if hasattr(player, "search"):
            searcher = player
        else:
            if self._analysis_player is None:
                from gogo.players.search import SearchPlayer  # late: loads torch, which play without nets never needs

                try:
                    self._analysis_player = SearchPlayer(getattr(player, "weights", None))
                except (GogoError, OSError) as e:
                    raise GtpError(f"analysis needs policy net weights ({e})") from None
            searcher = self._analysis_player
        if not searcher.use(size):
            raise GtpError(f"no nets for {size}x{size}")
        return searcher

    def cmd_analyze(self, *args):
        color, interval = parse_analyze_args(args)
        searcher = self._searcher()
        board = self.engine.board
        color = board.to_move if color is None else color
        return analyze(searcher, board, color, interval, self.engine.interrupted)

    def cmd_genmove_analyze(self, *args):
        color, interval = parse_analyze_args(args)
        if color is None:
            raise GtpError("syntax error")
        searcher = self._searcher()
        board = self.engine.board

        def stream():
            yield from analyze(searcher, board, color, interval, self.engine.interrupted,
                               visits_limit=searcher.visits_per_move)
            best = searcher.search.best_child(board, color)
            point = PASS if best is None else best.move
            self.engine.play(color, point)
            yield f"play {board.vertex(point)}"

        return stream()

    def cmd_gogui_analyze_commands(self):
        return "gfx/Policy heatmap/gogo-policy_heatmap\ngfx/Visit heatmap/gogo-visit_heatmap"

    def cmd_policy_heatmap(self):
        searcher = self._searcher()
        return heatmap(self.engine.board, searcher.evaluator.move_probabilities(self.engine.board))

    def cmd_visit_heatmap(self):
        search = self._searcher().search
        board = self.engine.board
        children = search.children()
        visits = np.zeros(board.size ** 2)
        for move, n in zip(children.moves, children.visits):
            if move != PASS:
                visits[board.index(int(move))] = n
        return heatmap(board, visits)

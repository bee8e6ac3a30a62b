"""Searching one position in steps, and what a person sees of the search between steps: the
candidate moves with their visits, winrates and priors, the principal variation, the winrate.

The web board streams these snapshots while the engine thinks, and the game review keeps the
last one of every position.
"""
import time
from dataclasses import dataclass, field

from gogo.go.board import BLACK, PASS
from gogo.players.base import RESIGN
from gogo.players.search import RESIGN_MIN_VISITS

MAX_VISITS = 100_000  # a search "for S seconds" stops here at the latest, to bound the tree's memory
MAX_CANDIDATES = 20  # moves a snapshot lists


@dataclass
class Candidate:
    """One of the root's visited moves."""
    move: int  # a point or PASS
    visits: int
    winrate: float  # for the player to move, 0..1
    prior: float


@dataclass
class Snapshot:
    """The search of one position as it stands: most visited candidates first."""
    to_move: int
    visits: int
    candidates: list = field(default_factory=list)
    pv: list = field(default_factory=list)  # the best candidate and the most visited line after it

    @property
    def best(self):
        """The most visited move, or None before any visit (or at the end of the game)."""
        return self.candidates[0].move if self.candidates else None

    @property
    def winrate(self):
        """The winrate of the best move for the player to move; None without candidates."""
        return self.candidates[0].winrate if self.candidates else None

    def black_winrate(self):
        """The winrate from Black's side; None without candidates."""
        if self.winrate is None:
            return None
        return self.winrate if self.to_move == BLACK else 1 - self.winrate


def snapshot(search, to_move):
    """The search's root as a Snapshot."""
    visited = [child for child in search.ranked_children() if child.visits > 0][:MAX_CANDIDATES]
    candidates = [Candidate(child.move, child.visits, (child.q + 1) / 2, float(child.prior)) for child in visited]
    pv = search.principal_variation(visited[0].move) if visited else []
    return Snapshot(to_move, search.visits, candidates, pv)


def think(search, board, visits=None, seconds=None, cancelled=lambda: False, report=None,
          interval=0.25, reuse=True):
    """Search `board` for its player to move until `visits` visits or `seconds` have passed
    (either may be None, not both), or `cancelled()`; `report(snapshot)` every `interval`
    seconds and at the end. With `reuse`, the tree under this position from the last search
    counts. Returns the last Snapshot."""
    if visits is None and seconds is None:
        raise ValueError("think needs visits or seconds")
    limit = visits or MAX_VISITS
    deadline = None if seconds is None else time.perf_counter() + seconds
    last_report = time.perf_counter()
    first = True
    while not cancelled():
        target = search.batch if first else search.visits + search.batch  # the first run may start afresh
        search.run(board, min(limit, target), reuse=reuse or not first)
        first = False
        done = search.visits >= limit or (deadline is not None and time.perf_counter() >= deadline)
        if report is not None and (done or time.perf_counter() - last_report >= interval):
            last_report = time.perf_counter()
            report(snapshot(search, board.to_move))
        if done:
            break
    return snapshot(search, board.to_move)


def chosen_move(search, board, resign_rule=None):
    """The move to play after this search, as gogo.players.search.SearchPlayer.genmove chooses it:
    the most visited move legal on `board` (under its own ko rule), PASS when there is none, and
    RESIGN when `resign_rule` (the player's players.base.ResignRule) says the game is lost."""
    best = search.best_child(board, board.to_move)
    if best is None:
        return PASS
    if resign_rule is not None and resign_rule.hopeless(board, best.q, trusted=best.visits >= RESIGN_MIN_VISITS):
        return RESIGN
    return best.move

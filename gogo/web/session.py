"""One game on the web board: the record and where the page stands in it, the engine's settings,
and the one search the game may have running (the engine's move, live analysis or a review),
cancelled whenever the person moves on.

The game is a GameRecord and a cursor: the board shown is the record replayed to the cursor, so
stepping through a loaded game and playing on from any move of it are the same thing (a move
played before the end starts a new line from there).

Searches run in a worker thread; everything else, including applying what a search found, runs
on the event loop. `send(message)` may be called from either: the socket's outbox is fed
through the loop.
"""
import asyncio
import dataclasses
import logging
import math
import secrets
import threading

from gogo import coords, nets
from gogo.coords import MAX_SIZE, MIN_SIZE
from gogo.errors import GogoError
from gogo.go import scoring
from gogo.go.board import BLACK, PASS, WHITE, IllegalMove, handicap_points, max_fixed_handicap
from gogo.players.base import RESIGN
from gogo.records import sgf
from gogo.review.game import biggest_drops, positions_of, review_moves, review_positions
from gogo.review.think import chosen_move, think

log = logging.getLogger("gogo.web")

COLORS = {"black": BLACK, "white": WHITE, "off": None}  # who the engine plays, as the page names it
ENGINE_NAMES = {color: name for name, color in COLORS.items()}
COLOR_LETTERS = {BLACK: "B", WHITE: "W"}
MAX_VISITS = 20_000  # the strength setting's bounds
MAX_SECONDS = 60
ANALYSIS_VISITS = 5_000  # live analysis of the position shown stops here
POLICY_SHOWN = 0.002  # heatmap points below this probability are left out


@dataclasses.dataclass
class Strength:
    """What the engine gets per move: `visits`, or `seconds` when given."""
    visits: int = 200
    seconds: float = None


def finite(value, name):
    number = float(value)
    if not math.isfinite(number):
        raise GogoError(f"{name} must be a number")
    return number


def parse_strength(message):
    """A Strength from a message's `visits` and `seconds` (seconds win when given)."""
    visits, seconds = int(message.get("visits") or 200), message.get("seconds")
    if not 1 <= visits <= MAX_VISITS:
        raise GogoError(f"visits must be in 1..{MAX_VISITS}")
    if seconds in (None, ""):
        return Strength(visits)
    seconds = finite(seconds, "seconds")
    if not 0 < seconds <= MAX_SECONDS:
        raise GogoError(f"seconds must be in (0, {MAX_SECONDS}]")
    return Strength(visits, seconds)


class GameSession:
    """A game on one page (one WebSocket). `make_player()` gives the SearchPlayer it searches
    with; `send(dict)` queues a message for the page."""

    def __init__(self, make_player, send, weights=None):
        self.id = secrets.token_urlsafe(12)
        self.player = make_player()
        self.weights = weights  # the policy net the player was given (None: the bundled nets)
        self.send = send
        self.record = sgf.GameRecord(size=9, komi=7.0)
        self.cursor = 0  # moves of the record on the board shown
        self.engine_color = WHITE  # None: no engine (two people, or a loaded game to study)
        self.strength = Strength()
        self.result = None  # 'W+R' on resignation; the score after two passes
        self.analysing = False
        self.review = None  # the last review's message, while the record is the one reviewed
        self.version = 0  # counts positions shown: the page drops analysis of older ones
        self.task = None  # the running search (an asyncio.Task), at most one
        self.cancel = threading.Event()

    # --- the game ----------------------------------------------------------------------------
    def board(self):
        """The position shown: the record's setup and its first `cursor` moves. Records replay
        with simple ko (as gogo.records.sgf does); moves played here then follow superko."""
        board = sgf.replay(self.record, moves=self.cursor)
        board.superko = True
        return board

    @property
    def at_end(self):
        return self.cursor == len(self.record.moves)

    def engine_to_move(self, board):
        return (self.engine_color == board.to_move and self.at_end and self.result is None
                and board.passes < 2)

    def has_nets(self, size):
        """Whether the player has a policy net for this board size (without loading it)."""
        return nets.weights_for(nets.PRIORS, size, self.weights) is not None

    def new_game(self, size, komi, handicap, engine, strength):
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise GogoError(f"board size {size} is outside {MIN_SIZE}..{MAX_SIZE}")
        if handicap and not 2 <= handicap <= max_fixed_handicap(size):
            raise GogoError(f"no fixed handicap of {handicap} stones on {size}x{size}")
        stones = handicap_points(handicap, size) if handicap else []
        self.record = sgf.GameRecord(size=size, komi=komi, handicap=handicap, setup_black=sorted(stones),
                                     to_move=WHITE if handicap else None,
                                     black_player="gogo" if engine == BLACK else "human",
                                     white_player="gogo" if engine == WHITE else "human")
        self.engine_color, self.strength = engine, strength
        self.cursor, self.result, self.review = 0, None, None
        self.player.new_game(self.board())

    def play(self, point):
        """The person to move plays `point` (or PASS); see `add_move`."""
        if self.engine_to_move(self.board()):
            raise GogoError("it is gogo's move")
        self.add_move(point)

    def add_move(self, point):
        """The player to move plays `point` (or PASS) on the board shown; the record's moves after
        the cursor, if any, give way. An illegal move leaves everything as it was."""
        board = self.board()
        color = board.to_move
        try:
            board.play(point, color)
        except IllegalMove as e:
            raise GogoError(f"illegal move: {board.vertex(point)} for {COLOR_LETTERS[color]} ({e.reason})") from None
        rowcol = None if point == PASS else board.rowcol(point)
        moves = self.record.moves[:self.cursor] + [(color, rowcol)]
        self.record = dataclasses.replace(self.record, moves=moves, result=None)
        self.cursor, self.result, self.review = len(moves), None, None
        if board.passes >= 2:
            self.result = scoring.format_score(scoring.score_without(board, scoring.dead_chains(board)))

    def undo(self):
        """Take back the last move, and the engine's before it, so that it is the person's turn."""
        if self.cursor == 0:
            raise GogoError("nothing to undo")
        self.cursor -= 1
        if self.engine_color is not None and self.cursor and self.board().to_move == self.engine_color:
            self.cursor -= 1
        self.record = dataclasses.replace(self.record, moves=self.record.moves[:self.cursor], result=None)
        self.result, self.review = None, None

    def set_engine(self, engine, strength):
        self.engine_color, self.strength = engine, strength

    def go_to(self, move):
        self.cursor = move

    def set_analysing(self, on):
        self.analysing = on

    def resign(self):
        board = self.board()
        if self.result is not None:
            raise GogoError("the game is over")
        self.result = f"{COLOR_LETTERS[3 - board.to_move]}+R"

    def load(self, data):
        """A game from SGF bytes (the first of a collection), shown from its start with no engine;
        GameError (a GogoError) when it does not parse or replay."""
        record = sgf.read_game(data, source="the SGF")
        positions_of(record)  # every move must replay
        self.record, self.cursor, self.result, self.review = record, 0, None, None
        self.engine_color = None
        self.player.new_game(self.board())

    def sgf(self):
        """The game as SGF bytes, with the result when there is one."""
        return sgf.write_game(self.record, result=self.result or self.record.result)

    # --- messages to the page ------------------------------------------------------------------
    def state(self):
        board = self.board()
        last = board.moves[-1][1] if board.moves else None
        return {
            "type": "state", "game": self.id, "version": self.version,
            "size": board.size, "komi": board.komi, "to_move": COLOR_LETTERS[board.to_move],
            "black": [board.rowcol(p) for p in board.stones(BLACK)],
            "white": [board.rowcol(p) for p in board.stones(WHITE)],
            "last": None if last is None else ("pass" if last == PASS else board.rowcol(last)),
            "cursor": self.cursor, "moves": [coords.vertex_of_rowcol(m) for _, m in self.record.moves],
            "captures": {"B": board.prisoners(BLACK), "W": board.prisoners(WHITE)},
            "engine": ENGINE_NAMES[self.engine_color],
            "strength": dataclasses.asdict(self.strength), "analysing": self.analysing,
            "result": self.result or (self.record.result if self.at_end else None),
            "nets": self.has_nets(board.size), "search": self.player.can_search(board.size),
            "thinking": self.engine_to_move(board), "reviewed": self.review is not None,
            "players": {"B": self.record.black_player, "W": self.record.white_player},
        }

    def error(self, text):
        self.send({"type": "error", "message": text})

    def analysis_message(self, board, seen, kind, version):
        point = lambda move: None if move == PASS else board.rowcol(move)  # noqa: E731
        return {
            "type": "analysis", "kind": kind, "version": version, "visits": seen.visits,
            "black_winrate": seen.black_winrate(),
            "candidates": [{"vertex": board.vertex(c.move), "point": point(c.move), "visits": c.visits,
                            "winrate": round(c.winrate, 4), "prior": round(c.prior, 4)} for c in seen.candidates],
            "pv": [{"vertex": board.vertex(move), "point": point(move)} for move in seen.pv],
        }

    def policy_message(self, board, version):
        probabilities = self.player.evaluator.move_probabilities(board)
        points = [[*coords.rowcol_of_index(i, board.size), round(float(p), 4)]
                  for i, p in enumerate(probabilities) if p >= POLICY_SHOWN]
        return {"type": "policy", "version": version, "points": points}

    def review_message(self, record, positions, visits):
        moves = review_moves(record, positions)
        size = record.size
        point = lambda move: None if move in (None, PASS) else coords.rowcol(move, size)  # noqa: E731
        return {
            "type": "review", "visits": visits,
            "winrates": [round(p.black_winrate, 4) for p in positions],
            "positions": [{"best": None if p.best is None else coords.vertex(p.best, size), "point": point(p.best),
                           "pv": [coords.vertex(m, size) for m in p.pv]} for p in positions],
            "drops": [{"move": m.number, "color": COLOR_LETTERS[m.color], "vertex": coords.vertex(m.move, size),
                       "drop": round(m.drop, 4)} for m in biggest_drops(moves)],
        }

    # --- acting on the page's messages ---------------------------------------------------------
    async def handle(self, message):
        """Act on one message from the page; a bad one is answered with an error message."""
        kind = message.get("type") if isinstance(message, dict) else None
        action = getattr(self, f"on_{kind}", None) if isinstance(kind, str) else None
        if action is None:
            self.error(f"unknown message type {kind!r}")
            return
        try:
            await action(message)
        except GogoError as e:
            self.error(str(e))
        except (KeyError, TypeError, ValueError) as e:
            self.error(f"bad {kind} message: {type(e).__name__}: {e}")

    async def act(self, change, search=None):
        """Stop the search, make the change, show the position and start the search it calls
        for (`search`, else `next_search`), even when the change fails."""
        await self.stop()
        try:
            change()
        finally:
            self.show(search)

    def show(self, search=None):
        """Send the page the position, and start the search it calls for."""
        self.version += 1
        self.send(self.state())
        (search or self.next_search)()

    async def on_new(self, message):
        size, komi = int(message["size"]), finite(message["komi"], "komi")
        handicap, engine = int(message.get("handicap") or 0), COLORS[message.get("engine", "white")]
        strength = parse_strength(message)
        await self.act(lambda: self.new_game(size, komi, handicap, engine, strength))

    async def on_engine(self, message):
        """Who the engine plays, and how strong, from here on."""
        engine, strength = COLORS[message["engine"]], parse_strength(message)
        await self.act(lambda: self.set_engine(engine, strength))

    async def on_play(self, message):
        point = coords.point(int(message["row"]), int(message["col"]), self.record.size)
        await self.act(lambda: self.play(point))

    async def on_pass(self, message):
        await self.act(lambda: self.play(PASS))

    async def on_undo(self, message):
        await self.act(self.undo)

    async def on_resign(self, message):
        await self.act(self.resign)

    async def on_goto(self, message):
        move = int(message["move"])
        if not 0 <= move <= len(self.record.moves):
            raise GogoError(f"no move {move}: the game has {len(self.record.moves)}")
        await self.act(lambda: self.go_to(move))

    async def on_analyse(self, message):
        on = bool(message["on"])
        await self.act(lambda: self.set_analysing(on))

    async def on_review(self, message):
        visits = int(message.get("visits") or 100)
        if not 1 <= visits <= MAX_VISITS:
            raise GogoError(f"review visits must be in 1..{MAX_VISITS}")
        await self.act(lambda: None, lambda: self.start_review(visits))

    # --- searches ------------------------------------------------------------------------------
    async def stop(self):
        """Cancel the running search, if any, and wait until its thread has let go of the player."""
        task, self.task = self.task, None
        if task is not None:
            self.cancel.set()
            await task

    def start(self, work, done=None):
        """Run `work(cancelled)` in a thread as the game's one search; `done(result)` on the
        loop afterwards, unless it was cancelled. A failure is told to the page."""
        self.cancel = cancel = threading.Event()

        async def run():
            try:
                result = await asyncio.to_thread(work, cancel.is_set)
                if not cancel.is_set() and done is not None:
                    self.task = None
                    done(result)
            except GogoError as e:
                self.error(str(e))
            except Exception as e:  # a bug must not take the server down: log it, tell the page
                log.exception("search failed")
                self.error(f"the search failed: {type(e).__name__}: {e}")

        self.task = asyncio.create_task(run())

    def next_search(self):
        """What the position shown calls for: the engine's move when it is its turn, else live
        analysis when it is on."""
        board = self.board()
        if self.engine_to_move(board):
            self.start(lambda cancelled: self.engine_move(board, self.version, cancelled), self.engine_played)
        elif self.analysing and board.passes < 2 and self.player.can_search(board.size):
            self.start(lambda cancelled: self.analyse(board, self.version, cancelled))

    def engine_move(self, board, version, cancelled):
        """The engine's move on `board`, its analysis streamed as it thinks."""
        if not self.player.use(board.size):
            return self.player.fallback.genmove(board, board.to_move)
        self.send(self.policy_message(board, version))
        report = lambda seen: self.send(self.analysis_message(board, seen, "engine", version))  # noqa: E731
        strength = self.strength
        think(self.player.search, board, None if strength.seconds else strength.visits, strength.seconds,
              cancelled, report)
        return chosen_move(self.player.search, board, self.player.resign_rule)

    def engine_played(self, move):
        if move == RESIGN:
            self.resign()
        else:
            self.add_move(move)
        self.show()

    def analyse(self, board, version, cancelled):
        self.player.use(board.size)
        self.send(self.policy_message(board, version))
        report = lambda seen: self.send(self.analysis_message(board, seen, "analysis", version))  # noqa: E731
        think(self.player.search, board, ANALYSIS_VISITS, None, cancelled, report)

    def start_review(self, visits):
        record = self.record
        progress = lambda done, total: self.send({"type": "review_progress", "done": done, "total": total})  # noqa: E731

        def work(cancelled):
            return review_positions(record, self.player, visits, cancelled, progress)

        def done(positions):
            self.review = self.review_message(record, positions, visits)
            self.send(self.review)
            self.show()

        self.start(work, done)

"""The GTP (Go Text Protocol, version 2) engine: `gogo gtp`.

`GtpEngine.handle(line)` answers one command line in-process (tests drive it that way);
`serve()` runs it over stdin/stdout. Only protocol responses go to stdout; logs go to stderr.
The controller side (running an engine as a subprocess) is gogo/gtp_client.py.

Commands: the whole GTP v2 standard set (protocol_version, name, version, known_command,
list_commands, quit, boardsize, clear_board, komi, fixed_handicap, place_free_handicap,
set_free_handicap, play, genmove, undo, time_settings, time_left, final_score,
final_status_list, loadsgf, showboard) and GNU Go's list_stones, captures and printsgf.
See docs/gtp.md for the behaviour of each.
"""
import argparse
import inspect
import logging
import math
import queue
import random
import re
import sys
import threading
import traceback
import types

import numpy as np

import gogo
from gogo import rules, scoring
from gogo.analysis import AnalysisCommands
from gogo.board import (BLACK, PASS, WHITE, Board, GTP_COLUMNS, IllegalMove, handicap_points,
                        max_fixed_handicap)
from gogo.player import RESIGN, RandomPlayer, TimeSettings

log = logging.getLogger("gogo.gtp")

MIN_SIZE, MAX_SIZE = 2, 19
COLORS = {"b": BLACK, "black": BLACK, "w": WHITE, "white": WHITE}
COLOR_NAMES = {BLACK: "black", WHITE: "white"}
FINAL_STATUSES = ("alive", "dead", "seki")


class GtpError(Exception):
    """A failure answered as '? message'."""


def preprocess(line):
    """GTP 2 section 3.1 preprocessing of one line: drop control characters other than HT and
    LF, cut the comment from '#', turn HT into a space; '' for a line to skip."""
    line = "".join(ch for ch in line if ch in "\t\n" or (32 <= ord(ch) != 127))
    line = line.split("#", 1)[0].replace("\t", " ")
    return line.strip()


def format_response(ok, text, ident=None):
    """'=id text\\n\\n' or '?id text\\n\\n'; empty lines inside `text` are dropped, as a
    response must not contain one before its end."""
    lines = [ln.rstrip() for ln in str(text).splitlines()]
    if len(lines) > 1:
        lines = lines[:1] + [ln for ln in lines[1:] if ln.strip()]
    body = "\n".join(lines)
    return f"{'=' if ok else '?'}{'' if ident is None else ident} {body}\n\n"


def parse_color(text):
    try:
        return COLORS[text.lower()]
    except KeyError:
        raise GtpError("syntax error") from None


_ID = re.compile(r"[0-9]+")
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def parse_int(text, minimum=None):
    if not _INT.fullmatch(text) or len(text) > 12:
        raise GtpError("syntax error")
    value = int(text)
    if minimum is not None and value < minimum:
        raise GtpError("syntax error")
    return value


def parse_float(text, minimum=None):
    if not _FLOAT.fullmatch(text):
        raise GtpError("syntax error")
    value = float(text)
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        raise GtpError("syntax error")
    return value


def vertex_order(board, points):
    """Points sorted as GNU Go lists them: top row first, left to right."""
    stride = board.size + 2
    return sorted(points, key=lambda p: (-(p // stride), p % stride))


_VERTEX_NAMES = {}


def vertex_names(size):
    """GTP vertex of every padded-array point of a size x size board ('' off the board)."""
    if size not in _VERTEX_NAMES:
        stride = size + 2
        names = [""] * (stride * stride)
        for row in range(size):
            for col in range(size):
                names[(row + 1) * stride + col + 1] = f"{GTP_COLUMNS[col]}{row + 1}"
        _VERTEX_NAMES[size] = names
    return _VERTEX_NAMES[size]


def stones_in_order(board, color):
    """The stones of `color`, top row first, left to right (as GNU Go's list_stones)."""
    stride = board.size + 2
    points = np.flatnonzero(board.grid[rules.COLOR] == color)
    # padded points run bottom row first; reverse the rows, keep the columns in order
    return sorted(points.tolist(), key=lambda p: (-(p // stride), p))


class GtpEngine(AnalysisCommands):
    """A GTP engine around a board and a player.

    player: anything with the gogo.player.Player interface (default: RandomPlayer(seed)).
    score_playouts: random playouts for dead-stone estimation (final_score, final_status_list).
    """

    def __init__(self, player=None, size=19, komi=7.5, superko=True, seed=None,
                 name="gogo", version=None, score_playouts=scoring.DEFAULT_PLAYOUTS):
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise ValueError(f"board size {size} is outside {MIN_SIZE}..{MAX_SIZE}")
        self.player = RandomPlayer(seed) if player is None else player
        self.superko = superko
        self.komi = komi
        self.seed = random.Random(seed).getrandbits(32) if seed is not None else random.getrandbits(32)
        self.name = name
        self.version = version or gogo.__version__
        self.score_playouts = score_playouts
        self.time_settings = None
        self.time_left = {}
        self.quit = False
        self.board = None
        self.handicap = 0
        self._dead_cache = None
        self._arity = {}
        self._interrupted = None  # while serving: says whether new input is waiting
        self.pondering = False
        self.commands = {
            "protocol_version": self.cmd_protocol_version,
            "name": self.cmd_name,
            "version": self.cmd_version,
            "known_command": self.cmd_known_command,
            "list_commands": self.cmd_list_commands,
            "quit": self.cmd_quit,
            "boardsize": self.cmd_boardsize,
            "clear_board": self.cmd_clear_board,
            "komi": self.cmd_komi,
            "fixed_handicap": self.cmd_fixed_handicap,
            "place_free_handicap": self.cmd_place_free_handicap,
            "set_free_handicap": self.cmd_set_free_handicap,
            "play": self.cmd_play,
            "genmove": self.cmd_genmove,
            "undo": self.cmd_undo,
            "time_settings": self.cmd_time_settings,
            "time_left": self.cmd_time_left,
            "final_score": self.cmd_final_score,
            "final_status_list": self.cmd_final_status_list,
            "loadsgf": self.cmd_loadsgf,
            "showboard": self.cmd_showboard,
            "list_stones": self.cmd_list_stones,
            "captures": self.cmd_captures,
            "printsgf": self.cmd_printsgf,
            "lz-analyze": self.cmd_analyze,
            "analyze": self.cmd_analyze,
            "lz-genmove_analyze": self.cmd_genmove_analyze,
            "genmove_analyze": self.cmd_genmove_analyze,
            "kgs-genmove_cleanup": self.cmd_genmove,
            "gogui-analyze_commands": self.cmd_gogui_analyze_commands,
            "gogo-policy_heatmap": self.cmd_policy_heatmap,
            "gogo-visit_heatmap": self.cmd_visit_heatmap,
        }
        self._new_board(size)

    # --- the protocol ----------------------------------------------------------------------
    def handle(self, line, interrupted=lambda: True):
        """Answer one input line: the full response ('=... \\n\\n' or '?...\\n\\n'), or None
        for a line that preprocessing discards (empty, comment only). An analysis command runs
        until `interrupted()`."""
        chunks = list(self.respond(line, interrupted))
        return "".join(chunks) if chunks else None

    def respond(self, line, interrupted):
        """The response to one input line, in pieces: analysis commands stream their info lines
        (after the '=' line) until `interrupted()` says new input has arrived."""
        line = preprocess(line)
        if not line:
            return
        words = line.split()
        ident = None
        if _ID.fullmatch(words[0]):
            ident = int(words[0])
            words = words[1:]
            if not words:
                yield format_response(False, "unknown command", ident)
                return
        self._interrupted = interrupted
        ok, text = self.execute(words[0], words[1:])
        if not (ok and isinstance(text, types.GeneratorType)):
            yield format_response(ok, text, ident)
            return
        yield f"={'' if ident is None else ident} \n"
        try:
            for info in text:
                if info:
                    yield info + "\n"
        except Exception as e:  # the stream has begun: log, and end the response cleanly
            log.error("%s failed while streaming: %s", words[0], e)
        yield "\n"
        self._interrupted = None

    def execute(self, command, args):
        """Run one command: (True, response) or (False, error message). Never raises."""
        handler = self.commands.get(command)
        if handler is None:
            return False, "unknown command"
        try:
            if not self._arity_ok(handler, args):
                raise GtpError("syntax error")
            return True, handler(*args)
        except GtpError as e:
            return False, str(e)
        except Exception as e:  # a bug or bad input we did not foresee: answer, live on
            log.error("%s %s failed:\n%s", command, " ".join(args), traceback.format_exc())
            return False, f"{type(e).__name__}: {e}" if str(e) else type(e).__name__

    def _arity_ok(self, handler, args):
        """Whether `args` fits the handler's positional parameters (else: syntax error)."""
        cached = self._arity.get(handler)
        if cached is None:
            lo, hi = 0, 0
            for param in inspect.signature(handler).parameters.values():
                if param.kind == param.VAR_POSITIONAL:
                    hi = None
                elif param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
                    hi += 1
                    lo += param.default is param.empty
            cached = self._arity[handler] = (lo, hi)
        lo, hi = cached
        return lo <= len(args) and (hi is None or len(args) <= hi)

    # --- state helpers ---------------------------------------------------------------------
    def _new_board(self, size=None):
        self.board = Board(size or self.board.size, komi=self.komi, superko=self.superko)
        self.handicap = 0
        self._dead_cache = None
        self.player.new_game(self.board)

    def _require_empty(self):
        if not self.board.is_empty():
            raise GtpError("board not empty")
        if self.board.moves:  # passes only: start over, so that undo cannot reach before setup
            self._new_board()

    def _vertex(self, text):
        try:
            return self.board.parse_vertex(text)
        except ValueError:
            raise GtpError("syntax error") from None

    def _vertices(self, points):
        names = vertex_names(self.board.size)
        return " ".join(names[p] if p != PASS else "pass" for p in points)

    def _dead(self):
        """Dead chains of the current position (cached per position)."""
        key = (self.board.hash, self.board.move_number, self.board.to_move)
        if self._dead_cache is None or self._dead_cache[0] != key:
            seed = (self.seed ^ self.board.hash) & 0x7FFFFFFF
            self._dead_cache = (key, scoring.dead_chains(self.board, self.score_playouts, seed))
        return self._dead_cache[1]

    # --- administrative commands -----------------------------------------------------------
    def cmd_protocol_version(self):
        return "2"

    def cmd_name(self):
        return self.name

    def cmd_version(self):
        return self.version

    def cmd_known_command(self, name):
        return "true" if name in self.commands else "false"

    def cmd_list_commands(self):
        return "\n".join(self.commands)

    def cmd_quit(self):
        self.quit = True
        return ""

    # --- setup -----------------------------------------------------------------------------
    def cmd_boardsize(self, size):
        size = parse_int(size)
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise GtpError("unacceptable size")
        self._new_board(size)
        return ""

    def cmd_clear_board(self):
        self._new_board()
        return ""

    def cmd_komi(self, komi):
        self.komi = parse_float(komi)
        self.board.komi = self.komi
        return ""

    def cmd_fixed_handicap(self, stones):
        stones = parse_int(stones)
        if not 2 <= stones <= max_fixed_handicap(self.board.size):
            raise GtpError("invalid number of stones")
        self._require_empty()
        points = self.board.place_handicap(stones)
        self.handicap = stones
        self.player.new_game(self.board)
        return self._vertices(points)

    def cmd_place_free_handicap(self, stones):
        stones = parse_int(stones)
        size = self.board.size
        if not 2 <= stones < size * size:
            raise GtpError("invalid number of stones")
        self._require_empty()
        fixed = min(stones, max_fixed_handicap(size))
        chosen = [self.board.point(r, c) for r, c in handicap_points(fixed, size)] if fixed >= 2 else []
        rng = random.Random(self.seed + stones)
        taken = set(chosen)
        rest = [p for p in self.board.points() if p not in taken]
        rng.shuffle(rest)
        # first points not next to a chosen stone, then any point (it always leaves a liberty:
        # black stones alone on a board with an empty point cannot be without one)
        for spread in (True, False):
            for p in rest:
                if len(chosen) < stones and p not in taken and not (spread and self._touches(p, taken)):
                    chosen.append(p)
                    taken.add(p)
        self.board.setup(black=chosen, to_move=WHITE)
        self.handicap = stones
        self.player.new_game(self.board)
        return self._vertices(chosen)

    def _touches(self, p, taken):
        stride = self.board.size + 2
        return any(q in taken for q in (p - 1, p + 1, p - stride, p + stride))

    def cmd_set_free_handicap(self, *vertices):
        try:
            points = [self.board.parse_vertex(v) for v in vertices]
        except ValueError:
            raise GtpError("bad vertex list") from None
        size = self.board.size
        if (PASS in points or len(set(points)) != len(points)
                or not 2 <= len(points) < size * size):
            raise GtpError("bad vertex list")
        self._require_empty()
        try:
            self.board.setup(black=points, to_move=WHITE)
        except IllegalMove:
            raise GtpError("bad vertex list") from None
        self.handicap = len(points)
        self.player.new_game(self.board)
        return ""

    def cmd_loadsgf(self, filename, move_number=None):
        
        from gogo import sgf

        limit = None if move_number is None else parse_int(move_number, minimum=1)
        try:
            record = sgf.read_game(filename)
            if limit is not None and limit > len(record.moves) + 1:
                raise GtpError("cannot load file")
            if not MIN_SIZE <= record.size <= MAX_SIZE:
                raise GtpError("cannot load file")
            # recorded games follow their own ko rules
            board = sgf.replay(record, superko=False, moves=None if limit is None else limit - 1)
        except GtpError:
            raise
        except Exception as e:  # missing, unreadable, not SGF, illegal moves, ...
            log.warning("loadsgf %s: %s", filename, e)
            raise GtpError("cannot load file") from None
        board.superko = self.superko
        if record.komi is not None:
            self.komi = record.komi
        board.komi = self.komi
        self.board = board
        self.handicap = record.handicap
        self._dead_cache = None
        self.player.new_game(self.board)
        return ""

    # --- play ------------------------------------------------------------------------------
    def cmd_play(self, color, vertex):
        color = parse_color(color)
        point = self._vertex(vertex)
        try:
            self.board.play(point, color)
        except IllegalMove:
            raise GtpError("illegal move") from None
        self.player.played(self.board, color, point)
        return ""

    def cmd_genmove(self, color):
        color = parse_color(color)
        point = self.player.genmove(self.board, color)
        if point == RESIGN:
            return "resign"
        try:
            self.board.play(point, color)
        except IllegalMove as e:
            log.error("the player chose an illegal move: %s", e)
            raise GtpError(f"player chose an illegal move ({e.reason})") from None
        self.player.played(self.board, color, point)
        return self.board.vertex(point)

    def cmd_undo(self):
        if not self.board.moves:
            raise GtpError("cannot undo")
        self.board.undo()
        self.player.undone(self.board)
        return ""

    # --- time ------------------------------------------------------------------------------
    def cmd_time_settings(self, main_time, byo_yomi_time, byo_yomi_stones):
        self.time_settings = TimeSettings(parse_float(main_time, 0), parse_float(byo_yomi_time, 0),
                                          parse_int(byo_yomi_stones, 0))
        self.time_left = {}
        self.player.set_time_settings(self.time_settings)
        return ""

    def cmd_time_left(self, color, seconds, stones):
        color = parse_color(color)
        seconds, stones = parse_float(seconds), parse_int(stones, 0)
        self.time_left[color] = (seconds, stones)
        self.player.set_time_left(color, seconds, stones)
        return ""

    # --- scoring ---------------------------------------------------------------------------
    def cmd_final_score(self):
        return scoring.format_score(scoring.score_without(self.board, self._dead()))

    def cmd_final_status_list(self, status):
        status = status.lower()
        if status not in FINAL_STATUSES:
            raise GtpError("syntax error")
        if status == "seki":
            return ""
        dead = self._dead()
        if status == "dead":
            groups = [points for _, points in dead]
        else:
            dead_points = {p for _, points in dead for p in points}
            groups = [points for _, points in scoring.chains(self.board)
                      if points[0] not in dead_points]
        groups = [vertex_order(self.board, g) for g in groups]
        groups.sort(key=lambda g: (-self.board.rowcol(g[0])[0], self.board.rowcol(g[0])[1]))
        return "\n".join(self._vertices(g) for g in groups)

    # --- inspection ------------------------------------------------------------------------
    def cmd_showboard(self):
        return "\n" + str(self.board)

    def cmd_list_stones(self, color):
        color = parse_color(color)
        return self._vertices(stones_in_order(self.board, color))

    def cmd_captures(self, color):
        return str(self.board.prisoners(parse_color(color)))

    def cmd_printsgf(self, filename=None):
        from gogo import sgf

        fields = {}
        if self.handicap:
            fields["handicap"] = self.handicap
        if not self.board.moves and (self.board.setup_stones[0] or self.board.setup_stones[1]):
            fields["to_move"] = self.board.to_move
        data = sgf.write_game(self.board, **fields)
        if filename is not None:
            try:
                with open(filename, "wb") as f:
                    f.write(data)
            except OSError as e:
                raise GtpError(f"cannot write file: {e.strerror or e}") from None
            return ""
        return "\n".join(ln for ln in data.decode("utf-8").splitlines() if ln.strip())


# --- the stdin/stdout loop ---------------------------------------------------------------------

def serve(engine, instream, outstream):
    """Answer command lines from `instream` (binary) on `outstream` (binary) until quit or EOF.
    A reader thread queues the input, so that an analysis command streams until a new line
    arrives."""
    lines = queue.Queue()

    def read():
        for raw in instream:
            lines.put(raw.decode("utf-8", errors="replace"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    while True:
        if lines.empty():
            engine.ponder(interrupted=lambda: not lines.empty())
        line = lines.get()
        if line is None:
            break
        for chunk in engine.respond(line, interrupted=lambda: not lines.empty()):
            outstream.write(chunk.encode("utf-8", errors="replace"))
            outstream.flush()
        if engine.quit:
            break
    engine.player.close()


def add_arguments(parser):
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument("--size", type=int, default=19, help="initial board size (default 19)")
    parser.add_argument("--komi", type=float, default=7.5, help="initial komi (default 7.5)")
    parser.add_argument("--superko", action=argparse.BooleanOptionalAction,
                        default=True, help="positional superko (default: on)")
    parser.add_argument("--score-playouts", type=int, default=scoring.DEFAULT_PLAYOUTS,
                        help="random playouts for dead-stone estimation (default %(default)s)")
    parser.add_argument("--weights", help="policy net weights (default: the bundled weights)")
    parser.add_argument("--policy-only", action="store_true",
                        help="play the policy net's move with no search (the default without --visits)")
    parser.add_argument("--visits", type=int, help="search this many visits per move (PUCT with the "
                        "policy net; leaf values from --value-weights or random playouts)")
    parser.add_argument("--value-weights", help="value net weights for the search")
    parser.add_argument("--seconds", type=float, help="with --visits: at most this long per move when the "
                        "GUI sends no time settings")
    parser.add_argument("--ponder", action="store_true", help="with --visits: think on the opponent's time")
    parser.add_argument("--sample", action="store_true", help="sample the policy net's move instead of "
                        "playing the most probable one")
    parser.add_argument("--random", action="store_true", help="play uniformly random sensible moves")
    parser.add_argument("--device", help="torch device for the nets (default: cuda if present, else cpu)")
    parser.add_argument("--log-level", default="WARNING", help="stderr log level (default WARNING)")


def make_player(args):
    """The player `gogo gtp` plays with: the policy net, or random moves when asked or when
    there are no weights to load."""
    from gogo import nets

    if args.random:
        return RandomPlayer(args.seed)
    if args.weights is None and not nets.DEFAULT_POLICY_WEIGHTS.exists():
        log.warning("no bundled weights at %s: playing random moves", nets.DEFAULT_POLICY_WEIGHTS)
        return RandomPlayer(args.seed)
    if args.visits and not args.policy_only:
        from gogo.engine import SearchPlayer

        return SearchPlayer(args.weights, args.value_weights, visits=args.visits, device=args.device,
                            seed=args.seed, seconds=args.seconds)
    from gogo.policy_player import PolicyPlayer

    return PolicyPlayer(args.weights, device=args.device, sample=args.sample, seed=args.seed)


def run(args):
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(),
                        format="gogo gtp %(levelname)s: %(message)s")
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # anything printed by accident goes to stderr, never into the protocol
    if not MIN_SIZE <= args.size <= MAX_SIZE:
        print(f"gogo gtp: --size must be in {MIN_SIZE}..{MAX_SIZE}", file=sys.stderr)
        return 2
    try:
        player = make_player(args)
    except (OSError, ValueError) as error:
        print(f"gogo gtp: {error}", file=sys.stderr)
        return 2
    engine = GtpEngine(player, size=args.size, komi=args.komi, superko=args.superko,
                       seed=args.seed, score_playouts=args.score_playouts)
    engine.pondering = args.ponder
    try:
        # unbuffered: a reader thread blocked on a buffered stdin would abort the interpreter at exit
        serve(engine, sys.stdin.buffer.raw, protocol_out)
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    return 0

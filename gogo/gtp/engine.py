"""The GTP (Go Text Protocol, version 2) engine: a board, a player and the command handlers.

`GtpEngine.handle(line)` answers one command line in-process (tests drive it that way);
`GtpEngine.respond(line, interrupted)` gives the answer in pieces, for the server loop
(gogo.gtp.server) to stream. The analysis commands are a handler the engine registers
(gogo.gtp.analysis.AnalysisCommands); pondering between commands is the engine's.

Commands: the whole GTP v2 standard set (protocol_version, name, version, known_command,
list_commands, quit, boardsize, clear_board, komi, fixed_handicap, place_free_handicap,
set_free_handicap, play, genmove, undo, time_settings, time_left, final_score,
final_status_list, loadsgf, showboard), GNU Go's list_stones, captures and printsgf, and KGS's
kgs-genmove_cleanup. See docs/gtp.md for the behaviour of each.
"""
import inspect
import logging
import random
import traceback
import types

import gogo
from gogo import coords
from gogo.coords import MAX_SIZE, MIN_SIZE
from gogo.go import playout, scoring
from gogo.go.board import PASS, WHITE, Board, IllegalMove, handicap_points, max_fixed_handicap
from gogo.gtp.analysis import AnalysisCommands
from gogo.gtp.protocol import (GtpError, format_response, parse_color, parse_float, parse_int, preprocess,
                               split_id, stones_in_order, vertex_names)
from gogo.players.base import RESIGN, RandomPlayer, TimeSettings
from gogo.records import sgf

log = logging.getLogger("gogo.gtp")

FINAL_STATUSES = ("alive", "dead", "seki")


class GtpEngine:
    """A GTP engine around a board and a player.

    player: anything with the gogo.players.base.Player interface (default: RandomPlayer(seed)).
    score_playouts: random playouts for dead-stone estimation (final_score, final_status_list).
    pondering: whether `ponder` lets the player think between commands (`gogo gtp --ponder`).
    """

    def __init__(self, player=None, size=19, komi=7.5, superko=True, seed=None,
                 name="gogo", version=None, score_playouts=scoring.DEFAULT_PLAYOUTS):
        coords.check_size(size)
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
        analysis = AnalysisCommands(self)  # its commands are registered among ours, in list_commands' order
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
            "lz-analyze": analysis.cmd_analyze,
            "analyze": analysis.cmd_analyze,
            "lz-genmove_analyze": analysis.cmd_genmove_analyze,
            "genmove_analyze": analysis.cmd_genmove_analyze,
            "kgs-genmove_cleanup": self.cmd_genmove_cleanup,
            "gogui-analyze_commands": analysis.cmd_gogui_analyze_commands,
            "gogo-policy_heatmap": analysis.cmd_policy_heatmap,
            "gogo-visit_heatmap": analysis.cmd_visit_heatmap,
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
        ident, words = split_id(line)
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

    def interrupted(self):
        """Whether new input has arrived while the current command runs (streams stop then)."""
        return self._interrupted()

    def ponder(self, interrupted):
        """Between commands: let the player think on the opponent's time, if pondering is on and
        the player can, until `interrupted()`."""
        if self.pondering and hasattr(self.player, "ponder") and not self.quit:
            self.player.ponder(self.board, interrupted)

    def play(self, color, point):
        """Play a move on the board and tell the player; IllegalMove if the rules forbid it."""
        self.board.play(point, color)
        self.player.played(self.board, color, point)

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
        return " ".join(names[p] for p in points)

    def _dead(self):
        """Dead chains of the current position (cached per position)."""
        key = (self.board.hash, self.board.move_number, self.board.to_move)
        if self._dead_cache is None or self._dead_cache[0] != key:
            self._dead_cache = (key, scoring.dead_chains(self.board, self.score_playouts, self._position_seed()))
        return self._dead_cache[1]

    def _position_seed(self):
        """A seed from --seed and the position: the same answer for a position every time."""
        return (self.seed ^ self.board.hash) & 0x7FFFFFFF

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
        return any(q in taken for q in self.board.neighbours(p))

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
            self.play(color, point)
        except IllegalMove:
            raise GtpError("illegal move") from None
        return ""

    def cmd_genmove(self, color):
        color = parse_color(color)
        return self._play_chosen(color, self.player.genmove(self.board, color))

    def cmd_genmove_cleanup(self, color):
        """KGS's genmove for the cleanup phase after a dispute over dead stones: while the
        opponent has dead stones on the board, never pass (nor resign): take their liberties."""
        color = parse_color(color)
        point = self.player.genmove(self.board, color)
        dead = [chain for chain in self._dead() if chain[0] != color]
        if dead:
            point = self._cleanup_move(color, point, dead)
        return self._play_chosen(color, point)

    def _cleanup_move(self, color, point, dead):
        """The player's move if it takes a liberty of a dead chain, else the most urgent such
        move; when none is legal (a ko, say), the player's move or a random sensible one."""
        captures = scoring.capture_moves(self.board, color, dead)
        if captures:
            return point if point in captures else captures[0]
        if point not in (PASS, RESIGN):
            return point
        return playout.random_move(self.board, color, self._position_seed())

    def _play_chosen(self, color, point):
        """Play the move genmove chose and answer it."""
        if point == RESIGN:
            return "resign"
        try:
            self.play(color, point)
        except IllegalMove as e:
            log.error("the player chose an illegal move: %s", e)
            raise GtpError(f"player chose an illegal move ({e.reason})") from None
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
            groups = [points for _, points in self.board.chains()
                      if points[0] not in dead_points]
        groups = [coords.display_order(g, self.board.size) for g in groups]
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
        fields = {}
        if self.handicap:
            fields["handicap"] = self.handicap
        if not self.board.moves and (self.board.setup_stones[0] or self.board.setup_stones[1]):
            fields["to_move"] = self.board.to_move
        data = sgf.write_game(self.board, **fields)
        if filename is not None:
            try:  # "x": an existing file is never replaced (GNU Go would overwrite it)
                with open(filename, "xb") as f:
                    f.write(data)
            except FileExistsError:
                raise GtpError(f"cannot write file: {filename} exists; printsgf writes only new files") from None
            except OSError as e:
                raise GtpError(f"cannot write file: {e.strerror or e}") from None
            return ""
        return "\n".join(ln for ln in data.decode("utf-8").splitlines() if ln.strip())

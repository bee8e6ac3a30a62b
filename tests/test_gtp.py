"""The GTP engine: protocol details, every command, the player interface, a Sabaki session."""
import io
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from gogo.go import rules
from gogo.go.board import BLACK, PASS, WHITE, Board, handicap_points, max_fixed_handicap
from gogo.gtp.engine import GtpEngine
from gogo.gtp.protocol import format_response, preprocess
from gogo.players.base import RESIGN, Player, RandomPlayer

STANDARD_COMMANDS = [
    "protocol_version", "name", "version", "known_command", "list_commands", "quit", "boardsize",
    "clear_board", "komi", "fixed_handicap", "place_free_handicap", "set_free_handicap", "play",
    "genmove", "undo", "time_settings", "time_left", "final_score", "final_status_list",
    "loadsgf", "showboard"]
EXTENSIONS = ["list_stones", "captures", "printsgf"]
ANALYSIS_COMMANDS = {"lz-analyze", "analyze", "lz-genmove_analyze", "genmove_analyze", "kgs-genmove_cleanup",
                     "gogui-analyze_commands", "gogo-policy_heatmap", "gogo-visit_heatmap"}
GOGO = [shutil.which("gogo")] if shutil.which("gogo") else [sys.executable, "-m", "cli.main"]
VERTEX = re.compile(r"^[A-HJ-T](1[0-9]|[1-9])$")


@pytest.fixture
def engine():
    return GtpEngine(size=9, komi=7.5, seed=1, score_playouts=300)


def ok(engine, command):
    """The text of a successful response (asserting success and the response format)."""
    response = engine.handle(command)
    assert response.startswith("= ") and response.endswith("\n\n"), (command, response)
    body = response[2:-2]
    assert "\n\n" not in body
    return body


def fail(engine, command):
    response = engine.handle(command)
    assert response.startswith("? ") and response.endswith("\n\n"), (command, response)
    return response[2:-2]


def setup_diagram(engine, diagram):
    """Play the stones of a diagram (top row first) with GTP play commands."""
    rows = [line.split() for line in diagram.strip().splitlines()]
    size = len(rows)
    ok(engine, f"boardsize {size}")
    ok(engine, "clear_board")
    for i, row in enumerate(rows):
        for col, ch in enumerate(row):
            if ch in "XO":
                vertex = "ABCDEFGHJKLMNOPQRST"[col] + str(size - i)
                ok(engine, f"play {'b' if ch == 'X' else 'w'} {vertex}")


# --- the protocol -------------------------------------------------------------------------------

def test_preprocess():
    assert preprocess("play b d4\n") == "play b d4"
    assert preprocess("play\tb\td4\r\n") == "play b d4"
    assert preprocess("pl\x00ay b\x07 d4\x7f") == "play b d4"
    assert preprocess("name # a comment") == "name"
    assert preprocess("# only a comment") == ""
    assert preprocess("   \t  ") == ""


def test_format_response_never_has_empty_lines_inside():
    assert format_response(True, "") == "= \n\n"
    assert format_response(True, "x", 5) == "=5 x\n\n"
    assert format_response(False, "bad", 0) == "?0 bad\n\n"
    assert format_response(True, "\na\n\n  \nb\n") == "= \na\nb\n\n"


def test_ids_are_echoed(engine):
    assert engine.handle("12 name") == "=12 gogo\n\n"
    assert engine.handle("7 foo") == "?7 unknown command\n\n"
    assert engine.handle("0 play b z9") == "?0 syntax error\n\n"
    assert engine.handle("3 boardsize 9") == "=3 \n\n"
    assert engine.handle("42") == "?42 unknown command\n\n"


def test_empty_and_comment_lines_get_no_response(engine):
    for line in ["", "\n", "  \t\n", "# comment\n", "\r\n", "\x01\x02\n"]:
        assert engine.handle(line) is None
    assert engine.handle("\tname\t# who are you\r\n") == "= gogo\n\n"


def test_unknown_and_case_sensitive_commands(engine):
    assert fail(engine, "foo") == "unknown command"
    assert fail(engine, "NAME") == "unknown command"
    assert fail(engine, "genmove-fast b") == "unknown command"


def test_administrative_commands(engine):
    assert ok(engine, "protocol_version") == "2"
    assert ok(engine, "name") == "gogo"
    assert ok(engine, "version") == __import__("gogo").__version__
    assert ok(engine, "known_command play") == "true"
    assert ok(engine, "known_command foo") == "false"
    assert fail(engine, "known_command") == "syntax error"


def test_list_commands_and_known_command_agree(engine):
    listed = ok(engine, "list_commands").split("\n")
    assert len(listed) == len(set(listed))
    assert set(STANDARD_COMMANDS + EXTENSIONS) <= set(listed)
    for name in listed:
        assert ok(engine, f"known_command {name}") == "true"
        assert engine.handle(name).startswith(("= ", "? ")) or name == "quit"
    for name in ["foo", "list-commands", "gg_genmove"]:
        assert ok(engine, f"known_command {name}") == "false"


def test_boardsize_and_clear_board(engine):
    ok(engine, "play b e5")
    ok(engine, "boardsize 13")
    assert engine.board.size == 13 and engine.board.is_empty()
    assert fail(engine, "boardsize 1") == "unacceptable size"
    assert fail(engine, "boardsize 25") == "unacceptable size"
    assert fail(engine, "boardsize x") == "syntax error"
    assert fail(engine, "boardsize 9.0") == "syntax error"
    assert fail(engine, "boardsize") == "syntax error"
    assert engine.board.size == 13
    ok(engine, "play b n13")
    ok(engine, "clear_board")
    assert engine.board.is_empty() and engine.board.size == 13 and not engine.board.moves


def test_komi(engine):
    ok(engine, "komi 6.5")
    assert engine.board.komi == 6.5
    ok(engine, "komi -3")
    ok(engine, "clear_board")
    assert engine.board.komi == -3
    for bad in ["komi x", "komi nan", "komi inf", "komi"]:
        assert fail(engine, bad) == "syntax error"
    assert engine.board.komi == -3


def test_play_colors_and_vertices(engine):
    for color, vertex in [("b", "a1"), ("W", "B2"), ("black", "j9"), ("WHITE", "H8"), ("Black", "e5")]:
        ok(engine, f"play {color} {vertex}")
    assert ok(engine, "list_stones black") == "J9 E5 A1"
    assert ok(engine, "list_stones w") == "H8 B2"
    ok(engine, "play b pass")
    ok(engine, "play w PASS")
    assert engine.board.moves[-1] == (WHITE, PASS)
    for bad in ["play x d4", "play b i5", "play b k5", "play b a10", "play b d0", "play b", "play d4",
                "play b 4d", "play b d4 d5"]:
        assert fail(engine, bad) == "syntax error", bad


KO = """
        . X . . . . . . .
        X . . . . . . . .
        . . . . . . . . .
        . . X O . . . . .
        . X O . O . . . .
        . . X O . . . . .
        . . . . . . . . .
        . . . . . . . . .
        . . . . . . . . ."""


def test_illegal_moves_leave_the_board_unchanged(engine):
    setup_diagram(engine, KO)
    before = str(engine.board), list(engine.board.moves)
    assert fail(engine, "play w a9") == "illegal move"   # suicide
    assert fail(engine, "play b b9") == "illegal move"   # occupied
    assert fail(engine, "play w c5") == "illegal move"   # occupied
    assert (str(engine.board), list(engine.board.moves)) == before
    ok(engine, "play b d5")                              # takes the ko
    assert ok(engine, "captures black") == "1"
    assert fail(engine, "play w c5") == "illegal move"   # retaking at once: ko
    ok(engine, "play w pass")
    ok(engine, "play b pass")
    # after two passes simple ko allows it, but the position would repeat: positional superko
    assert fail(engine, "play w c5") == "illegal move"
    assert engine.board.status(engine.board.parse_vertex("c5"), WHITE) == rules.SUPERKO
    assert ok(engine, "captures white") == "0"


def test_no_superko_option():
    engine = GtpEngine(size=9, superko=False, seed=1)
    setup_diagram(engine, KO)
    ok(engine, "play b d5")
    ok(engine, "play w pass")
    ok(engine, "play b pass")
    ok(engine, "play w c5")
    assert ok(engine, "captures white") == "1"


def test_undo(engine):
    assert fail(engine, "undo") == "cannot undo"
    ok(engine, "play b d4")
    ok(engine, "play w e5")
    ok(engine, "undo")
    assert ok(engine, "list_stones white") == ""
    assert engine.board.to_move == WHITE
    ok(engine, "undo")
    assert engine.board.is_empty()
    assert fail(engine, "undo") == "cannot undo"
    # captures are restored by undo
    ok(engine, "play b a2")
    ok(engine, "play w a1")
    ok(engine, "play b b1")
    assert ok(engine, "captures black") == "1"
    assert ok(engine, "list_stones white") == ""
    ok(engine, "undo")
    assert ok(engine, "captures black") == "0"
    assert ok(engine, "list_stones white") == "A1"


def test_genmove_plays_a_random_sensible_move(engine):
    moves = set()
    for color in ["b", "w", "B", "white", "black"]:
        vertex = ok(engine, f"genmove {color}")
        assert VERTEX.match(vertex), vertex
        moves.add(vertex)
    assert len(moves) == 5 and len(engine.board.moves) == 5
    assert fail(engine, "genmove x") == "syntax error"
    assert fail(engine, "genmove") == "syntax error"
    # the same seed, the same game
    other = GtpEngine(size=9, seed=1)
    played = [engine.board.vertex(p) for _, p in engine.board.moves]
    assert [ok(other, f"genmove {c}") for c in "bwbwb"] == played


def test_genmove_passes_when_nothing_sensible_is_left():
    engine = GtpEngine(size=3, seed=3)
    setup_diagram(engine, """
        . X .
        X X X
        . X .""")
    assert ok(engine, "genmove b") == "pass"      # every empty point is a black eye
    assert ok(engine, "genmove w") == "pass"      # every empty point is suicide for white


def test_random_game_to_the_end_is_consistent():
    engine = GtpEngine(size=9, seed=5, score_playouts=200)
    passes, moves = 0, 0
    while passes < 2:
        vertex = ok(engine, f"genmove {'bw'[moves % 2]}")
        passes = passes + 1 if vertex == "pass" else 0
        moves += 1
        assert moves < 400
    board = engine.board
    assert not any(board.is_sensible(p, c) for p in board.points() for c in (BLACK, WHITE))
    score = ok(engine, "final_score")
    assert re.match(r"^(0|[BW]\+\d+(\.\d+)?)$", score)


class ResigningPlayer(Player):
    def __init__(self):
        self.events = []

    def genmove(self, board, color):
        return RESIGN

    def new_game(self, board):
        self.events.append(("new_game", board.size))

    def played(self, board, color, point):
        self.events.append(("played", color, board.vertex(point)))

    def undone(self, board):
        self.events.append(("undone",))

    def set_time_settings(self, settings):
        self.events.append(("time_settings", settings.main_time, settings.byo_yomi_time,
                            settings.byo_yomi_stones))

    def set_time_left(self, color, seconds, stones):
        self.events.append(("time_left", color, seconds, stones))


def test_player_hooks_and_resign():
    player = ResigningPlayer()
    engine = GtpEngine(player, size=9)
    ok(engine, "boardsize 13")
    ok(engine, "play b d4")
    ok(engine, "undo")
    assert ok(engine, "genmove w") == "resign"
    assert engine.board.is_empty() and not engine.board.moves
    ok(engine, "time_settings 300 30 5")
    ok(engine, "time_left white 250 0")
    ok(engine, "time_left b 20.5 3")
    assert engine.time_settings.main_time == 300 and engine.time_left[BLACK] == (20.5, 3)
    assert player.events == [("new_game", 9), ("new_game", 13), ("played", BLACK, "D4"), ("undone",),
                             ("time_settings", 300, 30, 5), ("time_left", WHITE, 250, 0),
                             ("time_left", BLACK, 20.5, 3)]
    for bad in ["time_settings 1 2", "time_settings a 2 3", "time_settings 1 2 -1", "time_left b 10",
                "time_left x 10 1", "time_left b ten 1"]:
        assert fail(engine, bad) == "syntax error", bad


def test_a_player_returning_an_illegal_move_gets_an_error():
    class Bad(Player):
        def genmove(self, board, color):
            return board.parse_vertex("E5")

    engine = GtpEngine(Bad(), size=9)
    ok(engine, "play b e5")
    assert "illegal" in fail(engine, "genmove w")
    assert len(engine.board.moves) == 1


def test_random_player_is_seeded_and_sensible():
    board = Board(9)
    a, b = RandomPlayer(7), RandomPlayer(7)
    for _ in range(30):
        move = a.genmove(board, board.to_move)
        assert move == b.genmove(board, board.to_move)
        assert board.is_sensible(move)
        board.play(move)


def test_exceptions_in_handlers_are_answered_and_the_engine_lives(engine):
    engine.commands["showboard"] = lambda: 1 / 0
    assert fail(engine, "showboard").startswith("ZeroDivisionError")
    assert ok(engine, "name") == "gogo"
    for junk in ["play b " + "x" * 10000, "boardsize 99999999999999999999", "komi 1e400",
                 "fixed_handicap -1", "loadsgf", "final_status_list", "play \u00e9 \u00e9",
                 "set_free_handicap a1 a1", "time_left b 1e999 1", "\u00b2 name", "boardsize \u0661\u0669",
                 "boardsize 1_9", "komi 1_0", "fixed_handicap 99999999999999999999999999", "play b \u00b2"]:
        assert engine.handle(junk).startswith("? "), junk
    assert ok(engine, "protocol_version") == "2"


def test_quit(engine):
    assert engine.handle("9 quit") == "=9 \n\n"
    assert engine.quit


def test_serve_loop_stops_at_quit():
    from gogo.gtp.server import serve

    engine = GtpEngine(size=9, seed=1)
    out = io.BytesIO()
    serve(engine, io.BytesIO(b"1 name\n\n# nothing\n2 quit\n3 name\n"), out)
    assert out.getvalue() == b"=1 gogo\n\n=2 \n\n"


# --- handicap ---------------------------------------------------------------------------------

def test_fixed_handicap(engine):
    vertices = ok(engine, "fixed_handicap 9").split()
    assert set(vertices) == {"C3", "C5", "C7", "E3", "E5", "E7", "G3", "G5", "G7"}
    assert engine.board.to_move == WHITE
    assert fail(engine, "undo") == "cannot undo"      # handicap stones are not moves
    assert fail(engine, "fixed_handicap 2") == "board not empty"
    ok(engine, "clear_board")
    for bad in ["fixed_handicap 1", "fixed_handicap 10", "fixed_handicap 0"]:
        assert fail(engine, bad) == "invalid number of stones"
    assert fail(engine, "fixed_handicap two") == "syntax error"
    ok(engine, "boardsize 19")
    assert ok(engine, "fixed_handicap 4").split() == ["D4", "Q16", "D16", "Q4"]
    ok(engine, "boardsize 6")
    assert fail(engine, "fixed_handicap 2") == "invalid number of stones"


@pytest.mark.parametrize("size", range(7, 20))
def test_fixed_handicap_matches_the_spec_placements(size):
    engine = GtpEngine(size=size)
    for n in range(2, max_fixed_handicap(size) + 1):
        ok(engine, "clear_board")
        got = ok(engine, f"fixed_handicap {n}").split()
        expected = ["ABCDEFGHJKLMNOPQRST"[c] + str(r + 1) for r, c in handicap_points(n, size)]
        assert got == expected
        assert sorted(ok(engine, "list_stones black").split()) == sorted(expected)


def test_place_free_handicap(engine):
    vertices = ok(engine, "place_free_handicap 4").split()
    assert set(vertices) == {"C3", "G7", "C7", "G3"}
    assert engine.board.to_move == WHITE
    assert fail(engine, "place_free_handicap 2") == "board not empty"
    for n in [2, 9, 12, 40, 80]:
        ok(engine, "clear_board")
        vertices = ok(engine, f"place_free_handicap {n}").split()
        assert len(vertices) == len(set(vertices)) == n
        assert sorted(ok(engine, "list_stones black").split()) == sorted(vertices)
    ok(engine, "clear_board")
    for bad in ["place_free_handicap 1", "place_free_handicap 81", "place_free_handicap 0"]:
        assert fail(engine, bad) == "invalid number of stones"
    assert fail(engine, "place_free_handicap") == "syntax error"


def test_set_free_handicap(engine):
    ok(engine, "set_free_handicap a1 j9 e5")
    assert ok(engine, "list_stones black") == "J9 E5 A1"
    assert engine.board.to_move == WHITE
    assert fail(engine, "undo") == "cannot undo"
    assert fail(engine, "set_free_handicap c3 d4") == "board not empty"
    ok(engine, "clear_board")
    for bad in ["set_free_handicap a1", "set_free_handicap a1 a1", "set_free_handicap a1 pass",
                "set_free_handicap a1 z1", "set_free_handicap a1 i1", "set_free_handicap"]:
        assert fail(engine, bad) == "bad vertex list", bad
    assert engine.board.is_empty()


def test_handicap_after_passes_only(engine):
    ok(engine, "play b pass")
    ok(engine, "fixed_handicap 2")
    assert fail(engine, "undo") == "cannot undo"
    assert len(engine.board.stones(BLACK)) == 2


# --- scoring ------------------------------------------------------------------------------------

# The final position of a GNU Go self-play game (tools/dead_stones_vs_gnugo.py, seed 2); GNU Go's
# final_status_list dead says A7 D4 E8.
FINISHED = """
    O X X . . . . . .
    O O X X O X X . .
    X O O X . X . . .
    . . . O X . . . .
    . . O O X . . . .
    . O . X O X . . .
    . . O . O X . . .
    . . O . O X . . .
    O . . O X X . . ."""


def test_final_score_removes_dead_stones(engine):
    setup_diagram(engine, FINISHED)
    ok(engine, "komi 7.5")
    assert ok(engine, "final_status_list dead") == "E8\nA7\nD4"
    alive = ok(engine, "final_status_list alive").split("\n")
    assert "B9 C9 C8 D8 D7" in alive and "A9 A8 B8 B7 C7" in alive and len(alive) == 11
    assert not {"A7", "D4", "E8"} & set(" ".join(alive).split())
    assert ok(engine, "final_status_list seki") == ""
    assert ok(engine, "final_status_list DEAD") == "E8\nA7\nD4"
    assert fail(engine, "final_status_list black_territory") == "syntax error"
    # dead removed: black 15 stones + 33 points, white 16 stones + 17 points: B+15 before komi
    assert ok(engine, "final_score") == "B+7.5"
    ok(engine, "komi 15")
    assert ok(engine, "final_score") == "0"
    ok(engine, "komi 20")
    assert ok(engine, "final_score") == "W+5"
    assert engine.board.score() == -20  # Tromp-Taylor as is: every region is neutral, 17 stones each


def test_final_score_simple_positions(engine):
    assert ok(engine, "final_score") == "W+7.5"
    assert ok(engine, "final_status_list dead") == ""
    assert ok(engine, "final_status_list alive") == ""
    ok(engine, "play b e5")
    assert ok(engine, "final_score") == "B+73.5"


# --- kgs-genmove_cleanup ------------------------------------------------------------------------

# Black's area on the left, White's on the right; the white stone C7 is dead in Black's area.
DEAD_STONE_IN_BLACKS_AREA = """
    . . . . X O . . .
    . . . . X O . . .
    . . O . X O . . .
    . . . . X O . . .
    . . . . X O . . .
    . . . . X O . . .
    . . . . X O . . .
    . . . . X O . . .
    . . . . X O . . ."""
C7_LIBERTIES = {"C8", "B7", "D7", "C6"}


class PassingPlayer(Player):
    """Thinks the game is over: always passes."""

    def genmove(self, board, color):
        return PASS


def engine_on(diagram, player):
    engine = GtpEngine(player, size=9, seed=1, score_playouts=300)
    engine.board = Board.from_diagram(diagram, komi=engine.komi)
    engine.player.new_game(engine.board)
    return engine


def cleanup_until_pass(engine, limit=10):
    """Black's kgs-genmove_cleanup moves, White passing in between, until Black passes."""
    moves = []
    while len(moves) < limit:
        move = ok(engine, "kgs-genmove_cleanup b")
        if move == "pass":
            return moves
        moves.append(move)
        ok(engine, "play w pass")
    return moves


def test_genmove_cleanup_captures_dead_stones_before_passing():
    engine = engine_on(DEAD_STONE_IN_BLACKS_AREA, PassingPlayer())
    assert ok(engine, "final_status_list dead") == "C7"
    assert ok(engine, "genmove b") == "pass"  # plain genmove leaves the dead stone on the board
    ok(engine, "undo")
    moves = cleanup_until_pass(engine)
    assert sorted(moves) == sorted(C7_LIBERTIES)  # one liberty after another, then a pass
    assert ok(engine, "captures b") == "1" and "C7" not in ok(engine, "list_stones white")
    assert ok(engine, "final_status_list dead") == ""
    assert ok(engine, "kgs-genmove_cleanup b") == "pass"
    assert fail(engine, "kgs-genmove_cleanup") == "syntax error"


def test_genmove_cleanup_with_a_player_that_does_not_pass():
    engine = engine_on(DEAD_STONE_IN_BLACKS_AREA, RandomPlayer(3))
    moves = cleanup_until_pass(engine, limit=4)
    assert set(moves) == C7_LIBERTIES and ok(engine, "captures b") == "1"


@pytest.mark.parametrize("kind", ["policy", "search"])
def test_genmove_cleanup_with_net_players(kind, tmp_path):
    torch = pytest.importorskip("torch")
    from gogo import nets
    from gogo.players.search import SearchPlayer
    from gogo.players.policy import PolicyPlayer

    torch.manual_seed(0)
    weights = tmp_path / "policy.safetensors"
    nets.save(nets.build(nets.NetConfig.named("tiny", board_size=9)), weights)
    player = (PolicyPlayer(weights, device="cpu", seed=1) if kind == "policy"
              else SearchPlayer(weights, visits=16, device="cpu", seed=1))
    engine = engine_on(DEAD_STONE_IN_BLACKS_AREA, player)
    moves = cleanup_until_pass(engine, limit=4)
    assert set(moves) == C7_LIBERTIES and ok(engine, "captures b") == "1"


# --- inspection, SGF ----------------------------------------------------------------------------

def test_showboard_list_stones_captures(engine):
    ok(engine, "play b a2")
    ok(engine, "play w a1")
    ok(engine, "play b b1")
    board = ok(engine, "showboard")
    lines = board.split("\n")
    assert lines[0] == "" and all(line.strip() for line in lines[1:])
    assert "A B C D E F G H J" in lines[1] and lines[2].startswith(" 9") and "X X" not in lines[-3]
    assert ok(engine, "captures black") == "1"
    assert ok(engine, "captures white") == "0"
    assert ok(engine, "list_stones black") == "A2 B1"
    assert ok(engine, "list_stones white") == ""
    assert fail(engine, "captures") == "syntax error"
    assert fail(engine, "list_stones red") == "syntax error"


SGF = b"""(;FF[4]GM[1]SZ[9]KM[6.5]PB[a]PW[b]
;B[ee];W[de];B[dd];W[ia];B[df];W[ib];B[ce];W[ic];B[ai])"""


def test_loadsgf_and_printsgf_round_trip(engine, tmp_path):
    path = tmp_path / "game.sgf"
    path.write_bytes(SGF)
    ok(engine, "boardsize 19")
    ok(engine, "komi 0")
    assert ok(engine, f"loadsgf {path}") == ""
    assert engine.board.size == 9 and engine.board.komi == 6.5 and len(engine.board.moves) == 9
    assert ok(engine, "captures black") == "1"            # B[ce] took the white stone on D5
    stones = ok(engine, "list_stones black"), ok(engine, "list_stones white")
    ok(engine, "undo")                                    # moves from the file can be taken back
    assert len(engine.board.moves) == 8
    ok(engine, f"loadsgf {path} 3")                       # the position before move 3
    assert [engine.board.vertex(p) for _, p in engine.board.moves] == ["E5", "D5"]
    ok(engine, f"loadsgf {path} 10")
    assert len(engine.board.moves) == 9
    for bad in [f"loadsgf {path} 11", f"loadsgf {tmp_path / 'missing.sgf'}", f"loadsgf {tmp_path}"]:
        assert fail(engine, bad) == "cannot load file"
    assert fail(engine, f"loadsgf {path} 0") == "syntax error"
    assert fail(engine, "loadsgf") == "syntax error"
    (tmp_path / "junk.sgf").write_bytes(b"this is not sgf")
    assert fail(engine, f"loadsgf {tmp_path / 'junk.sgf'}") == "cannot load file"
    (tmp_path / "illegal.sgf").write_bytes(b"(;SZ[9];B[ee];W[ee])")
    assert fail(engine, f"loadsgf {tmp_path / 'illegal.sgf'}") == "cannot load file"
    assert engine.board.size == 9 and len(engine.board.moves) == 9   # failures change nothing

    text = ok(engine, "printsgf")
    assert text.startswith("(;") and text.endswith(")") and "KM[6.5]" in text
    assert "\n\n" not in text
    out = tmp_path / "out.sgf"
    assert ok(engine, f"printsgf {out}") == ""
    assert out.read_bytes().decode().strip() == text
    other = GtpEngine(size=19, seed=2)
    ok(other, f"loadsgf {out}")
    assert (ok(other, "list_stones black"), ok(other, "list_stones white")) == stones
    assert other.board.moves == engine.board.moves and other.board.komi == 6.5
    assert fail(engine, f"printsgf {tmp_path / 'no' / 'such' / 'dir.sgf'}").startswith("cannot write file")
    precious = tmp_path / "README.md"
    precious.write_text("keep me")
    assert fail(engine, f"printsgf {precious}") == f"cannot write file: {precious} exists; printsgf writes only new files"
    assert precious.read_text() == "keep me" and ok(engine, "name") == "gogo"


def test_printsgf_keeps_handicap_and_player_to_move(engine, tmp_path):
    ok(engine, "fixed_handicap 3")
    out = tmp_path / "h.sgf"
    ok(engine, f"printsgf {out}")
    other = GtpEngine(size=19)
    ok(other, f"loadsgf {out}")
    assert sorted(ok(other, "list_stones black").split()) == ["C3", "C7", "G7"]
    assert other.board.to_move == WHITE
    assert VERTEX.match(ok(other, "genmove w"))


def test_every_command_is_exercised(engine, tmp_path):
    """One session that uses every listed command; each answers in the right format."""
    path = tmp_path / "g.sgf"
    path.write_bytes(SGF)
    script = ["protocol_version", "name", "version", "known_command genmove", "list_commands",
              "boardsize 9", "clear_board", "komi 5.5", "fixed_handicap 2", "clear_board",
              "place_free_handicap 3", "clear_board", "set_free_handicap c3 g7", "play b e5",
              "genmove w", "undo", "time_settings 60 10 5", "time_left b 59 0", "final_score",
              "final_status_list alive", f"loadsgf {path}", "showboard", "list_stones black",
              "captures white", "printsgf", "quit"]
    used = {line.split()[0] for line in script}
    listed = set(ok(engine, "list_commands").split("\n"))
    assert used | ANALYSIS_COMMANDS == listed  # analysis needs nets: test_analysis.py
    for line in script:
        ok(engine, line)
    assert engine.quit


# --- a real subprocess: what Sabaki sends --------------------------------------------------------

def test_sabaki_session_through_the_gogo_command():
    commands = ["name", "version", "protocol_version", "list_commands", "boardsize 19", "clear_board",
                "komi 6.5", "play B Q16", "play W D4", "play B Q3", "genmove W", "showboard", "play B pass",
                "genmove W", "quit"]
    proc = subprocess.run(GOGO + ["gtp", "--random", "--seed", "3"],  # the protocol, not the net
                          input="".join(c + "\n" for c in commands).encode(), capture_output=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert out.endswith("\n\n")
    replies = out[:-2].split("\n\n")
    assert len(replies) == len(commands), out
    assert all(r.startswith("= ") for r in replies), out
    by_command = dict(zip(commands, (r[2:] for r in replies)))
    assert by_command["name"] == "gogo"
    assert by_command["version"] == __import__("gogo").__version__
    assert by_command["protocol_version"] == "2"
    listed = by_command["list_commands"].split("\n")
    assert set(STANDARD_COMMANDS) <= set(listed)
    for c in ["boardsize 19", "clear_board", "komi 6.5", "play B Q16", "play W D4", "play B Q3",
              "play B pass", "quit"]:
        assert by_command[c] == "", c
    first, second = replies[10][2:], replies[13][2:]
    for move in (first, second):
        assert VERTEX.match(move) and move not in {"Q16", "D4", "Q3"}, move
    assert first != second
    board = by_command["showboard"].split("\n")
    assert board[0] == "" and board[2].startswith("19") and board[20].startswith(" 1")
    cells = [c for line in board[2:21] for c in line.split()[1:-1]]
    assert len(cells) == 361 and cells.count("X") == 2 and cells.count("O") == 2


def test_gogo_gtp_survives_garbage_and_eof():
    garbage = b"\xff\xfe play b d4\n\x00\x01\n1 play b zz\n2 boardsize 9\r\n3 play b e5\n4 list_stones b\n"
    proc = subprocess.run(GOGO + ["gtp", "--seed", "1", "--size", "9"],
                          input=garbage, capture_output=True, timeout=120)
    assert proc.returncode == 0
    assert proc.stdout.decode() == ("? unknown command\n\n?1 syntax error\n\n=2 \n\n=3 \n\n=4 E5\n\n")


def test_gogo_gtp_searches_unless_asked_for_the_policy_net_alone():
    import argparse

    from cli import gtp
    from gogo.players.search import SearchPlayer
    from gogo.players.base import RandomPlayer
    from gogo.players.policy import PolicyPlayer

    parser = argparse.ArgumentParser()
    gtp.add_arguments(parser)
    players = {tuple(options): type(gtp.make_player(parser.parse_args(options)))
               for options in ([], ["--policy-only"], ["--sample"], ["--random"])}
    assert players == {(): SearchPlayer, ("--policy-only",): PolicyPlayer, ("--sample",): PolicyPlayer,
                       ("--random",): RandomPlayer}
    tuned = gtp.make_player(parser.parse_args(["--c-puct", "1.5", "--fpu-reduction", "0.1", "--size", "9"]))
    assert tuned.use(9) and (tuned.search.c_puct, tuned.search.fpu_reduction) == (1.5, 0.1)
    sharp = gtp.make_player(parser.parse_args(["--prior-temperature", "1", "--size", "9"]))
    assert sharp.use(9) and sharp.evaluator.prior_temperature == 1
    grids, metas = map(np.stack, zip(*[Board(9).position]))
    top = [player.evaluator(grids, metas, 7.5)[0].max() for player in (sharp, tuned)]
    assert top[0] > top[1]  # the default temperature, AlphaGo's, flattens the net's priors

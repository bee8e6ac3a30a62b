"""The 48 AlphaGo planes on diagram positions, against the board, and under symmetry."""
from pathlib import Path

import numpy as np
import pytest

from gogo import features as F
from gogo.go.board import BLACK, PASS, WHITE, Board, IllegalMove
from gogo.features import Encoder, move_symmetry_table, transform_planes
from gogo.records.sgf import read_game, replay

DATA = Path(__file__).parent / "data"


def board(diagram, to_move=BLACK):
    return Board.from_diagram(diagram, to_move=to_move, superko=False)


def encode(b, value_net=False):
    return Encoder(b.size, value_net=value_net).encode(b)


def value_at(planes, first, b, vertex):
    """The integer a one-hot group encodes at a vertex (0 when no plane is set)."""
    row, col = b.rowcol(b.parse_vertex(vertex))
    hot = planes[first:first + F.ONE_HOT, row, col]
    assert hot.sum() <= 1
    return int(hot.argmax()) + 1 if hot.any() else 0


def flag_at(planes, plane, b, vertex):
    row, col = b.rowcol(b.parse_vertex(vertex))
    return int(planes[plane, row, col])


def test_plane_names_and_constant_planes():
    assert len(F.plane_names()) == 48 and len(F.plane_names(value_net=True)) == 49
    assert F.plane_names()[F.LIBERTIES] == "liberties_1"
    assert F.plane_names()[F.LIBERTIES + 7] == "liberties_>=8"
    b = board("""
        . X .
        . O .
        . . .""", to_move=WHITE)
    f = encode(b, value_net=True)
    assert f.shape == (49, 3, 3) and f.dtype == np.uint8
    assert f[F.ONES].all() and not f[F.ZEROS].any()
    assert not f[F.PLAYER_COLOR].any()  # White to move
    assert flag_at(f, F.OWN, b, "B2") == 1 and flag_at(f, F.OPPONENT, b, "B3") == 1
    assert flag_at(f, F.EMPTY_POINTS, b, "A1") == 1 and f[F.EMPTY_POINTS].sum() == 7
    b.to_move = BLACK
    f = encode(b, value_net=True)
    assert f[F.PLAYER_COLOR].all() and flag_at(f, F.OWN, b, "B3") == 1


def test_liberties_one_to_nine_and_more():
    b = board("""
        X . . . . . . . .
        O . . . . . . . .
        . . . . X . . . .
        . . . . . . . . .
        . X X X X X X . .
        . . . . . . . . .
        . . . . . . . . .
        O O O . . . . . .
        X . . . . . . . .""")
    f = encode(b)
    assert value_at(f, F.LIBERTIES, b, "A9") == 1
    assert value_at(f, F.LIBERTIES, b, "A8") == 2
    assert value_at(f, F.LIBERTIES, b, "E7") == 4
    assert value_at(f, F.LIBERTIES, b, "A1") == 1
    assert value_at(f, F.LIBERTIES, b, "B2") == 6  # A2 B2 C2: A3 B3 C3 D2 B1 C1
    assert value_at(f, F.LIBERTIES, b, "D5") == 8  # 14 liberties: the ">= 8" plane
    assert b.liberties(b.parse_vertex("D5")) == 14
    assert value_at(f, F.LIBERTIES, b, "E6") == 0  # empty point
    for stones in range(1, 10):  # a chain along the bottom edge: one liberty above each stone, one at the end
        b = Board(12, superko=False)
        b.setup(black=[b.point(0, c) for c in range(stones)])
        assert value_at(encode(b), F.LIBERTIES, b, "A1") == min(stones + 1, 8)


def test_turns_since_across_passes_and_captures():
    b = Board(5, superko=False)
    b.setup(black=[b.parse_vertex("E5")])  # setup stones count as old
    for v in ["A1", "E1", "pass", "A3", "C1"]:
        b.play(b.parse_vertex(v))
    f = encode(b)
    assert value_at(f, F.TURNS_SINCE, b, "C1") == 1
    assert value_at(f, F.TURNS_SINCE, b, "A3") == 2
    assert value_at(f, F.TURNS_SINCE, b, "E1") == 4  # the pass counts as a turn
    assert value_at(f, F.TURNS_SINCE, b, "A1") == 5
    assert value_at(f, F.TURNS_SINCE, b, "E5") == 8
    assert value_at(f, F.TURNS_SINCE, b, "B2") == 0  # empty
    # a stone played where one was captured is new
    b = board("""
        . X O . .
        X O . O .
        . X O . .
        . . . . .
        . . . . .""")
    for v in ["C4", "E1", "E2", "B4"]:  # Black takes the ko, threat, answer, White retakes
        b.play(b.parse_vertex(v))
    f = encode(b)
    assert value_at(f, F.TURNS_SINCE, b, "B4") == 1
    assert value_at(f, F.TURNS_SINCE, b, "C4") == 0  # captured
    for _ in range(7):
        b.play(PASS)
    assert value_at(encode(b), F.TURNS_SINCE, b, "B4") == 8


def test_capture_size_of_a_move_capturing_two_chains():
    b = board("""
        . X X . X X X
        X O O . O O O
        . X X . X X X
        . . . . . . .
        . . . . . . .
        . . . . . . .
        O O O O O O O""")
    f = encode(b)
    assert value_at(f, F.CAPTURE_SIZE, b, "D6") == 5
    assert value_at(f, F.CAPTURE_SIZE, b, "D5") == 0
    assert value_at(f, F.CAPTURE_SIZE, b, "A7") == 0  # legal but captures nothing


def test_capture_size_eight_or_more():
    b = board("""
        . . . . . . . . .
        X X X X X X X X X
        O O O O O O O O O
        X X X X X X X X .
        . . . . . . . . .
        . . . . . . . . .
        . . . . . . . . .
        . . . . . . . . .
        . . . . . . . . .""")
    f = encode(b)
    assert value_at(f, F.CAPTURE_SIZE, b, "J6") == 8  # nine stones: the ">= 8" plane
    assert value_at(f, F.LIBERTIES_AFTER, b, "J6") == 8


SELF_ATARI = """
    . . . . . . .
    . . . . . . .
    O O O O O . .
    X X X X X O .
    . O O O O . .
    . . . . . . .
    . . . . . . ."""


def test_self_atari_size_of_a_large_chain():
    b = board(SELF_ATARI)
    f = encode(b)
    # A3 joins the five stones and leaves them one liberty (A2): a six-stone self-atari
    assert value_at(f, F.SELF_ATARI_SIZE, b, "A3") == 6
    assert value_at(f, F.LIBERTIES_AFTER, b, "A3") == 1
    assert flag_at(f, F.SENSIBLE, b, "A3") == 1
    assert value_at(f, F.SELF_ATARI_SIZE, b, "F2") == 0
    assert value_at(f, F.LIBERTIES_AFTER, b, "F2") == 4
    # with White on A2, A3 is suicide: no move plane at all
    b = board("""
        . . . . . . .
        . . . . . . .
        O O O O O . .
        X X X X X O .
        . O O O O . .
        O . . . . . .
        . . . . . . .""")
    f = encode(b)
    row, col = b.rowcol(b.parse_vertex("A3"))
    assert not f[F.CAPTURE_SIZE:F.ZEROS, row, col].any()


def test_liberties_after_a_capturing_move():
    b = board("""
        . . . . .
        . X O . .
        X O . O .
        . X O . .
        . . . . .""")
    f = encode(b)
    # C3 takes B3 and its only liberty is the point it freed: a ko-shaped capture
    assert value_at(f, F.CAPTURE_SIZE, b, "C3") == 1
    assert value_at(f, F.LIBERTIES_AFTER, b, "C3") == 1
    assert value_at(f, F.SELF_ATARI_SIZE, b, "C3") == 1
    assert value_at(f, F.LIBERTIES_AFTER, b, "E5") == 2
    assert value_at(f, F.LIBERTIES_AFTER, b, "C4") == 0  # occupied


def test_move_planes_are_zero_on_illegal_points():
    b = board("""
        . X O . .
        X O . O .
        . X O . .
        . . . . .
        . . . . .""")
    b.play(b.parse_vertex("C4"))  # Black takes the ko; White may not retake at B4
    f = encode(b)
    row, col = b.rowcol(b.parse_vertex("B4"))
    assert not f[F.CAPTURE_SIZE:F.ZEROS, row, col].any()
    assert f[F.EMPTY_POINTS, row, col] == 1
    row, col = b.rowcol(b.parse_vertex("A5"))  # suicide for White
    assert not f[F.CAPTURE_SIZE:F.ZEROS, row, col].any()


def test_sensibleness_eyes_and_false_eyes():
    b = board("""
        . X . X .
        X X X X X
        . . . . .
        O O O O O
        . O . O .""")
    f = encode(b)
    for eye in ["A5", "C5", "E5"]:  # Black's own eyes on the edge and in the corners
        assert flag_at(f, F.SENSIBLE, b, eye) == 0
    for illegal in ["A1", "C1", "E1"]:  # White's eyes are suicide for Black
        assert flag_at(f, F.SENSIBLE, b, illegal) == 0
    assert f[F.SENSIBLE].sum() == 5  # the empty third row
    b = board("""
        . . . . .
        . O X O .
        . X . X .
        . O X O .
        . . . . .""")
    assert flag_at(encode(b), F.SENSIBLE, b, "C3") == 1  # four enemy diagonals: a false eye
    b = board("""
        . . . . .
        . X . X .
        X . X . .
        . X . . .
        . . . . .""")
    assert flag_at(encode(b), F.SENSIBLE, b, "B3") == 0  # a true eye: no enemy diagonal
    b = board("""
        . . . . .
        . . . . .
        . . . . .
        X O . . .
        . X . . .""")
    assert flag_at(encode(b), F.SENSIBLE, b, "A1") == 1  # edge point with an enemy diagonal


LADDER = """
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    . X O . . . . . .
    . . X X . . . . .
    . . . . . . . . ."""


def with_stone(diagram, vertex, stone):
    b = board(diagram)
    rows = [line.split() for line in b.diagram().splitlines()]
    row, col = b.rowcol(b.parse_vertex(vertex))
    rows[b.size - 1 - row][col] = stone
    return "\n".join(" ".join(r) for r in rows)


def test_working_ladder_and_the_wrong_atari():
    b = board(LADDER)
    f = encode(b)
    assert flag_at(f, F.LADDER_CAPTURE, b, "C4") == 1  # chases White up and right to the edge
    assert flag_at(f, F.LADDER_CAPTURE, b, "D3") == 0  # lets White run out with three liberties
    assert f[F.LADDER_CAPTURE].sum() == 1


def test_ladder_broken_by_a_breaker_stone():
    b = board(with_stone(LADDER, "G7", "O"))
    assert flag_at(encode(b), F.LADDER_CAPTURE, b, "C4") == 0
    b = board(with_stone(LADDER, "A9", "O"))  # far from the path: the ladder still works
    assert flag_at(encode(b), F.LADDER_CAPTURE, b, "C4") == 1


def test_ladder_escape_fails_and_works():
    ataried = with_stone(LADDER, "C4", "X")
    b = board(ataried, to_move=WHITE)
    assert flag_at(encode(b), F.LADDER_ESCAPE, b, "D3") == 0  # running into the ladder
    b = board(with_stone(ataried, "G7", "O"), to_move=WHITE)
    assert flag_at(encode(b), F.LADDER_ESCAPE, b, "D3") == 1  # the breaker saves it


def test_ladder_escape_by_capturing_a_stone():
    b = board("""
        . . . . . . . . .
        . . . . . . . . .
        . . . . . . . . .
        . . . . . . . . .
        . . O . . . . . .
        . O X . . . . . .
        . X O . . . . . .
        . . X X . . . . .
        . . . . . . . . .""", to_move=WHITE)
    # White C3 is in atari; so is the Black stone C4 that gives it: taking C4 is the escape
    assert b.liberties(b.parse_vertex("C3")) == 1 and b.liberties(b.parse_vertex("C4")) == 1
    f = encode(b)
    assert value_at(f, F.CAPTURE_SIZE, b, "D4") == 1
    assert flag_at(f, F.LADDER_ESCAPE, b, "D4") == 1


def naive_move_features(b, p):
    """(captured, liberties after, self-atari size) by playing the move on a copy."""
    trial = b.copy()
    try:
        captured = trial.play(p)
    except IllegalMove:
        return None
    libs = trial.liberties(p)
    return captured, libs, len(trial.chain(p)) if libs == 1 else 0


def real_positions(step=7, size=None):
    """Positions every `step` moves through the real games in tests/data."""
    for path in sorted(DATA.glob("*.sgf")):
        record = read_game(path)
        if size is None or record.size == size:
            for moves in range(1, len(record.moves) + 1, step):
                yield replay(record, moves=moves)


def test_move_planes_agree_with_the_board_on_real_games():
    checked = 0
    for b in real_positions():
        b.to_move = b.to_move  # the player to move is the encoder's "own"
        f = encode(b)
        for p in b.points():
            if b.color_at(p) != 0:
                continue
            row, col = b.rowcol(p)
            expected = naive_move_features(b, p)
            if expected is None:
                assert not f[F.CAPTURE_SIZE:F.ZEROS, row, col].any()
                continue
            captured, libs, self_atari = expected
            assert value_at(f, F.CAPTURE_SIZE, b, b.vertex(p)) == min(captured, 8)
            assert value_at(f, F.LIBERTIES_AFTER, b, b.vertex(p)) == min(libs, 8)
            assert value_at(f, F.SELF_ATARI_SIZE, b, b.vertex(p)) == min(self_atari, 8)
            checked += 1
    assert checked > 2000


def chain_liberties(b, p):
    return b.chain_liberties(b.chain(p))


def ladder_reference(b, prey, attacker_to_move, ply=0):
    """A plain recursive reading of the same ladder rules, on Board copies."""
    if ply >= F.LADDER_MAX_PLIES:
        return False
    libs = chain_liberties(b, prey)
    prey_color = b.color_at(prey)
    if attacker_to_move:
        for atari in libs:
            if not b.is_legal(atari, 3 - prey_color):
                continue
            after = b.copy()
            after.play(atari, 3 - prey_color)
            if len(chain_liberties(after, prey)) == 1 and ladder_reference(after, prey, False, ply + 1):
                return True
        return False
    defences = [libs[0]] + [chain_liberties(b, q)[0] for s in b.chain(prey) for q in b.neighbours(s)
                            if b.color_at(q) == 3 - prey_color and len(chain_liberties(b, q)) == 1]
    for move in defences:
        if not b.is_legal(move, prey_color):
            continue
        after = b.copy()
        after.play(move, prey_color)
        n = len(chain_liberties(after, prey))
        if n >= 3 or (n == 2 and not ladder_reference(after, prey, True, ply + 1)):
            return False
    return True


def test_ladder_planes_agree_with_a_plain_reader_on_real_games():
    captures = 0
    for b in real_positions(step=23):
        f = encode(b)
        me = b.to_move
        for p in b.points():
            if b.color_at(p) != 0 or not b.is_legal(p):
                continue
            around = [q for q in b.neighbours(p) if b.color_at(q) in (BLACK, WHITE)]
            expected = False
            for q in around:
                if b.color_at(q) == 3 - me and len(chain_liberties(b, q)) == 2:
                    after = b.copy()
                    after.play(p)
                    expected |= ladder_reference(after, q, False)
            captures += expected
            assert flag_at(f, F.LADDER_CAPTURE, b, b.vertex(p)) == expected, (b.diagram(), b.vertex(p))
    assert captures > 0


def game_moves(path):
    record = read_game(path)
    return record.size, record.setup_black, record.setup_white, record.moves


@pytest.mark.parametrize("symmetry", range(8))
def test_symmetry_of_encoding(symmetry):
    path = sorted(DATA.glob("*.sgf"))[0]
    size, setup_black, setup_white, moves = game_moves(path)
    table = move_symmetry_table(size)

    def moved(pt):
        index = table[symmetry, pt[0] * size + pt[1]]
        return divmod(int(index), size)

    plain, turned = Board(size, superko=False), Board(size, superko=False)
    plain.setup(black=[plain.point(*pt) for pt in setup_black], white=[plain.point(*pt) for pt in setup_white])
    turned.setup(black=[turned.point(*moved(pt)) for pt in setup_black],
                 white=[turned.point(*moved(pt)) for pt in setup_white])
    encoder = Encoder(size, value_net=True)
    for i, (color, move) in enumerate(moves[:120]):
        plain.play(PASS if move is None else plain.point(*move), color)
        turned.play(PASS if move is None else turned.point(*moved(move)), color)
        if i % 10 == 9:
            assert np.array_equal(transform_planes(encoder.encode(plain), symmetry), encoder.encode(turned))


def test_batch_encoding_matches_one_at_a_time():
    boards = list(real_positions(step=40, size=19))
    encoder = Encoder(boards[0].size)
    batch = encoder.encode_batch(boards)
    assert batch.shape == (len(boards), 48, 19, 19)
    for b, planes in zip(boards, batch):
        assert np.array_equal(planes, encoder.encode(b))


def test_move_symmetry_table_matches_plane_transform_and_keeps_pass():
    size = 5
    table = move_symmetry_table(size)
    for s in range(8):
        for index in range(size * size):
            plane = np.zeros((size, size), np.uint8)
            plane[divmod(index, size)] = 1
            assert transform_planes(plane, s).ravel().argmax() == table[s, index]
        assert table[s, size * size] == size * size
        back = F.inverse_symmetry(s)
        assert all(table[back, table[s, i]] == i for i in range(size * size + 1))

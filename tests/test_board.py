"""Rules of Go on diagram positions. Diagrams: top row first, X black, O white."""
import numpy as np
import pytest

from gogo.go import rules
from gogo.go.board import (BLACK, PASS, WHITE, Board, IllegalMove, handicap_points,
                        max_fixed_handicap)


def board(diagram, to_move=BLACK, **kwargs):
    return Board.from_diagram(diagram, to_move=to_move, **kwargs)


def same_diagram(b, diagram):
    expected = "\n".join(" ".join(line.split()) for line in diagram.strip().splitlines())
    assert b.diagram() == expected, "\n" + b.diagram()


def play(b, *vertices):
    for v in vertices:
        b.play(b.parse_vertex(v))


def test_single_stone_capture():
    b = board("""
        . . . . .
        . . X . .
        . X O . .
        . . X . .
        . . . . .""")
    assert b.play(b.parse_vertex("D3")) == 1
    same_diagram(b, """
        . . . . .
        . . X . .
        . X . X .
        . . X . .
        . . . . .""")
    assert b.prisoners(BLACK) == 1


def test_edge_and_corner_capture():
    b = board("""
        O X . . .
        . . . . .
        . . . . .
        . . . . .
        . . . X O""")
    play(b, "A4")
    b.play(b.parse_vertex("E2"), BLACK)
    assert b.prisoners(BLACK) == 2
    same_diagram(b, """
        . X . . .
        X . . . .
        . . . . .
        . . . . X
        . . . X .""")


def test_capture_of_two_chains_at_once():
    b = board("""
        . X X . X X .
        X O O . O O X
        . X X . X X .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .""")
    assert b.play(b.parse_vertex("D6")) == 4
    same_diagram(b, """
        . X X . X X .
        X . . X . . X
        . X X . X X .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .""")
    assert b.liberties(b.parse_vertex("D6")) == 4


def test_large_chain_capture_restores_liberties():
    b = board("""
        O O O O O
        O X X X X
        O X . O X
        O X X X X
        . O O O O""", to_move=WHITE)
    assert b.play(b.parse_vertex("C3")) == 10
    assert b.stones(BLACK) == []
    assert b.liberties(b.parse_vertex("C3")) == 6


def test_suicide_is_illegal_but_capturing_is_not():
    b = board("""
        . X . . .
        X . . . .
        . . . . .
        . . . O .
        . . O . O""", to_move=WHITE)
    with pytest.raises(IllegalMove) as err:
        play(b, "A5")
    assert err.value.reason == "suicide"
    b.to_move = BLACK
    with pytest.raises(IllegalMove) as err:
        play(b, "D1")
    assert err.value.reason == "suicide"
    # multi-stone suicide: filling the last liberty of one's own chain
    b = board("""
        . X O . .
        X X O . .
        O O O . .
        . . . . .
        . . . . .""")
    assert b.status(b.parse_vertex("A5")) == rules.SUICIDE


def test_occupied():
    b = board("""
        . . .
        . X .
        . . .""", to_move=WHITE)
    with pytest.raises(IllegalMove) as err:
        play(b, "B2")
    assert err.value.reason == "occupied"


def test_simple_ko():
    b = board("""
        . X O . .
        X O . O .
        . X O . .
        . . . . .
        . . . . .""")
    play(b, "C4")  # black captures B4
    assert b.ko_point == b.parse_vertex("B4")
    with pytest.raises(IllegalMove) as err:
        play(b, "B4")  # white may not retake at once
    assert err.value.reason == "ko"
    play(b, "E1", "E2")  # ko threat and answer
    play(b, "B4")  # now white retakes
    assert b.color_at(b.parse_vertex("C4")) == 0
    assert b.ko_point == b.parse_vertex("C4")


def test_capture_by_a_stone_with_other_liberties_is_not_ko():
    b = board("""
        . X O O .
        X O . . O
        . X O O .
        . . . . .
        . . . . .""")
    assert b.play(b.parse_vertex("C4")) == 1
    assert b.ko_point == PASS
    # B4 is now forbidden to White as suicide, not as ko
    assert b.status(b.parse_vertex("B4")) == rules.SUICIDE


def test_snapback():
    b = board("""
        . . . . .
        X X X . .
        O O X . .
        . O X . .
        . O X . .""")
    play(b, "A2")  # the throw-in: one stone in atari
    assert b.liberties(b.parse_vertex("A2")) == 1
    assert b.play(b.parse_vertex("A1")) == 1  # White takes it...
    assert b.ko_point == PASS  # ...with a five-stone chain: not a ko
    assert b.play(b.parse_vertex("A2")) == 5  # ...and Black takes back all five
    same_diagram(b, """
        . . . . .
        X X X . .
        . . X . .
        X . X . .
        . . X . .""")


KO_SHAPE = """
    . X O . .
    X O . O .
    . X O . .
    . . . . .
    . . . . ."""


def test_positional_superko_forbids_a_repeat_that_simple_ko_allows():
    # Black takes the ko, both pass (a pass clears the simple-ko point), and
    # White's retake would recreate the position before Black's capture.
    strict, lax = board(KO_SHAPE), board(KO_SHAPE, superko=False)
    for b in (strict, lax):
        play(b, "C4", "pass", "pass")
    with pytest.raises(IllegalMove) as err:
        play(strict, "B4")
    assert err.value.reason == "superko"
    play(lax, "B4")
    assert lax.hash == board(KO_SHAPE).hash


def test_superko_checks_the_position_not_the_player():
    b = board(KO_SHAPE)
    play(b, "C4")
    b.play(PASS, WHITE)
    # Black itself may not recreate an earlier position either
    b.play(b.parse_vertex("E1"), BLACK)
    assert b.status(b.parse_vertex("B4"), WHITE) == rules.LEGAL


def test_pass_and_game_end():
    b = Board(5)
    b.play(PASS)
    b.play(PASS)
    assert b.passes == 2
    assert b.to_move == BLACK
    b.undo()
    assert b.passes == 1 and b.to_move == WHITE


def test_undo_restores_everything():
    b = board("""
        . X O . .
        X O . O .
        . X O . .
        . . . . .
        . . . . .""")
    before = (b.diagram(), b.hash, b.ko_point, b.prisoners(BLACK), b.to_move)
    play(b, "C4")
    b.undo()
    assert (b.diagram(), b.hash, b.ko_point, b.prisoners(BLACK), b.to_move) == before
    with pytest.raises(ValueError):
        Board(9).undo()


def test_copy_is_independent():
    b = Board(9)
    play(b, "E5")
    c = b.copy()
    play(c, "D4")
    assert b.color_at(b.parse_vertex("D4")) == 0
    assert c.color_at(c.parse_vertex("E5")) == BLACK
    c.undo()
    c.undo()
    assert c.is_empty() and not b.is_empty()


@pytest.mark.parametrize("size", [9, 13, 19])
def test_handicap_placement(size):
    expected = {
        9: {2: "C3 G7", 5: "C3 G7 C7 G3 E5", 9: "C3 G7 C7 G3 C5 G5 E3 E7 E5"},
        13: {2: "D4 K10", 6: "D4 K10 D10 K4 D7 K7", 7: "D4 K10 D10 K4 D7 K7 G7"},
        19: {3: "D4 Q16 D16", 4: "D4 Q16 D16 Q4", 8: "D4 Q16 D16 Q4 D10 Q10 K4 K16"},
    }[size]
    for stones, vertices in expected.items():
        b = Board(size)
        points = b.place_handicap(stones)
        assert [b.vertex(p) for p in points] == vertices.split()
        assert b.to_move == WHITE and len(b.stones(BLACK)) == stones


def test_handicap_limits():
    assert max_fixed_handicap(7) == 4 and max_fixed_handicap(8) == 4
    assert max_fixed_handicap(9) == 9 and max_fixed_handicap(6) == 0
    with pytest.raises(ValueError):
        handicap_points(5, 7)
    with pytest.raises(ValueError):
        handicap_points(1, 19)


def test_tromp_taylor_score():
    b = board("""
        . X O . .
        X X O . .
        . X O O O
        X X O . .
        . X O . .""", komi=0.5)
    # Black: 7 stones + A5, A3, A1; White: 7 stones + two 4-point areas
    assert b.score() == (10 - 15) - 0.5
    own = b.ownership()
    assert own[4, 0] == BLACK and own[4, 3] == WHITE


def test_dame_and_neutral_regions():
    b = board("""
        . X . O .
        . X . O .
        . X . O .
        . X . O .
        . X . O .""", komi=0)
    assert b.score() == 0
    assert (b.ownership()[:, 2] == 0).all()


def test_board_sizes_2_to_19():
    for size in range(2, 20):
        b = Board(size)
        assert len(b.legal_points()) == size * size
    with pytest.raises(ValueError):
        Board(1)
    with pytest.raises(ValueError):
        Board(20)


def test_tiny_board_rules():
    b = Board(2)
    play(b, "A1", "B2", "B1")
    assert b.liberties(b.parse_vertex("A1")) == 1
    assert b.play(b.parse_vertex("A2")) == 2  # White fills the last liberty and captures
    same_diagram(b, """
        O O
        . .""")
    assert b.status(b.parse_vertex("A1"), BLACK) == rules.LEGAL


def test_hash_matches_recomputation():
    b = Board(9)
    rng = np.random.default_rng(3)
    for _ in range(200):
        moves = b.legal_points() + [PASS]
        b.play(moves[rng.integers(len(moves))])
    fresh = board(b.diagram())
    assert fresh.hash == b.hash

"""The match statistics (gogo.stats): Wilson interval and Elo; the matches' random openings."""
import math

import pytest

from gogo.stats import elo, wilson_interval


def test_wilson_interval():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9434, abs=1e-4)
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(1 - high)
    assert wilson_interval(0, 20)[0] == 0.0 and wilson_interval(20, 20)[1] == 1.0


def test_elo():
    assert elo(0.5) == 0
    assert elo(0.75) == pytest.approx(190.85, abs=0.01)
    assert elo(0.25) == pytest.approx(-190.85, abs=0.01)
    assert elo(0.0) == -math.inf and elo(1.0) == math.inf


def test_random_openings_differ_between_pairs_and_are_legal():
    from gogo.go.board import Board
    from selfplay.match import random_opening

    openings = [random_opening(9, 4, pair) for pair in range(6)]
    assert len({tuple(o) for o in openings}) == 6
    assert random_opening(9, 4, 3) == openings[3]  # the same pair, the same opening
    for opening in openings:
        board = Board(9)
        for color, vertex in opening:
            board.play(board.parse_vertex(vertex), 1 if color == "black" else 2)

"""The Numba board against a deliberately naive pure-Python rules model.

Random games, including attempts on occupied, suicide and ko points, on
every size from 2 to 9: after each attempt both agree on legality, on every
point's colour, on each chain's exact liberties and on prisoners; undo
brings back every earlier position.
"""
import random

import pytest

from gogo.go.board import BLACK, PASS, WHITE, Board, IllegalMove


class NaiveBoard:
    def __init__(self, size):
        self.size = size
        self.stones = {}  # (row, col) -> colour
        self.ko = None  # (point, colour forbidden there)
        self.prisoners = {BLACK: 0, WHITE: 0}

    def neighbours(self, pt):
        r, c = pt
        for q in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= q[0] < self.size and 0 <= q[1] < self.size:
                yield q

    def chain(self, pt):
        color, seen, todo = self.stones[pt], {pt}, [pt]
        while todo:
            for q in self.neighbours(todo.pop()):
                if self.stones.get(q) == color and q not in seen:
                    seen.add(q)
                    todo.append(q)
        return seen

    def liberties(self, pt):
        return {q for s in self.chain(pt) for q in self.neighbours(s) if q not in self.stones}

    def play(self, pt, color):
        """Returns None if legal (and plays), else the reason."""
        if pt in self.stones:
            return "occupied"
        if self.ko == (pt, color):
            return "ko"
        self.stones[pt] = color
        captured = set()
        for q in self.neighbours(pt):
            if self.stones.get(q) == 3 - color and not self.liberties(q):
                captured |= self.chain(q)
        for q in captured:
            del self.stones[q]
        if not self.liberties(pt):
            del self.stones[pt]
            return "suicide"
        self.prisoners[color] += len(captured)
        single = len(captured) == 1 and len(self.chain(pt)) == 1 and len(self.liberties(pt)) == 1
        self.ko = (next(iter(captured)), 3 - color) if single else None
        return None

    def pass_move(self):
        self.ko = None


def agree(board, naive):
    n = board.size
    for r in range(n):
        for c in range(n):
            p = board.point(r, c)
            assert board.color_at(p) == naive.stones.get((r, c), 0), (r, c)
            if (r, c) in naive.stones:
                assert board.liberties(p) == len(naive.liberties((r, c))), (r, c)
    assert board.prisoners(BLACK) == naive.prisoners[BLACK]
    assert board.prisoners(WHITE) == naive.prisoners[WHITE]


@pytest.mark.parametrize("size", range(2, 10))
def test_random_games_match_the_naive_model(size):
    rng = random.Random(size)
    for game in range(6):
        board, naive = Board(size, superko=False), NaiveBoard(size)
        snapshots = []
        color = BLACK
        for _ in range(4 * size * size):
            if rng.random() < 0.05:
                board.play(PASS, color)
                naive.pass_move()
                color = 3 - color
                continue
            r, c = rng.randrange(size), rng.randrange(size)
            expected = naive.play((r, c), color)
            try:
                board.play(board.point(r, c), color)
                reason = None
            except IllegalMove as err:
                reason = err.reason
            assert reason == expected, (size, game, (r, c), color)
            if reason is None:
                snapshots.append(board.diagram())
                color = 3 - color
            agree(board, naive)
        for diagram in reversed(snapshots[-20:]):
            while board.moves[-1][1] == PASS:
                board.undo()
            assert board.diagram() == diagram
            board.undo()

"""End-of-game scoring: dead stones estimated by Monte Carlo ownership, then area scoring.

A game that ends with two passes usually still has dead stones on the board (a human would
remove them before counting). Tromp-Taylor scoring would count them as alive, so the GTP
`final_score` and `final_status_list` commands first estimate which chains are dead:

  * run `playouts` random playouts (uniformly random sensible moves to the end, see
    gogo.playout) from the position and average each point's Tromp-Taylor owner: +1 black, -1 white;
  * a chain is dead when the mean ownership of its stones, seen from the chain's own colour,
    is below -DEAD_THRESHOLD (0.1): the opponent ends up owning its points in more than 55% of
    the playouts. Everything else is alive. Seki is not detected (a seki chain averages near 0,
    so it counts as alive, which is what area scoring wants).

The threshold was calibrated against GNU Go's final_status_list on the final positions of 60
GNU Go self-play games on 9x9 and 13x13 (`python3 tools/dead_stones_vs_gnugo.py --games 60
--first-seed 100`): gogo's dead stones equalled GNU Go's in 58 positions with threshold 0.0,
56 with 0.1, 54 with 0.2, 46 with 0.3 and 31 with 0.5. Uniformly random playouts are
pessimistic about live groups whose eyes are not quite finished, so a "strong" threshold leaves
many dead stones on the board; dead chains mostly sit below -0.4 and live ones above +0.2, and
0.1 keeps a margin against the sampling noise of 1000 playouts (about 0.03).

`capture_moves` serves the cleanup phase (GTP kgs-genmove_cleanup): the moves that take
liberties from the opponent's dead chains, so that they come off the board before anyone passes.
"""
import numpy as np

from gogo.go import playout
from gogo.go.board import BLACK, WHITE, Board

DEAD_THRESHOLD = 0.1
DEFAULT_PLAYOUTS = 1000


def dead_chains(board, playouts=DEFAULT_PLAYOUTS, seed=1, threshold=DEAD_THRESHOLD):
    """The chains judged dead, as (color, [points]) (see the module docstring)."""
    if board.is_empty():
        return []
    owned = playout.ownership(board, playouts, seed)
    dead = []
    for color, points in board.chains():
        sign = 1.0 if color == BLACK else -1.0
        mean = sign * float(np.mean([owned[board.rowcol(p)] for p in points]))
        if mean < -threshold:
            dead.append((color, points))
    return dead


def capture_moves(board, color, dead):
    """Legal moves of `color` on a liberty of one of the opponent's `dead` chains, most urgent
    first: the chain with the fewest liberties (a capture first), then the move whose own chain
    keeps the most liberties (no needless self-atari the opponent could take back)."""
    urgency = {}
    for chain_color, points in dead:
        if chain_color == color:
            continue
        liberties = board.chain_liberties(points)
        for p in liberties:
            if not board.is_legal(p, color):
                continue
            after = board.copy()
            after.play(p, color)
            key = (len(liberties), -after.liberties(p), p)
            urgency[p] = min(key, urgency.get(p, key))
    return sorted(urgency, key=urgency.get)


def score_without(board, dead):
    """Area score (Black's side, komi included) of `board` with the `dead` chains removed."""
    if not dead:
        return board.score()
    removed = {p for _, points in dead for p in points}
    clean = Board(board.size, komi=board.komi, superko=False)
    clean.setup(black=[p for p in board.stones(BLACK) if p not in removed],
                white=[p for p in board.stones(WHITE) if p not in removed])
    return clean.score()


def format_score(score):
    """GTP/SGF result text: 'B+3.5', 'W+12', '0'."""
    if score == 0:
        return "0"
    return f"{'B' if score > 0 else 'W'}+{abs(score):g}"

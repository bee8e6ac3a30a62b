"""A whole game reviewed: every position searched, the winrate from Black's side after every move,
the moves that lost the most, and the game written back as SGF with a comment on every move (the
winrate, what it cost, the engine's choice) and the engine's line as a variation where it
preferred another move.

    positions = review_positions(record, player, visits=200)
    moves = review_moves(record, positions)
    data = annotate(record, positions, moves, visits=200)
"""
from dataclasses import dataclass
from typing import Optional

from sgfmill import sgf as sgfmill_sgf

from gogo import __version__, coords
from gogo.errors import GogoError
from gogo.go import scoring
from gogo.go.board import BLACK, PASS
from gogo.records import sgf
from gogo.review.think import think

COLOR_NAMES = {1: "Black", 2: "White"}
DROPS_SHOWN = 5  # the biggest drops a review marks...
DROP_AT_LEAST = 0.05  # ...of at least this much winrate


@dataclass
class PositionReview:
    """The search of the position before a move (or after the last one)."""
    to_move: int
    black_winrate: float  # 0..1
    best: Optional[int]  # the engine's choice, a point or PASS; None at the end of a game
    pv: list  # points: the best move and the line after it
    visits: int


@dataclass
class MoveReview:
    """One move of the game and what it did to the mover's winrate."""
    number: int  # 1-based
    color: int
    move: int  # a point or PASS
    drop: float  # the mover's winrate before the move less after it (negative: it gained)
    before: PositionReview  # the position it was played in


def positions_of(record):
    """The Board before every move and after the last (len(record.moves) + 1 boards); GameError
    when the record does not replay."""
    sgf.replay(record)  # names the first illegal move, if any
    board = sgf.replay(record, moves=0)
    boards = [board.copy()]
    for color, rowcol in record.moves:
        board.play(PASS if rowcol is None else board.point(*rowcol), color)
        boards.append(board.copy())
    return boards


def review_positions(record, player, visits, cancelled=lambda: False, progress=None):
    """Search every position of the game with `player`'s search (a SearchPlayer) for `visits`
    visits; `progress(done, total)` after each. Returns a PositionReview per position, or the
    ones done so far when `cancelled()`."""
    if not player.use(record.size):
        raise GogoError(f"no nets for {record.size}x{record.size}: a review needs a policy net for the board size")
    boards = positions_of(record)
    reviews = []
    for board in boards:
        if cancelled():
            break
        reviews.append(review_position(player.search, board, visits, cancelled))
        if progress is not None:
            progress(len(reviews), len(boards))
    return reviews


def review_position(search, board, visits, cancelled=lambda: False):
    """One position searched afresh (every position gets the same visits)."""
    if board.passes >= 2:  # the game is over: the score decides
        score = scoring.score_without(board, scoring.dead_chains(board))
        return PositionReview(board.to_move, 0.5 + 0.5 * (score > 0) - 0.5 * (score < 0), None, [], 0)
    seen = think(search, board, visits=visits, cancelled=cancelled, reuse=False)
    return PositionReview(board.to_move, seen.black_winrate(), seen.best, seen.pv, seen.visits)


def review_moves(record, positions):
    """A MoveReview for every move whose position after it was reviewed."""
    reviews = []
    for number, (color, rowcol) in enumerate(record.moves[:len(positions) - 1], 1):
        before, after = positions[number - 1].black_winrate, positions[number].black_winrate
        drop = before - after if color == BLACK else after - before
        move = PASS if rowcol is None else coords.point(*rowcol, record.size)
        reviews.append(MoveReview(number, color, move, drop, positions[number - 1]))
    return reviews


def biggest_drops(moves, count=DROPS_SHOWN, at_least=DROP_AT_LEAST):
    """The moves that lost the most winrate, biggest first: `count` at most, each of `at_least`."""
    return sorted((m for m in moves if m.drop >= at_least), key=lambda m: -m.drop)[:count]


def line_text(points, size):
    return " ".join(coords.vertex(point, size) for point in points)


def move_comment(move, positions, size):
    """The comment on a move: Black's winrate after it, what it cost the mover, the engine's choice."""
    after = positions[move.number].black_winrate
    text = [f"Black's winrate after the move: {100 * after:.1f}%",
            f"{COLOR_NAMES[move.color]} {'lost' if move.drop >= 0 else 'gained'} {100 * abs(move.drop):.1f}%"]
    best = move.before.best
    if best == move.move:
        text.append("gogo's choice too")
    elif best is not None:
        text.append(f"gogo preferred {coords.vertex(best, size)}; its line: {line_text(move.before.pv, size)}")
    return "\n".join(text)


def describe_drop(move, size):
    """One line on a move that lost winrate: 'move 29: Black D8 lost 21.6%; gogo preferred C7 C8 D9'."""
    text = f"move {move.number}: {COLOR_NAMES[move.color]} {coords.vertex(move.move, size)} lost {100 * move.drop:.1f}%"
    if move.before.best not in (None, move.move):
        text += f"; gogo preferred {line_text(move.before.pv, size)}"
    return text


def summary(moves, visits, size):
    text = f"Reviewed by gogo {__version__}, {visits} visits a position."
    drops = biggest_drops(moves)
    if drops:
        text += "\nBiggest drops:\n" + "\n".join(describe_drop(move, size) for move in drops)
    return text


def annotate(record, positions, moves, visits):
    """The game as SGF bytes with the review: a summary on the root, a comment on every reviewed
    move, and the engine's line as a variation (a second child) where it preferred another move."""
    game = sgfmill_sgf.Sgf_game.from_bytes(sgf.write_game(record))
    nodes = game.get_main_sequence()
    nodes[0].set("C", summary(moves, visits, record.size))
    for move in moves:
        nodes[move.number].set("C", move_comment(move, positions, record.size))
        if move.before.best not in (None, move.move):
            add_line(nodes[move.number - 1], move.before, record.size)
    return game.serialise()


def add_line(parent, position, size):
    """The engine's line from `parent`'s position as a variation, its winrate on the first node."""
    color, node = position.to_move, parent
    for number, point in enumerate(position.pv):
        node = node.new_child()
        node.set_move("b" if color == BLACK else "w", None if point == PASS else coords.rowcol(point, size))
        if number == 0:
            node.set("C", f"gogo's line ({position.visits} visits): Black's winrate {100 * position.black_winrate:.1f}%")
        color = 3 - color

"""Every coordinate system gogo uses, and the conversions between them. Nothing else converts.

    (row, col)   row 0 at the bottom, col 0 on the left: GTP's "A1" is (0, 0), as in sgfmill.
    index        row * size + col: a point of the nets' outputs, the feature planes, the game
                 store and self-play games; a pass is PASS_INDEX(size) = size * size.
    point        a cell of the rules' padded (size + 2) x (size + 2) arrays, whose border is the
                 wall: (row + 1) * (size + 2) + col + 1. Its neighbours are point -+ 1 and
                 point -+ stride. A pass is PASS (-1). The Board, the rules kernels, the search and
                 the GTP engine work in points.
    vertex       GTP text: "D4", "pass"; columns skip the letter I.

Board sizes are MIN_SIZE..MAX_SIZE.
"""
from numba import njit

MIN_SIZE, MAX_SIZE = 2, 19
MAX_POINTS = (MAX_SIZE + 2) ** 2
PASS = -1
GTP_COLUMNS = "ABCDEFGHJKLMNOPQRST"


def check_size(size):
    """ValueError unless size is a board size gogo plays on."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"board size {size} is outside {MIN_SIZE}..{MAX_SIZE}")


def pass_index(size):
    return size * size


@njit(cache=True, _nrt=False, inline="always")
def point_of_index(index, size):
    """The padded point of a move index (not for a pass)."""
    return (index // size + 1) * (size + 2) + index % size + 1


@njit(cache=True, _nrt=False, inline="always")
def index_of_point(point, size):
    """The move index of a padded point (not for PASS)."""
    stride = size + 2
    return (point // stride - 1) * size + point % stride - 1


def point(row, col, size):
    """The padded point of (row, col); ValueError off the board."""
    if not (0 <= row < size and 0 <= col < size):
        raise ValueError(f"({row}, {col}) is off a {size}x{size} board")
    return (row + 1) * (size + 2) + col + 1


def rowcol(point_, size):
    """(row, col) of a padded point."""
    stride = size + 2
    return point_ // stride - 1, point_ % stride - 1


def index(row, col, size):
    return row * size + col


def rowcol_of_index(index_, size):
    return divmod(index_, size)


def neighbours(point_, size):
    """The four orthogonal neighbours of a padded point (wall cells included)."""
    stride = size + 2
    return (point_ - stride, point_ - 1, point_ + 1, point_ + stride)


def board_points(size):
    """Every on-board point, row by row from the bottom."""
    return [point(row, col, size) for row in range(size) for col in range(size)]


def vertex(point_, size):
    """GTP vertex of a padded point or PASS: 'D4', 'pass'."""
    if point_ == PASS:
        return "pass"
    row, col = rowcol(point_, size)
    return f"{GTP_COLUMNS[col]}{row + 1}"


def vertex_of_rowcol(rowcol_, size=None):
    """GTP vertex of (row, col), or 'pass' for None (SGF records' pass)."""
    if rowcol_ is None:
        return "pass"
    return f"{GTP_COLUMNS[rowcol_[1]]}{rowcol_[0] + 1}"


def parse_vertex(text, size):
    """The padded point of a GTP vertex ('D4', 'pass' gives PASS); ValueError if malformed or off
    the board."""
    text = text.strip().upper()
    if text == "PASS":
        return PASS
    if len(text) < 2 or text[0] not in GTP_COLUMNS or not text[1:].isdigit():
        raise ValueError(f"invalid vertex {text!r}")
    return point(int(text[1:]) - 1, GTP_COLUMNS.index(text[0]), size)


def display_order(points, size):
    """Points sorted as GNU Go lists them: top row first, left to right."""
    stride = size + 2
    return sorted(points, key=lambda p: (-(p // stride), p % stride))


def index_of_rowcol_or_pass(rowcol_, size):
    """The move index of an SGF record's (row, col), or the pass index for None."""
    return size * size if rowcol_ is None else rowcol_[0] * size + rowcol_[1]


def rowcol_or_pass_of_index(index_, size):
    """An SGF record's (row, col) of a move index, or None for the pass index."""
    return None if index_ == size * size else divmod(int(index_), size)

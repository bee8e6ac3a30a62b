"""The ladder reader behind the ladder capture / ladder escape feature planes (gogo.features).

Ladders are read move by move on scratch copies of the board, up to LADDER_MAX_PLIES plies;
a ladder still undecided there counts as not working. The attacker always ataris on one of the
prey's two liberties (both are tried); the defender either extends from its last liberty or
captures an attacker chain in atari that touches the prey (a counter-atari). The prey escapes
when it reaches three liberties, so breaker stones work by connecting to the prey.

The scratch space is made by the caller (gogo.features.new_workspace): LADDER_MAX_PLIES + 2
boards (`grids`, `metas`) and a node stack of that many rows of NODE_COLUMNS. Nothing allocates.
"""
from numba import njit

from gogo.go import rules
from gogo.go.rules import COLOR, EMPTY, HEAD, LEGAL, LIBS, NEXT, STRIDE, TO_MOVE, neighbour

LADDER_MAX_PLIES = 100
MAX_DEFENCES = 16
COUNT, TRIED, ATTACKER, PLY, FIRST_MOVE = range(5)  # columns of the ladder reader's node stack
NODE_COLUMNS = FIRST_MOVE + MAX_DEFENCES


@njit(cache=True, _nrt=False)
def _liberties_up_to_3(grid, meta, p):
    """(count capped at 3, first liberty, second liberty) of the chain through p."""
    stride = meta[STRIDE]
    count, first, second = 0, -1, -1
    s = p
    while True:
        for d in range(4):
            q = neighbour(s, d, stride)
            if grid[COLOR, q] == EMPTY and q != first and q != second:
                count += 1
                if count == 3:
                    return 3, first, second
                if count == 1:
                    first = q
                else:
                    second = q
        s = grid[NEXT, s]
        if s == p:
            return count, first, second


@njit(cache=True, _nrt=False)
def _extension_escapes(grid, meta, prey, atari_at, run_to):
    """After an atari on `prey` at `atari_at`, does extending to `run_to` surely reach three
    liberties? Counts the empty neighbours of `run_to` and the liberties of the other defender
    chains it joins; captures are ignored, as they only add liberties. A quick test that spares
    the ladder reader most hopeless ataris."""
    stride = meta[STRIDE]
    defender = grid[COLOR, prey]
    prey_head = grid[HEAD, prey]
    found = 0
    first, second = -1, -1
    for d in range(4):
        q = neighbour(run_to, d, stride)
        cq = grid[COLOR, q]
        if cq == EMPTY:
            if q != atari_at and q != first and q != second:
                found += 1
                if found == 1:
                    first = q
                elif found == 2:
                    second = q
        elif cq == defender and grid[HEAD, q] != prey_head:
            s = q
            while True:
                for e in range(4):
                    r = neighbour(s, e, stride)
                    if (grid[COLOR, r] == EMPTY and r != atari_at and r != run_to
                            and r != first and r != second):
                        found += 1
                        if found == 1:
                            first = r
                        elif found == 2:
                            second = r
                if found >= 3:
                    return True
                s = grid[NEXT, s]
                if s == q:
                    break
    return found >= 3


@njit(cache=True, _nrt=False, inline="always")
def _push(grids, metas, level):
    """Copy the scratch position at `level` to `level + 1`."""
    _load(grids, metas, level + 1, grids[level], metas[level])


@njit(cache=True, _nrt=False, inline="always")
def _load(grids, metas, level, grid, meta):
    """Copy a position into the scratch `level` (element loops: no temporary copy)."""
    for f in range(grid.shape[0]):
        for p in range(grid.shape[1]):
            grids[level, f, p] = grid[f, p]
    for i in range(meta.shape[0]):
        metas[level, i] = meta[i]


@njit(cache=True, _nrt=False)
def _ladder_node(grids, metas, stack, level, prey, attacker_to_move, ply):
    """Start a search node on the scratch position at `level`: the moves to try. The attacker
    ataris on either of the prey's two liberties (skipping ataris that plainly let it run to
    three liberties); the defender extends from its last liberty or captures an attacker chain
    in atari that touches the prey (a counter-atari)."""
    g, m = grids[level], metas[level]
    stride = m[STRIDE]
    prey_color = g[COLOR, prey]
    _, first, second = _liberties_up_to_3(g, m, prey)
    stack[level, TRIED] = 0
    stack[level, ATTACKER] = attacker_to_move
    stack[level, PLY] = ply
    count = 0
    if attacker_to_move:
        if not _extension_escapes(g, m, prey, first, second):
            stack[level, FIRST_MOVE + count] = first
            count += 1
        if not _extension_escapes(g, m, prey, second, first):
            stack[level, FIRST_MOVE + count] = second
            count += 1
    else:
        stack[level, FIRST_MOVE] = first
        count = 1
        s = prey
        while True:
            for d in range(4):
                q = neighbour(s, d, stride)
                # more than 4 pseudo-liberties means at least two liberties: skip the walk
                if g[COLOR, q] == 3 - prey_color and g[LIBS, g[HEAD, q]] <= 4 and count < MAX_DEFENCES:
                    libs, capture_at, _ = _liberties_up_to_3(g, m, q)
                    if libs == 1:
                        stack[level, FIRST_MOVE + count] = capture_at
                        count += 1
            s = g[NEXT, s]
            if s == prey:
                break
    stack[level, COUNT] = count


@njit(cache=True, _nrt=False)
def _prey_captured(grids, metas, stack, prey, attacker_first):
    """Read the ladder from the scratch position at level 0: True if the prey cannot escape.

    A depth-first search with an explicit stack (Numba cannot cache recursive functions). The
    prey wins a defender node if some defence reaches three liberties, or two liberties that no
    atari cracks; the attacker wins an attacker node with one atari after which every defence
    fails. A node's last move is played in place and its child takes over the node's level,
    since the node's outcome is then the child's: a ladder's forced moves copy no board. Past
    LADDER_MAX_PLIES the prey counts as escaped."""
    prey_color = grids[0, COLOR, prey]
    level = 0
    _ladder_node(grids, metas, stack, 0, prey, attacker_first, 0)
    while True:
        attacker = stack[level, ATTACKER] == 1
        mover = 3 - prey_color if attacker else prey_color
        deep = stack[level, PLY] + 1 >= LADDER_MAX_PLIES
        outcome = -1  # -1 undecided, 0 the prey escapes from this node, 1 it is captured
        child = -1
        while stack[level, TRIED] < stack[level, COUNT]:
            move = stack[level, FIRST_MOVE + stack[level, TRIED]]
            stack[level, TRIED] += 1
            if rules.move_status(grids[level], metas[level], move, mover) != LEGAL:
                continue
            target = level
            if stack[level, TRIED] < stack[level, COUNT]:
                _push(grids, metas, level)
                target = level + 1
            rules.place_stone(grids[target], metas[target], move, mover)
            libs, _, _ = _liberties_up_to_3(grids[target], metas[target], prey)
            if attacker and libs == 1 and not deep:
                child = target
                break
            if not attacker and (libs >= 3 or (libs == 2 and deep)):
                outcome = 0
                break
            if not attacker and libs == 2:
                child = target
                break
        if child >= 0:
            _ladder_node(grids, metas, stack, child, prey, not attacker, stack[level, PLY] + 1)
            level = child
            continue
        if outcome == -1:  # every move tried: the attacker found no capture, or no defence worked
            outcome = 0 if attacker else 1
        while True:  # hand the outcome down the stack while it decides the node below too
            if level == 0:
                return outcome == 1
            level -= 1
            if (stack[level, ATTACKER] == 1) != (outcome == 1):
                break  # that node still has moves to try


@njit(cache=True, _nrt=False)
def is_ladder_capture(grid, meta, move, prey, run_to, grids, metas, moves):
    """The player to move plays `move`, one of the two liberties of the chain `prey` (`run_to`
    is the other): does the atari capture it in a ladder?"""
    if _extension_escapes(grid, meta, prey, move, run_to):
        return False
    _load(grids, metas, 0, grid, meta)
    rules.place_stone(grids[0], metas[0], move, meta[TO_MOVE])
    libs, _, _ = _liberties_up_to_3(grids[0], metas[0], prey)
    return libs == 1 and _prey_captured(grids, metas, moves, prey, False)


@njit(cache=True, _nrt=False)
def is_ladder_escape(grid, meta, move, prey, grids, metas, moves):
    """The player to move plays `move` to save its chain `prey` in atari: does it get away?"""
    _load(grids, metas, 0, grid, meta)
    rules.place_stone(grids[0], metas[0], move, meta[TO_MOVE])
    libs, _, _ = _liberties_up_to_3(grids[0], metas[0], prey)
    return libs >= 3 or (libs == 2 and not _prey_captured(grids, metas, moves, prey, True))

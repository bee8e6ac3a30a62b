"""The rollout policy's local patterns: how a point's surroundings become one int64 key.

A neighbour point has one of eight states, seen from the player to move: empty, off the board, or
a stone of the mover or the opponent whose chain has 1, 2 or >= 3 liberties. A key packs states
3 bits each:

- 3x3 (non-response) key of an empty candidate point: its eight neighbours in NEIGHBOURS_3X3
  order, 24 bits.
- response key (AlphaGo's 12-point diamond around the previous move): the twelve points of DIAMOND,
  then the previous move's own point (12), 39 bits, and the candidate's place in DIAMOND (0..11)
  from bit 39.

Keys are stored canonically (the smallest of the eight dihedral images, `canonical_3x3`,
`canonical_response`); the rollout tables hold all eight images of each, so the Numba kernels look
a key up as they compute it, with no canonicalisation in the hot loop. `key_flags` reads the
tactical facts a 3x3 key already holds: legality, own-eye filling, capture, save-atari, self-atari.
"""
import numpy as np
from numba import njit

EMPTY_STATE, WALL_STATE = 0, 1  # then 2, 3, 4: the mover's stone whose chain has 1, 2, >= 3
STATE_BITS = 3                  # liberties; 5, 6, 7: the opponent's
COLOUR_SWAP = np.array([0, 1, 5, 6, 7, 2, 3, 4], np.int64)  # the same point seen by the other player

# (row, column) offsets; a point's padded index moves by row * stride + column
NEIGHBOURS_3X3 = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))
ORTHOGONAL = (1, 3, 4, 6)   # places in NEIGHBOURS_3X3 that share an edge with the centre
DIAGONAL = (0, 2, 5, 7)
# the first eight places are the previous move's 8-connected neighbours ("neighbour" features)
DIAMOND = ((-1, 0), (0, -1), (0, 1), (1, 0), (-1, -1), (-1, 1), (1, -1), (1, 1),
           (-2, 0), (0, -2), (0, 2), (2, 0))
CENTRE_FIELD = len(DIAMOND)
PLACE_SHIFT = STATE_BITS * (len(DIAMOND) + 1)
NO_KEY = -1


def _symmetries(offset):
    r, c = offset
    return ((r, c), (r, -c), (-r, c), (-r, -c), (c, r), (c, -r), (-c, r), (-c, -r))


def _permutations(offsets):
    """perm[s, i]: where the point at offsets[i] goes under dihedral symmetry s."""
    place = {o: i for i, o in enumerate(offsets)}
    return np.array([[place[_symmetries(o)[s]] for o in offsets] for s in range(8)], np.int64)


PERMUTATION_3X3 = _permutations(NEIGHBOURS_3X3)
PERMUTATION_DIAMOND = _permutations(DIAMOND)


# --- keys in numpy, for building and saving the tables -------------------------------------------

def _fields(keys, count):
    keys = np.asarray(keys, np.int64)
    return (keys[:, None] >> (STATE_BITS * np.arange(count))) & 7


def _pack(fields):
    return (fields << (STATE_BITS * np.arange(fields.shape[1]))).sum(axis=1)


def images_3x3(keys):
    """[8, n]: the eight dihedral images of each 3x3 key."""
    fields = _fields(keys, 8)
    out = np.empty((8, len(fields)), np.int64)
    for s in range(8):
        moved = np.empty_like(fields)
        moved[:, PERMUTATION_3X3[s]] = fields
        out[s] = _pack(moved)
    return out


def images_response(keys):
    """[8, n]: the eight dihedral images (about the previous move) of each response key."""
    keys = np.asarray(keys, np.int64)
    fields = _fields(keys, CENTRE_FIELD + 1)
    place = keys >> PLACE_SHIFT
    out = np.empty((8, len(keys)), np.int64)
    for s in range(8):
        moved = fields.copy()
        moved[:, PERMUTATION_DIAMOND[s]] = fields[:, :CENTRE_FIELD]
        out[s] = _pack(moved) | (PERMUTATION_DIAMOND[s][place] << PLACE_SHIFT)
    return out


def canonical_3x3(keys):
    return images_3x3(keys).min(axis=0)


def canonical_response(keys):
    return images_response(keys).min(axis=0)


def draw_3x3(key):
    """A 3x3 key as three text rows, the top row (higher row numbers) first: 'X' the mover's stone
    and 'O' the opponent's with their chains' liberties (3: three or more), '#' off the board."""
    marks = {0: ".", 1: "#", 2: "X1", 3: "X2", 4: "X3", 5: "O1", 6: "O2", 7: "O3"}
    f = [marks[int(v)] for v in _fields([key], 8)[0]]
    rows = (f[5:8], [f[3], "*", f[4]], f[0:3])
    return "\n".join(" ".join(f"{c:>2}" for c in row) for row in rows)


# --- the hash tables the kernels read -------------------------------------------------------------

@njit(cache=True, _nrt=False, inline="always")
def _slot(key, mask):
    return np.int64((np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(20)) & mask


@njit(cache=True, _nrt=False, inline="always")
def find(table_keys, key):
    """The slot holding key, or -1."""
    mask = table_keys.shape[0] - 1
    i = _slot(key, mask)
    while True:
        k = table_keys[i]
        if k == key:
            return i
        if k == NO_KEY:
            return -1
        i = (i + 1) & mask


@njit(cache=True, _nrt=False, inline="always")
def lookup(table_keys, table_values, key):
    """The value stored for key, or -1."""
    i = find(table_keys, key)
    return table_values[i] if i >= 0 else -1


@njit(cache=True, _nrt=False, inline="always")
def find_weight(slots, key):
    """The weight a weighted table (`weighted_table`) holds for key, or -1.0."""
    mask = slots.shape[0] - 1
    i = _slot(key, mask)
    wanted = np.float64(key)
    while True:
        k = slots[i, 0]
        if k == wanted:
            return slots[i, 1]
        if k == NO_KEY:
            return -1.0
        i = (i + 1) & mask


def weighted_table(table_keys, weights):
    """A float64 [slots, 2] table of (key, weight) side by side, probed like `table_keys` (keys
    below 2^53 are exact as floats): one cache line per look-up, where two arrays cost two."""
    slots = np.empty((len(table_keys), 2))
    slots[:, 0] = table_keys
    slots[:, 1] = weights
    return slots


@njit(cache=True)
def _insert_all(table_keys, table_values, keys, values):
    mask = table_keys.shape[0] - 1
    for j in range(keys.shape[0]):
        i = _slot(keys[j], mask)
        while table_keys[i] != NO_KEY and table_keys[i] != keys[j]:
            i = (i + 1) & mask
        table_keys[i] = keys[j]
        table_values[i] = values[j]


def hash_table(keys, values):
    """(table_keys int64, table_values int32): an open-addressing table, at most half full."""
    keys = np.asarray(keys, np.int64)
    size = 1 << max(4, int(2 * max(len(keys), 1) - 1).bit_length())
    table_keys = np.full(size, NO_KEY, np.int64)
    table_values = np.full(size, -1, np.int32)
    _insert_all(table_keys, table_values, keys, np.asarray(values, np.int32))
    return table_keys, table_values


def symmetric_table(canonical_keys, first_index, images):
    """A table mapping every dihedral image of canonical_keys[i] to first_index + i."""
    every = images(canonical_keys)
    values = np.broadcast_to(first_index + np.arange(len(canonical_keys)), every.shape)
    keys, where = np.unique(every.ravel(), return_index=True)
    return hash_table(keys, values.ravel()[where])


# --- what a 3x3 key says about the move -----------------------------------------------------------

LEGAL_FLAG, EYE_FLAG, CAPTURE_FLAG, SAVE_ATARI_FLAG, SELF_ATARI_FLAG = 1, 2, 4, 8, 16


@njit(cache=True, _nrt=False, inline="always")
def key_field(key, i):
    return (key >> (STATE_BITS * i)) & 7


@njit(cache=True, _nrt=False)
def key_flags(key):
    """Flags of a move at the centre of a 3x3 key (mover's view). Legality ignores ko (the caller
    checks it); "eye" is gogo.go.rules.is_eye; liberties after the move are counted from the
    capped counts, so save- and self-atari are estimates where chains share liberties."""
    empties, captures, opponents, own_in_atari, legal_by_own, liberties = 0, 0, 0, 0, 0, 0
    for i in ORTHOGONAL:
        f = key_field(key, i)
        if f == EMPTY_STATE:
            empties += 1
        elif f >= 5:
            opponents += 1
            if f == 5:
                captures += 1
        elif f >= 2:
            liberties += f - 2  # the chain's liberties other than this point, capped at 2
            if f == 2:
                own_in_atari += 1
            else:
                legal_by_own = 1
    flags = 0
    if empties > 0 or captures > 0 or legal_by_own:
        flags |= LEGAL_FLAG
    if captures > 0:
        flags |= CAPTURE_FLAG
    liberties += empties + captures
    if own_in_atari > 0 and liberties >= 2:
        flags |= SAVE_ATARI_FLAG
    if captures == 0 and liberties == 1:
        flags |= SELF_ATARI_FLAG
    if empties == 0 and opponents == 0 and _eye_diagonals(key):
        flags |= EYE_FLAG
    return flags


@njit(cache=True, _nrt=False, inline="always")
def _eye_diagonals(key):
    """With every edge neighbour the mover's or off the board: do the diagonals make it an eye?"""
    enemy, edge = 0, False
    for i in DIAGONAL:
        f = key_field(key, i)
        if f == WALL_STATE:
            edge = True
        elif f >= 5:
            enemy += 1
    return enemy == 0 if edge else enemy < 2

"""The game store: expert games from SGF sources in one compact, pickle-free .npz file.

Building (`build_store`, or `gogo data SOURCES... --out STORE`): every game of every source is read
with gogo.sgf, filtered (board size, minimum moves, minimum rank, even or handicap), replayed with
gogo.sgf.replay (simple ko; illegal records are rejected, counted by reason, never fatal), and
deduplicated by gogo.sgf.game_key (the first record of a sequence is kept, in source order). Each
game's split (train / val / test) is a function of its key alone, so it never changes when sources
are added or reordered. Workers parse and replay; the main process reads the files in order, so the
store is the same whatever the number of workers.

Format (version 1): `np.savez_compressed`, read with `np.load(path, allow_pickle=False)`; G games,
M moves in all, S setup stones in all:

    format          str   'gogo-game-store'
    version         int32 1
    info            str   JSON: builder, date, sources, filters, split fractions, counts
    sources         str[] the SOURCE arguments of the build
    move_offsets    int64[G+1]  game i's moves are moves[move_offsets[i]:move_offsets[i+1]]
    moves           int16[M]    row * size + col (row 0 at the bottom); pass = size * size
    colors          int8[M]     1 black, 2 white (SGF allows two moves of one colour in a row)
    setup_offsets   int64[G+1]  game i's setup stones (AB/AW, and the fixed handicap stones placed
    setup_points    int16[S]      for HA[n] without AB[]), black ones first; placed before move 1
    setup_colors    int8[S]       and counting as "long ago" for the turns-since planes
    size            int8[G]     board size
    komi            float32[G]  NaN when the record has none
    handicap        int8[G]     HA[] when >= 2, else the number of black setup stones when the
                                  setup is black stones only (>= 2), else 0
    winner          int8[G]     +1 black won, -1 white won, 0 draw, void or unknown
    margin          float32[G]  points, NaN unless the result is a score
    win_by          int8[G]     index into WIN_BY
    black_rank      int8[G]     rank codes (rank_code): 0 unknown, 1..30 = 30k..1k,
    white_rank      int8[G]       31..49 = 1d..19d, 51..59 = 1p..9p; so pro > any amateur dan
    split           int8[G]     0 train, 1 val, 2 test (SPLITS)
    key             uint8[G,16] gogo.sgf.game_key of the record as read
    source          int32[G]    index into `sources`
    name_offsets    int64[G+1]  the record's source (e.g. 'x.tar.gz:dir/game.sgf'), UTF-8 in
    names           uint8[...]    names[name_offsets[i]:name_offsets[i+1]]
"""
from __future__ import annotations

import collections
import datetime
import hashlib
import json
import os
import time
import zipfile

import numpy as np

from gogo import __version__, coords
from gogo.errors import GogoError
from gogo.files import atomic_path
from gogo.go.board import BLACK, WHITE
from gogo.records import sgf, workers as bulk

FORMAT, VERSION = "gogo-game-store", 1
SPLITS = ("train", "val", "test")
WIN_BY = ("unknown", "score", "resign", "time", "forfeit", "draw", "void")
EXAMPLES = 5  # rejected records listed per reason


# --- ranks ---------------------------------------------------------------------------------

def rank_code(text):
    """A rank string ('6d', '2k', '9p', '5d?', '9段') as a small int ordered by strength: 0 for no
    rank, 30k..1k -> 1..30, 1d..19d -> 31..49, 1p..9p -> 51..59."""
    parsed = sgf.parse_rank(text) if isinstance(text, str) else None
    if parsed is None:
        return 0
    kind, n = parsed
    if kind == "kyu":
        return 31 - min(max(n, 1), 30)
    if kind == "dan":
        return 30 + min(max(n, 1), 19)
    return 50 + min(max(n, 1), 9)


def rank_name(code):
    """The inverse of rank_code ('' for 0)."""
    code = int(code)
    if code <= 0:
        return ""
    if code <= 30:
        return f"{31 - code}k"
    if code <= 49:
        return f"{code - 30}d"
    return f"{code - 50}p"


def split_of(key, val=0.01, test=0.01):
    """0 train, 1 val, 2 test, from the first 4 bytes of a game key (a hash: uniform)."""
    x = int.from_bytes(bytes(key[:4]), "big") / 2 ** 32
    return 2 if x < test else 1 if x < test + val else 0


# --- the store -----------------------------------------------------------------------------

GAME_FIELDS = ("size", "komi", "handicap", "winner", "margin", "win_by", "black_rank",
               "white_rank", "split", "key", "source")


class GameStore:
    """A game store in memory (see the module docstring for the arrays, all attributes)."""

    def __init__(self, arrays, path=None):
        self.path = path
        for name, value in arrays.items():
            setattr(self, name, value)
        if str(arrays["format"]) != FORMAT:
            raise GogoError(f"{path}: not a gogo game store")
        if int(arrays["version"]) != VERSION:
            raise GogoError(f"{path}: game store version {int(arrays['version'])}; "
                             f"this gogo reads version {VERSION}")
        self.info = json.loads(str(arrays["info"]))
        self.sources = [str(s) for s in arrays["sources"]]
        self.num_games = len(self.size)
        self.num_moves = len(self.moves)
        self.lengths = np.diff(self.move_offsets)
        self.fingerprint = hashlib.blake2b(np.ascontiguousarray(self.key).tobytes(),
                                           digest_size=8).hexdigest()

    def __len__(self):
        return self.num_games

    def game_moves(self, i):
        """(moves int16, colors int8) of game i (views)."""
        a, b = self.move_offsets[i], self.move_offsets[i + 1]
        return self.moves[a:b], self.colors[a:b]

    def game_setup(self, i):
        """(points int16, colors int8) of game i's setup stones (views)."""
        a, b = self.setup_offsets[i], self.setup_offsets[i + 1]
        return self.setup_points[a:b], self.setup_colors[a:b]

    def name(self, i):
        """Where game i came from, as gogo.sgf names it ('archive.tar.gz:dir/game.sgf')."""
        return bytes(self.names[self.name_offsets[i]:self.name_offsets[i + 1]]).decode("utf-8")

    def games(self, split=None, size=None):
        """Indices of the games of a split ('train', 'val', 'test' or None for all) and size."""
        mask = np.ones(self.num_games, bool)
        if split is not None:
            mask &= self.split == SPLITS.index(split)
        if size is not None:
            mask &= self.size == size
        return np.flatnonzero(mask)

    def record(self, i):
        """Game i as a gogo.sgf.GameRecord (setup stones, moves, komi, result, ranks)."""
        n = int(self.size[i])
        point = lambda k: coords.rowcol_or_pass_of_index(k, n)  # noqa: E731
        pts, cols = self.game_setup(i)
        moves, colors = self.game_moves(i)
        winner = {1: BLACK, -1: WHITE}.get(int(self.winner[i]))
        komi, margin = float(self.komi[i]), float(self.margin[i])
        return sgf.GameRecord(
            size=n, komi=None if np.isnan(komi) else komi, handicap=int(self.handicap[i]),
            setup_black=[point(p) for p, c in zip(pts, cols) if c == BLACK],
            setup_white=[point(p) for p, c in zip(pts, cols) if c == WHITE],
            moves=[(int(c), point(m)) for m, c in zip(moves, colors)],
            winner=winner, margin=None if np.isnan(margin) else margin,
            win_by=None if self.win_by[i] == 0 else WIN_BY[self.win_by[i]],
            black_rank=rank_name(self.black_rank[i]) or None,
            white_rank=rank_name(self.white_rank[i]) or None, source=self.name(i))

    def summary(self):
        counts = {s: int((self.split == k).sum()) for k, s in enumerate(SPLITS)}
        return {"path": self.path and str(self.path), "games": self.num_games,
                "moves": self.num_moves, "splits": counts,
                "sizes": {str(k): int(v) for k, v in zip(*np.unique(self.size, return_counts=True))},
                "handicap_games": int((self.handicap >= 2).sum()),
                "results": {WIN_BY[k]: int(v) for k, v in zip(*np.unique(self.win_by, return_counts=True))},
                "fingerprint": self.fingerprint, "built": self.info.get("date")}


def load_store(path):
    """Read a store written by build_store (never unpickles anything); GogoError naming the file
    when it is missing or not a store."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {name: z[name] for name in z.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise GogoError(f"{path}: not a readable game store ({error})") from None
    if "format" not in arrays or "version" not in arrays:
        raise GogoError(f"{path}: not a gogo game store")
    return GameStore(arrays, path=os.fspath(path))


def save_store(store_arrays, path):
    """Write the arrays atomically (gogo.files)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez_compressed(f, **store_arrays)


# --- building ------------------------------------------------------------------------------

class Filters:
    """What a game must be to go in. min_rank: both players at least this rank (a pro rank passes
    any amateur dan filter); a missing rank fails unless allow_unranked. handicap: None (any),
    'even' or 'handicap'."""

    def __init__(self, size=19, min_rank=None, handicap=None, min_moves=20, allow_unranked=False):
        self.size = size
        self.min_rank = rank_code(min_rank) if min_rank else 0
        if min_rank and not self.min_rank:
            raise GogoError(f"cannot read the rank {min_rank!r} (e.g. 6d, 1k, 1p)")
        if handicap not in (None, "even", "handicap"):
            raise ValueError("handicap must be None, 'even' or 'handicap'")
        self.handicap = handicap
        self.min_moves = min_moves
        self.allow_unranked = allow_unranked

    def as_dict(self):
        return {"size": self.size, "min_rank": rank_name(self.min_rank) or None,
                "handicap": self.handicap, "min_moves": self.min_moves,
                "allow_unranked": self.allow_unranked}

    def reason(self, record, handicap):
        """Why the record is filtered out, or None."""
        if self.size and record.size != self.size:
            return "board size"
        if len(record.moves) < self.min_moves:
            return "too few moves"
        if self.min_rank:
            for rank in (record.black_rank, record.white_rank):
                code = rank_code(rank)
                if code < self.min_rank and not (code == 0 and self.allow_unranked):
                    return "rank"
        if self.handicap == "even" and handicap >= 2:
            return "handicap game"
        if self.handicap == "handicap" and handicap < 2:
            return "even game"
        return None


def handicap_of(record):
    if record.handicap >= 2:
        return record.handicap
    if record.setup_black and not record.setup_white and len(record.setup_black) >= 2:
        return len(record.setup_black)
    return 0


def compact(record, board):
    """A replayed record as plain arrays and numbers (cheap to send between processes)."""
    n = record.size
    black, white = board.setup_stones
    setup = np.array([board.index(p) for p in black + white], np.int16)
    setup_colors = np.array([BLACK] * len(black) + [WHITE] * len(white), np.int8)
    moves = np.array([coords.index_of_rowcol_or_pass(p, n) for _, p in record.moves], np.int16)
    colors = np.array([c for c, _ in record.moves], np.int8)
    winner = {BLACK: 1, WHITE: -1}.get(record.winner, 0)
    return (n, np.nan if record.komi is None else record.komi, handicap_of(record), winner,
            np.nan if record.margin is None else record.margin,
            WIN_BY.index(record.win_by) if record.win_by in WIN_BY else 0,
            rank_code(record.black_rank), rank_code(record.white_rank), sgf.game_key(record),
            moves, colors, setup, setup_colors)


def examine(item, filters):
    """One game in: ('error', category, source, detail), ('filtered', reason, source, None) or
    ('good', None, source, compact tuple)."""
    if isinstance(item, sgf.GameError):
        return ("error", item.category, item.source, item.detail)
    try:
        reason = filters.reason(item, handicap_of(item))
        if reason:
            return ("filtered", reason, item.source, None)
        board = sgf.replay(item, keep_undo=False)
        return ("good", None, item.source, compact(item, board))
    except sgf.GameError as e:
        return ("error", e.category, e.source, e.detail)
    except Exception as e:  # never let one record stop the build
        return ("error", "internal error", item.source, f"{type(e).__name__}: {e}")


def _work(batch, filters):
    out = []
    for index, item in batch:
        games = [item] if isinstance(item, sgf.GameError) else sgf.parse_games(item[1], item[0])
        out.extend((index, examine(g, filters)) for g in games)
    return out


def _results(sources, filters, workers):
    """(source index, examine result) for every game, in source order."""
    return bulk.map_batches(_work, sources, workers, filters)


def build_store(sources, out=None, filters=None, val=0.01, test=0.01, workers=0, progress=None):
    """Read, filter, replay and deduplicate the games of `sources`; write the store to `out` when
    given. Returns (GameStore, report dict). `progress(report_so_far)` is called every 10k games."""
    sources = [os.fspath(s) for s in ([sources] if isinstance(sources, (str, os.PathLike)) else sources)]
    filters = filters or Filters()
    start = time.perf_counter()
    read = 0
    errors, filtered = collections.Counter(), collections.Counter()
    examples = collections.defaultdict(list)
    seen = set()
    games = []  # (source index, name, compact tuple)
    for index, (kind, reason, source, detail) in _results(sources, filters, max(workers, 0)):
        read += 1
        if kind == "error":
            errors[reason] += 1
            if len(examples[reason]) < EXAMPLES:
                examples[reason].append({"source": source, "detail": detail})
        elif kind == "filtered":
            filtered[reason] += 1
        elif detail[8] in seen:
            filtered["duplicate"] += 1
        else:
            seen.add(detail[8])
            games.append((index, source, detail))
        if progress and read % 10000 == 0:
            progress({"read": read, "good": len(games), "seconds": time.perf_counter() - start})
    arrays = store_arrays(games, sources, val, test)
    report = {
        "sources": sources, "games_read": read, "games": len(games),
        "rejected": sum(errors.values()), "filtered": sum(filtered.values()),
        "rejections": {k: {"count": v, "examples": examples[k]} for k, v in errors.most_common()},
        "filtered_by": dict(filtered.most_common()),
        "splits": {s: int((arrays["split"] == k).sum()) for k, s in enumerate(SPLITS)},
        "moves": int(len(arrays["moves"])), "filters": filters.as_dict(),
        "split_fractions": {"val": val, "test": test},
        "workers": max(workers, 0), "seconds": round(time.perf_counter() - start, 1),
    }
    info = {"builder": f"gogo {__version__}", "date": datetime.date.today().isoformat(), **report}
    arrays["info"] = np.array(json.dumps({k: v for k, v in info.items() if k != "rejections"}))
    if out is not None:
        save_store(arrays, out)
        report["path"] = os.fspath(out)
        report["bytes"] = os.path.getsize(out)
    return GameStore(arrays, path=out and os.fspath(out)), report


def _offsets(lengths):
    out = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=out[1:])
    return out


def store_arrays(games, sources, val, test):
    """The store's arrays (see the module docstring) from rows (source index, name, fields as
    `compact` makes them), split by key with `val` and `test` of the games held out."""
    cols = list(zip(*[g[2] for g in games])) if games else [[] for _ in range(13)]
    size, komi, handicap, winner, margin, win_by, brank, wrank, keys, moves, colors, setup, setup_c = cols
    names = [g[1].encode("utf-8") for g in games]
    cat = lambda parts, dtype: np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)  # noqa: E731
    key = np.frombuffer(b"".join(keys), np.uint8).reshape(-1, 16) if games else np.zeros((0, 16), np.uint8)
    return {
        "format": np.array(FORMAT), "version": np.array(VERSION, np.int32),
        "sources": np.array(sources, dtype=str) if sources else np.zeros(0, "U1"),
        "move_offsets": _offsets([len(m) for m in moves]),
        "moves": cat(moves, np.int16), "colors": cat(colors, np.int8),
        "setup_offsets": _offsets([len(s) for s in setup]),
        "setup_points": cat(setup, np.int16), "setup_colors": cat(setup_c, np.int8),
        "size": np.array(size, np.int8), "komi": np.array(komi, np.float32),
        "handicap": np.array(handicap, np.int8), "winner": np.array(winner, np.int8),
        "margin": np.array(margin, np.float32), "win_by": np.array(win_by, np.int8),
        "black_rank": np.array(brank, np.int8), "white_rank": np.array(wrank, np.int8),
        "split": np.array([split_of(k, val, test) for k in keys], np.int8),
        "key": key, "source": np.array([g[0] for g in games], np.int32),
        "name_offsets": _offsets([len(n) for n in names]),
        "names": np.frombuffer(b"".join(names), np.uint8).copy(),
    }

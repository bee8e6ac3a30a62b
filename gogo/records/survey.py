"""The census behind `gogo replay SOURCES...`: read every game of every source, replay it, count
good and rejected.

Sources are .sgf files, folders and archives (see gogo.sgf). The main process reads the files
(decompressing archives as a stream); worker processes parse and replay them in batches and send
back one small summary per game, so memory stays flat however large the sources are (only a
16-byte key per good game is kept, to count exact duplicates).

Games are replayed with simple ko (SGF records are mostly Japanese-rules games); --superko checks
positional superko as well.
"""
import collections
import os
import time

from gogo.records import sgf, workers as bulk

SHORT = 20  # games with fewer moves are counted apart (fragments, empty records)


def summarize(item, superko=False):
    """One game's summary: a plain tuple, cheap to send between processes.

    (source, category, detail, size, handicap, setup_stones, moves, key, charset, win_by, komi);
    category and detail are None for a good game.
    """
    if isinstance(item, sgf.GameError):
        return (item.source, item.category, item.detail) + (None,) * 8
    try:
        sgf.replay(item, superko=superko, keep_undo=False)
    except sgf.GameError as e:  # the key, to count distinct rejected games
        return (e.source, e.category, e.detail) + (None,) * 4 + (sgf.game_key(item),) + (None,) * 3
    except Exception as e:  # never let one record stop the run
        return (item.source, "internal error", f"{type(e).__name__}: {e}") + (None,) * 8
    return (item.source, None, None, item.size, item.handicap,
            len(item.setup_black) + len(item.setup_white), len(item.moves), sgf.game_key(item),
            item.charset, item.win_by, item.komi)


def work(batch, superko=False):
    """(source argument index, summary) of every game in a batch of
    (index, (source, bytes) or read error)."""
    out = []
    for index, item in batch:
        if isinstance(item, sgf.GameError):
            out.append((index, summarize(item)))
            continue
        source, data = item
        for game in sgf.parse_games(data, source):
            out.append((index, summarize(game, superko)))
    return out


class Tally:
    """Counts over the summaries of a run."""

    def __init__(self, sources, show_rejects):
        self.sources = [os.fspath(s) for s in sources]
        self.show = show_rejects
        self.read = self.good = self.rejected = 0
        self.reasons = collections.Counter()
        self.examples = collections.defaultdict(list)
        self.sizes = collections.Counter()
        self.handicaps = collections.Counter()
        self.setup_games = self.setup_not_handicap = 0
        self.moves = 0
        self.empty_games = self.short_games = self.short_duplicates = 0
        self.charsets = collections.Counter()
        self.win_by = collections.Counter()
        self.komi = collections.Counter()
        self.first_seen = {}  # game key -> index of the source argument where first seen
        self.duplicates = 0
        self.duplicated_keys = set()
        self.duplicates_across = 0
        self.per_source = [collections.Counter() for _ in self.sources]
        self.rejected_keys = set()  # game keys of rejected games that parsed, sources of the rest

    def add(self, index, summary):
        """One game's summary (see `summarize`) from the source argument `index`."""
        source, category, detail, size, handicap, setup, moves, key, charset, win_by, komi = summary
        self.read += 1
        counts = self.per_source[index]
        counts["read"] += 1
        if category is not None:
            self.rejected += 1
            counts["rejected"] += 1
            self.reasons[category] += 1
            self.rejected_keys.add(key if key is not None else source)
            if len(self.examples[category]) < self.show:
                self.examples[category].append({"source": source, "detail": detail})
            return
        self.good += 1
        counts["good"] += 1
        self.sizes[size] += 1
        if handicap >= 2:
            self.handicaps[handicap] += 1
        if setup:
            self.setup_games += 1
            if handicap < 2:
                self.setup_not_handicap += 1
        self.moves += moves
        self.empty_games += moves == 0
        self.short_games += moves < SHORT
        self.charsets[charset] += 1
        self.win_by[win_by or "unknown"] += 1
        self.komi["none" if komi is None else f"{komi:g}"] += 1
        first = self.first_seen.get(key)
        if first is None:
            self.first_seen[key] = index
        else:
            self.duplicates += 1
            counts["duplicates"] += 1
            self.duplicated_keys.add(key)
            self.duplicates_across += first != index
            self.short_duplicates += moves < SHORT

    def report(self, wall):
        return {
            "sources": self.sources,
            "wall_s": round(wall, 1),
            "games_per_s": round(self.read / wall, 1) if wall > 0 else None,
            "games_read": self.read,
            "good": self.good,
            "rejected": self.rejected,
            "rejected_distinct": len(self.rejected_keys),
            "rejections": {cat: {"count": n, "examples": self.examples[cat]}
                           for cat, n in self.reasons.most_common()},
            "board_sizes": {str(k): v for k, v in sorted(self.sizes.items())},
            "handicap_games": sum(self.handicaps.values()),
            "handicap_stones": {str(k): v for k, v in sorted(self.handicaps.items())},
            "setup_games": self.setup_games,
            "setup_games_without_handicap": self.setup_not_handicap,
            "moves": self.moves,
            "moves_per_game": round(self.moves / self.good, 1) if self.good else None,
            "games_without_moves": self.empty_games,
            f"games_under_{SHORT}_moves": self.short_games,
            "duplicates": {"games": self.duplicates,
                           "distinct_sequences": len(self.duplicated_keys),
                           "across_sources": self.duplicates_across,
                           f"of_games_under_{SHORT}_moves": self.short_duplicates,
                           "unique_games": self.good - self.duplicates},
            "per_source": {s: dict(c) for s, c in zip(self.sources, self.per_source)},
            "charsets": dict(self.charsets.most_common()),
            "results": dict(self.win_by.most_common()),
            "komi": dict(self.komi.most_common()),
            "note": "distributions, duplicates and charsets count good games only; "
                    "replayed with simple ko",
        }


def survey(sources, workers=1, superko=False, show_rejects=5, progress=None):
    """Read and replay every game of the sources; the report (Tally.report). progress(tally,
    seconds) is called every 10,000 games."""
    start = time.perf_counter()
    tally = Tally(sources, max(show_rejects, 0))
    for index, summary in bulk.map_batches(work, sources, max(workers, 1), superko):
        tally.add(index, summary)
        if progress and tally.read % 10000 == 0:
            progress(tally, time.perf_counter() - start)
    report = tally.report(time.perf_counter() - start)
    report["workers"] = max(workers, 1)
    report["superko"] = bool(superko)
    return report

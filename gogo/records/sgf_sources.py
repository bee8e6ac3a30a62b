"""Where SGF games come from: .sgf files, folders and archives, read in bulk.

    iter_sgf_files(sources)         (source, bytes) of every .sgf file in files, folders and archives
    iter_sgf_file_batches(sources)  the same in lists: work units for worker processes
    iter_sources(sources)           GameRecord or GameError for every game of every source
    Reader                          the bulk reader: yields records, reports and counts errors

Sources are .sgf files, folders (walked recursively for .sgf files and archives) and archives
(.tar.gz/.tgz/.tar.xz/.txz/.tar.bz2/.tbz2/.tar/.zip) read as a stream, never extracted to disk.
A record's `source` is the file path, or 'archive.tar.gz:member/path.sgf' for an archive member
(gogo.sgf.parse_games adds '#2' for the games of a collection). One game's bytes are parsed,
charset included, by gogo.sgf.
"""
from __future__ import annotations

import os
import sys
import tarfile
import zipfile
from collections import Counter
from typing import Callable, Optional

from gogo.records.sgf import GameError, parse_games, replay

__all__ = ["Reader", "iter_sgf_files", "iter_sgf_file_batches", "iter_sources", "is_archive"]

TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tbz", ".tar")
ZIP_SUFFIXES = (".zip",)



def is_archive(path):
    name = os.fspath(path).lower()
    return name.endswith(TAR_SUFFIXES) or name.endswith(ZIP_SUFFIXES)


def _is_sgf(name):
    return name.lower().endswith(".sgf")


def _iter_archive(path):
    lower = path.lower()
    try:
        if lower.endswith(ZIP_SUFFIXES):
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    if info.is_dir() or not _is_sgf(info.filename):
                        continue
                    name = f"{path}:{info.filename}"
                    try:
                        data = zf.read(info)
                    except Exception as e:  # bad CRC, unsupported compression, ...
                        yield GameError(name, "read error", f"cannot read archive member: {e}")
                        continue
                    yield name, data
        else:
            with tarfile.open(path, mode="r|*") as tf:
                for member in tf:
                    if not member.isfile() or not _is_sgf(member.name):
                        continue
                    yield f"{path}:{member.name}", tf.extractfile(member).read()
    except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, ValueError) as e:
        yield GameError(path, "read error", f"cannot read archive: {type(e).__name__}: {e}")


def iter_sgf_files(sources):
    """(source, bytes) for every .sgf file of the sources, in order, or a GameError for what
    cannot be read (a missing path, a corrupt archive). Folders are walked recursively (sorted),
    taking .sgf files and archives; a file given explicitly is read as SGF unless it is an archive."""
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    for src in sources:
        src = os.fspath(src)
        if os.path.isdir(src):
            for dirpath, dirnames, filenames in os.walk(src):
                dirnames.sort()
                for name in sorted(filenames):
                    path = os.path.join(dirpath, name)
                    if is_archive(name):
                        yield from _iter_archive(path)
                    elif _is_sgf(name):
                        yield from _iter_file(path)
        elif is_archive(src):
            if not os.path.exists(src):
                yield GameError(src, "read error", "no such file")
            else:
                yield from _iter_archive(src)
        else:
            yield from _iter_file(src)


def _iter_file(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        yield GameError(path, "read error", f"cannot read: {e.strerror or e}")
        return
    yield path, data


def iter_sgf_file_batches(sources, size):
    """Lists of up to `size` (index of the source argument, iter_sgf_files item) pairs, in source
    order: work units for the bulk readers' worker processes."""
    batch = []
    for index, source in enumerate(sources):
        for item in iter_sgf_files([source]):
            batch.append((index, item))
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


def iter_sources(sources):
    """GameRecord or GameError for every game of every source (see iter_sgf_files)."""
    for item in iter_sgf_files(sources):
        if isinstance(item, GameError):
            yield item
        else:
            yield from parse_games(item[1], item[0])


def _print_error(error):
    print(f"gogo: rejected {error}", file=sys.stderr)


class Reader:
    """Bulk reader: iterating `Reader(sources)` yields the good GameRecords; each bad record is
    passed to `on_error` (default: a line on stderr), counted, and skipped.

    replay=True also replays every record (simple ko unless superko=True) and rejects the
    illegal ones. After (or during) iteration: .read (games seen), .good, .rejected, and
    .reasons (Counter of GameError.category).
    """

    def __init__(self, sources, on_error: Optional[Callable[[GameError], None]] = _print_error,
                 replay=False, superko=False):
        self.sources = sources
        self.on_error = on_error or (lambda e: None)
        self.replay = replay
        self.superko = superko
        self.read = self.good = self.rejected = 0
        self.reasons = Counter()

    def __iter__(self):
        for item in iter_sources(self.sources):
            self.read += 1
            if not isinstance(item, GameError) and self.replay:
                try:
                    replay(item, superko=self.superko, keep_undo=False)
                except GameError as e:
                    item = e
            if isinstance(item, GameError):
                self.rejected += 1
                self.reasons[item.category] += 1
                self.on_error(item)
                continue
            self.good += 1
            yield item

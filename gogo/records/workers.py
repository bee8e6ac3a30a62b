"""Bulk work on SGF sources in worker processes, results in source order.

The main process reads the sources (decompressing archives as a stream) and hands batches of
files to a pool of forked workers; results come back in the order the batches went out, and the
reader never runs more than a few batches ahead of the workers, so memory stays flat however large
the sources are. The store builder and the `gogo replay` census both read this way.
"""
import collections
import multiprocessing

from gogo.go.board import BLACK, WHITE
from gogo.records import sgf, sgf_sources

FILES_PER_BATCH = 64
READ_AHEAD = 3  # batches in flight per worker


def _warm_up():
    """Compile (or load) the Numba kernels once, before the workers fork."""
    sgf.replay(sgf.GameRecord(size=9, moves=[(BLACK, (2, 2)), (WHITE, (6, 6)), (BLACK, None)]))


def map_batches(work, sources, workers, *args):
    """work(batch, *args) -> list, for every batch of (source argument index, sgf_sources item)
    pairs of the sources; yields the lists' items in source order. workers <= 1: in-process."""
    batches = sgf_sources.iter_sgf_file_batches(sources, FILES_PER_BATCH)
    if workers <= 1:
        for batch in batches:
            yield from work(batch, *args)
        return
    _warm_up()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with context.Pool(workers) as pool:
        pending = collections.deque()
        for batch in batches:
            pending.append(pool.apply_async(work, (batch, *args)))
            while len(pending) >= READ_AHEAD * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()

"""Facts for many files at once: read and hash here, parse what the cache lacks on every core.

The command line's cold run spends most of its time in `ast.parse`. `prefetch` reads every
file once, takes the facts of texts already in the on-disk cache, and sends the rest to a pool
of worker processes (one per core; none for small runs, where starting them costs more than it
saves). Workers only parse text they are given: they never read the workspace or import it.
Results go into each Workspace's per-file cache, so the rules that run next find them there.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path

from dashm.workspace import cache
from dashm.workspace.facts import FileFacts, unshared
from dashm.workspace.index import SourceFile, Workspace
from dashm.workspace.skeleton import quick_facts
from dashm.workspace.source import SourceProblem, read_source

MIN_FILES_FOR_POOL = 64
CHUNK_BYTES = 512 * 1024
READ_BETWEEN_YIELDS = 256  # files read between two reports of progress


def jobs() -> int:
    explicit = os.environ.get("DASHM_JOBS", "")
    if explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic collector off while facts are made. Syntax trees and facts hold no cycles
    (reference counting frees them), but every tree allocates thousands of objects, and each
    collection re-walks all the facts kept so far: on the standard library the collector
    took 40% of the time. It is switched back on (and the survivors frozen) afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _extract_many(texts: list[str], share: bool = False) -> list[FileFacts]:
    """Facts of `texts`, interned only if `share` (for a long-lived process)."""
    with _gc_paused(), (nullcontext() if share else unshared()):
        return [quick_facts(text) for text in texts]


def prefetch(items: Sequence[tuple[Workspace, Path]], workers: int | None = None,
             share: bool = True) -> None:
    """Fill each workspace's facts for `items`; files that cannot be read are left alone
    (the caller's own read reports them). `share`: make the facts share this process's
    objects (worth it in a long-lived server; a one-off command line skips it)."""
    for _ in prefetch_in_order(items, workers, share):
        pass


def prefetch_in_order(items: Sequence[tuple[Workspace, Path]], workers: int | None = None,
                      share: bool = True, keep_texts: bool = True) -> Iterator[int]:
    """`prefetch`, telling as it goes how many of `items` (from the first) have their facts:
    the caller can check those while the workers make the rest. `keep_texts` False: keep
    only the facts (a server, for whom 20,000 texts are 40 MB; a text is read again when
    asked for)."""
    with _gc_paused():
        yield from _prefetch(items, workers, share, keep_texts)
    gc.freeze()  # what survives (texts, facts) lives as long as the workspace: never re-walk it


def _prefetch(items: Sequence[tuple[Workspace, Path]], workers: int | None,
              share: bool, keep_texts: bool = True) -> Iterator[int]:
    pending: list[tuple[int, Workspace, Path, object, str, bytes | None]] = []
    extractor = _Extractor(workers or jobs(), len(items), share)
    done = 0  # pending files whose facts are in

    def settle(part: list[FileFacts]) -> None:
        nonlocal done
        for (_, workspace, path, key, text, digest), facts in zip(
                pending[done:done + len(part)], part, strict=True):
            store = cache.shared(workspace.folder)
            if store is not None and digest is not None:
                store.put(digest, facts)
            workspace.remember(path, key, SourceFile(path, text if keep_texts else None, facts))
        done += len(part)

    try:
        for number, (workspace, path) in enumerate(items):
            key = workspace.disk_key(path)
            text = read_source(path) if key is not None else None
            if isinstance(text, str):  # (a file that cannot be read: the caller reports it)
                store = cache.shared(workspace.folder)
                digest = cache.digest(text) if store is not None else None
                facts = store.get(digest) if store is not None and digest is not None \
                    else None
                if facts is not None:
                    workspace.remember(path, key,
                                       SourceFile(path, text if keep_texts else None, facts))
                else:
                    pending.append((number, workspace, path, key, text, digest))
                    extractor.add(text)  # workers start on a chunk while the next is read
            # While reading, hand on what the workers have finished, and every few hundred
            # files return at all: a server's analysis thread must not stay here for long.
            settled = False
            while (part := extractor.take(wait=False)) is not None:
                settle(part)
                settled = True
            if settled or number % READ_BETWEEN_YIELDS == READ_BETWEEN_YIELDS - 1:
                yield pending[done][0] if done < len(pending) else number + 1
        while (part := extractor.take(wait=True)) is not None:
            settle(part)
            yield pending[done][0] if done < len(pending) else len(items)
        yield len(items)
    finally:
        extractor.close()


class _Extractor:
    """Facts for texts given one by one: on a pool of processes, chunk by chunk as they come,
    when there are enough files for the pool to pay; else here, at the end."""

    def __init__(self, workers: int, expected: int, share: bool) -> None:
        self.texts: list[str] = []
        self.given = 0  # texts whose facts `take` has returned
        self.share = share
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[list[FileFacts]]] = []
        self.chunk: list[str] = []
        self.size = 0
        if workers > 1 and expected >= MIN_FILES_FOR_POOL:
            try:
                self.pool = ProcessPoolExecutor(workers, mp_context=_context())
            except (OSError, RuntimeError, ImportError):  # no processes here (sandbox, limits)
                self.pool = None

    def add(self, text: str) -> None:
        self.texts.append(text)
        if self.pool is None:
            return
        self.chunk.append(text)
        self.size += len(text)
        if self.size >= CHUNK_BYTES:
            self._submit()

    def _submit(self) -> None:
        assert self.pool is not None
        if self.chunk:
            try:
                # A server's workers intern: pickling keeps the sharing within a chunk, most
                # of the memory saved. Interning every fact again here, across chunks, saved
                # 10-15 MB on 20,000 files and cost 1.5 s of a 9.5 s index: not done.
                self.futures.append(self.pool.submit(_extract_many, self.chunk, self.share))
            except (OSError, RuntimeError):
                self.close()
        self.chunk = []
        self.size = 0

    def take(self, wait: bool) -> list[FileFacts] | None:
        """The facts of the next texts in order (a chunk's), or None: none are finished and
        `wait` is False, or every text added has had its facts. With `wait`, no text is
        added any more: the last chunk goes to the pool and this waits for each in turn."""
        if self.pool is None:  # no pool, or it broke: the rest is done here, at the end
            if not wait or self.given == len(self.texts):
                return None
            part = _extract_many(self.texts[self.given:], self.share)
        else:
            if wait:
                self._submit()
            if not self.futures or not (wait or self.futures[0].done()):
                return None
            try:
                part = self.futures.pop(0).result()
            except (OSError, RuntimeError, ImportError):  # a worker died: do the rest here
                self.close()
                return self.take(wait)
        self.given += len(part)
        return part

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        self.futures = []
        self.chunk = []


def _context():  # type: ignore[no-untyped-def]
    import multiprocessing

    # fork is cheap and needs no re-import, but only safe with a single thread (the CLI); the
    # language server (threads) and other platforms use spawn.
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def prefetch_paths(workspace_for: Callable[[Path], Workspace],
                   items: Sequence[tuple[Path, Path | SourceProblem]]) -> Iterator[int]:
    """`prefetch_in_order` for check_paths' (argument, file-or-problem) pairs: yields how many
    of `items` can be checked."""
    files = [(number, workspace_for(start), item) for number, (start, item) in enumerate(items)
             if isinstance(item, Path)]
    for ready in prefetch_in_order([(w, p) for _, w, p in files], share=False):
        yield files[ready][0] if ready < len(files) else len(items)

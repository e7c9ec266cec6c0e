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
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from dashm.workspace import cache
from dashm.workspace.facts import FileFacts, intern
from dashm.workspace.index import SourceFile, Workspace
from dashm.workspace.skeleton import quick_facts
from dashm.workspace.source import SourceProblem, read_source

MIN_FILES_FOR_POOL = 64
CHUNK_BYTES = 512 * 1024


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


def _extract_many(texts: list[str]) -> list[FileFacts]:
    with _gc_paused():
        return [quick_facts(text) for text in texts]


def prefetch(items: Sequence[tuple[Workspace, Path]], workers: int | None = None,
             share: bool = True) -> None:
    """Fill each workspace's facts for `items`; files that cannot be read are left alone
    (the caller's own read reports them). `share`: make the facts share this process's
    objects (worth it in a long-lived server; a one-off command line skips it)."""
    with _gc_paused():
        _prefetch(items, workers, share)
    gc.freeze()  # what survives (texts, facts) lives as long as the workspace: never re-walk it


def _prefetch(items: Sequence[tuple[Workspace, Path]], workers: int | None,
              share: bool) -> None:
    pending: list[tuple[Workspace, Path, object, str, bytes | None]] = []
    for workspace, path in items:
        store = cache.shared(workspace.folder)
        key = workspace.disk_key(path)
        if key is None:
            continue
        text = read_source(path)
        if isinstance(text, SourceProblem):
            continue
        digest = cache.digest(text) if store is not None else None
        facts = store.get(digest) if store is not None and digest is not None else None
        if facts is not None:
            workspace.remember(path, key, SourceFile(path, text, facts))
        else:
            pending.append((workspace, path, key, text, digest))
    if not pending:
        return
    results = _extract_all([p[3] for p in pending], workers or jobs(), share)
    for (workspace, path, key, text, digest), facts in zip(pending, results, strict=True):
        store = cache.shared(workspace.folder)
        if store is not None and digest is not None:
            store.put(digest, facts)
        workspace.remember(path, key, SourceFile(path, text, facts))


def _extract_all(texts: list[str], workers: int, share: bool = True) -> list[FileFacts]:
    if workers <= 1 or len(texts) < MIN_FILES_FOR_POOL:
        return _extract_many(texts)
    chunks: list[list[str]] = [[]]
    size = 0
    for text in texts:
        if size >= CHUNK_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(text)
        size += len(text)
    try:
        with ProcessPoolExecutor(workers, mp_context=_context()) as pool:
            # Unpickled facts are copies: share this process's objects again (less memory).
            parts = pool.map(_extract_many, chunks)
            return [intern(f) if share else f for part in parts for f in part]
    except (OSError, RuntimeError, ImportError):  # no processes here (sandbox, limits)
        return _extract_many(texts)


def _context():  # type: ignore[no-untyped-def]
    import multiprocessing

    # fork is cheap and needs no re-import, but only safe with a single thread (the CLI); the
    # language server (threads) and other platforms use spawn.
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def prefetch_paths(workspace_for: Callable[[Path], Workspace],
                   items: Sequence[tuple[Path, Path | SourceProblem]]) -> None:
    """`prefetch` for check_paths' (argument, file-or-problem) pairs."""
    prefetch([(workspace_for(start), item) for start, item in items if isinstance(item, Path)],
             share=False)

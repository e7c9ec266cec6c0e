"""Warm `dashm check`: when nothing it read has changed, print the last run's output again.

A run is keyed by everything that shapes its output without being a file: dashm's version,
the interpreter running it, the arguments, the current folder and the environment variables
that change an interpreter's `sys.path`. The entry records the stat of everything the run
depended on (`dashm.workspace.snapshot`: the folders walked and their entries, the folders
import resolution listed, the standard library's and site-packages' among them, the
arguments' ancestors, the interpreters). If any of them differs, or anything cannot be read
back, the run happens as usual.

This module is imported before the rest of dashm on the warm path, so it imports nothing heavy.
"""

from __future__ import annotations

import io
import os
import sys
import time

from dashm.workspace import snapshot

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing alone costs a warm run
if TYPE_CHECKING:  # 20-50 ms here; these imports are for type checkers only
    from collections.abc import Callable, Iterable
    from pathlib import Path

FORMAT = 3
ENTRIES = "runs"  # the kind of snapshot entry


def _key(argv: list[str]) -> str:
    return snapshot.key(FORMAT, argv, os.getcwd())


def cacheable(argv: list[str]) -> bool:
    return os.environ.get("DASHM_NO_CACHE", "") == "" and not any(
        a in ("--no-cache", "--fix", "--diff") for a in argv)


def replay(argv: list[str]) -> int | None:
    """Print the stored output of this exact run and return its exit code, if still valid."""
    if not cacheable(argv):
        return None
    found = snapshot.load_entry(ENTRIES, _key(argv))
    if found is None or len(found) != 3:
        return None
    stdout, stderr, code = found
    if not (isinstance(stdout, str) and isinstance(stderr, str) and isinstance(code, int)):
        return None
    sys.stderr.write(stderr)
    sys.stderr.flush()
    sys.stdout.write(stdout)
    sys.stdout.flush()
    return code


class _Tee(io.TextIOBase):
    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.buffer_text = io.StringIO()

    def write(self, text: str) -> int:
        self.buffer_text.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")


def run_check(argv: list[str], paths: Iterable[Path], handler: Callable[[], int]) -> int:
    """Run `dashm check` (handler) through the caches: replay, else run, record and store."""
    from dashm.workspace import cache

    if not cacheable(argv):
        if "--no-cache" in argv or os.environ.get("DASHM_NO_CACHE"):
            cache.disable()
            return handler()
        code = handler()  # --fix: facts may come from and go to the cache, output is not kept
        cache.save_all()
        return code
    hit = replay(argv)
    if hit is not None:
        return hit
    started = time.time_ns()
    out, err = _Tee(sys.stdout), _Tee(sys.stderr)  # type: ignore[arg-type]
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
    try:
        code = handler()
    finally:
        sys.stdout, sys.stderr = real
    cache.save_all()
    if code in (0, 1):
        watched = snapshot.watched_inputs([os.fspath(p) for p in paths], _python_argument(argv))
        if not snapshot.racy(watched, started):
            snapshot.store_entry(ENTRIES, _key(argv), watched, out.buffer_text.getvalue(),
                                 err.buffer_text.getvalue(), code)
    return code


def _python_argument(argv: list[str]) -> list[str]:
    """The interpreter `--python` names, if any: its stat is an input too."""
    if "--python" in argv:
        index = argv.index("--python")
        if index + 1 < len(argv):
            return [argv[index + 1]]
    return []

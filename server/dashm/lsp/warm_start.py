"""A server started on a folder it has scanned before: the last scan's diagnostics, again.

A full scan of a folder keeps what it published for every file (from disk, open or not) with
the stat of everything it depended on (`dashm.workspace.snapshot`). When the server starts
on that folder again, with the same dashm, interpreter, settings and position encoding, and
nothing of it has changed, those diagnostics are published at once instead of checking every
file again (20,000 files: a second instead of ten). The facts are then read in the
background, for the checks that edits ask for. Any change, or anything unreadable, means a
full scan, as before.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from lsprotocol import types
from pygls.protocol import default_converter

from dashm.workspace import looked_at, snapshot

FORMAT = 1
ENTRIES = "server"  # the kind of snapshot entry
_converter = default_converter()


def _key(folder: Path, interpreter: str, settings: object, encoding: object) -> str:
    return snapshot.key(FORMAT, str(folder), interpreter, repr(settings), str(encoding))


class Recorder:
    """What one scan published, file by file, to be kept if the scan completes cleanly."""

    def __init__(self, folder: Path, interpreter: str, settings: object,
                 encoding: object) -> None:
        self.key = _key(folder, interpreter, settings, encoding)
        self.folder = folder
        self.interpreter = interpreter
        self.started = time.time_ns()
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.complete = True  # False once a file could not be checked
        self.files = 0

    def keep_later(self, files: int) -> None:
        """Store the scan, unless a file failed or an input changed while it ran. Called on
        the analysis thread (which adds to what was looked at); the stat of every input is
        taken on a thread of its own, which the process waits for when it exits, so that a
        server stopped right after its scan still keeps it."""
        if not self.complete or not _enabled():
            return
        looked = (sorted(looked_at.LISTED), sorted(looked_at.READ))
        threading.Thread(target=self._keep, args=(files, looked), name="dashm-warm-start",
                         daemon=False).start()

    def _keep(self, files: int, looked: tuple[list[str], list[str]]) -> None:
        watched = snapshot.watched_inputs([str(self.folder)], [self.interpreter], looked)
        if snapshot.racy(watched, self.started):
            return
        published = [(uri, [_converter.unstructure(d) for d in diagnostics])
                     for uri, diagnostics in sorted(self.diagnostics.items()) if diagnostics]
        snapshot.store_entry(ENTRIES, self.key, watched, files, published)


def replay(folder: Path, interpreter: str, settings: object, encoding: object
           ) -> tuple[int, dict[str, list[types.Diagnostic]]] | None:
    """The number of files and the non-empty diagnostics of the last complete scan of
    `folder` with these settings, if nothing it depended on has changed."""
    if not _enabled():
        return None
    found = snapshot.load_entry(ENTRIES, _key(folder, interpreter, settings, encoding))
    if found is None or len(found) != 2:
        return None
    files, published = found
    try:
        assert isinstance(files, int) and isinstance(published, list)
        return files, {uri: [_converter.structure(d, types.Diagnostic) for d in diagnostics]
                       for uri, diagnostics in published}
    except Exception:  # another layout, a damaged entry: scan instead
        return None


def _enabled() -> bool:
    """`DASHM_NO_CACHE=1` turns the server's caches off, as the command line's."""
    return os.environ.get("DASHM_NO_CACHE", "") == ""

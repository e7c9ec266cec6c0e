"""Files as fixes would leave them, without writing them: the dry run behind `check --diff`
and the editor's "Fix All in Workspace".

While an Overlay is active, every read of a file's content that the model and the fix engine
make, the folder listings import resolution makes, and the existence checks of the files fixes
create, see the fixed and created files as if they were written; the fix engine writes to the
overlay instead of the disk. So a preview runs exactly the code `check --fix` runs, rounds and
re-checks included, and ends in the same state.

The overlay is process-wide, like the listing caches it feeds: only a process of its own
activates one (the command line, or the subprocess the language server starts for a preview).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Overlay:
    """The bytes of every file a dry run changed or created, by absolute path."""

    def __init__(self) -> None:
        self.files: dict[Path, bytes] = {}
        self.created: set[Path] = set()
        self._versions: dict[Path, int] = {}

    def write(self, path: Path, data: bytes) -> None:
        path = _absolute(path)
        self.files[path] = data
        self._versions[path] = self._versions.get(path, 0) + 1

    def create(self, path: Path, data: bytes) -> None:
        """A new file; FileExistsError if it exists on disk or was created before."""
        path = _absolute(path)
        if path in self.created or os.path.lexists(path):
            raise FileExistsError(17, "File exists", str(path))
        self.created.add(path)
        self.write(path, data)

    def remove(self, path: Path) -> None:
        path = _absolute(path)
        self.created.discard(path)
        self.files.pop(path, None)
        self._versions[path] = self._versions.get(path, 0) + 1

    def version(self, path: Path) -> int | None:
        return self._versions.get(_absolute(path))

    def created_in(self, folder: Path) -> list[Path]:
        folder = _absolute(folder)
        return sorted(p for p in self.created if p.parent == folder)


_active: Overlay | None = None


@contextmanager
def previewing(overlay: Overlay) -> Iterator[Overlay]:
    """Make `overlay` the files' state for the duration (one at a time)."""
    global _active
    if _active is not None:
        raise RuntimeError("a preview is already running in this process")
    _active = overlay
    try:
        yield overlay
    finally:
        _active = None


def active() -> Overlay | None:
    return _active


def read_bytes(path: Path) -> bytes:
    if _active is not None:
        data = _active.files.get(_absolute(path))
        if data is not None:
            return data
    return path.read_bytes()


def write_bytes(path: Path, data: bytes) -> None:
    if _active is not None:
        _active.write(path, data)
    else:
        path.write_bytes(data)


def unlink(path: Path) -> None:
    """Take back a created file."""
    if _active is not None and _absolute(path) in _active.created:
        _active.remove(path)
    else:
        path.unlink(missing_ok=True)


def size(path: Path) -> int:
    if _active is not None:
        data = _active.files.get(_absolute(path))
        if data is not None:
            return len(data)
    return path.stat().st_size


def is_file(path: Path) -> bool:
    return (_active is not None and _absolute(path) in _active.created) or path.is_file()


def exists(path: Path) -> bool:
    return (_active is not None and _absolute(path) in _active.created) or path.exists()


def key(path: Path) -> tuple[str, int] | None:
    """A cache key for a file the overlay holds (it changes with each write); None if not."""
    if _active is None:
        return None
    version = _active.version(path)
    return None if version is None else ("overlay", version)


def _absolute(path: Path) -> Path:
    return path if path.is_absolute() and ".." not in path.parts else Path(os.path.abspath(path))

"""Path questions the core, the CLI and the server all ask, answered in one place."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")


def absolute(path: Path | str) -> Path:
    """`Path(os.path.abspath(path))`, but `path` itself when it already is that: making a Path
    parses it again, and the index asks this for every file several times."""
    text = os.fspath(path)
    normal = os.path.abspath(text)
    if normal == text and isinstance(path, Path):
        return path
    return Path(normal)


def is_within(path: Path, folder: Path) -> bool:
    """`path` is `folder` or lies below it (lexically: symlinks are not resolved). Compared
    as strings: `Path.relative_to` costs a parse and an exception, and rules ask this for
    every file."""
    inner = os.path.normcase(path)
    outer = os.path.normcase(folder)
    if not (os.path.isabs(inner) and os.path.isabs(outer)):
        try:  # relative paths: "." holds "a", which the strings do not show
            path.relative_to(folder)
        except ValueError:
            return False
        return True
    if inner == outer:
        return True
    if not outer.endswith(os.sep):
        outer += os.sep
    return inner.startswith(outer)


def nearest_project_folder(start: Path) -> Path | None:
    """The closest folder at or above `start` holding a project marker, if any."""
    for folder in (start, *start.parents):
        if any((folder / marker).is_file() for marker in PROJECT_MARKERS):
            return folder
    return None


def first_outside(root: Path, paths: list[Path]) -> Path | None:
    """The first path that is, or resolves (symlinks followed) to, a place outside `root`:
    where a fix must not write."""
    real_root = Path(os.path.realpath(root))
    for path in paths:
        if not is_within(Path(os.path.abspath(path)), root) or \
                not is_within(Path(os.path.realpath(path)), real_root):
            return path
    return None

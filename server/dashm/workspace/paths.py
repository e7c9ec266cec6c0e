"""Path questions the core, the CLI and the server all ask, answered in one place."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")


def is_within(path: Path, folder: Path) -> bool:
    """`path` is `folder` or lies below it (lexically: symlinks are not resolved)."""
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


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

"""Path questions the core, the CLI and the server all ask, answered in one place."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")
# A file's imports are read to choose its workspace only up to this size (a generated table
# says nothing about where the project starts).
MAX_IMPORT_SCAN_BYTES = 2 * 1024 * 1024


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


def workspace_folder(path: Path) -> Path:
    """The workspace folder of a command-line path, the same from any current folder: the
    nearest folder at or above it with a project marker or `.git`; else a folder argument
    itself, and for a file the folder its own absolute imports point to."""
    path = absolute(path)
    start = path.parent if path.is_file() else path
    marked = marked_folder(start)
    if marked is not None:
        return marked
    return folder_by_imports(path) if path.is_file() else start


def marked_folder(start: Path) -> Path | None:
    """The closest folder at or above `start` holding a project marker or `.git`."""
    for folder in (start, *start.parents):
        if any((folder / marker).is_file() for marker in PROJECT_MARKERS) or \
                os.path.exists(folder / ".git"):
            return folder
    return None


def folder_by_imports(file: Path) -> Path:
    """The outermost folder above `file` that resolves one of its absolute imports that no
    nearer folder resolves (`tools/count.py` importing the project's `utils` belongs to the
    folder holding `utils.py`), never inside the file's own package; else the folder the
    file's package tree (or the file) sits in. Only folders are listed, nothing is imported."""
    from dashm.runcache import LISTED  # the warm-run cache re-checks the folders looked in

    lowest = package_tree_folder(file.parent)
    wanted = _absolute_import_names(file) - frozenset(sys.stdlib_module_names)
    chosen = lowest
    for folder in (file.parent, *file.parent.parents):
        if not wanted or folder.parent == folder:  # the file system's root is no workspace
            break
        LISTED.add(str(folder))
        found = {name for name in wanted if _holds_module(folder, name)}
        wanted -= found
        if found and is_within(lowest, folder):  # at or above the package tree
            chosen = folder
    return chosen


def package_tree_folder(folder: Path) -> Path:
    """The folder above the unbroken chain of packages (`__init__.py`) holding `folder`, or
    `folder` itself when it is no package."""
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return folder


def _holds_module(folder: Path, name: str) -> bool:
    return (folder / f"{name}.py").is_file() or (folder / name).is_dir()


def _absolute_import_names(file: Path) -> frozenset[str]:
    """The top-level names of `file`'s absolute imports; none if it cannot be read or parsed."""
    try:
        if file.stat().st_size > MAX_IMPORT_SCAN_BYTES:
            return frozenset()
        tree = ast.parse(file.read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return frozenset(names)


def first_outside(root: Path, paths: list[Path]) -> Path | None:
    """The first path that is, or resolves (symlinks followed) to, a place outside `root`:
    where a fix must not write."""
    real_root = Path(os.path.realpath(root))
    for path in paths:
        if not is_within(Path(os.path.abspath(path)), root) or \
                not is_within(Path(os.path.realpath(path)), real_root):
            return path
    return None

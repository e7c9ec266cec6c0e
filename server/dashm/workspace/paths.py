"""Path questions the core, the CLI and the server all ask, answered in one place."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dashm.workspace import overlay
from dashm.workspace.looked_at import READ  # the warm-run cache re-checks the paths probed

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")
# A file's imports are read to choose its workspace only up to this size (a generated table
# says nothing about where the project starts).
MAX_IMPORT_SCAN_BYTES = 2 * 1024 * 1024
MAX_FOLDER_FILES = 50  # a folder argument's own files read for that


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
    nearest folder at or above it with a project marker or `.git`; else the folder its own
    imports point to (those of the file, or of the folder's files)."""
    path = absolute(path)
    is_file = path.is_file() or not path.exists()  # a missing path: as if a file
    start = path.parent if is_file else path
    marked = marked_folder(start)
    if marked is not None:
        return marked
    return folder_by_imports(start, [path] if is_file else _python_files_in(start))


def marked_folder(start: Path) -> Path | None:
    """The closest folder at or above `start` holding a project marker or `.git`."""
    for folder in (start, *start.parents):
        if _is_marked(folder):
            return folder
    return None


def _is_marked(folder: Path) -> bool:
    return any((folder / marker).is_file() for marker in PROJECT_MARKERS) or \
        os.path.exists(folder / ".git")


def folder_by_imports(start: Path, files: list[Path]) -> Path:
    """The outermost folder at or above `start` that resolves an absolute import of `files`
    (which sit in `start`) that no nearer folder resolves: `tools/count.py` importing the
    project's `utils` belongs to the folder holding `utils.py`. Never inside the package tree
    holding `start`; that tree's folder when no import says more. Folders are only listed."""
    lowest = package_tree_folder(start)
    wanted = set().union(*map(_absolute_import_names, files)) - set(sys.stdlib_module_names)
    chosen = lowest
    for folder in _candidate_folders(start):
        if not wanted:
            break
        # The paths probed, not the folder: a folder's mtime moves with every file made in
        # it (/tmp, ~/code), which would make every warm run a cold one.
        READ.update(str(folder / n) for name in wanted for n in (name, f"{name}.py"))
        found = {name for name in wanted if _holds_module(folder, name)}
        wanted -= found
        if found and is_within(lowest, folder):  # at or above the package tree
            chosen = folder
    return chosen


def package_tree_folder(folder: Path) -> Path:
    """The folder above the unbroken chain of packages (`__init__.py`) holding `folder`, or
    `folder` itself when it is no package."""
    while overlay.is_file(folder / "__init__.py") and folder.parent != folder \
            and folder.name.isidentifier():  # `Repo-main/__init__.py` makes no package
        folder = folder.parent
    return folder


def _candidate_folders(start: Path) -> list[Path]:
    """`start` and its ancestors below the home folder and the file system's root: neither is
    a project, and their stray folders (`~/models`) must not look like one's modules."""
    try:
        home: Path | None = Path.home()
    except (RuntimeError, KeyError):  # no home folder known
        home = None
    found = []
    for folder in (start, *start.parents):
        if folder.parent == folder or (home is not None and is_within(home, folder)):
            break
        found.append(folder)
    return found


def _holds_module(folder: Path, name: str) -> bool:
    """`folder` has a module or package `name` of its own: a folder of that name holding a
    project marker or `.git` is another project (a cloned repository), not a module."""
    package = folder / name
    return overlay.is_file(folder / f"{name}.py") or (package.is_dir() and not _is_marked(package))


def _python_files_in(folder: Path) -> list[Path]:
    """The first MAX_FOLDER_FILES `.py` files directly in `folder`, by name (deterministic)."""
    try:
        names = sorted(entry.name for entry in os.scandir(folder)
                       if entry.name.endswith(".py") and entry.is_file())
    except OSError:
        return []
    return [folder / name for name in names[:MAX_FOLDER_FILES]]


def _absolute_import_names(file: Path) -> frozenset[str]:
    """The top-level names of `file`'s absolute imports; none if it cannot be read or parsed.
    (Skeleton facts: the imports of a full parse at a tenth of the cost, which a folder of
    50 files without a project marker would otherwise pay before anything is checked.)"""
    from dashm.workspace.skeleton import quick_facts
    from dashm.workspace.source import decode_source

    try:
        if file.stat().st_size > MAX_IMPORT_SCAN_BYTES:
            return frozenset()
        facts = quick_facts(decode_source(file.read_bytes()))
    except (OSError, ValueError, RecursionError, MemoryError):
        return frozenset()
    if facts.syntax_error is not None:
        return frozenset()
    names = set()
    for fact in facts.imports:
        if fact.is_from:
            if fact.level == 0 and fact.module:
                names.add(fact.module.split(".")[0])
        else:
            names.update(alias.name.split(".")[0] for alias in fact.names)
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

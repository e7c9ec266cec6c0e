"""Finding the Python files of a workspace without tripping on what real trees contain.

Skips virtual environments, caches, VCS and build folders; follows folder symlinks only when
they do not lead back into a folder already being walked (a loop) and reports folders it
cannot read, each with a reason instead of an exception.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from dashm.workspace import overlay
from dashm.workspace.entry_files import ENTRY_FILE_NAMES, VSCODE_FILES, is_entry_file
from dashm.workspace.source import SourceProblem

EXCLUDED_FOLDERS = frozenset({
    ".git", ".hg", ".svn", ".bzr", "__pycache__", ".venv", "venv", ".tox", ".nox", ".eggs",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".dashm_cache", ".hypothesis",
    "node_modules", "site-packages", "dist-packages", "build", "dist", "__pypackages__",
})

CHECKED_SUFFIXES = (".py", ".ipynb")  # (`.ipynb_checkpoints/` is skipped: it starts with a dot)


def is_excluded_folder(name: str) -> bool:
    return name in EXCLUDED_FOLDERS or name.endswith(".egg-info")


def walk_python_files(start: Path) -> Iterator[Path | SourceProblem]:
    """Every `.py` file and notebook (`.ipynb`) under `start` (or `start` itself), in a stable
    order."""
    if not start.is_dir():
        if start.suffix in CHECKED_SUFFIXES or (start.is_file() and not _is_entry_file(start)):
            yield start
        elif not start.exists():
            yield SourceProblem(start, "does not exist")
        return
    stack: list[tuple[Path, tuple[str, ...]]] = [(start, (os.path.realpath(start),))]
    while stack:
        folder, ancestors = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            yield SourceProblem(folder, f"folder cannot be read: {error.strerror or error}")
            continue
        if folder != start and any(e.name == "pyvenv.cfg" for e in entries):
            continue  # a virtual environment under another name
        subfolders = []
        for entry in entries:
            try:
                if entry.is_dir():
                    if is_excluded_folder(entry.name) or entry.name.startswith("."):
                        continue
                    real = os.path.realpath(entry.path)
                    if entry.is_symlink() and real in ancestors:
                        yield SourceProblem(Path(entry.path),
                                            "skipped: symlink loop (it points back to "
                                            f"{real})")
                        continue
                    subfolders.append((Path(entry.path), (*ancestors, real)))
                elif entry.name.endswith(CHECKED_SUFFIXES) and entry.is_file():
                    yield Path(entry.path)
                elif entry.name.endswith(CHECKED_SUFFIXES) and entry.is_symlink():
                    yield SourceProblem(Path(entry.path), "skipped: broken symlink")
            except OSError as error:
                yield SourceProblem(Path(entry.path), f"cannot be read: {error}")
        preview = overlay.active()
        if preview is not None:  # the files a preview of fixes created (`__main__.py`)
            yield from (p for p in preview.created_in(folder) if p.suffix == ".py")
        stack.extend(reversed(subfolders))


def walk_entry_files(start: Path) -> Iterator[Path]:
    """The non-Python files dashm checks under `start` (or `start` itself): pyproject.toml,
    Makefiles, and `.vscode/launch.json` / `.vscode/tasks.json`, skipping what
    `walk_python_files` skips."""
    if not start.is_dir():
        if start.is_file() and is_entry_file(Path(os.path.abspath(start))):
            yield start
        return
    seen: set[str] = set()
    for folder, subfolders, files in os.walk(start):
        real = os.path.realpath(folder)
        if real in seen:
            subfolders[:] = []
            continue
        seen.add(real)
        if folder != str(start) and "pyvenv.cfg" in files:
            subfolders[:] = []
            continue
        subfolders[:] = sorted(s for s in subfolders
                               if not is_excluded_folder(s) and not s.startswith("."))
        for name in sorted(files):
            if name in ENTRY_FILE_NAMES:  # (a set lookup first: most folders hold none)
                path = Path(folder) / name
                if is_entry_file(path):
                    yield path
        for name in VSCODE_FILES:
            path = Path(folder) / ".vscode" / name
            if path.is_file():
                yield path


def _is_entry_file(path: Path) -> bool:
    """A file named on the command line that `walk_entry_files` checks instead."""
    return is_entry_file(Path(os.path.abspath(path)))

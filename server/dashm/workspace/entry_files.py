"""Which files, not Python, say how code is run and are checked too: pyproject.toml, Makefiles,
and `.vscode/launch.json` / `.vscode/tasks.json`.

The walk (`walk.walk_entry_files`) finds them; the rules (`dashm.rules.entrypoints`) check them.
"""

from __future__ import annotations

from pathlib import Path

MAKEFILES = ("Makefile", "makefile", "GNUmakefile")
VSCODE_FILES = ("launch.json", "tasks.json")
ENTRY_FILE_NAMES = frozenset({"pyproject.toml", *MAKEFILES, *VSCODE_FILES})


def is_entry_file(path: Path) -> bool:
    """pyproject.toml, a Makefile, or `.vscode/launch.json` / `.vscode/tasks.json`."""
    return path.name in ENTRY_FILE_NAMES and (
        path.name not in VSCODE_FILES or path.parent.name == ".vscode")

"""Which dotted names the workspace imports: one pass over every Python file's import facts.

The layout asks for it (layout.import_root) only when a package sits in plain folders below
the project folder, to learn whether the project imports it by a longer dotted name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from dashm.workspace.walk import is_excluded_folder

if TYPE_CHECKING:
    from dashm.workspace.index import Workspace

MAX_FILES = 20_000


def imported_names(workspace: Workspace) -> frozenset[str]:
    """Every dotted name (`a.b.c`, and `a.b`, `a`) an absolute import of a workspace file
    names, `from a.b import c` counting as `a.b.c` too (c may be a module)."""
    found: set[str] = set()
    for _ in _gather(workspace, found):
        pass
    return frozenset(found)


def imported_names_in_steps(workspace: Workspace, found: set[str],
                            files_per_step: int = 500) -> Iterator[bool]:
    """`imported_names` into `found`, a step (of `files_per_step` files) per item: for a
    caller that must let other work in between (the language server's analysis thread)."""
    for count, _ in enumerate(_gather(workspace, found), 1):
        if count % files_per_step == 0:
            yield True


def _gather(workspace: Workspace, found: set[str]) -> Iterator[Path]:
    """Add each file's imported names to `found`, yielding the file after it."""
    for path in python_files(workspace, workspace.folder):
        source = workspace.source(path)
        if not hasattr(source, "facts"):
            continue  # a SourceProblem: unreadable
        for fact in source.facts.imports:
            if fact.level:
                continue
            if fact.is_from:
                assert fact.module is not None
                names = [fact.module, *(f"{fact.module}.{a.name}" for a in fact.names)]
            else:
                names = [a.name for a in fact.names]
            for name in names:
                parts = name.split(".")
                found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        yield path


def python_files(workspace: Workspace, root: Path) -> Iterator[Path]:
    """The workspace's `.py` files under `root`, in sorted order, skipping excluded and
    hidden folders; at most MAX_FILES."""
    stack = [root]
    count = 0
    while stack and count < MAX_FILES:
        folder = stack.pop()
        listing = workspace.folders.listing(folder)
        for module in sorted(m for m in listing.modules.values() if m.suffix == ".py"):
            count += 1
            yield module
        stack.extend(sorted((f for f in listing.folders.values()
                             if not f.name.startswith(".") and not is_excluded_folder(f.name)),
                            reverse=True))

"""DM106: an import through the source folder of a src layout (`from src.mypkg.core import X`).

`src/` is where the package lives, not a package: `src.mypkg` resolves only while the project
folder is on sys.path (a `sys.path.insert` in conftest.py, running from the project folder),
and fails once the project is installed, where only `mypkg` exists. The fix writes the import
as the package's own name; it is offered only where that name already reaches the same file
(pytest's `pythonpath`, an installed or editable project, the file's import root), because
`src/__init__.py`, the other way to silence the error, makes `src` a package that gets
installed and keeps the wrong name alive.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from dashm.findings import Finding, Fix, Range, Severity, TextEdit
from dashm.rules.context import PYTEST, FileContext
from dashm.rules.pytest_config import put_on_pythonpath, pythonpath_folders, runs_under_pytest
from dashm.workspace.facts import ImportedName, ImportFact
from dashm.workspace.finder import Resolved
from dashm.workspace.paths import is_within


def check_source_folder_imports(ctx: FileContext) -> Iterator[Finding]:
    for fact, dotted, name_range, alias in ctx.absolute_names():
        finding = _check(ctx, fact, dotted, name_range, alias)
        if finding:
            yield finding


def source_folder_of(ctx: FileContext, dotted: str) -> tuple[Path, str] | None:
    """(the source folder, the name without it) when `dotted` goes through a source folder:
    its first part is a folder without `__init__.py` that is the import root of the
    module the whole name reaches."""
    top, _, rest = dotted.partition(".")
    folder = _top_folder(ctx, top)  # first: a listing lookup, and most names have none
    if folder is None:
        return None
    target = _reached(ctx, dotted)
    if target is None or target.path is None:
        return None
    module_file = target.path if target.kind != "namespace" else None
    if module_file is None or not is_source_folder(ctx, folder, module_file):
        return None
    return folder, rest


def is_source_folder(ctx: FileContext, folder: Path, module_file: Path | None = None) -> bool:
    """`folder` (no `__init__.py`) is the source folder of a src layout: named `src` or
    declared as a source root by the build backend, and the import root of the packages in
    it. Any other folder imported by dotted names (stable-diffusion's `ldm/`, typer's
    `docs_src/`) is a namespace package, which DM201 is about."""
    folders = ctx.workspace.folders
    if folders.package_init(folder) is not None or not is_within(folder, ctx.workspace.folder):
        return False
    declared = any(os.path.realpath(r) == os.path.realpath(folder)
                   for r in ctx.project.source_roots if r != ctx.project.folder)
    if not declared and folder.name != "src":
        return False
    if module_file is None:
        inits = [folders.package_init(sub) for sub in folders.listing(folder).folders.values()]
        module_file = min(filter(None, inits), default=None)
    if module_file is None or not is_within(module_file, folder):
        return False
    root = ctx.workspace.locate(module_file).root
    return os.path.realpath(root) == os.path.realpath(folder)


def _check(ctx: FileContext, fact: ImportFact, dotted: str, name_range: Range,
           alias: ImportedName | None) -> Finding | None:
    if fact.is_from and "." not in dotted:
        # `from src import mypkg`: the source folder is the whole module part.
        names = [a.name for a in fact.names]
        found = [source_folder_of(ctx, f"{dotted}.{n}") for n in names if n != "*"]
        if not found or any(f is None for f in found):
            return None
        folder = found[0][0]  # type: ignore[index]
        return _finding(ctx, fact, name_range, dotted, None, folder, None)
    located = source_folder_of(ctx, dotted)
    if located is None:
        return None
    folder, new_name = located
    return _finding(ctx, fact, name_range, dotted, new_name, folder, alias)


def _finding(ctx: FileContext, fact: ImportFact, name_range: Range, dotted: str,
             new_name: str | None, folder: Path, alias: ImportedName | None) -> Finding:
    shown = ctx.display(folder) + "/"
    fix = _fix(ctx, fact, dotted, new_name, alias, folder) if new_name else None
    written = new_name or "the package by its own name"
    message = (f"import `{written}`, not `{dotted}`: {shown} is the source folder, not a "
               "package, so this fails once the project is installed")
    if new_name and fix is None:
        message += (f"; first make `{new_name.split('.')[0]}` importable here: "
                    f"`pythonpath = [\"{_relative(ctx, folder)}\"]` under "
                    "[tool.pytest.ini_options], or `pip install -e .`")
    short = f"import `{written}`, not `{dotted}`: {shown} is not a package"
    return Finding(ctx.path, name_range, "DM106", short, Severity.WARNING, fix,
                   explanation=message)


def _fix(ctx: FileContext, fact: ImportFact, dotted: str, new_name: str,
         alias: ImportedName | None, folder: Path) -> Fix | None:
    """Rewrite the name, when `new_name` already reaches the same file from here; in a file
    pytest runs, also when putting the source folder on pytest's `pythonpath` makes it so
    (the edit of pytest's configuration is then part of the fix)."""
    before = _reached(ctx, dotted)
    if before is None:
        return None
    title = f"Import `{new_name}`"
    config: tuple[TextEdit, ...] = ()
    if not before.same_target(_reached_without_source_folder(ctx, new_name)):
        added = _pythonpath_fix(ctx, folder, before, new_name)
        if added is None:
            return None
        config = (added[0],)
        title += f", with {added[1]}"
    if alias is None:
        assert fact.target_range is not None
        return Fix(title, (TextEdit(ctx.path, fact.target_range, new_name), *config))
    if not alias.asname:
        return None  # `import src.mypkg` binds `src`: no statement keeps that binding
    # The alias's range covers `src.mypkg.core as core`: write both parts again.
    return Fix(title, (TextEdit(ctx.path, alias.range, f"{new_name} as {alias.asname}"),
                       *config))


def _pythonpath_fix(ctx: FileContext, folder: Path, before: Resolved, new_name: str
                    ) -> tuple[TextEdit, str] | None:
    """The edit that puts `folder` on pytest's `pythonpath`, when this is a file pytest runs,
    `new_name` then reaches what `before` reaches, and nothing else this file imports by a
    name the folder holds would land elsewhere (the folder goes first on sys.path)."""
    if ctx.tool_remedy != PYTEST or not runs_under_pytest(ctx.path, ctx.project.folder):
        return None
    if not before.same_target(ctx.workspace.resolve(new_name, folder)):
        return None
    return put_on_pythonpath(ctx, folder)


def _reached(ctx: FileContext, dotted: str) -> Resolved | None:
    return ctx.in_module_mode(dotted) or ctx.in_script_mode(dotted)


def _reached_without_source_folder(ctx: FileContext, dotted: str) -> Resolved | None:
    """Where `dotted` lands for this file, counting the folders pytest's `pythonpath` adds
    and an installed (editable) project."""
    found = ctx.in_module_mode(dotted) or ctx.workspace.resolve_installed(dotted)
    if found is not None:
        return found
    for folder in pythonpath_folders(ctx.project.folder):
        found = ctx.workspace.resolve(dotted, folder)
        if found is not None:
            return found
    return None


def _top_folder(ctx: FileContext, top: str) -> Path | None:
    for first in (ctx.location.root, ctx.script_dir):
        found = ctx.workspace.folders.find(top, [first])
        if found is not None and found.kind == "namespace" and found.path is not None:
            return found.path
    return None


def _relative(ctx: FileContext, folder: Path) -> str:
    try:
        return folder.relative_to(ctx.project.folder).as_posix()
    except ValueError:
        return folder.as_posix()

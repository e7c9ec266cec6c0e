"""DM103 and DM101 in notebooks: their code cells run as one module in a kernel whose working
folder (the kernel folder: the notebook's own folder unless `notebook-root` says otherwise) is
`sys.path[0]`. A notebook is never run with `python -m` nor imported, so the remedies are
the notebook's own:

- DM103 `sys.path.append('..')` / `sys.path.insert(0, '../src')`: delete it when every import
  lands where it lands with it (the fix; a change adding the kernel folder itself is always
  dead); else install the project (`pip install -e .`) and import its package when what it
  reaches lies in a project with a build configuration; else set the notebook root.
- DM101: an import that resolves from the notebook's folder but not from the kernel folder (a
  `notebook-root` elsewhere): it fails when the kernel starts there. No automatic fix.

DM106 (`from src.pkg import x`) is the source-folder rule as for any file, judged from the
kernel folder (rules/sourcefolder.py).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

from dashm.findings import Finding, Fix, Severity, TextEdit
from dashm.rules.context import FileContext
from dashm.rules.edits import apply_edits
from dashm.rules.syspath import unused_import_edits
from dashm.rules.syspath_target import Target, targets
from dashm.workspace.facts import LineIndex, SysPathMutation
from dashm.workspace.finder import Resolved
from dashm.workspace.paths import PROJECT_MARKERS, is_within

ROOT_SETTING = "`notebook-root` ([tool.dashm]) or `dashm.notebookRoot`"


def is_notebook(ctx: FileContext) -> bool:
    return ctx.path.suffix == ".ipynb"


def check_notebook(ctx: FileContext) -> Iterator[Finding]:
    yield from _path_changes(ctx)
    yield from _notebook_folder_imports(ctx)


# -- DM103 ---------------------------------------------------------------------------------------
def _path_changes(ctx: FileContext) -> Iterator[Finding]:
    mutations = [m for m in ctx.source.facts.sys_path_mutations if not m.in_function]
    if not mutations:
        return
    kernel = ctx.script_dir
    found = targets(ctx.source.text, ctx.path, mutations, kernel)
    for mutation in mutations:
        target = found.get(mutation.range, Target(None, False))
        hack = f"`{mutation.description}`"
        folder = target.folder if isinstance(target.folder, Path) else None
        if folder is not None and ctx.workspace.real_folder(folder) == str(kernel):
            yield _finding(ctx, mutation, f"Delete {hack}: the kernel's working folder "
                           f"({ctx.display(kernel)}/) is already first on sys.path",
                           _removal(ctx, mutation))
            continue
        served = _served(ctx, folder, target.first)
        if not served:
            yield _finding(ctx, mutation, f"Delete {hack}: every import of this notebook "
                           "resolves the same without it", _removal(ctx, mutation))
            continue
        yield _finding(ctx, mutation, _remedy(ctx, hack, served[0], folder), None)


def _finding(ctx: FileContext, mutation: SysPathMutation, message: str,
             fix: Fix | None) -> Finding:
    kernel = ctx.display(ctx.script_dir)
    explanation = (f"{message}. The notebook's kernel runs in {kernel}/, which is sys.path[0] "
                   "for its imports; changing sys.path in a cell makes the notebook work only "
                   "from that folder and hides the packaging problem from every other tool")
    return Finding(ctx.path, mutation.range, "DM103", message, Severity.WARNING, fix,
                   explanation=explanation)


def _remedy(ctx: FileContext, hack: str, name: str, folder: Path | None) -> str:
    reached = ctx.workspace.folders.resolve(name, _search_path(ctx, folder, True),
                                            ctx.workspace.environment.unshadowable)
    project = _project_of(ctx, reached.path) if reached and reached.path else None
    top = name.split(".")[0]
    if project is not None:
        where = ctx.display(project)
        install = "pip install -e ." if where == "." else f"pip install -e {where}"
        return f"Install the project (`{install}`) and import `{top}` instead of {hack}"
    if folder is not None and is_within(folder, ctx.workspace.folder):
        return (f"Set the notebook root to {ctx.display(folder)}/ ({ROOT_SETTING}) "
                f"instead of {hack}, or make `{top}` part of an installed package")
    return f"Make `{top}` part of an installed package instead of {hack}"


def _project_of(ctx: FileContext, module: Path) -> Path | None:
    """The folder with a build configuration (pyproject.toml, setup.py, setup.cfg) above the
    top-level package that holds `module`, inside the workspace; None for a loose module."""
    folder = module.parent
    while ctx.workspace.folders.package_init(folder) is not None and folder.parent != folder:
        folder = folder.parent
    if folder == module.parent and module.name != "__init__.py":
        return None  # a top-level module, not a package: nothing to install it by
    for candidate in (folder, folder.parent):
        if is_within(candidate, ctx.workspace.folder) and \
                any((candidate / marker).is_file() for marker in PROJECT_MARKERS):
            return candidate
    return None


def _search_path(ctx: FileContext, folder: Path | None, with_it: bool) -> tuple[Path, ...]:
    plain = ctx.workspace.search_path(ctx.script_dir)
    if not with_it or folder is None:
        return plain
    return (folder, *plain)


def _served(ctx: FileContext, folder: Path | None, first: bool) -> list[str]:
    """The notebook's imports that land elsewhere (or nowhere) without the change; with the
    folder unknown, those that do not resolve without it."""
    unshadowable = ctx.workspace.environment.unshadowable
    plain = ctx.workspace.search_path(ctx.script_dir)
    served = []
    for fact in ctx.imports():
        if fact.level:
            continue
        for name in [fact.module] if fact.is_from else [a.name for a in fact.names]:
            if not name:
                continue
            without = ctx.workspace.resolve(name, ctx.script_dir)
            if folder is None:
                if without is None:
                    served.append(name)
                continue
            path = (folder, *plain) if first else (*plain, folder)
            with_it = ctx.workspace.folders.resolve(name, path, unshadowable)
            if (without is not None) if with_it is None else not with_it.same_target(without):
                served.append(name)
    return served


def _removal(ctx: FileContext, mutation: SysPathMutation) -> Fix | None:
    """Delete the statement (and `import sys` / `import os` left unused by it)."""
    if mutation.removal is None:
        return None
    text = ctx.source.text
    removal = TextEdit(ctx.path, mutation.removal, "")
    index = LineIndex(text)
    removed_text = text[index.offset(mutation.removal.start):index.offset(mutation.removal.end)]
    after = apply_edits(text, [removal])
    edits = [removal, *unused_import_edits(ctx.path, mutation.removal, after, removed_text)]
    try:
        ast.parse(apply_edits(text, edits))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return Fix(f"Remove `{mutation.description}`", tuple(edits))


# -- DM101 ---------------------------------------------------------------------------------------
def _notebook_folder_imports(ctx: FileContext) -> Iterator[Finding]:
    own = Path(ctx.workspace.real_folder(ctx.path.parent))
    kernel = ctx.script_dir
    if own == kernel:
        return
    for fact, dotted, name_range, _ in ctx.absolute_names():
        top = dotted.split(".")[0]
        if ctx.workspace.folders.find(top, [own]) is None:
            continue
        beside = ctx.workspace.resolve(dotted, own)
        if beside is None or beside.kind == "builtin":
            continue
        from_kernel = ctx.workspace.resolve(dotted, kernel)
        if from_kernel is not None and beside.same_target(from_kernel):
            continue
        found = _shown(ctx, beside, dotted)
        folder = ctx.display(own)
        statement = f"import {dotted}" if not fact.is_from else f"from {dotted} import ..."
        if from_kernel is None:
            code = "DM101"
            consequence = f"it raises ModuleNotFoundError: No module named '{top}'"
        else:
            code = "DM105"
            consequence = f"it loads {_shown(ctx, from_kernel, dotted)} instead"
        message = (f"`{statement}` works only with the kernel in {folder}/: set the notebook "
                   "root to `${fileDirname}` or import it through an installed package")
        explanation = (f"`{statement}` finds {found} beside the notebook, but the kernel runs "
                       f"in {ctx.display(kernel)}/ ({ROOT_SETTING}), where {consequence}")
        yield Finding(ctx.path, name_range, code, message, Severity.WARNING,
                      explanation=explanation)


def _shown(ctx: FileContext, resolved: Resolved, dotted: str) -> str:
    if resolved.path is None:
        return f"`{dotted}`"
    return ctx.display(resolved.path) if is_within(resolved.path, ctx.workspace.folder) \
        else os.fspath(resolved.path)

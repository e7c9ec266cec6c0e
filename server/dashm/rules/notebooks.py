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

import os
import re
from collections.abc import Iterator
from pathlib import Path

from dashm.findings import Finding, Fix, Range, Severity
from dashm.rules.carried_imports import loads_by_name
from dashm.rules.context import FileContext
from dashm.rules.syspath import removal_fix, served_imports
from dashm.rules.syspath_target import Target, targets
from dashm.workspace.facts import SysPathMutation
from dashm.workspace.finder import Resolved
from dashm.workspace.paths import PROJECT_MARKERS, is_within

ROOT_SETTING = "`[tool.dashm] notebook-root`, the editor's `dashm.notebookRoot`"
# A kernel's first sys.path entry is '' (the current folder): it follows `%cd` and
# `os.chdir`, and `%run` runs a script that may move it or sys.path. (Masked IPython lines
# keep their text in a comment: workspace/notebook.py.)
_MOVES = re.compile(r"\bchdir\s*\(|# IPython: %(?:cd|pushd|popd|run)\b")
# A file path that climbs out of the kernel's folder ('../data/x.csv'): moving the kernel
# breaks it.
_CLIMBS = re.compile(r"""['"]\.\.(?:[/\\]|['"])""")
# Folders setuptools' flat-layout discovery leaves out; any other top-level folder counts as a
# package, and two of them make `pip install .` fail ("Multiple top-level packages").
FLAT_LAYOUT_SKIPS = frozenset({
    "ci", "bin", "debian", "doc", "docs", "documentation", "manpages", "news", "newsfragments",
    "changelog", "test", "tests", "unit_test", "unit_tests", "example", "examples", "scripts",
    "tools", "util", "utils", "python", "build", "dist", "venv", "env", "requirements", "tasks",
    "fabfile", "site_scons", "benchmark", "benchmarks", "exercise", "exercises", "htmlcov",
})


def check_notebook(ctx: FileContext) -> Iterator[Finding]:
    mutations = [m for m in ctx.source.facts.sys_path_mutations if not m.in_function]
    # The folders the changes add, read once (a parse of the whole notebook) for both rules.
    found = targets(ctx.source.text, ctx.path, mutations, ctx.script_dir) if mutations else {}
    yield from _path_changes(ctx, mutations, found)
    yield from _notebook_folder_imports(ctx, found)


# -- DM103 ---------------------------------------------------------------------------------------
def _path_changes(ctx: FileContext, mutations: list[SysPathMutation],
                  found: dict[Range, Target]) -> Iterator[Finding]:
    if not mutations:
        return
    kernel = ctx.script_dir
    moves = _MOVES.search(ctx.source.text) is not None
    for mutation in mutations:
        target = found.get(mutation.range, Target(None, False))
        hack = f"`{mutation.description}`"
        folder = target.folder if isinstance(target.folder, Path) else None
        if moves:
            # Where '' and relative paths point depends on the `%cd` / `os.chdir` before
            # each import: nothing can be judged from the kernel's folder, nothing is fixed.
            yield from _install_instead(ctx, mutation, hack)
            continue
        if folder is not None and not folder.is_dir():
            continue  # made at run time (a `!git clone` cell), or gone: nothing to judge
        if folder is not None and ctx.workspace.real_folder(folder) == str(kernel):
            yield _finding(ctx, mutation, f"Delete {hack}: the kernel's working folder "
                           f"({ctx.display(kernel)}/) is already first on sys.path",
                           "it adds the folder the kernel runs in, which is sys.path[0] "
                           "already", removal_fix(ctx, mutation))
            continue
        served = served_imports(ctx, target)
        if not served:
            if loads_by_name(ctx.source.text):
                continue  # code loaded by name (importlib, unpickling, %aimport) may need it
            yield _finding(ctx, mutation, f"Delete {hack}: every import of this notebook "
                           "resolves the same without it", "no import of the notebook lands "
                           "elsewhere without it", removal_fix(ctx, mutation))
            continue
        message, why = _remedy(ctx, hack, served[0], folder)
        yield _finding(ctx, mutation, message, why, None)


def _install_instead(ctx: FileContext, mutation: SysPathMutation, hack: str
                     ) -> Iterator[Finding]:
    """A change in a notebook that moves its working folder: installed, the project's
    packages import from any folder; a project that cannot be installed gets nothing."""
    project = ctx.project.folder
    if not (is_within(project, ctx.workspace.folder) and _installable(ctx, project)):
        return
    where = ctx.display(project)
    install = "pip install -e ." if where == "." else f"pip install -e {where}"
    yield _finding(ctx, mutation, f"Install the project (`{install}`) and import its packages "
                   f"instead of {hack}", "the notebook changes its working folder (`%cd`, "
                   "`os.chdir`, `%run`), so what the change reaches depends on where it runs; "
                   "installed (editable), the project's packages import from any folder", None)


def _installable(ctx: FileContext, project: Path) -> bool:
    """Whether `pip install -e project` works: a setup.py, or a pyproject.toml that builds
    (a [project] or build system) and, with setuptools' discovery, at most one top-level
    package in a flat layout."""
    if (project / "setup.py").is_file():
        return True
    if not (project / "pyproject.toml").is_file():
        return False
    data = ctx.workspace.project_for(project / "pyproject.toml").data
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    if "project" not in data and "build-system" not in data and "poetry" not in tool:
        return False
    system = data.get("build-system") if isinstance(data.get("build-system"), dict) else {}
    backend = str(system.get("build-backend") or "setuptools.build_meta")
    setuptools = tool.get("setuptools") if isinstance(tool.get("setuptools"), dict) else {}
    if "setuptools" not in backend or any(k in setuptools for k in (
            "packages", "package-dir", "py-modules")) or (project / "src").is_dir():
        return True
    try:
        tops = [e.name for e in os.scandir(project) if e.is_dir() and e.name.isidentifier()
                and not e.name.startswith("_") and e.name not in FLAT_LAYOUT_SKIPS]
    except OSError:
        return False
    return len(tops) <= 1


def _climbs(ctx: FileContext) -> bool:
    """Whether a line other than the sys.path changes names a path out of the kernel's
    folder ('../data/x.csv', `os.path.join('..', 'data')`)."""
    changes = {line for m in ctx.source.facts.sys_path_mutations
               for line in range(m.range.start.line, m.range.end.line + 1)}
    return any(_CLIMBS.search(text) for number, text in
               enumerate(ctx.source.text.splitlines()) if number not in changes)


def _finding(ctx: FileContext, mutation: SysPathMutation, message: str, why: str,
             fix: Fix | None) -> Finding:
    kernel = ctx.display(ctx.script_dir)
    explanation = (f"{message}: {why}. The notebook's kernel runs in {kernel}/ "
                   f"({ROOT_SETTING}), the first folder on sys.path for its imports; a "
                   "sys.path change in a cell makes the notebook work only where that path "
                   "leads, and hides from every other tool how its imports are found")
    return Finding(ctx.path, mutation.range, "DM103", message, Severity.WARNING, fix,
                   explanation=explanation)


def _remedy(ctx: FileContext, hack: str, name: str, folder: Path | None) -> tuple[str, str]:
    """The message for a change that some import needs, and why it fits."""
    reached = ctx.workspace.folders.resolve(name, _search_path(ctx, folder, True),
                                            ctx.workspace.environment.unshadowable)
    package = _package_of(ctx, reached.path) if reached and reached.path else None
    top = name.split(".")[0]
    if package is not None and _installable(ctx, package[0]):
        project, own = package
        where = ctx.display(project)
        install = "pip install -e ." if where == "." else f"pip install -e {where}"
        return (f"Install the project (`{install}`) and import `{own}` instead of {hack}",
                f"`{name}` is in the package `{own}` of the project in {where}/; installed "
                "(editable), it imports from any folder")
    climbs = _climbs(ctx)  # '../data/x.csv' breaks if the kernel moves
    if folder is not None and is_within(folder, ctx.workspace.folder) and not climbs:
        shown = "`${workspaceFolder}`" \
            if ctx.workspace.real_folder(folder) == ctx.workspace.real_folder(
                ctx.workspace.folder) else ctx.display(folder) + "/"
        return (f"Set the notebook root to {shown} instead of {hack}",
                f"`{name}` is a loose module of {shown}, which the kernel puts first on "
                "sys.path when it runs there (relative file paths then start there too); "
                "or make it part of a package the project installs")
    if package is not None:
        project, own = package
        where = ctx.display(project)
        return (f"Make {where}/ installable, then `pip install -e {where}` and import `{own}` "
                f"instead of {hack}", f"`{name}` is in the package `{own}`, but `pip install "
                f"-e {where}` fails as the project stands (no [project] table in "
                "pyproject.toml, or several top-level packages for setuptools to choose from)")
    return (f"Install `{top}` (or the project that holds it) instead of {hack}",
            f"`{name}` resolves only through the folder it adds")


def _package_of(ctx: FileContext, module: Path) -> tuple[Path, str] | None:
    """(the folder with a build configuration, the top-level package) of a module that lies in
    a package of a project of the workspace; None for a loose module."""
    folder, top = module.parent, None
    while ctx.workspace.folders.package_init(folder) is not None and folder.parent != folder:
        folder, top = folder.parent, folder.name
    if top is None:
        return None  # a top-level module, not a package: nothing to install it by
    for candidate in (folder, folder.parent):
        if is_within(candidate, ctx.workspace.folder) and \
                any((candidate / marker).is_file() for marker in PROJECT_MARKERS):
            return candidate, top
    return None


def _search_path(ctx: FileContext, folder: Path | None, with_it: bool) -> tuple[Path, ...]:
    plain = ctx.workspace.search_path(ctx.script_dir)
    if not with_it or folder is None:
        return plain
    return (folder, *plain)


# -- DM101 ---------------------------------------------------------------------------------------
def _notebook_folder_imports(ctx: FileContext, found: dict[Range, Target]
                             ) -> Iterator[Finding]:
    own = Path(ctx.workspace.real_folder(ctx.path.parent))
    kernel = ctx.script_dir
    if own == kernel or _adds_folder(ctx, own, found):
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
                   "root to `${fileDirname}`")
        explanation = (f"`{statement}` finds {found} beside the notebook, but the kernel runs "
                       f"in {ctx.display(kernel)}/ ({ROOT_SETTING}), where {consequence}; "
                       "set the notebook root to the notebook's folder, or make the module "
                       "part of a package the project installs")
        yield Finding(ctx.path, name_range, code, message, Severity.WARNING,
                      explanation=explanation)


def _adds_folder(ctx: FileContext, folder: Path, found: dict[Range, Target]) -> bool:
    """Whether a sys.path change of the notebook adds `folder` (its imports then find what
    lies there wherever the kernel runs)."""
    return any(isinstance(t.folder, Path) and Path(ctx.workspace.real_folder(t.folder)) == folder
               for t in found.values())


def _shown(ctx: FileContext, resolved: Resolved, dotted: str) -> str:
    if resolved.path is None:
        return f"`{dotted}`"
    return ctx.display(resolved.path) if is_within(resolved.path, ctx.workspace.folder) \
        else os.fspath(resolved.path)

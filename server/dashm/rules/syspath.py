"""DM103: `sys.path` mutated so imports work when a file is run by path.

The advice fits what the change adds and who runs the file (syspath_target.py reads the
folder from the statement):
- the file's own folder: run by path it is `sys.path[0]` already, so the change is dead code;
  delete it. Under `python -m` it is not dead when the file's folder is not the import root: it
  makes the file's siblings importable as top-level modules, so the fix is offered only when
  nothing here (this file's imports, or a sibling's import of a sibling) would land elsewhere;
  sibling imports are DM101 and, once fixed, let the removal through on the next pass;
- the working folder (`os.getcwd()`, `"."`) inside `if __name__ == "__main__":`: deliberate
  (plugins, tools run from a project folder): not reported;
- a test file or conftest.py: pytest's `pythonpath` setting (naming the folder when known) or
  `python -m pytest`, never `python -m tests.test_x`; other files tools run: the tool's remedy;
- an `__init__.py`: it runs on every import of the package and changes sys.path for every
  importer; there is no command to suggest; no automatic fix (importers outside may rely on it);
- anything else: delete it and run the file as a module, when every import lands on the same
  file without it (the fix), else package or install what it adds.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from dashm.findings import Finding, Fix, Position, Range, Severity, TextEdit
from dashm.rules.carried_imports import carried_imports, loads_by_name
from dashm.rules.context import PYTEST, FileContext
from dashm.rules.edits import apply_edits
from dashm.rules.packages import dotted_importers
from dashm.rules.pytest_config import put_on_pythonpath, runs_under_pytest, sets_import_mode
from dashm.rules.syspath_target import WORKING_FOLDER, Target, targets
from dashm.workspace.facts import ImportFact, LineIndex, SysPathMutation

UNKNOWN = Target(None, False)


# Start-up hooks `site` imports before any other code: changing sys.path is what they are for.
STARTUP_HOOKS = frozenset({"sitecustomize.py", "usercustomize.py"})


def check_sys_path(ctx: FileContext) -> Iterator[Finding]:
    # Changes inside functions are run-time path management (plugins, tests), not import hacks.
    mutations = [m for m in ctx.source.facts.sys_path_mutations if not m.in_function]
    if not mutations or ctx.path.name in STARTUP_HOOKS:
        return
    found = targets(ctx.source.text, ctx.path, mutations)
    for mutation in mutations:
        target = found.get(mutation.range, UNKNOWN)
        if mutation.main_guard and target.folder == WORKING_FOLDER:
            continue  # deliberate: the folder python runs in becomes importable
        if _only_without_package(ctx.source.text, mutation.range.start.line):
            continue  # pip's `if __package__ == "":` shim: runs only by path, never under -m
        yield _finding(ctx, mutation, target)


def _only_without_package(text: str, line: int) -> bool:
    """The statement sits in an `if` on `__package__` or `__spec__` (the by-path or zip run
    of a package's __main__.py): deliberate, and dead under python -m."""
    lines = text.splitlines()
    if line >= len(lines):
        return False
    indent = len(lines[line]) - len(lines[line].lstrip())
    for above in range(line - 1, -1, -1):
        stripped = lines[above].lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(lines[above]) - len(stripped) < indent:
            return stripped.startswith("if ") and ("__package__" in stripped
                                                   or "__spec__" in stripped)
    return False


def _finding(ctx: FileContext, mutation: SysPathMutation, target: Target) -> Finding:
    hack = f"`{mutation.description}`"
    remedy = ctx.tool_remedy
    if remedy == PYTEST:
        return _info(ctx, mutation, pytest_remedy(ctx, target, hack),
                     _pytest_fix(ctx, mutation, target))
    if remedy:
        return _info(ctx, mutation, remedy.format(hack=hack))
    if ctx.path.name == "__init__.py":
        return Finding(ctx.path, mutation.range, "DM103", init_remedy(hack), Severity.WARNING)
    served = served_imports(ctx, target)
    relative_ok = all(_relative_resolves(ctx, f) for f in ctx.imports() if f.level)
    fix = _removal_fix(ctx, mutation) if not served and relative_ok and \
        _loaded_as_a_module(ctx) and not loads_by_name(ctx.source.text) and \
        not _fails_as_a_module(ctx) else None
    if _is_own_folder(ctx, target):
        if fix is not None and not _siblings_rely_on_it(ctx):
            return _warning(ctx, mutation, own_folder_remedy(hack), fix)
        return _warning(ctx, mutation, own_folder_remedy(hack, served), None)
    if fix is not None and (documented := ctx.documented_run()):
        # Removing it breaks `python tools/x.py` where the project says to run it that way.
        fix = replace(fix, breaks_documented_run=documented)
    if not served and not _loaded_as_a_module(ctx):
        return replace(_warning(ctx, mutation, unseen_loader_remedy(hack, ctx.location.module),
                                None), explanation=unseen_loader_explanation(hack, ctx))
    if served and not isinstance(target.folder, Path) and \
            not any(_local_somewhere(ctx, name) for name in served):
        # Unresolved names found nowhere here: uninstalled third-party code, most likely, but
        # the unknown folder may hold them, so no fix.
        return _warning(ctx, mutation, missing_remedy(hack, ctx.run_hint(), served[0]), None)
    return _warning(ctx, mutation, module_remedy(hack, ctx.run_hint(), served), fix)


def _info(ctx: FileContext, mutation: SysPathMutation, message: str,
          fix: Fix | None = None) -> Finding:
    return Finding(ctx.path, mutation.range, "DM103", message, Severity.INFORMATION, fix)


def _warning(ctx: FileContext, mutation: SysPathMutation, message: str,
             fix: Fix | None) -> Finding:
    return Finding(ctx.path, mutation.range, "DM103", message, Severity.WARNING, fix)


# -- messages: one line, remedy first --------------------------------------------------------
def own_folder_remedy(hack: str, served: list[str] | None = None) -> str:
    if served:
        return (f"Delete {hack} once `{served[0]}` is a package import: by path, the file's "
                "folder is on sys.path")
    return f"Delete {hack}: run by path, the file's own folder is already first on sys.path"


def module_remedy(hack: str, run: str, served: list[str]) -> str:
    run = run or "as a module from its import root"
    if served:
        return f"Package or install `{served[0]}` instead of {hack}; run {run}"
    return f"Delete {hack} and run {run}: imports resolve without it"


def missing_remedy(hack: str, run: str, missing: str) -> str:
    run = run or "as a module from its import root"
    return f"Delete {hack} and run {run}, once `{missing}` is installed (found nowhere here)"


def unseen_loader_remedy(hack: str, module: str | None) -> str:
    return f"Package what {hack} adds, then delete it: what loads `{module}` may need it"


def unseen_loader_explanation(hack: str, ctx: FileContext) -> str:
    return (f"nothing in the workspace imports `{ctx.location.module}` and it has no "
            "`__main__` guard, so something dashm cannot see loads it (a server given "
            "`config.wsgi`, a framework, a setting that names modules in strings, such as "
            f"Django's INSTALLED_APPS); it may find modules only through the folder {hack} "
            "adds. Make them part of a package (or install them) and import them by their "
            "dotted names, then delete the change: no automatic fix")


def pytest_remedy(ctx: FileContext, target: Target, hack: str) -> str:
    if _is_own_folder(ctx, target) and ctx.workspace.folders.package_init(
            ctx.script_dir) is None:
        return (f"Delete {hack}: pytest puts a test's folder on sys.path itself "
                "(no __init__.py there)")
    folder = target.folder
    if isinstance(folder, Path) and _inside(folder, ctx.workspace.folder):
        setting = f'pythonpath = ["{ctx.display(folder)}"]'
        return f"Set pytest's `{setting}` ([tool.pytest.ini_options]) instead of {hack}"
    return f"Use pytest's `pythonpath` setting or `python -m pytest` instead of {hack}"


def init_remedy(hack: str) -> str:
    return (f"Import through the package, not {hack}: in __init__.py it changes sys.path "
            "for every importer")


# -- what the change serves ------------------------------------------------------------------
def _is_own_folder(ctx: FileContext, target: Target) -> bool:
    return isinstance(target.folder, Path) and \
        ctx.workspace.real_folder(target.folder) == str(ctx.script_dir)


def served_imports(ctx: FileContext, target: Target) -> list[str]:
    """Imports of this file, and of the workspace modules they load, that land on another
    file (or on none) under `python -m` (a notebook: its kernel) without the change. With
    the folder unknown: those that do not resolve without it."""
    plain = ctx.workspace.search_path(ctx.location.root)
    changed = _search_path(ctx, target) if isinstance(target.folder, Path) else None
    served = []
    for name in carried_imports(ctx, [plain] if changed is None else [plain, changed]):
        without = ctx.in_module_mode(name)
        if changed is None:
            if without is None:
                served.append(name)
            continue
        with_it = ctx.workspace.folders.resolve(name, changed,
                                                ctx.workspace.environment.unshadowable)
        if (without is not None) if with_it is None else not with_it.same_target(without):
            served.append(name)
    return served


def _fails_as_a_module(ctx: FileContext) -> bool:
    """An import of the file (or of a workspace module it loads) that only its folder finds
    (DM101's case): under `python -m`, the remedy, it fails with or without the change, and
    by path the change may be what keeps it working. Removing it leaves nothing that runs."""
    script = ctx.workspace.search_path(ctx.script_dir)
    for name in carried_imports(ctx, [script]):
        if ctx.in_module_mode(name) is None and ctx.in_script_mode(name) is not None:
            return True
    return False


def _local_somewhere(ctx: FileContext, name: str) -> bool:
    """`name`'s top-level module is in the file's folder or one above it in the workspace,
    which an unknown folder added to sys.path may be; a name found nowhere (`torch`, not
    installed where dashm looks) is most likely no local module the change serves."""
    folders = [ctx.script_dir]
    for parent in ctx.script_dir.parents:
        if not _inside(parent, ctx.workspace.folder):
            break
        folders.append(parent)
    return ctx.workspace.folders.find(name.split(".")[0], folders) is not None


def _search_path(ctx: FileContext, target: Target) -> tuple[Path, ...]:
    """sys.path under `python -m` with the change made."""
    plain = ctx.workspace.search_path(ctx.location.root)
    assert isinstance(target.folder, Path)
    return (target.folder, *plain) if target.first else (*plain, target.folder)


def _loaded_as_a_module(ctx: FileContext) -> bool:
    """Whether the file is known to be loaded so that `python -m` is the remedy: it runs (a
    `__main__` guard), it is a script in a plain folder (`tools/x.py`), or the workspace
    imports it by its dotted name. A module of a regular package that nothing imports is
    loaded by what dashm cannot see (a server given `config.wsgi`, settings that name apps
    in strings), which may need the folder the change adds: no automatic fix."""
    if ctx.is_evidently_run or ctx.workspace.folders.package_init(ctx.path.parent) is None:
        return True
    module = ctx.location.module
    return bool(module) and module in dotted_importers(ctx, ctx.location.root)


def _siblings_rely_on_it(ctx: FileContext) -> bool:
    """Some file beside this one imports a module of this folder as a top-level name: under
    `python -m` only this change (the folder on sys.path) makes that work."""
    folder = ctx.script_dir
    if str(folder) == ctx.workspace.real_folder(ctx.location.root):
        return False  # the folder is the import root: first on sys.path either way
    listing = ctx.workspace.folders.listing(folder)
    names = (set(listing.modules) | set(listing.folders)) - {"__init__", "__main__"}
    return any(ctx.folder_imports(folder, name) for name in sorted(names))


def _names(fact: ImportFact) -> list[str]:
    if fact.is_from:
        return [fact.module] if fact.module else []
    return [alias.name for alias in fact.names]


def _relative_resolves(ctx: FileContext, fact: ImportFact) -> bool:
    package = ctx.location.package
    return bool(package) and fact.level <= len(package.split("."))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or str(path).startswith(str(folder).rstrip(os.sep) + os.sep)


# -- the fix ---------------------------------------------------------------------------------
def _removal_fix(ctx: FileContext, mutation: SysPathMutation) -> Fix | None:
    if ctx.location.module is None:
        return None
    return removal_fix(ctx, mutation)


def removal_fix(ctx: FileContext, mutation: SysPathMutation) -> Fix | None:
    """Delete the statement, and an `import sys` / `import os` it leaves unused."""
    if mutation.removal is None:
        return None
    text = ctx.source.text
    removal = TextEdit(ctx.path, mutation.removal, "")
    removed_text = _slice(text, mutation.removal)
    after = apply_edits(text, [removal])
    edits = [removal, *unused_import_edits(ctx.path, mutation.removal, after, removed_text)]
    try:
        ast.parse(apply_edits(text, edits))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return Fix(f"Remove `{mutation.description}`", tuple(edits))


def _pytest_fix(ctx: FileContext, mutation: SysPathMutation, target: Target) -> Fix | None:
    """In a file pytest runs: delete a change that adds the file's own folder (pytest adds it
    itself, unless an `--import-mode` is configured), or move the folder it adds to pytest's
    `pythonpath`, which puts it on sys.path before any test or conftest.py is imported."""
    folder = target.folder
    if not isinstance(folder, Path):
        return None
    removal = _removal_fix(ctx, mutation)
    if removal is None or sets_import_mode(ctx.project.folder) or \
            not runs_under_pytest(ctx.path, ctx.project.folder):
        return None
    if _is_own_folder(ctx, target):
        if ctx.workspace.folders.package_init(ctx.script_dir) is not None:
            return None
        return removal
    added = put_on_pythonpath(ctx, folder)
    if added is None:
        return None
    fix = Fix(f"Replace `{mutation.description}` by {added[1]}", (*removal.edits, added[0]))
    run = ctx.by_path_command() if ctx.path.name != "conftest.py" else None
    if run is None and ctx.path.name != "conftest.py" and ctx.is_evidently_run:
        run = f"`python {ctx.display(ctx.path)}` (__main__ guard)"
    # pytest's setting does nothing for a test file run by path: that run needs the change.
    return replace(fix, breaks_documented_run=run) if run else fix


def _slice(text: str, r: Range) -> str:
    index = LineIndex(text)
    return text[index.offset(r.start): index.offset(r.end)]


def unused_import_edits(path: Path, removal: Range, after: str,
                         removed: str) -> list[TextEdit]:
    """Delete top-level imports that only the removed statement used."""
    try:
        removed_names = _loaded_names(ast.parse(removed.strip() or "pass"))
    except SyntaxError:  # an `if` header without its body cannot happen: whole statements
        return []
    try:
        tree = ast.parse(after)
    except SyntaxError:
        return []
    still_used = _loaded_names(tree)
    edits = []
    # The removal deletes whole lines [first, last): map `after` lines back to `original`.
    first, last = removal.start.line, removal.end.line
    for node in tree.body:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if len(node.names) != 1 or node.end_lineno != node.lineno:
            continue
        alias = node.names[0]
        bound = alias.asname or alias.name.split(".")[0]
        if bound in removed_names and bound not in still_used:
            line = node.lineno - 1
            line = line if line < first else line + (last - first)
            edits.append(TextEdit(path, Range(Position(line, 0), Position(line + 1, 0)), ""))
    return edits


def _loaded_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
    # `__all__` entries count as uses.
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__"
                                                 for t in node.targets)):
            for element in ast.walk(node.value):
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    names.add(element.value)
    return names

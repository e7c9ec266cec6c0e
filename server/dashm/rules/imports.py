"""DM101, DM105 and DM102: imports that behave differently under `python file.py`.

An absolute import is checked twice: with the file's own folder first on sys.path (script mode)
and with its import root first (module mode). Found only through the own folder: DM101; found
both ways but in different files: DM105. A relative import in a file with no parent package, or
in a package module that is evidently run by path, is DM102.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from dashm.findings import FileCreation, Finding, Fix, Range, Related, Severity, TextEdit
from dashm.rules.context import FileContext
from dashm.rules.intent import defines, meant_target, third_party_reason, used_names
from dashm.rules.packages import dotted_importers
from dashm.rules.pytest_config import declared_path_folders
from dashm.workspace.facts import ImportedName, ImportFact
from dashm.workspace.finder import Resolved


def check_imports(ctx: FileContext) -> Iterator[Finding]:
    if ctx.location.module is None:
        return
    yield from _script_only_imports(ctx)
    yield from _relative_imports(ctx)


# -- DM101 / DM105 -------------------------------------------------------------------------
def _script_only_imports(ctx: FileContext) -> Iterator[Finding]:
    if not ctx.runs_differently or _pytest_puts_folder_on_path(ctx):
        return
    found = [f for fact, dotted, name_range, alias in ctx.absolute_names()
             if (f := _check_name(ctx, fact, dotted, name_range, alias))]
    # The project's test configuration is read only for a file with such imports.
    if found and not _declared_on_path(ctx):
        yield from found


def _check_name(ctx: FileContext, fact: ImportFact, dotted: str, name_range: Range,
                alias: ImportedName | None) -> Finding | None:
    top = dotted.split(".")[0]
    if ctx.workspace.folders.find(top, [ctx.script_dir]) is None:
        return None  # not found through the file's own folder: both modes agree
    in_script = ctx.in_script_mode(dotted)
    if in_script is None or in_script.kind == "builtin":
        return None
    if in_script.path is not None and _same_file(in_script.path, ctx.path):
        return None  # run by path it would import itself: it means the other module
    if alias is None and not _names_exist(ctx, fact, in_script):
        return None  # the statement fails in script mode too: it is not script-only
    in_module = ctx.in_module_mode(dotted)
    if in_module is not None and in_script.same_target(in_module):
        return None
    if in_module is not None and _never_runs_by_path(ctx):
        return None  # script mode stops at a relative import: it never reaches this one
    if fact.context.guard and _fallback_works(ctx, fact):
        return None
    if in_module is not None and not _reached_by_path(ctx):
        return None  # no by-path run loads this file: the module-mode target is the one
    if in_module is None and not _imported_as_a_package(ctx):
        return None  # a loose file loaded from its own folder (flask's wsgi.py): no package
    third_party = third_party_reason(ctx, fact, top)
    if third_party and not _reached_by_path(ctx):
        return None  # the local folder shadows it only when a file here runs by path
    if third_party == "a declared dependency" and _use_fits(ctx, fact, alias, in_script):
        # A requirements file lists it (pipreqs lists local modules too), yet what the file
        # uses is the local module's: which one is meant is unclear, so no automatic fix.
        third_party, meant = None, None
    else:
        meant = None if third_party else meant_target(ctx, fact, alias, in_script, in_module)
    code = "DM101" if in_module is None else "DM105"
    found = _shown(ctx, in_script, dotted)
    statement = f"import {dotted}" if alias else f"from {dotted} import ..."
    if third_party or meant == "module":
        explanation = _wrong_module_message(ctx, fact, alias, dotted, found, in_module,
                                            third_party)
        meant_module = f"the third-party `{top}`" if third_party or in_module is None else \
            _describe(ctx, in_module, top)
        short = f"rename {found}: run by path, `{statement}` loads it, not {meant_module}"
        return _finding(ctx, fact, name_range, code, short, None, in_script, explanation)
    new_name = _package_name(ctx, dotted, in_script)
    if new_name == ctx.location.module:
        new_name = None  # a self-import is never a fix
    package_top = new_name.split(".")[0] if new_name else ""
    taken = ctx.taken_name(package_top) if new_name else None
    if taken:
        # `from code.settings import *` makes the folder `code/` a package that hides the
        # standard library's `code` (and fails by path): the folder needs a new name first.
        new_name = None
    hidden_by = ctx.display(ctx.location.root / package_top)
    folder = ctx.display(ctx.script_dir)
    if ctx.is_evidently_run:
        cause = (f"`{statement}` finds {found} only because `python {ctx.display(ctx.path)}` "
                 f"puts {folder}/ first on sys.path")
        mode = f"under {ctx.run_hint()}"
    else:
        cause = (f"`{statement}` finds {found} only while {folder}/ is first on sys.path, "
                 "as when a file there is run by path")
        mode = (f"imported as `{ctx.location.module}` (python -m, pytest, an installed "
                "package)")
    if in_module is None:
        consequence = f"{mode} it raises ModuleNotFoundError: No module named '{top}'"
    else:
        consequence = f"{mode} it loads {_describe(ctx, in_module, top)} instead"
    if new_name and meant == "script":
        advice = f"; import it as `{_suggested(fact, alias, new_name)}`"
    elif new_name:
        advice = (f"; if {found} is the module meant, import it as "
                  f"`{_suggested(fact, alias, new_name)}`, else rename {found}")
    else:
        advice = ""
    if taken:
        advice = (f"; {hidden_by}/ is named like {taken}, which an import through it would "
                  f"hide: rename {hidden_by}/, then import {found} through it")
    fix = _rewrite_fix(ctx, fact, alias, dotted, new_name, in_script) \
        if new_name and meant == "script" else None
    documented = (ctx.by_path_command() or ctx.run_from_own_folder()
                  or ctx.run_through_importer()) if fix else None
    named = ctx.named_in_strings(top) if fix and not documented else None
    if fix and documented:
        # The package import fails when the file runs by path: ask, never apply in --fix.
        fix = replace(fix, breaks_documented_run=documented)
        advice += f" (this breaks {documented}; document {ctx.run_hint()} instead)"
    elif fix and named:
        # The module's name changes with the rewrite: code that looks it up by the old one
        # (sys.modules['util']) fails after it.
        fix = replace(fix, breaks_documented_run=named)
        advice += (f" (then `{top}` is no longer the module's name, which {named} uses: "
                   "change that too)")
    if new_name and meant == "script":
        short = f"use `{_suggested(fact, alias, new_name)}`"
    elif new_name:
        short = f"use `{_suggested(fact, alias, new_name)}` or rename {found}"
    elif taken:
        short = f"rename {hidden_by}/ first: `{package_top}` is taken"
    else:
        short = "import it through its package"
    what = "works only run by path" if in_module is None else \
        f"loads {found} only run by path"
    return _finding(ctx, fact, name_range, code, f"`{statement}` {what}: {short}", fix,
                    in_script, f"{cause}; {consequence}{advice}")


def _use_fits(ctx: FileContext, fact: ImportFact, alias: ImportedName | None,
              module: Resolved) -> bool:
    """The file takes some names from the module, and the module defines every one."""
    used = used_names(ctx, fact, alias)
    if not used:
        return False
    return defines(ctx, module, used) is True


def _reached_by_path(ctx: FileContext) -> bool:
    """Script mode matters for this file: it runs by path itself, or a by-path script beside
    it imports it by its bare name (so it, too, sees that folder first on sys.path)."""
    return ctx.path in ctx.scripts_beside or _top_level_importer(ctx) is not None


def _never_runs_by_path(ctx: FileContext) -> bool:
    """A module-level relative import outside try/except: `python file.py` (and a by-path
    sibling importing it by its bare name) fails there, before any other import matters."""
    return any(f.level and not f.context.in_function and f.context.guard is None
               for f in ctx.imports())


def _imported_as_a_package(ctx: FileContext) -> bool:
    """The file is meant to be imported by its dotted name: it sits in a regular package,
    runs by path (so `python -m` is the way to run it), or some file imports that name. A
    module of a plain folder that nothing imports so is loaded from its own folder (by a
    framework, an `exec`, a by-path run of a sibling), where the import works."""
    folder = ctx.path.parent
    if ctx.workspace.folders.package_init(folder) is not None or ctx.is_evidently_run:
        return True
    if ctx.scripts_beside:
        return True
    module = ctx.location.module
    return bool(module) and module in dotted_importers(ctx, ctx.location.root)


def _shown(ctx: FileContext, resolved: Resolved, dotted: str) -> str:
    """A module as the user sees it: `util.py`, or a package as its folder `tools/wandb/`."""
    if resolved.path is None:
        return dotted
    if resolved.kind == "package":
        return ctx.display(resolved.path.parent) + "/"
    if resolved.kind == "namespace":
        return ctx.display(resolved.path) + "/"
    return ctx.display(resolved.path)


def _finding(ctx: FileContext, fact: ImportFact, name_range: Range, code: str, message: str,
             fix: Fix | None, in_script: Resolved, explanation: str) -> Finding:
    severity = Severity.WARNING
    if fact.context.type_checking:
        severity = Severity.INFORMATION
        explanation += (" (only type checkers read this import, but they resolve it the same "
                        "way)")
    related = (Related(in_script.path),) if in_script.path else ()
    return Finding(ctx.path, name_range, code, message, severity, fix, related=related,
                   explanation=explanation)


def _wrong_module_message(ctx: FileContext, fact: ImportFact, alias: ImportedName | None,
                          dotted: str, found: str, in_module: Resolved | None,
                          third_party: str | None) -> str:
    """The file means the standard-library, installed or third-party module, but run by path
    it gets the local one: the remedy is renaming the local one, never rewriting the import."""
    top = dotted.split(".")[0]
    if third_party:
        meant = f"the third-party `{top}` ({third_party})"
    else:
        assert in_module is not None
        meant = _describe(ctx, in_module, top)
    runs = (f"`python {ctx.display(ctx.path)}`" if ctx.is_evidently_run
            else f"running a file of {ctx.display(ctx.script_dir)}/ by path")
    return (f"rename {found}: under {runs} `{'import' if alias else 'from'} {dotted}` loads it "
            f"instead of {meant}, which this file means")


def _names_exist(ctx: FileContext, fact: ImportFact, module: Resolved) -> bool:
    """Every name of `from module import a, b` exists in the module or as its submodule
    (assumed when the module cannot be read precisely: star imports, __getattr__)."""
    names = frozenset(a.name for a in fact.names if a.name != "*")
    return defines(ctx, module, names) is not False


def _describe(ctx: FileContext, resolved: Resolved, top: str) -> str:
    if resolved.path is None:
        return f"the built-in `{top}`"
    if ctx.workspace.environment.is_stdlib_path(resolved.path):
        return f"the standard library's `{resolved.name}`"
    if ctx.workspace.environment.is_site_path(resolved.path):
        return f"the installed `{resolved.name}`"
    return ctx.display(resolved.path)


def _pytest_puts_folder_on_path(ctx: FileContext) -> bool:
    """pytest's default import mode inserts a test folder without __init__.py in sys.path."""
    folder = ctx.path.parent
    if ctx.workspace.folders.package_init(folder) is not None:
        return False
    names = ctx.workspace.folders.listing(folder).modules
    return any(name == "conftest" or name.startswith("test_") or name.endswith("_test")
               for name in names)


def _declared_on_path(ctx: FileContext) -> bool:
    """The project's test set-up puts the file's folder on sys.path (pytest's `pythonpath`,
    tox's `PYTHONPATH`): its top-level imports of siblings are how the project runs."""
    folder = str(ctx.script_dir)
    return any(ctx.workspace.real_folder(f) == folder
               for f in declared_path_folders(ctx.project.folder))


def _fallback_works(ctx: FileContext, fact: ImportFact) -> bool:
    """In `try: from .x import y / except ImportError: from x import y`, the other branch
    covers module mode, so the script-mode branch breaks nothing."""
    assert fact.context.guard is not None
    guard_id, branch = fact.context.guard
    for other in ctx.imports():
        if other.context.guard is None or other.context.guard[0] != guard_id:
            continue
        if other.context.guard[1] == branch:
            continue
        if _works_in_module_mode(ctx, other):
            return True
    return False


def _works_in_module_mode(ctx: FileContext, fact: ImportFact) -> bool:
    if fact.level:
        package = ctx.location.package
        return bool(package) and fact.level <= len(package.split("."))
    names = [fact.module] if fact.is_from else [a.name for a in fact.names]
    return all(name and ctx.in_module_mode(name) is not None for name in names)


def _package_name(ctx: FileContext, dotted: str, in_script: Resolved) -> str | None:
    """`dotted` as seen from the import root, checked to reach the same file in module mode."""
    own_folder = ctx.path.parent
    if os.path.realpath(own_folder) != str(ctx.script_dir):
        return None  # a symlinked file: its script folder is elsewhere
    try:
        prefix = own_folder.relative_to(ctx.location.root).parts
    except ValueError:
        return None
    if not prefix or not all(part.isidentifier() for part in prefix):
        return None
    candidate = ".".join((*prefix, dotted))
    if not in_script.same_target(ctx.in_module_mode(candidate)):
        return None
    own = ctx.workspace.locate(in_script.path).module if in_script.path else None
    if own is not None and own != candidate:
        # `proj.ex3.app` for a package whose own name is `app` (proj/ex3/ has no
        # __init__.py): under a second name its own imports (`from config import ...`,
        # found from its root) break, and it would be loaded twice.
        return None
    return candidate


def _suggested(fact: ImportFact, alias: ImportedName | None, new_name: str) -> str:
    if alias is None:
        return f"from {new_name} import ..."
    parent, _, last = new_name.rpartition(".")
    if "." in alias.name:
        return f"import {new_name}"
    return f"from {parent} import {last}" + (f" as {alias.asname}" if alias.asname else "")


def _relative_target(ctx: FileContext, new_name: str) -> tuple[int, str]:
    """`pkg.sub.util` seen from the file's package `pkg.app` -> (1, "sub.util")."""
    package = ctx.location.package.split(".") if ctx.location.package else []
    target = new_name.split(".")
    common = 0
    while common < min(len(package), len(target)) and package[common] == target[common]:
        common += 1
    level = len(package) - common + 1
    return level, ".".join(target[common:])


def _rewrite_fix(ctx: FileContext, fact: ImportFact, alias: ImportedName | None, dotted: str,
                 new_name: str, in_script: Resolved) -> Fix | None:
    relative = ctx.project.import_style == "relative"
    if relative and not ctx.location.package:
        relative = False
    if alias is None:
        assert fact.target_range is not None
        if relative:
            level, rest = _relative_target(ctx, new_name)
            text = "." * level + rest
        else:
            text = new_name
        return Fix(f"Import `{new_name}` from the package",
                   (TextEdit(ctx.path, fact.target_range, text),))
    # `import a` / `import a as b`: becomes `from pkg import a [as b]`.
    if "." in alias.name and not alias.asname:
        return None  # `import a.b` binds `a`; no single statement keeps that binding
    if not fact.own_lines or fact.statement.start.line != fact.statement.end.line:
        return None
    parent, _, last = new_name.rpartition(".")
    if relative:
        level, rest = _relative_target(ctx, parent)
        parent = "." * level + rest
        # `from . import x` needs the separating form even when rest is empty.
    bound = f" as {alias.asname}" if alias.asname else ""
    new_statement = f"from {parent} import {last}{bound}"
    others = [a for a in fact.names if a is not alias]
    lines = []
    if others:
        kept = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in others)
        lines.append(f"import {kept}")
    lines.append(new_statement)
    text = ("\n" + fact.indent).join(lines)
    return Fix(f"Import `{new_name}` from the package",
               (TextEdit(ctx.path, fact.statement, text),))


# -- DM102 ---------------------------------------------------------------------------------
def _relative_imports(ctx: FileContext) -> Iterator[Finding]:
    relative = [f for f in ctx.imports() if f.level]
    if not relative:
        return
    package = ctx.location.package
    depth = len(package.split(".")) if package else 0
    reported_run = False
    for fact in relative:
        assert fact.target_range is not None
        written = "." * fact.level + (fact.module or "")
        if not package:
            fix = _absolute_fix(ctx, fact)
            advice = (f"; write it as `{_absolute_text(fact)}`" if fix else
                      "; put the file in a package (a folder with __init__.py) and run it "
                      "with python -m")
            short = (f"write `{_absolute_text(fact)}`" if fix else
                     "put the file in a package and run it with python -m")
            yield Finding(
                ctx.path, fact.target_range, "DM102",
                f"{short}: `from {written} import ...` outside any package always fails",
                Severity.ERROR, fix, explanation=(
                    f"relative import `from {written} import ...` in {ctx.path.name}, which is "
                    f"not inside any package: both `python {ctx.display(ctx.path)}` and "
                    f"`python -m {ctx.location.module}` fail with ImportError: attempted "
                    f"relative import with no known parent package{advice}"))
        elif fact.level > depth:
            yield Finding(
                ctx.path, fact.target_range, "DM102",
                f"use at most {depth} dots: `{written}` climbs above the top package "
                f"`{package.split('.')[0]}`",
                Severity.ERROR, explanation=(
                    f"`from {written} import ...` climbs {fact.level} levels from package "
                    f"`{package}`, which is only {depth} deep: importing "
                    f"{ctx.location.module} fails with ImportError: attempted relative import "
                    "beyond top-level package"))
        elif not reported_run and not fact.context.in_function:
            finding = _run_outside_package(ctx, fact, written)
            if finding is not None:
                reported_run = True
                yield finding


def _run_outside_package(ctx: FileContext, fact: ImportFact, written: str) -> Finding | None:
    """A package module whose relative import fails the way the file is evidently run: by
    path, as a top-level sibling of a by-path script, or by pytest / unittest discovery."""
    assert fact.target_range is not None
    failure = "ImportError: attempted relative import with no known parent package"
    if ctx.path.name == "__init__.py":
        return None  # nobody runs a package's __init__.py by path, or imports it bare
    evidence = _by_path_evidence(ctx)
    if evidence:
        return Finding(
            ctx.path, fact.target_range, "DM102",
            f"run it as {ctx.run_hint()}: by path this relative import fails",
            Severity.WARNING, run_as_module=True, explanation=(
                f"run it as {ctx.run_hint()}: `python {ctx.display(ctx.path)}` ({evidence}) "
                f"fails here with {failure}"))
    folder = ctx.path.parent
    if ctx.workspace.folders.package_init(folder) is None and _collected_by_test_runners(ctx):
        shown = ctx.display(folder)
        return Finding(
            ctx.path, fact.target_range, "DM102",
            f"add {shown}/__init__.py: pytest imports {ctx.path.name} outside any package",
            Severity.WARNING, _test_package_fix(ctx), explanation=(
                f"add {shown}/__init__.py: pytest and `unittest discover` import "
                f"{ctx.path.name} as a top-level module, where `from {written} import ...` "
                f"fails with {failure}"))
    importer = _top_level_importer(ctx)
    if importer is not None:
        return Finding(
            ctx.path, fact.target_range, "DM102",
            f"run {ctx.display(importer)} as a module: by path it imports this file outside "
            "its package", Severity.WARNING, explanation=(
                f"`python {ctx.display(importer)}` imports this file as the top-level module "
                f"`{ctx.path.stem}`, where `from {written} import ...` fails with {failure}; "
                "run that script as a module"))
    return None


def _by_path_evidence(ctx: FileContext) -> str | None:
    """What says people run this file as `python path/to/file.py`."""
    documented = ctx.documented_run()
    if documented:
        return f"documented: {documented}"
    facts = ctx.source.facts
    if any("__file__" in _lines_of(ctx, m.range) for m in facts.sys_path_mutations
           if not m.in_function):
        return "its sys.path hack is built from __file__"
    if not ctx.is_evidently_run:
        return None
    if facts.shebang:
        return "#! line and __main__ guard"
    if os.access(ctx.path, os.X_OK):
        return "executable, with a __main__ guard"
    if ctx.workspace.folders.package_init(ctx.path.parent) is None:
        return "a __main__ guard in a folder without __init__.py"
    return None


def _lines_of(ctx: FileContext, where: Range) -> str:
    lines = ctx.source.text.splitlines()
    return "\n".join(lines[where.start.line: where.end.line + 1])


def _collected_by_test_runners(ctx: FileContext) -> bool:
    name = ctx.path.name
    return (name.startswith("test") and name.endswith(".py")) or name.endswith("_test.py") \
        or name == "conftest.py"


def _test_package_fix(ctx: FileContext) -> Fix | None:
    """Create the test folder's `__init__.py`, unless a file there imports a sibling by its
    top-level name (`import common`), which works only while the folder itself is on
    sys.path, as pytest puts it for a folder without `__init__.py`."""
    folder = ctx.path.parent
    siblings = ctx.workspace.folders.listing(folder).modules
    for module in siblings.values():
        if module.suffix != ".py":
            continue
        source = ctx.source if module == ctx.path else ctx.workspace.source(module)
        facts = getattr(source, "facts", None)
        if facts is None or any(facts.imports_name(name) for name in siblings):
            return None
    return Fix(f"Create {ctx.display(folder)}/__init__.py",
               creations=(FileCreation(folder / "__init__.py", ""),))


def _top_level_importer(ctx: FileContext) -> Path | None:
    """A by-path script beside this file that imports it by its bare name."""
    for script in ctx.scripts_beside:
        if script == ctx.path:
            continue
        source = ctx.workspace.source(script)
        facts = getattr(source, "facts", None)
        if facts is not None and facts.imports_name(ctx.path.stem):
            return script
    return None


def _absolute_text(fact: ImportFact) -> str:
    names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in fact.names)
    if fact.module:
        return f"from {fact.module} import {names}"
    return f"import {names}"


def _absolute_fix(ctx: FileContext, fact: ImportFact) -> Fix | None:
    """`from .x import y` in a top-level module -> `from x import y`, if x is right there."""
    if fact.level != 1:
        return None
    folder = ctx.path.parent
    targets = [fact.module] if fact.module else [a.name for a in fact.names]
    for target in targets:
        found = ctx.in_module_mode(target)
        if found is None or found.path is None or not _is_within(found.path, folder):
            return None
    assert fact.target_range is not None
    if fact.module:
        return Fix(f"Write it as `from {fact.module} import ...`",
                   (TextEdit(ctx.path, fact.target_range, fact.module),))
    if "(" in _statement_text(ctx, fact) or not fact.own_lines:
        return None
    return Fix(f"Write it as `{_absolute_text(fact)}`",
               (TextEdit(ctx.path, fact.statement, _absolute_text(fact)),))


def _statement_text(ctx: FileContext, fact: ImportFact) -> str:
    return _lines_of(ctx, fact.statement)


def _same_file(a: Path, b: Path) -> bool:
    return a == b or os.path.realpath(a) == os.path.realpath(b)


def _is_within(path: Path, folder: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(folder))
    except ValueError:
        return False
    return True

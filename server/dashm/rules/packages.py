"""DM201, DM202 and DM203: packages that are not quite packages, or not quite runnable.

- DM201 missing-init: a folder inside a package tree (or imported with dotted names) that has
  no `__init__.py`, so it is an accidental namespace package. Reported on each module of the
  folder (or on the import); the fix creates the empty `__init__.py` files.
- DM202 missing-main: a package the project evidently runs (`python -m pkg` in its files, a
  launch configuration, a console script into it, a guarded `cli`/`main`/`app` module) without
  a `__main__.py`. Reported on its `__init__.py`; the fix creates `__main__.py` calling the
  entry function the evidence points to.
- DM203 main-guard-in-package (hint): a `__main__` guard in a package module, with the exact
  `python -m` line and the folder to run it from.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dashm.findings import FileCreation, Finding, Fix, Range, Related, Severity
from dashm.rules.context import FileContext
from dashm.rules.creating import conventions_near
from dashm.workspace import SourceFile
from dashm.workspace.evidence import Evidence, run_evidence
from dashm.workspace.paths import is_within

TEST_NAMES = frozenset({"test", "tests", "testing"})
DOC_NAMES = frozenset({"doc", "docs", "documentation"})
DATA_NAMES = frozenset({"fixtures", "resources", "assets", "static", "templates", "samples",
                        "sample", "media", "locale", "locales"})
ENTRY_MODULES = ("cli", "main", "app")
MAX_CITED = 4
START = Range.of(0, 0, 0, 0)


def check_packages(ctx: FileContext) -> Iterator[Finding]:
    if ctx.location.module is None:
        return
    yield from _missing_init_here(ctx)
    yield from _missing_init_imported(ctx)
    if ctx.path.name == "__init__.py":
        finding = _missing_main(ctx)
        if finding is not None:
            yield finding
    yield from _main_guard_hint(ctx)


# -- DM201: the folder of this file ----------------------------------------------------------
def _missing_init_here(ctx: FileContext) -> Iterator[Finding]:
    folder = ctx.path.parent
    folders = ctx.workspace.folders
    if ctx.path.name == "__init__.py" or folders.package_init(folder) is not None:
        return
    found = _namespace_chain(ctx, folder)
    if found is None:
        return
    chain, package = found
    if _exempt_folder(ctx, folder, chain, package):
        return
    assert ctx.location.module is not None
    dotted = ctx.location.module.rpartition(".")[0]
    if _declared_namespace(ctx, dotted):
        return
    top = ctx.workspace.locate(package / "__init__.py").module or package.name
    missing = ", ".join(f"{ctx.display(f)}/__init__.py" for f in chain)
    message = (f"{ctx.display(folder)}/ has no __init__.py, yet it sits inside the package "
               f"`{top}`: `{dotted}` is an accidental namespace package. pkgutil.walk_packages()"
               f" and unittest discovery skip it, and setuptools' find_packages() (or a "
               f"`packages` list) leaves it out of the wheel; create {missing}")
    yield Finding(ctx.path, START, "DM201", message, Severity.WARNING, _init_fix(ctx, chain))


def _namespace_chain(ctx: FileContext, folder: Path) -> tuple[list[Path], Path] | None:
    """The folders from below the nearest regular package down to `folder` (all without
    `__init__.py`), and that package's folder; None when no package is above."""
    folders = ctx.workspace.folders
    stop = {ctx.workspace.folder, ctx.project.folder}
    chain = [folder]
    current = folder
    while True:
        if not current.name.isidentifier() or current in stop:
            return None
        current = current.parent
        if not is_within(current, ctx.workspace.folder) or current.parent == current:
            return None
        if folders.package_init(current) is not None:
            if not current.name.isidentifier():
                return None
            return list(reversed(chain)), current
        chain.append(current)


def _exempt_folder(ctx: FileContext, folder: Path, chain: list[Path], package: Path) -> bool:
    """Tests (pytest's own conventions), docs, data and script-only folders."""
    try:
        parts = folder.relative_to(ctx.workspace.folder).parts
    except ValueError:
        parts = folder.parts
    if any(p in TEST_NAMES or p in DOC_NAMES for p in parts):
        return True
    name = folder.name.lower()
    if name in DATA_NAMES or name.endswith("data") or name.startswith("data"):
        return True
    modules = [m for m in ctx.workspace.folders.listing(folder).modules.values()
               if m.suffix == ".py"]
    if any(m.name == "conf.py" for m in modules):
        return True  # Sphinx
    if modules and all(_is_test_file(m.name) for m in modules):
        return True
    return bool(modules) and all(_is_script(ctx, m) for m in modules)


def _is_test_file(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def _is_script(ctx: FileContext, module: Path) -> bool:
    source = ctx.source if module == ctx.path else ctx.workspace.source(module)
    if not isinstance(source, SourceFile) or source.facts.syntax_error is not None:
        return False
    facts = source.facts
    if any(i.level and not i.context.in_function for i in facts.imports):
        return False  # it expects a package around it
    return bool(facts.main_guards or facts.shebang or os.access(module, os.X_OK))


def _declared_namespace(ctx: FileContext, dotted: str) -> bool:
    project = ctx.project
    if dotted in project.namespace_packages:
        return True
    tool = project.data.get("tool", {})
    setuptools = tool.get("setuptools", {}) if isinstance(tool, dict) else {}
    packages = setuptools.get("packages") if isinstance(setuptools, dict) else None
    find = packages.get("find") if isinstance(packages, dict) else None
    return isinstance(find, dict) and find.get("namespaces") is True


def _init_fix(ctx: FileContext, chain: list[Path]) -> Fix:
    names = " and ".join(f"{ctx.display(f)}/__init__.py" for f in chain)
    return Fix(f"Create {names}", creations=tuple(FileCreation(f / "__init__.py", "")
                                                   for f in chain))


# -- DM201: dotted imports of a namespace folder ---------------------------------------------
def _missing_init_imported(ctx: FileContext) -> Iterator[Finding]:
    seen: set[str] = set()
    for fact in ctx.imports():
        if fact.level:
            continue
        if fact.is_from:
            assert fact.module is not None and fact.module_range is not None
            targets = [(fact.module, fact.module_range)]
        else:
            targets = [(a.name, a.range) for a in fact.names]
        for dotted, name_range in targets:
            top = dotted.split(".")[0]
            if top in seen:
                continue
            chain = _imported_namespaces(ctx, dotted)
            if not chain:
                continue
            seen.add(top)
            folder = chain[0]
            shown = ctx.display(folder)
            message = (f"{shown}/ has no __init__.py, so `{top}` is found only as an implicit "
                       f"namespace package: it loses to any regular package or module named "
                       f"`{top}` anywhere on sys.path (an installed distribution, a {top}.py), "
                       f"and then `{dotted}` fails with ModuleNotFoundError; and setuptools' "
                       f"find_packages() leaves it out of the wheel. Create {shown}/__init__.py")
            yield Finding(ctx.path, name_range, "DM201", message, Severity.WARNING,
                          _init_fix(ctx, chain), related=(Related(folder),))


def _imported_namespaces(ctx: FileContext, dotted: str) -> list[Path]:
    """Workspace folders without `__init__.py` that `import dotted` passes through as
    namespace packages, from the top; empty unless the top one is such a folder."""
    workspace = ctx.workspace
    parts = dotted.split(".")
    first = workspace.folders.listing(ctx.location.root).folders.get(parts[0])
    if first is None or workspace.folders.package_init(first) is not None:
        return []  # only a folder without __init__.py at the import root can be one
    chain: list[Path] = []
    search: tuple[Path, ...] = workspace.search_path(ctx.location.root)
    for number, part in enumerate(parts):
        found = workspace.folders.find(part, search)
        if found is None or found.kind != "namespace":
            break
        if len(found.portions) != 1 or not is_within(found.portions[0], workspace.folder):
            break  # shared with other distributions or folders: deliberate
        folder = found.portions[0]
        name = ".".join(parts[: number + 1])
        if folder.name in TEST_NAMES or folder.name in DOC_NAMES or \
                _declared_namespace(ctx, name):
            break
        chain.append(folder)
        search = found.search_locations
    if not chain or _namespace_chain(ctx, chain[0]) is not None:
        return []  # a folder inside a package tree is reported on its own modules
    return chain


# -- DM202 -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    module: str
    attr: str
    returns_status: bool
    source: str  # what the entry was read from, for the fix's docstring


def _missing_main(ctx: FileContext) -> Finding | None:
    package = ctx.location.module
    folder = ctx.path.parent
    assert package is not None
    listing = ctx.workspace.folders.listing(folder)
    if "__main__" in listing.modules:
        return None
    evidence = [e for e in run_evidence([ctx.project.folder, ctx.workspace.folder])
                if _points_to(e, package)]
    guarded: list[Path] = []
    if "." not in package:
        for name in ENTRY_MODULES:
            module = listing.modules.get(name)
            if module is None or module.suffix != ".py":
                continue
            source = ctx.workspace.source(module)
            if isinstance(source, SourceFile) and source.facts.main_guards:
                guarded.append(module)
    if not evidence and not guarded:
        return None
    cites = [_cite(ctx, e) for e in evidence[:MAX_CITED]]
    if len(evidence) > MAX_CITED:
        cites[-1] += f" and {len(evidence) - MAX_CITED} more"
    cites += [f"{ctx.display(m)} has an `if __name__ == \"__main__\":` block" for m in guarded]
    main = folder / "__main__.py"
    fix = _main_fix(ctx, package, evidence, guarded)
    remedy = (f"create {ctx.display(main)} that {fix.title.split(' that ', 1)[1]}" if fix
              else f"add {ctx.display(main)} that calls the package's entry function")
    message = (f"`{package}` is meant to be run ({'; '.join(cites)}), but it has no "
               f"__main__.py: `python -m {package}` fails with \"No module named "
               f"{package}.__main__; '{package}' is a package and cannot be directly "
               f"executed\"; {remedy}")
    return Finding(ctx.path, START, "DM202", message, Severity.WARNING, fix,
                   related=tuple(dict.fromkeys([*(Related(e.path, e.line) for e in evidence),
                                                 *(Related(g) for g in guarded)])))


def _points_to(evidence: Evidence, package: str) -> bool:
    if evidence.kind == "script":
        if "." in package:
            return False
        module = evidence.module.split(":")[0].strip()
        return module == package or module.startswith(package + ".")
    return evidence.module == package


def _cite(ctx: FileContext, evidence: Evidence) -> str:
    where = evidence.where(ctx.workspace.folder)
    if evidence.kind == "script":
        return f"console script `{evidence.cite}` in {where}"
    return f"{evidence.cite} in {where}"


def _main_fix(ctx: FileContext, package: str, evidence: list[Evidence],
              guarded: list[Path]) -> Fix | None:
    entry = _script_entry(ctx, package, evidence) or _guard_entry(ctx, package, guarded)
    main = ctx.path.parent / "__main__.py"
    conventions = conventions_near(ctx.path.parent)
    if entry is None:
        if not guarded:
            return None
        module = ctx.workspace.locate(guarded[0]).module
        if module is None:
            return None
        text = (f'"""`python -m {package}`: runs {module} as the program, as '
                f'`python -m {module}` does."""\n\nimport runpy\n\n'
                f'runpy.run_module("{module}", run_name="__main__", alter_sys=True)\n')
        return Fix(f"Create {ctx.display(main)} that runs {module} as the program",
                   creations=(FileCreation(main, conventions.render(text)),))
    head = entry.attr.split(".")[0]
    relative = ctx.project.import_style == "relative"
    if relative:
        rest = entry.module[len(package):].lstrip(".")
        statement = f"from .{rest} import {head}" if rest else f"from . import {head}"
    else:
        statement = f"from {entry.module} import {head}"
    call = f"{entry.attr}()"
    body = f"raise SystemExit({call})" if entry.returns_status else call
    text = (f'"""`python -m {package}`: runs what {entry.source} runs."""\n\n'
            f"{statement}\n\n{body}\n")
    return Fix(f"Create {ctx.display(main)} that calls {entry.module}:{entry.attr}",
               creations=(FileCreation(main, conventions.render(text)),))


def _script_entry(ctx: FileContext, package: str, evidence: list[Evidence]) -> Entry | None:
    scripts = [e for e in evidence if e.kind == "script"]
    scripts.sort(key=lambda e: e.cite.split("=")[0].strip() != package.split(".")[-1])
    for script in scripts:
        module, _, attr = script.module.partition(":")
        module, attr = module.strip(), attr.split("[")[0].strip()
        if not attr:
            continue
        defined = _definition(ctx, module, attr.split(".")[0])
        if defined is None:
            continue  # broken (DM204 says so): nothing to call
        name = script.cite.split("=")[0].strip()
        status = True if "." in attr or defined is True else _returns_value(defined)
        return Entry(module, attr, status, f"the `{name}` command")
    return None


def _guard_entry(ctx: FileContext, package: str, guarded: list[Path]) -> Entry | None:
    """`main()`, `sys.exit(main())` or `raise SystemExit(main())` under a guard."""
    for path in guarded:
        module = ctx.workspace.locate(path).module
        source = ctx.workspace.source(path)
        if module is None or not isinstance(source, SourceFile):
            continue
        try:
            tree = ast.parse(source.text)
        except (SyntaxError, ValueError):
            continue
        functions = {n.name: n for n in tree.body
                     if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for node in tree.body:
            if not (isinstance(node, ast.If) and _is_guard(node.test)):
                continue
            name = _called_function(node.body)
            if name in functions and not isinstance(functions[name], ast.AsyncFunctionDef):
                return Entry(module, name, _returns_value(functions[name]),
                             f"`python -m {module}`")
    return None


def _is_guard(test: ast.expr) -> bool:
    from dashm.workspace.facts import is_main_guard

    return is_main_guard(test)


def _called_function(body: list[ast.stmt]) -> str | None:
    if len(body) != 1:
        return None
    node = body[0]
    call: ast.expr | None = None
    if isinstance(node, ast.Expr):
        call = node.value
        if isinstance(call, ast.Call) and _is_exit(call.func) and len(call.args) == 1:
            call = call.args[0]
    elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and \
            _is_exit(node.exc.func) and len(node.exc.args) == 1:
        call = node.exc.args[0]
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and not call.args \
            and not call.keywords:
        return call.func.id
    return None


def _is_exit(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("exit", "SystemExit")
    return isinstance(func, ast.Attribute) and func.attr == "exit" and \
        isinstance(func.value, ast.Name) and func.value.id == "sys"


def _definition(ctx: FileContext, module: str, name: str) -> ast.AST | bool | None:
    """The top-level `def name` of the workspace module (True: defined some other way, or
    cannot be told; None: not there)."""
    found = ctx.workspace.folders.resolve(module, (*ctx.project.roots, *ctx.project.source_roots,
                                                   ctx.location.root))
    if found is None or found.path is None or found.path.suffix != ".py":
        return None if found is None or found.kind == "namespace" else True
    source = ctx.workspace.parsed(found.path)
    if not isinstance(source, SourceFile) or source.facts.syntax_error is not None:
        return True
    if name not in source.facts.top_level_names:
        return None
    try:
        tree = ast.parse(source.text)
    except (SyntaxError, ValueError):
        return True
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    return True


def _returns_value(function: ast.AST | bool) -> bool:
    """Whether some `return` in the function (not in nested ones) returns a value."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return True
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


# -- DM203 -----------------------------------------------------------------------------------
def _main_guard_hint(ctx: FileContext) -> Iterator[Finding]:
    guards = ctx.source.facts.main_guards
    if not ctx.hints or not guards or ctx.path.name in ("__main__.py", "__init__.py"):
        return
    module = ctx.location.run_module
    if module is None or "." not in module:
        return
    if ctx.workspace.folders.package_init(ctx.path.parent) is None and \
            ctx.location.rule not in ("roots", "source-root"):
        return
    invocation = ctx.workspace.invocation(ctx.path)
    if invocation.module is None or invocation.cwd is None:
        return
    where = ctx.display(invocation.cwd)
    if where == ".":
        where = f"the workspace folder ({invocation.cwd.name}/)"
    message = (f"run this as a module: `python -m {invocation.module}` from {where}; that is "
               f"how `{invocation.module}` imports its package. `python {ctx.display(ctx.path)}`"
               f" would put {ctx.display(ctx.script_dir)}/ first on sys.path instead")
    for guard in guards:
        yield Finding(ctx.path, guard, "DM203", message, Severity.HINT, run_as_module=True)

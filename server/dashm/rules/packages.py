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
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from dashm.findings import FileCreation, Finding, Fix, Range, Related, Severity
from dashm.rules.context import FileContext
from dashm.rules.creating import conventions_near
from dashm.rules.sourcefolder import is_source_folder
from dashm.workspace import SourceFile
from dashm.workspace.evidence import Evidence, run_evidence
from dashm.workspace.paths import is_within
from dashm.workspace.walk import is_excluded_folder

TEST_NAMES = frozenset({"test", "tests", "testing"})
DOC_NAMES = frozenset({"doc", "docs", "documentation"})
DATA_NAMES = frozenset({"fixtures", "resources", "assets", "static", "templates", "samples",
                        "sample", "media", "locale", "locales"})
# Folders of Python config files that frameworks load by path (mmcv/mmengine
# `Config.fromfile`, detectron2 LazyConfig, runpy, exec), not import.
# Code copied in from other projects, often put on sys.path itself (setuptools' `_vendor/`):
# its layout is its authors', and a created __init__.py can break a namespace package there.
VENDOR_NAMES = frozenset({"_vendor", "vendor", "_vendored", "vendored", "third_party",
                          "_extern", "extern", "externals"})
CONFIG_NAMES = frozenset({"config", "configs", "cfg", "cfgs", "conf", "confs"})
ENTRY_MODULES = ("cli", "main", "app")
MAX_CITED = 4
START = Range.of(0, 0, 0, 0)


def check_packages(ctx: FileContext) -> Iterator[Finding]:
    if ctx.location.module is None:
        return
    yield from _missing_init(ctx)
    if ctx.path.name == "__init__.py":
        finding = _missing_main(ctx)
        if finding is not None:
            yield finding
    yield from _main_guard_hint(ctx)


# -- DM201 -----------------------------------------------------------------------------------
# Each folder is reported once, on the file that owns it (the first `.py` file of the folder in
# sorted order, or of its first sub-folder when it holds none): the CLI and the editor compute
# the same owner from the same tree, so a folder is one problem, not one per file.
@dataclass(frozen=True)
class _Chain:
    """Folders without `__init__.py` from the top (`folders[0]`) down to a file's folder.

    `package`: the regular package they sit in (the folders are then inside a package tree);
    None when the top folder sits at the import root and is imported with dotted names
    (`importer` says where)."""

    folders: tuple[Path, ...]
    package: Path | None
    importer: tuple[Path, int, str] | None


def _missing_init(ctx: FileContext) -> Iterator[Finding]:
    """DM201 for each folder above this file (up to the import root) that lacks
    `__init__.py` and whose owner this file is."""
    for folder in _ancestors(ctx):
        if ctx.workspace.folders.package_init(folder) is not None or \
                _owner(ctx, folder) != ctx.path:
            continue
        chain = _chain_of(ctx, folder)
        if chain is not None and not _exempt_member(ctx, chain, len(chain.folders) - 1):
            yield _folder_finding(ctx, chain, len(chain.folders) - 1)


def _ancestors(ctx: FileContext) -> Iterator[Path]:
    """The file's folder and those above it, inside the workspace, above no project folder."""
    stop = {ctx.workspace.folder, ctx.project.folder}
    folder = ctx.path.parent
    for _ in range(32):
        if folder in stop or not is_within(folder, ctx.workspace.folder) or \
                folder.parent == folder:
            return
        yield folder
        folder = folder.parent


def _chain_of(ctx: FileContext, folder: Path) -> _Chain | None:
    above = _namespace_chain(ctx, folder)
    if above is not None:
        return _Chain(tuple(above[0]), above[1], None)
    return _imported_chain(ctx, folder)


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


def _imported_chain(ctx: FileContext, folder: Path) -> _Chain | None:
    """A top-level folder without `__init__.py`, at the import root, that some file imports
    with dotted names (`from utils.helpers import f`): the folders from it down to `folder`."""
    root = next((r for r in (ctx.location.root, ctx.project.folder, ctx.workspace.folder)
                 if is_within(folder, r) and folder != r), None)
    if root is None:
        return None
    parts = folder.relative_to(root).parts
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    folders = [root.joinpath(*parts[: n + 1]) for n in range(len(parts))]
    if any(ctx.workspace.folders.package_init(f) is not None for f in folders):
        return None
    top = parts[0]
    found = ctx.workspace.resolve(top, root)
    if found is None or found.kind != "namespace" or len(found.portions) != 1 or \
            found.portions[0] != folders[0]:
        return None  # shared with other folders or distributions: deliberate
    importers = dotted_importers(ctx, root)
    listing = ctx.workspace.folders.listing(folders[0])
    # `from loguru import logger` beside a tutorial folder `loguru/` names no module of it:
    # it means the library. Only an import of a module inside makes the folder a package.
    importer = next((importers[f"{top}.{child}"] for child in sorted(
        {*listing.modules, *listing.folders}) if f"{top}.{child}" in importers), None)
    if importer is None:
        return None  # nothing imports it as a package: loose scripts or data
    if is_source_folder(ctx, folders[0]):
        return None  # `src.pkg` imports: DM106 says to import `pkg`; src/__init__ is wrong
    return _Chain(tuple(folders), None, importer)


def _owner(ctx: FileContext, folder: Path, depth: int = 0) -> Path | None:
    """The file a folder's DM201 is reported on: its first `.py` file in sorted order, else
    the owner of its first sub-folder that has one (a sub-package's `__init__.py` too)."""
    listing = ctx.workspace.folders.listing(folder)
    first = _first_module(listing)
    if first is not None:
        return first
    if depth > 8:
        return None
    for sub in sorted(listing.folders.values(), key=lambda f: f.name):
        if sub.name.isidentifier():
            found = _owner(ctx, sub, depth + 1)
            if found is not None:
                return found
    return None


_FIRST_MODULES: dict[int, tuple[object, Path | None]] = {}


def _first_module(listing) -> Path | None:  # type: ignore[no-untyped-def]
    """A listing's first `.py` file by name, remembered per listing (every file of a folder
    asks it for every folder above it; a changed folder gets a new listing)."""
    cached = _FIRST_MODULES.get(id(listing))
    if cached is not None and cached[0] is listing:
        return cached[1]
    # All in one folder: comparing names orders them as their paths would, far cheaper.
    names = [name for name in listing.modules if listing.modules[name].name.endswith(".py")]
    first = listing.modules[min(names, key=lambda n: listing.modules[n].name)] if names else None
    if len(_FIRST_MODULES) > 100_000:
        _FIRST_MODULES.clear()
    _FIRST_MODULES[id(listing)] = (listing, first)
    return first


def _dotted(ctx: FileContext, chain: _Chain, index: int) -> str:
    member = chain.folders[index]
    if chain.package is not None:
        base = ctx.workspace.locate(chain.package / "__init__.py").module or chain.package.name
        rest = member.relative_to(chain.package).parts
        return ".".join((base, *rest))
    return ".".join(member.relative_to(chain.folders[0].parent).parts)


def _exempt_member(ctx: FileContext, chain: _Chain, index: int) -> bool:
    """Test, docs and data folders always; folders of by-path scripts or of config files a
    framework loads by path (`configs/`, Alembic's `versions/`) unless imported as packages."""
    for depth in range(index + 1):
        member = chain.folders[depth]
        if _always_exempt(ctx, member):
            return True
        dotted = _dotted(ctx, chain, depth)
        if _declared_namespace(ctx, dotted):
            return True
        if _loaded_by_path(ctx, member) and not _imported_as_package(ctx, chain, dotted):
            return True
    return False


def _always_exempt(ctx: FileContext, folder: Path) -> bool:
    try:
        parts = folder.relative_to(ctx.workspace.folder).parts
    except ValueError:
        parts = folder.parts
    if any(p in TEST_NAMES or p in DOC_NAMES or p in VENDOR_NAMES for p in parts):
        return True
    name = folder.name.lower()
    if name in DATA_NAMES or name.endswith("data") or name.startswith("data"):
        return True
    if _is_alembic_folder(folder) or _is_alembic_folder(folder.parent):
        # Alembic loads env.py and versions/ by path; `from alembic import context` there
        # means the tool, whatever the folder is called (`alembic init alembic`).
        return True
    modules = _modules(ctx, folder)
    if any(m.name == "conf.py" for m in modules):
        return True  # Sphinx
    return bool(modules) and all(_is_test_file(m.name) for m in modules)


def _is_alembic_folder(folder: Path) -> bool:
    return (folder / "env.py").is_file() and (folder / "script.py.mako").is_file()


def _modules(ctx: FileContext, folder: Path) -> list[Path]:
    return sorted(m for m in ctx.workspace.folders.listing(folder).modules.values()
                  if m.suffix == ".py")


def _is_test_file(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def _loaded_by_path(ctx: FileContext, folder: Path) -> bool:
    """Run or loaded as files, not imported: by-path scripts (and the helpers beside them,
    which they import as top-level names), config folders read with runpy / exec /
    `Config.fromfile`, Alembic's script folder (env.py beside script.py.mako) and its
    `versions/`."""
    if folder.name.lower() in CONFIG_NAMES:
        return True
    if folder.name == "versions" and (folder.parent / "env.py").is_file():
        return True
    modules = _modules(ctx, folder)
    if any(_relative_imports(ctx, m) for m in modules):
        return False  # it expects a package around it
    return any(_is_script(ctx, m) for m in modules)


def _relative_imports(ctx: FileContext, module: Path) -> bool:
    source = ctx.source if module == ctx.path else ctx.workspace.source(module)
    return isinstance(source, SourceFile) and any(
        i.level and not i.context.in_function for i in source.facts.imports)


def _is_script(ctx: FileContext, module: Path) -> bool:
    source = ctx.source if module == ctx.path else ctx.workspace.source(module)
    if not isinstance(source, SourceFile) or source.facts.syntax_error is not None:
        return False
    facts = source.facts
    return bool(facts.main_guards or facts.shebang or os.access(module, os.X_OK))


def _imported_as_package(ctx: FileContext, chain: _Chain, dotted: str) -> bool:
    """Some file imports `dotted` (or a module below it) with its dotted name."""
    return dotted in dotted_importers(ctx, _root_of(ctx, chain))


def _root_of(ctx: FileContext, chain: _Chain) -> Path:
    """The folder the chain's dotted names are imported from."""
    if chain.package is None:
        return chain.folders[0].parent
    base = ctx.workspace.locate(chain.package / "__init__.py")
    return base.root


def _declared_namespace(ctx: FileContext, dotted: str) -> bool:
    project = ctx.project
    if dotted in project.namespace_packages:
        return True
    tool = project.data.get("tool", {})
    setuptools = tool.get("setuptools", {}) if isinstance(tool, dict) else {}
    packages = setuptools.get("packages") if isinstance(setuptools, dict) else None
    find = packages.get("find") if isinstance(packages, dict) else None
    return isinstance(find, dict) and find.get("namespaces") is True


def _folder_finding(ctx: FileContext, chain: _Chain, index: int) -> Finding:
    member = chain.folders[index]
    dotted = _dotted(ctx, chain, index)
    fix = _init_fix(ctx, list(chain.folders[: index + 1]))
    create = fix.title[0].lower() + fix.title[1:]
    # The Problems row names the last folder; the explanation and the fix name them all.
    more = len(fix.creations) - 1
    brief = f"create {ctx.display(member)}/__init__.py" + (
        f" (and {more} above)" if more else "")
    below = [f"{ctx.display(f)}/" for f in chain.folders[index + 1:]]
    also = f" ({', '.join(below)} below it too)" if below else ""
    if chain.package is not None:
        top = ctx.workspace.locate(chain.package / "__init__.py").module or chain.package.name
        message = (f"{create}: {ctx.display(member)}/ has no __init__.py{also}, yet it sits "
                   f"inside the package `{top}`, so `{dotted}` is an accidental namespace "
                   f"package. Importing it works, but pkgutil.walk_packages() and unittest "
                   f"discovery skip it, and setuptools' find_packages() (or a `packages` "
                   f"list) leaves it out of the wheel")
        return Finding(ctx.path, START, "DM201",
                       f"{brief}: `{dotted}` is a namespace package inside `{top}`",
                       Severity.WARNING, fix, explanation=message)
    assert chain.importer is not None
    path, line, name = chain.importer
    top = dotted.split(".")[0]
    taken = ctx.taken_name(top, chain.folders[0])
    if taken:
        # An __init__.py would make the folder a regular package that hides the other one.
        message = (f"rename {ctx.display(chain.folders[0])}/: {taken} has the same name, so "
                   f"`import {name}` finds that one whenever it is on sys.path (a regular "
                   f"package beats a namespace folder), and an __init__.py here would hide it")
        return Finding(ctx.path, START, "DM201",
                       f"rename {ctx.display(chain.folders[0])}/: `{top}` is taken",
                       Severity.WARNING, None, related=(Related(path, line),),
                       explanation=message)
    if _is_distribution(ctx):
        # find_packages() / auto-discovery would ship a new top-level package: ask first.
        fix = replace(fix, breaks_documented_run=f"what the project installs (`{top}` would "
                      "become a top-level package of its wheel)")
    message = (f"{create}: {ctx.display(member)}/ has no __init__.py{also}, so `{dotted}` is "
               f"an implicit namespace package ({ctx.display(path)}:{line + 1} imports "
               f"`{name}`). {_namespace_risk(ctx, top, name)}; and setuptools' "
               f"find_packages() leaves it out of the wheel")
    if not fix.safe:
        message += (f" (--fix leaves this to you: with it, `{top}` becomes a top-level "
                    "package of the wheel)")
    return Finding(ctx.path, START, "DM201",
                   f"{brief}: `{dotted}` is an implicit namespace package", Severity.WARNING,
                   fix, related=(Related(path, line),), explanation=message)


def _is_distribution(ctx: FileContext) -> bool:
    """The project builds a wheel (setup.py, or pyproject.toml's [project] / build system)."""
    data = ctx.project.data
    return (ctx.project.folder / "setup.py").is_file() or "project" in data \
        or "build-system" in data


def _namespace_risk(ctx: FileContext, top: str, name: str) -> str:
    """What really happens to `import name`: a regular package or module `top` anywhere on
    sys.path wins over a namespace portion, whatever its place; say so, and whether the
    interpreter's own environment already has one."""
    general = (f"That works only while no regular package or module named `{top}` is "
               f"anywhere on sys.path: one found even later (an installed distribution, a "
               f"{top}.py) wins over the namespace, and `{name}` is then looked up in it "
               f"(ModuleNotFoundError unless it has one)")
    try:
        installed = ctx.workspace.resolve_installed(top)
    except Exception:  # noqa: BLE001 - no usable interpreter: say only what holds anyway
        return general
    if installed is None or installed.kind not in ("package", "module") or \
            installed.path is None:
        return general
    if installed.kind == "module":
        error = f"ModuleNotFoundError: No module named '{name}'; '{top}' is not a package"
    else:
        inside = ctx.workspace.resolve_installed(name) if name != top else installed
        error = (f"ModuleNotFoundError: No module named '{name}'" if inside is None
                 else f"loads {inside.path} instead")
    return (f"{general}. Here one is installed ({installed.path}): with it on sys.path, "
            f"`import {name}` gives {error}")


def _init_fix(ctx: FileContext, chain: list[Path]) -> Fix:
    names = " and ".join(f"{ctx.display(f)}/__init__.py" for f in chain)
    return Fix(f"Create {names}", creations=tuple(FileCreation(f / "__init__.py", "")
                                                   for f in chain))


# -- who imports what with dotted names --------------------------------------------------------
MAX_IMPORTER_FILES = 20_000
IMPORTERS_SECONDS = 5.0
_importers: dict[tuple[int, Path], tuple[float, dict[str, tuple[Path, int, str]]]] = {}


def forget_importers() -> None:
    """Drop the remembered importer maps (`--fix` changed files)."""
    _importers.clear()


def dotted_importers(ctx: FileContext, root: Path) -> dict[str, tuple[Path, int, str]]:
    """Each dotted name (and every prefix) that a file importing from `root` names in an
    absolute import, with the first such import in sorted file order: (file, line, name).
    The map is reused for a few seconds (one check run, one burst of editor requests)."""
    key = (id(ctx.workspace), root)
    now = time.monotonic()
    cached = _importers.get(key)
    if cached is not None and now - cached[0] < IMPORTERS_SECONDS:
        return cached[1]
    found: dict[str, tuple[Path, int, str]] = {}
    if ctx.workspace.skips_whole_passes():
        return found  # a quick answer while the files are read: given again after
    for path in _python_files(ctx, root):
        source = ctx.source if path == ctx.path else ctx.workspace.source(path)
        if not isinstance(source, SourceFile):
            continue
        for name, line in _absolute_names(source):
            for prefix in _prefixes(name):
                found.setdefault(prefix, (path, line, name))
    _importers[key] = (now, found)
    return found


def _python_files(ctx: FileContext, root: Path) -> Iterator[Path]:
    """The workspace's `.py` files under `root`, in sorted order, skipping excluded folders."""
    stack = [root]
    count = 0
    while stack and count < MAX_IMPORTER_FILES:
        folder = stack.pop()
        listing = ctx.workspace.folders.listing(folder)
        for module in sorted(m for m in listing.modules.values() if m.suffix == ".py"):
            count += 1
            yield module
        stack.extend(sorted((f for f in listing.folders.values()
                             if not f.name.startswith(".") and not is_excluded_folder(f.name)),
                            reverse=True))


def _absolute_names(source: SourceFile) -> Iterator[tuple[str, int]]:
    for fact in source.facts.imports:
        if fact.level:
            continue
        line = fact.statement.start.line
        if fact.is_from:
            assert fact.module is not None
            yield fact.module, line
            for alias in fact.names:  # `from pkg import sub`: sub may be a module
                yield f"{fact.module}.{alias.name}", line
        else:
            for alias in fact.names:
                yield alias.name, line


def _prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[: n + 1]) for n in range(len(parts))]


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
    fix, runs = _main_fix(ctx, package, evidence, guarded)
    blocker = _fails_under_module_mode(ctx, package, runs) if fix and runs else None
    if fix and blocker:
        # The new __main__.py would fail at once: the import it depends on comes first.
        fix = replace(fix, breaks_documented_run=blocker)
    remedy = (f"create {ctx.display(main)} that {fix.title.split(' that ', 1)[1]}" if fix
              else f"add {ctx.display(main)} that calls the package's entry function")
    message = (f"`{package}` is meant to be run ({'; '.join(cites)}), but it has no "
               f"__main__.py: `python -m {package}` fails with \"No module named "
               f"{package}.__main__; '{package}' is a package and cannot be directly "
               f"executed\"; {remedy}")
    short = f"{'create' if fix else 'add'} {ctx.display(main)}: `python -m {package}` fails " \
        "without it"
    related = tuple(dict.fromkeys([*(Related(e.path, e.line) for e in evidence),
                                   *(Related(g, _guard_line(ctx, g)) for g in guarded)]))
    return Finding(ctx.path, START, "DM202", short, Severity.WARNING, fix,
                   explanation=message, related=related)


def _fails_under_module_mode(ctx: FileContext, package: str, module: str) -> str | None:
    """What the module a new __main__.py would run imports at its top that only its own
    folder provides (an open DM101): under `python -m` that import fails, so would the
    new file. Said as the reason the fix is not applied by --fix; None when it would run."""
    root = ctx.location.root
    found = ctx.workspace.resolve(module, root)
    if found is None or found.path is None or found.path.suffix != ".py":
        return None
    source = ctx.workspace.source(found.path)
    if not isinstance(source, SourceFile):
        return None
    script_dir = ctx.workspace.script_dir(found.path)
    for fact in source.facts.imports:
        if fact.level or fact.context.in_function or fact.context.guard is not None \
                or fact.context.type_checking:
            continue
        names = [fact.module] if fact.is_from else [a.name for a in fact.names]
        for name in names:
            if name and ctx.workspace.resolve(name, root) is None and \
                    ctx.workspace.resolve(name, script_dir) is not None:
                return (f"`python -m {package}`, since {ctx.display(found.path)}'s "
                        f"`{name}` import works only by path (fix it first)")
    return None


def _guard_line(ctx: FileContext, path: Path) -> int | None:
    source = ctx.workspace.source(path)
    guards = source.facts.main_guards if isinstance(source, SourceFile) else ()
    return guards[0].start.line if guards else None


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
              guarded: list[Path]) -> tuple[Fix | None, str | None]:
    """The fix that creates the package's __main__.py, and the module that file runs."""
    entry = _script_entry(ctx, package, evidence) or _guard_entry(ctx, package, guarded)
    main = ctx.path.parent / "__main__.py"
    conventions = conventions_near(ctx.path.parent)
    if entry is None:
        if not guarded:
            return None, None
        module = ctx.workspace.locate(guarded[0]).module
        if module is None:
            return None, None
        text = (f'"""`python -m {package}`: runs {module} as the program, as '
                f'`python -m {module}` does."""\n\nimport runpy\n\n'
                f'runpy.run_module("{module}", run_name="__main__", alter_sys=True)\n')
        return Fix(f"Create {ctx.display(main)} that runs {module} as the program",
                   creations=(FileCreation(main, conventions.render(text)),)), module
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
               creations=(FileCreation(main, conventions.render(text)),)), entry.module


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
    short = f"run this as a module: `python -m {invocation.module}` from {where}"
    for guard in guards:
        yield Finding(ctx.path, guard, "DM203", short, Severity.HINT, run_as_module=True,
                      explanation=message)

"""DM104: a workspace module that hides a standard-library or installed module of that name.

A module can only hide another when its folder is first on sys.path: the import root (module
mode) or the folder of a file that is run by path (script mode, evident from a `__main__`
guard). Builtin, frozen and start-up modules cannot be hidden and are never reported.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path

from dashm.findings import Finding, Range, Severity
from dashm.rules.context import FileContext
from dashm.rules.packages import dotted_importers

# Standard-library names nobody imports in application code; hiding them breaks nothing.
HARMLESS = frozenset({"__main__", "test", "this", "antigravity", "__hello__", "__phello__"})


def check_shadowing(ctx: FileContext) -> Iterator[Finding]:
    path = ctx.path
    name = path.parent.name if path.name == "__init__.py" else path.stem
    folder = path.parent.parent if path.name == "__init__.py" else path.parent
    env = ctx.workspace.environment
    if name in HARMLESS or not name.isidentifier():
        return
    if name in env.unshadowable:
        yield from _never_imported(ctx, folder, name)
        return
    is_stdlib = name in env.stdlib_names
    hidden = ctx.workspace.resolve_installed(name)
    if hidden is None or hidden.path is None:
        return
    if os.path.realpath(hidden.path) == os.path.realpath(path):
        return  # this file *is* that module (an editable install, or the stdlib itself)
    if not is_stdlib and not env.is_site_path(hidden.path):
        return
    if not is_stdlib and _installed_from_this_project(ctx, hidden.path, name):
        return  # `pip install .` of this very project (tox does it): the same code, not a clash
    why = _why_first_on_path(ctx, folder, name)
    if why is None:
        return
    what = (f"the standard library's `{name}`" if is_stdlib
            else f"the installed `{name}` ({_distribution_folder(hidden.path)})")
    shown = ctx.display(path)
    short_what = "the standard library's" if is_stdlib else "the installed"
    yield Finding(
        path, Range.of(0, 0, 0, 0), "DM104",
        f"rename {shown} (to `{name}_utils`, say): it hides {short_what} `{name}`",
        Severity.WARNING, explanation=(
            f"{shown} hides {what}: {why}, so `import {name}` there, even inside the "
            f"standard library or installed packages, loads {shown}; rename it (for example "
            f"to `{name}_utils`, with every import of it: `dashm rename-module {shown} "
            f"{name}_utils`, or the quick fix)"))


def _never_imported(ctx: FileContext, folder: Path, name: str) -> Iterator[Finding]:
    """A local `stat.py` or `abc.py` can never be imported as `stat` / `abc`: the interpreter
    loaded (or froze) the standard library's before any user code, so `import stat` gets
    that one and the local file is silently skipped."""
    env = ctx.workspace.environment
    if ctx.path.name == "__init__.py" or name not in env.stdlib_names \
            or env.is_stdlib_path(ctx.path):
        return  # the standard library's own modules are the ones loaded
    if _why_first_on_path(ctx, folder, name) is None or not ctx.folder_imports(folder, name):
        return
    shown = ctx.display(ctx.path)
    yield Finding(
        ctx.path, Range.of(0, 0, 0, 0), "DM104",
        f"rename {shown}: `import {name}` never loads it (the standard library's is preloaded)",
        Severity.WARNING, explanation=(
            f"rename {shown}: `import {name}` never loads it, since Python has loaded the "
            f"standard library's `{name}` before any of your code runs"))


def _why_first_on_path(ctx: FileContext, folder: Path, name: str) -> str | None:
    root = ctx.workspace.locate(ctx.path).root
    if os.path.realpath(root) == os.path.realpath(folder) and not _imported_deeper(ctx, name):
        return (f"its folder {ctx.display(folder)}/ is the import root, first on sys.path "
                "under python -m")
    scripts = ctx.scripts_in(folder)
    if scripts and ctx.folder_imports(folder, name):
        return (f"`python {ctx.display(scripts[0])}` puts its folder {ctx.display(folder)}/ "
                "first on sys.path")
    return None


def _imported_deeper(ctx: FileContext, name: str) -> bool:
    """Some file imports this module by a longer dotted name (`docs_src.kinds.datetime`,
    `jaraco.collections` from a vendored folder on sys.path): whatever the layout says, it
    is a submodule there, not the top-level `name`."""
    try:
        parts = ctx.path.parent.relative_to(ctx.workspace.folder).parts
    except ValueError:
        return False
    if ctx.path.name != "__init__.py":
        parts = (*parts, name)
    importers = dotted_importers(ctx, ctx.workspace.folder)
    return any(".".join(parts[start:]) in importers for start in range(len(parts) - 1))


def _installed_from_this_project(ctx: FileContext, installed: Path, name: str) -> bool:
    """Whether the installed `name` comes from the distribution this project builds: a
    `*.dist-info` beside it whose RECORD lists it and whose name is the project's."""
    project = ctx.project.data.get("project")
    own = project.get("name") if isinstance(project, dict) else None
    if not isinstance(own, str):
        return False
    site = installed.parent.parent if installed.name == "__init__.py" else installed.parent
    try:
        changed = os.stat(site).st_mtime_ns  # an install or uninstall changes the listing
    except OSError:
        return False
    return _normalized(own) in _distributions_installing(str(site), name, changed)


@functools.lru_cache(maxsize=256)
def _distributions_installing(site: str, name: str, _changed: int) -> frozenset[str]:
    """The (normalised) names of the distributions in `site` whose RECORD lists the top-level
    module or package `name`."""
    found = set()
    try:
        entries = [e for e in os.scandir(site) if e.name.endswith(".dist-info")]
    except OSError:
        return frozenset()
    for entry in entries:
        try:
            with open(os.path.join(entry.path, "RECORD"), encoding="utf-8") as record:
                listed = any(line.startswith((f"{name}/", f"{name}.py,")) for line in record)
        except OSError:
            continue
        if listed:
            found.add(_normalized(entry.name.removesuffix(".dist-info").rsplit("-", 1)[0]))
    return frozenset(found)


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _distribution_folder(path) -> str:  # type: ignore[no-untyped-def]
    parts = path.parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            return "/".join(parts[parts.index(marker):parts.index(marker) + 2])
    return str(path)

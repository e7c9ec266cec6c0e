"""Import roots and module names: how a file is meant to be imported and run.

The import root is found, in order (see design.md): a `[tool.dashm] roots` entry; a source root
the project declares, when every folder from it to the file is a regular package or a declared
namespace package; the parent of the topmost folder in the unbroken chain of regular packages
above the file, or a folder higher up when the workspace imports that package by a longer
dotted name through plain folders (`docs_src.subcommands.tutorial001`); an implied `src/`
folder; the project (or workspace) folder.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dashm.workspace.finder import FolderCache
from dashm.workspace.paths import is_within
from dashm.workspace.project import ProjectConfig


@dataclass(frozen=True)
class Location:
    """Where a file sits in the module namespace."""

    path: Path
    root: Path
    module: str | None  # the dotted name when imported; None if it cannot be imported
    rule: str  # which rule chose the root: roots | source-root | packages | imported | src |
    # project
    problem: str | None = None  # why `module` is None

    @property
    def package(self) -> str:
        """The package relative imports are resolved against ('' for a top-level module)."""
        if self.module is None:
            return ""
        if self.path.stem == "__init__":
            return self.module
        return self.module.rpartition(".")[0]

    @property
    def run_module(self) -> str | None:
        """What `python -m` needs to run this file: `pkg` for `pkg/__main__.py`."""
        if self.module is None or self.path.stem == "__init__":
            return None
        if self.path.stem == "__main__":
            return self.module.rpartition(".")[0] or None
        return self.module


def import_root(folder: Path, project: ProjectConfig, workspace: Path,
                folders: FolderCache,
                imported: Callable[[], frozenset[str]] | None = None) -> tuple[Path, str]:
    """The import root of the files in `folder`, and the rule that decided it (the same for
    every file there: callers may keep it per folder). `imported()` gives every dotted name
    (and prefix) the workspace's files import absolutely; it is asked only for a package
    that sits in plain folders below the project folder."""
    for root in sorted(project.roots, key=lambda p: len(p.parts), reverse=True):
        if is_within(folder, root):
            return root, "roots"
    for root in project.source_roots:
        if is_within(folder, root) and _declared_chain(folder, root, project, folders):
            return root, "source-root"
    top = None
    while folders.package_init(folder) is not None and folder.parent != folder:
        if _stray_project_init(folder, project, imported) or \
                _stray_top_init(folder):
            if top is None:
                return folder, "project"  # a file beside the stray __init__.py
            break  # the root stays the project
        top = folder
        folder = folder.parent
    if top is not None:
        above = _imported_from_above(top, project, workspace, folders, imported)
        return (above, "imported") if above is not None else (top.parent, "packages")
    src = project.folder / "src"
    if is_within(folder, src):
        return src, "src"
    return (project.folder if is_within(folder, project.folder) else workspace), "project"


def _stray_project_init(folder: Path, project: ProjectConfig,
                        imported: Callable[[], frozenset[str]] | None) -> bool:
    """An `__init__.py` in a project's own folder (beside its pyproject.toml, setup.cfg or
    `.git`) that no import names the folder through (Python-Checkers): the project is run from
    its folder (`python main.py`, `python -m pkg.mod`), so the import root is not above it."""
    if folder != project.folder and not (folder / ".git").exists():
        return False
    # (Not setup.py: a package may hold a module of that name, as CPython's test.libregrtest.)
    if not any((folder / marker).exists() for marker in ("pyproject.toml", "setup.cfg", ".git")):
        return False
    return not (imported is not None and folder.name in imported())


def _stray_top_init(folder: Path) -> bool:
    """An `__init__.py` in a folder whose name no import can spell (`Python-Checkers-main`,
    as a "Download ZIP" names a project): it makes no package, so the files are imported
    from that folder."""
    return not folder.name.isidentifier()


def _imported_from_above(top: Path, project: ProjectConfig, workspace: Path,
                         folders: FolderCache,
                         imported: Callable[[], frozenset[str]] | None) -> Path | None:
    """The highest folder above the package `top` from which the workspace imports it by
    a longer dotted name through plain folders (typer's tests import
    `docs_src.subcommands.tutorial001`: the root is the project, not `docs_src/subcommands/`).
    Never above the project folder, and never for a src layout's source folder, which is
    the root whatever imports through it (DM106's business)."""
    parent = top.parent
    base = project.folder if is_within(parent, project.folder) else workspace
    if imported is None or parent == base or not is_within(parent, base) or \
            parent == project.folder / "src" or parent in project.source_roots:
        return None
    names = imported()
    found = None
    folder = parent
    while folder != base:
        folder = folder.parent
        between = top.relative_to(folder).parts
        if any(folders.package_init(folder.joinpath(*between[:i])) is not None
               for i in range(1, len(between))):
            break  # a regular package on the way: the name would go through it
        if ".".join(between) in names:
            found = folder
    return found


def _declared_chain(folder: Path, root: Path, project: ProjectConfig,
                    folders: FolderCache) -> bool:
    parts = folder.relative_to(root).parts
    for depth in range(len(parts)):
        folder = root.joinpath(*parts[: depth + 1])
        dotted = ".".join(parts[: depth + 1])
        if folders.package_init(folder) is None and not (
                project.namespaces_anywhere or dotted in project.namespace_packages):
            return False
    return True


def located(path: Path, root: Path, rule: str) -> Location:
    """The Location of `path` under the import root `root` (found by `rule`)."""
    parts = list(path.parts[len(root.parts):] if is_within(path, root)
                 else path.relative_to(root).parts)  # (which raises ValueError)
    if not parts[-1].endswith(".py"):
        return Location(path, root, None, rule, f"{path.name} is not a .py file")
    parts[-1] = parts[-1][:-3]
    if parts[-1] == "__init__":
        parts.pop()
        if not parts:
            folder = path.parent.name
            if not folder.isidentifier():  # a stray __init__.py (see _stray_top_init)
                return Location(path, root, None, rule,
                                f"the folder name {folder!r} is not a valid Python identifier, "
                                f"so {path.parent.name}/ is no package; rename it to "
                                f"{_identifier(folder)!r} to make it one")
            return Location(path, root, None, rule,
                            f"{path} is an __init__.py outside any package")
    for part in parts:
        if not part.isidentifier() or keyword.iskeyword(part):
            what = "file" if part == parts[-1] and path.stem == part else "folder"
            suggestion = _identifier(part)
            return Location(path, root, None, rule,
                            f"the {what} name {part!r} is not a valid Python identifier: no "
                            f"code can import it (`import {part}` is a syntax error), so it "
                            f"is no module name to rely on; rename it to {suggestion!r}")
    return Location(path, root, ".".join(parts), rule)


def _identifier(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if not cleaned or cleaned[0].isdigit():
        cleaned = "_" + cleaned
    if keyword.iskeyword(cleaned):
        cleaned += "_"
    return cleaned

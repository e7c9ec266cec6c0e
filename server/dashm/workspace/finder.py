"""Import resolution over real folders, following the interpreter's own path-based finder.

For each folder on a search path, a `FileFinder` looks for `name/__init__.*` (a regular
package), then `name.<suffix>` (a module), and remembers `name/` without `__init__` as a
namespace portion; the first package or module on the path wins, portions only count when
nothing else is found. Folder listings are cached and dropped per folder on change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dashm.workspace import overlay
from dashm.workspace.looked_at import LISTED

# importlib.machinery's order within one folder: extensions, then source, then bytecode.
EXTENSION_MARKERS = (".so", ".pyd")
SOURCE_SUFFIXES = (".py",)


@dataclass(frozen=True)
class Resolved:
    """Where an import lands: a module file, a package's `__init__`, or namespace portions."""

    name: str
    kind: str  # "module" | "package" | "namespace" | "builtin"
    path: Path | None  # the file (module, __init__) or the first portion; None for builtin
    portions: tuple[Path, ...] = ()

    @property
    def search_locations(self) -> tuple[Path, ...]:
        if self.kind == "package" and self.path is not None:
            return (self.path.parent,)
        if self.kind == "namespace":
            return self.portions
        return ()

    def same_target(self, other: Resolved | None) -> bool:
        if other is None or self.kind != other.kind:
            return False
        if self.path is None or other.path is None:
            return self.path == other.path and self.name == other.name
        return self.path == other.path or _real(self.path) == _real(other.path)


@dataclass
class _Listing:
    modules: dict[str, Path]
    folders: dict[str, Path]


# A folder's key in the cache: its text, case-folded where the file system ignores case.
_key = os.path.normcase if os.name == "nt" else str


class FolderCache:
    """Cached listings of folders: which module files and sub-folders each holds."""

    def __init__(self) -> None:
        # Keyed by the folder's text: rules look folders up hundreds of thousands of times,
        # mostly with Path objects equal to the key but not the key itself, and comparing
        # two Paths costs far more than comparing two strings.
        self._listings: dict[str, _Listing] = {}

    def invalidate(self, folder: Path | None = None) -> None:
        if folder is None:
            self._listings.clear()
        else:
            self._listings.pop(_key(folder), None)

    def invalidate_tree(self, folder: Path) -> None:
        """Forget `folder` and every listing below it (a folder deleted, moved or created)."""
        exact = _key(folder)
        prefix = exact.rstrip(os.sep) + os.sep
        for cached in [f for f in self._listings if f == exact or f.startswith(prefix)]:
            del self._listings[cached]

    def listing(self, folder: Path) -> _Listing:
        key = _key(folder)
        cached = self._listings.get(key)
        if cached is None:
            cached = self._listings[key] = _list(folder)
            LISTED.add(key)  # the warm-run cache re-checks these folders (looked_at.py)
        return cached

    def package_init(self, folder: Path) -> Path | None:
        """The `__init__` file that makes `folder` a regular package, if any."""
        return self.listing(folder).modules.get("__init__")

    def find(self, name: str, locations: tuple[Path, ...] | list[Path]) -> Resolved | None:
        """One name (no dots) on a search path, as importlib's PathFinder would find it."""
        portions: list[Path] = []
        for folder in locations:
            listing = self.listing(folder)
            sub = listing.folders.get(name)
            if sub is not None:
                init = self.package_init(sub)
                if init is not None:
                    return Resolved(name, "package", init)
            module = listing.modules.get(name)
            if module is not None:
                return Resolved(name, "module", module)
            if sub is not None:
                portions.append(sub)
        if portions:
            return Resolved(name, "namespace", portions[0], tuple(portions))
        return None

    def resolve(self, dotted: str, locations: tuple[Path, ...] | list[Path],
                builtin: frozenset[str] = frozenset()) -> Resolved | None:
        """A dotted name on a search path; None when the interpreter would not find it."""
        parts = dotted.split(".")
        if parts[0] in builtin:
            return Resolved(dotted, "builtin", None)
        found: Resolved | None = None
        search = tuple(locations)
        for number, part in enumerate(parts):
            if number and not search:
                return None
            found = self.find(part, search)
            if found is None:
                return None
            search = found.search_locations
        assert found is not None
        return Resolved(dotted, found.kind, found.path, found.portions)


def _list(folder: Path) -> _Listing:
    modules: dict[str, tuple[int, Path]] = {}
    folders: dict[str, Path] = {}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return _Listing({}, {})
    for entry in entries:
        name = entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir:
            if name.isidentifier():
                folders[name] = Path(entry.path)
            continue
        stem, rank = _module_stem(name)
        if stem is None:
            continue
        previous = modules.get(stem)
        if previous is None or rank < previous[0]:
            modules[stem] = (rank, Path(entry.path))
    preview = overlay.active()
    if preview is not None:  # the files a preview of fixes created (`__init__.py`)
        for path in preview.created_in(folder):
            stem, rank = _module_stem(path.name)
            if stem is not None and stem not in modules:
                modules[stem] = (rank, path)
    return _Listing({k: v[1] for k, v in modules.items()}, folders)


def _module_stem(filename: str) -> tuple[str | None, int]:
    """`mod.py` -> ("mod", 1); `mod.cpython-311-x86_64-linux-gnu.so` -> ("mod", 0)."""
    if filename.endswith(EXTENSION_MARKERS):
        stem = filename.split(".")[0]
        return (stem, 0) if stem.isidentifier() else (None, 0)
    for suffix in SOURCE_SUFFIXES:
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            return (stem, 1) if stem.isidentifier() else (None, 0)
    if filename.endswith(".pyc"):  # sourceless modules beside their source's place
        stem = filename[:-4]
        return (stem, 2) if stem.isidentifier() else (None, 0)
    return None, 0


def _real(path: Path) -> str:
    return os.path.realpath(path)

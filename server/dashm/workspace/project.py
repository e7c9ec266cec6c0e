"""A project: the folder of a `pyproject.toml` and what it declares that decides import roots.

Reads `[tool.dashm]` (roots, ignore, per-file-ignores, exclude, select, import-style,
notebook-root) and the
source roots and namespace packages that setuptools, hatch, poetry, flit and pdm declare. A TOML
error is kept as a message; the project then behaves as if it declared nothing.
"""

from __future__ import annotations

import configparser
import fnmatch
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashm.workspace import overlay
from dashm.workspace.dependencies import declared_dependencies

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


IMPORT_STYLES = ("absolute", "relative")


@dataclass(frozen=True)
class ProjectConfig:
    folder: Path
    roots: tuple[Path, ...] = ()
    source_roots: tuple[Path, ...] = ()
    # Dotted names declared as namespace packages, and whether every folder under a source
    # root counts as one (setuptools' `packages.find` with `namespaces = true`).
    namespace_packages: frozenset[str] = frozenset()
    namespaces_anywhere: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Globs of files and folders, relative to `folder`, that dashm reports nothing on (they
    # still exist for the imports of other files).
    exclude: tuple[str, ...] = ()
    import_style: str = "absolute"
    # The working folder of a notebook's kernel (`[tool.dashm] notebook-root`, notebook.py);
    # None: each notebook's own folder.
    notebook_root: str | None = None
    # Distributions the project declares (normalised names): third-party intent.
    dependencies: frozenset[str] = frozenset()
    problems: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def ignored_for(self, path: Path) -> set[str]:
        """Codes (or prefixes) that `per-file-ignores` silences for `path`; every code ("DM")
        when `exclude` names the file or a folder above it."""
        try:
            relative = path.relative_to(self.folder).as_posix()
        except ValueError:
            return set()
        if self.exclude and excluded(relative, self.exclude):
            return {"DM"}
        codes: set[str] = set()
        for pattern, pattern_codes in self.per_file_ignores:
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(path.name, pattern):
                codes.update(pattern_codes)
        return codes


def excluded(relative: str, patterns: tuple[str, ...]) -> bool:
    """Whether the path `relative` (to the project folder, with `/`) or a folder above it
    matches one of `patterns`: a pattern with a `/` is matched against the path from the project
    folder (`legacy/*.py`, `src/gen/`), one without against each name on the way (`build`,
    `*_pb2.py`)."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    for raw in patterns:
        pattern = raw.strip().replace("\\", "/").removeprefix("./")
        while pattern.endswith(("/", "/**")):
            pattern = pattern.removesuffix("/**").removesuffix("/")
        if not pattern:
            continue
        if "/" in pattern:
            if any(fnmatch.fnmatchcase(p, pattern) for p in prefixes):
                return True
        elif any(fnmatch.fnmatchcase(name, pattern) for name in parts):
            return True
    return False


def load_project(folder: Path) -> ProjectConfig:
    pyproject = folder / "pyproject.toml"
    data: dict[str, Any] = {}
    problems: list[str] = []
    if pyproject.is_file():
        try:
            data = tomllib.loads(overlay.read_bytes(pyproject).decode("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            problems.append(f"{pyproject}: cannot be read as TOML: {error}")
    source_roots, namespaces, anywhere = _declared_sources(folder, data)
    cfg_root = _setup_cfg_source_root(folder)
    if cfg_root is not None:
        source_roots.append(cfg_root)
    tool = data.get("tool", {}).get("dashm", {})
    if not isinstance(tool, dict):
        tool = {}
    style = tool.get("import-style", "absolute")
    if style not in IMPORT_STYLES:
        problems.append(f"{pyproject}: [tool.dashm] import-style must be one of "
                        f"{', '.join(IMPORT_STYLES)}, not {style!r}; using 'absolute'")
        style = "absolute"
    per_file = tool.get("per-file-ignores", {})
    notebook_root = tool.get("notebook-root")
    if notebook_root is not None and not isinstance(notebook_root, str):
        problems.append(f"{pyproject}: [tool.dashm] notebook-root must be a string (a folder, "
                        "`${workspaceFolder}` or `${fileDirname}`); using each notebook's folder")
        notebook_root = None
    return ProjectConfig(
        folder=folder,
        roots=tuple(_folders(folder, _strings(tool.get("roots")))),
        source_roots=tuple(dict.fromkeys(source_roots)),
        namespace_packages=frozenset(namespaces),
        namespaces_anywhere=anywhere,
        select=tuple(_strings(tool.get("select"))),
        ignore=tuple(_strings(tool.get("ignore"))),
        per_file_ignores=tuple((str(k), tuple(_strings(v))) for k, v in per_file.items())
        if isinstance(per_file, dict) else (),
        exclude=tuple(_strings(tool.get("exclude"))),
        import_style=style,
        notebook_root=notebook_root,
        dependencies=declared_dependencies(folder, data),
        problems=tuple(problems),
        data=data,
    )


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int))]
    return []


def _folders(base: Path, names: list[str]) -> list[Path]:
    return [(base / name).resolve() if Path(name).is_absolute() else _join(base, name)
            for name in names]


def _join(base: Path, relative: str) -> Path:
    parts = [p for p in Path(relative).parts if p not in ("", ".")]
    return base.joinpath(*parts) if parts else base


def _declared_sources(folder: Path, data: dict[str, Any]) -> tuple[list[Path], set[str], bool]:
    """Source roots and namespace packages that build backends declare in pyproject.toml."""
    tool = data.get("tool", {}) if isinstance(data.get("tool"), dict) else {}
    roots: list[Path] = []
    namespaces: set[str] = set()
    anywhere = False

    setuptools = tool.get("setuptools", {})
    if isinstance(setuptools, dict):
        package_dir = setuptools.get("package-dir", {})
        if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
            roots.append(_join(folder, package_dir[""]))
        packages = setuptools.get("packages")
        if isinstance(packages, dict) and isinstance(packages.get("find"), dict):
            find = packages["find"]
            roots.extend(_folders(folder, _strings(find.get("where")) or ["."]))
            anywhere = bool(find.get("namespaces", True))
        elif isinstance(packages, list):
            # Listed packages: any listed folder without __init__ is a declared namespace.
            namespaces.update(str(p) for p in packages)

    hatch = tool.get("hatch", {}).get("build", {}) if isinstance(tool.get("hatch"), dict) else {}
    if isinstance(hatch, dict):
        for target in (hatch.get("targets", {}).get("wheel", {}), hatch):
            if not isinstance(target, dict):
                continue
            for package in _strings(target.get("packages")):
                path = _join(folder, package)
                roots.append(path.parent)
                namespaces.add(path.name)
            sources = target.get("sources")
            if isinstance(sources, list):
                roots.extend(_folders(folder, _strings(sources)))
            elif isinstance(sources, dict):
                roots.extend(_join(folder, k) for k, v in sources.items() if v in ("", "/"))

    poetry = tool.get("poetry", {})
    if isinstance(poetry, dict) and isinstance(poetry.get("packages"), list):
        for entry in poetry["packages"]:
            if isinstance(entry, dict) and isinstance(entry.get("include"), str):
                base = _join(folder, str(entry.get("from", ".")))
                roots.append(base)
                include = entry["include"].replace("/", ".")
                if "*" not in include:
                    namespaces.add(include)

    flit = tool.get("flit", {}).get("module", {}) if isinstance(tool.get("flit"), dict) else {}
    name = flit.get("name") if isinstance(flit, dict) else None
    if isinstance(name, str):
        top = name.split(".")[0]
        roots.append(folder / "src" if (folder / "src" / top).exists() else folder)
        namespaces.update(_prefixes(name))

    pdm = tool.get("pdm", {}).get("build", {}) if isinstance(tool.get("pdm"), dict) else {}
    if isinstance(pdm, dict) and isinstance(pdm.get("package-dir"), str):
        roots.append(_join(folder, pdm["package-dir"]))
    return roots, {n for name in namespaces for n in _prefixes(name)}, anywhere


def _prefixes(dotted: str) -> list[str]:
    parts = dotted.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _setup_cfg_source_root(folder: Path) -> Path | None:
    """`[options] package_dir = =src` in setup.cfg."""
    setup_cfg = folder / "setup.cfg"
    if not setup_cfg.is_file():
        return None
    parser = configparser.ConfigParser()
    try:
        parser.read(setup_cfg, encoding="utf-8")
        value = parser.get("options", "package_dir", fallback="")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    for line in value.replace(",", "\n").splitlines():
        key, _, target = line.partition("=")
        if key.strip() == "" and target.strip():
            return _join(folder, target.strip())
    return None

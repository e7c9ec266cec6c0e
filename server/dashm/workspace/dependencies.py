"""The third-party distributions a project declares it needs.

Read from `pyproject.toml` (`[project] dependencies` and `optional-dependencies`, poetry's
dependency tables, PEP 735 `[dependency-groups]`) and from `requirements*.txt` files in the
project folder (and a `requirements/` folder). A name a project declares is third-party intent:
a local folder of that name is a shadow, never the module the code means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
MAX_REQUIREMENTS_BYTES = 1_000_000


def normalize(name: str) -> str:
    """PEP 503 normalisation, also used for import names: `Foo_Bar.baz` -> `foo-bar-baz`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_dependencies(folder: Path, data: dict[str, Any]) -> frozenset[str]:
    names = {*_from_pyproject(data), *_from_requirement_files(folder)}
    return frozenset(normalize(n) for n in names)


def _from_pyproject(data: dict[str, Any]) -> Iterator[str]:
    project = data.get("project")
    if isinstance(project, dict):
        yield from _requirement_names(project.get("dependencies"))
        optional = project.get("optional-dependencies")
        if isinstance(optional, dict):
            for group in optional.values():
                yield from _requirement_names(group)
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for group in groups.values():
            yield from _requirement_names(group)
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        group_tables = poetry.get("group")
        if isinstance(group_tables, dict):
            tables += [g.get("dependencies") for g in group_tables.values() if isinstance(g, dict)]
        for table in tables:
            if isinstance(table, dict):
                yield from (str(k) for k in table if k != "python")


def _requirement_names(entries: object) -> Iterator[str]:
    if not isinstance(entries, list):
        return
    for entry in entries:
        if isinstance(entry, str):
            match = _NAME.match(entry)
            if match:
                yield match.group(1)


def _from_requirement_files(folder: Path) -> Iterator[str]:
    for path in _requirement_files(folder):
        try:
            if path.stat().st_size > MAX_REQUIREMENTS_BYTES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        yield from _requirement_lines(text.splitlines())


def _requirement_files(folder: Path) -> Iterable[Path]:
    try:
        found = sorted(folder.glob("requirements*.txt"))
        sub = folder / "requirements"
        if sub.is_dir():
            found += sorted(sub.glob("*.txt"))
    except OSError:
        return []
    return [p for p in found if p.is_file()]


def _requirement_lines(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-") or "://" in line:
            continue  # options (-r, -e, --index-url) and URLs name no distribution plainly
        match = _NAME.match(line)
        if match:
            yield match.group(1)

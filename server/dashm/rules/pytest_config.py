"""Adding a folder to pytest's `pythonpath` setting: the edit of the file pytest reads.

Fixes that replace a `sys.path` hack of the tests (DM103 in conftest.py) or make a package
importable by its own name under pytest (DM106) put a folder on pytest's `pythonpath`. The edit
goes to the one file pytest takes its configuration from, chosen the way pytest chooses in the
project folder: `pytest.ini` (or `.pytest.ini`) always wins, then a `pyproject.toml` with
`[tool.pytest.ini_options]`, then `tox.ini` `[pytest]`, then `setup.cfg` `[tool:pytest]`. When a
new `[tool.pytest.ini_options]` table would take over from a tox.ini or setup.cfg section, or the
setting is written in a shape this module cannot extend exactly, there is no edit (None): a fix
that might change pytest's configuration is not offered. Every edit is checked by reading the
result back: only `pythonpath` may differ, and only by the new entry.
"""

from __future__ import annotations

import configparser
import os
import sys
from pathlib import Path
from typing import Any

from dashm.findings import Position, Range, TextEdit
from dashm.rules.context import FileContext
from dashm.rules.edits import apply_edits
from dashm.workspace.facts import LineIndex
from dashm.workspace.paths import is_within
from dashm.workspace.toml_locate import locate_strings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PYTEST_TABLE = "[tool.pytest.ini_options]"
CONFIG_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")


def put_on_pythonpath(ctx: FileContext, folder: Path) -> tuple[TextEdit, str] | None:
    """`pythonpath_edit` for `folder`, when nothing `ctx`'s file imports by a name the folder
    holds lands elsewhere today: pytest puts the folder first on sys.path."""
    listing = ctx.workspace.folders.listing(folder)
    names = [*listing.modules, *(n for n, sub in listing.folders.items()
                                 if ctx.workspace.folders.package_init(sub) is not None)]
    for name in names:
        now = ctx.in_module_mode(name) or ctx.in_script_mode(name)
        if now is not None and (now.path is None or not is_within(now.path, folder)):
            return None  # `name` means something else here today
    return pythonpath_edit(ctx.project.folder, folder)


def runs_under_pytest(file: Path, project_folder: Path) -> bool:
    """Whether the project evidently runs `file` with pytest: a pytest configuration, or a
    conftest.py beside the file or in a folder above it, up to the project folder. Tests
    run by another runner (`python test/alltests.py`, unittest) get nothing from pytest's
    settings."""
    if _config_source(project_folder) is not None:
        return True
    folder = file.parent
    while is_within(folder, project_folder):
        if (folder / "conftest.py").is_file():
            return True
        if folder == project_folder or folder.parent == folder:
            break
        folder = folder.parent
    return False


def sets_import_mode(project_folder: Path) -> bool:
    """Whether the project's pytest configuration names an `--import-mode`: with
    `importlib`, pytest no longer puts a test's folder on sys.path."""
    return any("import-mode" in (_read(project_folder / name) or "")
               for name in CONFIG_FILES)


def pythonpath_entry(config_folder: Path, folder: Path) -> str | None:
    """`folder` as pytest's `pythonpath` writes it: relative to the configuration file's
    folder (pytest's rootdir), `.` for that folder itself; None outside it."""
    try:
        relative = Path(os.path.relpath(folder, config_folder))
    except ValueError:
        return None
    if relative.parts and relative.parts[0] == os.pardir:
        return None
    return relative.as_posix()


def pythonpath_folders(project_folder: Path) -> list[Path]:
    """The folders pytest's `pythonpath` puts on sys.path, from the file pytest reads."""
    source = _config_source(project_folder)
    if source is None:
        return []
    path, section = source
    entries: object = []
    if section is None:
        options = _pytest_options(_toml(_read(path) or "") or {}) or {}
        entries = options.get("pythonpath", [])
    else:
        parsed = _ini(_read(path) or "")
        if parsed is not None and parsed.has_section(section):
            entries = parsed.get(section, "pythonpath", fallback="")
    if isinstance(entries, str):
        entries = entries.split()
    if not isinstance(entries, list):
        return []
    return [project_folder / e for e in entries if isinstance(e, str)]


def _config_source(project_folder: Path) -> tuple[Path, str | None] | None:
    """The file pytest takes its configuration from, and its ini section (None: the
    `[tool.pytest.ini_options]` table of pyproject.toml)."""
    ini = _first_existing(project_folder, ("pytest.ini", ".pytest.ini"))
    if ini is not None:
        return ini, "pytest"
    pyproject = project_folder / "pyproject.toml"
    if _pytest_options(_toml(_read(pyproject) or "") or {}) is not None:
        return pyproject, None
    for name, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        if _has_section(project_folder / name, section):
            return project_folder / name, section
    return None


def pythonpath_edit(project_folder: Path, folder: Path) -> tuple[TextEdit, str] | None:
    """The edit that adds `folder` to pytest's `pythonpath`, and a short description of it
    (`src` on pytest's pythonpath (pyproject.toml)); None when the entry is already there or no
    edit is certain to do exactly that."""
    entry = pythonpath_entry(project_folder, folder)
    if entry is None:
        return None
    pyproject = project_folder / "pyproject.toml"
    text = _read(pyproject)
    data = _toml(text) if text is not None else None
    if text is not None and data is None:
        return None  # a pyproject.toml that does not parse: leave it to its owner
    source = _config_source(project_folder)
    if source is not None and source[1] is not None:
        return _ini_edit(source[0], source[1], entry)
    if data is None:
        return None  # no configuration file to extend; creating one is the user's choice
    return _toml_edit(pyproject, text or "", data, entry)


# -- pyproject.toml --------------------------------------------------------------------------
def _toml_edit(path: Path, text: str, data: dict[str, Any], entry: str
               ) -> tuple[TextEdit, str] | None:
    options = _pytest_options(data)
    lines = LineIndex(text).lines
    described = f"`{entry}` on pytest's pythonpath ({path.name})"
    if options is None:
        if "pytest" in data.get("tool", {}):
            return None  # a `[tool.pytest]` table of another shape
        end = _end_of(lines)
        prefix = "" if not text or text.endswith("\n\n") else \
            "\n" if text.endswith("\n") else "\n\n"
        edit = TextEdit(path, Range(end, end),
                        f'{prefix}{PYTEST_TABLE}\npythonpath = ["{entry}"]\n')
    elif "pythonpath" not in options:
        header = _header_line(lines, PYTEST_TABLE)
        if header is None:
            return None  # the table is written with dotted keys or inline
        at = Position(header + 1, 0)
        edit = TextEdit(path, Range(at, at), f'pythonpath = ["{entry}"]\n')
    else:
        current = options["pythonpath"]
        if isinstance(current, list) and entry in current or \
                isinstance(current, str) and entry in current.split():
            return None
        if not isinstance(current, list) or not current:
            return None  # a string or an empty array: not extended by hand here
        key = ("tool", "pytest", "ini_options", "pythonpath", len(current) - 1)
        last = [s for s in locate_strings(text) if s.key == key]
        if len(last) != 1:
            return None
        end = last[0].quoted.end
        edit = TextEdit(path, Range(end, end), f', "{entry}"')
    after = _toml(apply_edits(text, [edit]))
    return (edit, described) if after is not None and _only_added(data, after, entry) \
        else None


def _pytest_options(data: dict[str, Any]) -> dict[str, Any] | None:
    tool = data.get("tool")
    pytest = tool.get("pytest") if isinstance(tool, dict) else None
    options = pytest.get("ini_options") if isinstance(pytest, dict) else None
    return options if isinstance(options, dict) else None


def _only_added(before: dict[str, Any], after: dict[str, Any], entry: str) -> bool:
    """`after` equals `before` but for `entry` appended to pytest's `pythonpath`."""
    old = _pytest_options(before) or {}
    new = _pytest_options(after)
    if new is None or list(new.get("pythonpath", [])) != [*old.get("pythonpath", []), entry]:
        return False
    strip = _without_pythonpath
    return strip(before) == strip(after)


def _without_pythonpath(data: dict[str, Any]) -> dict[str, Any]:
    copy = {**data, "tool": {**data.get("tool", {})}}
    pytest = dict(copy["tool"].get("pytest", {}))
    options = {k: v for k, v in pytest.get("ini_options", {}).items() if k != "pythonpath"}
    if options:
        pytest["ini_options"] = options
    else:
        pytest.pop("ini_options", None)
    if pytest:
        copy["tool"]["pytest"] = pytest
    else:
        copy["tool"].pop("pytest", None)
    if not copy["tool"]:
        copy.pop("tool")
    return copy


# -- pytest.ini, tox.ini, setup.cfg ----------------------------------------------------------
def _ini_edit(path: Path, section: str, entry: str) -> tuple[TextEdit, str] | None:
    text = _read(path)
    if text is None:
        return None
    before = _ini(text)
    if before is None or not before.has_section(section):
        return None
    if before.has_option(section, "pythonpath"):
        return None  # an existing value (maybe over several lines) is not extended by hand
    header = _header_line(LineIndex(text).lines, f"[{section}]")
    if header is None:
        return None
    at = Position(header + 1, 0)
    edit = TextEdit(path, Range(at, at), f"pythonpath = {entry}\n")
    after = _ini(apply_edits(text, [edit]))
    if after is None or after.get(section, "pythonpath", fallback=None) != entry:
        return None
    after.remove_option(section, "pythonpath")
    if {s: dict(after[s]) for s in after.sections()} != \
            {s: dict(before[s]) for s in before.sections()}:
        return None
    return edit, f"`{entry}` on pytest's pythonpath ({path.name})"


def _ini(text: str) -> configparser.ConfigParser | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return parser


def _has_section(path: Path, section: str) -> bool:
    text = _read(path)
    parsed = _ini(text) if text is not None else None
    return parsed is not None and parsed.has_section(section)


# -- text helpers ----------------------------------------------------------------------------
def _header_line(lines: list[str], header: str) -> int | None:
    """The one line that is exactly `header` (a comment after it allowed)."""
    found = [i for i, line in enumerate(lines)
             if line.split("#", 1)[0].strip().replace(" ", "") == header.replace(" ", "")]
    return found[0] if len(found) == 1 else None


def _end_of(lines: list[str]) -> Position:
    if not lines:
        return Position(0, 0)
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return Position(len(lines), 0)
    return Position(len(lines) - 1, len(last))


def _first_existing(folder: Path, names: tuple[str, ...]) -> Path | None:
    return next((folder / n for n in names if (folder / n).is_file()), None)


def _read(path: Path) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as file:
            return file.read()
    except (OSError, UnicodeDecodeError):
        return None


def _toml(text: str) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None

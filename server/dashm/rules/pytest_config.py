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
import re
from pathlib import Path
from typing import Any

from dashm.findings import Position, Range, TextEdit
from dashm.rules.context import FileContext
from dashm.rules.edits import apply_edits
from dashm.rules.toml_edit import append_string, header_line, parse_toml, table_at
from dashm.workspace import overlay
from dashm.workspace.facts import LineIndex
from dashm.workspace.paths import is_within

PYTEST_OPTIONS = ("tool", "pytest", "ini_options")
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
        options = _pytest_options(parse_toml(_read(path) or "") or {}) or {}
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


# `PYTHONPATH = {toxinidir}:{toxinidir}/tests` in a `setenv` of tox.ini (a line of its own,
# or the setenv value itself).
_TOX_PYTHONPATH = re.compile(r"^\s*(?:setenv\s*=\s*)?PYTHONPATH\s*=\s*(?P<value>\S.*?)\s*$",
                             re.M)


def declared_path_folders(project_folder: Path) -> list[Path]:
    """Folders the project's own test set-up puts on sys.path: pytest's `pythonpath`, and
    `PYTHONPATH` in a tox.ini `setenv` (`{toxinidir}/tests`). An import found through one of
    them works where the project runs its tests, so it is no by-path-only import."""
    folders = [Path(os.path.normpath(f)) for f in pythonpath_folders(project_folder)]
    tox = _read(project_folder / "tox.ini") or ""
    for match in _TOX_PYTHONPATH.finditer(tox):
        for entry in re.split(r"[:;]", match.group("value").replace("{toxinidir}", "<root>")):
            entry = entry.strip().strip("\"'")
            if entry.startswith("<root>"):
                rest = entry.removeprefix("<root>").lstrip("/\\")
                folders.append(Path(os.path.normpath(project_folder / rest)))
    return folders


def _config_source(project_folder: Path) -> tuple[Path, str | None] | None:
    """The file pytest takes its configuration from, and its ini section (None: the
    `[tool.pytest.ini_options]` table of pyproject.toml)."""
    ini = _first_existing(project_folder, ("pytest.ini", ".pytest.ini"))
    if ini is not None:
        return ini, "pytest"
    pyproject = project_folder / "pyproject.toml"
    if _pytest_options(parse_toml(_read(pyproject) or "") or {}) is not None:
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
    data = parse_toml(text) if text is not None else None
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
    if options is None and isinstance(table_at(data, ("tool", "pytest")), dict):
        return None  # a `[tool.pytest]` table (pytest 9's native one): not mixed with ini
    if isinstance((options or {}).get("pythonpath"), str):
        return None  # a string of paths: not extended by hand here
    edit = append_string(path, text, PYTEST_OPTIONS, "pythonpath", entry)
    return (edit, f"`{entry}` on pytest's pythonpath ({path.name})") if edit else None


def _pytest_options(data: dict[str, Any]) -> dict[str, Any] | None:
    return table_at(data, PYTEST_OPTIONS)


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
    header = header_line(LineIndex(text).lines, f"[{section}]")
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




def _first_existing(folder: Path, names: tuple[str, ...]) -> Path | None:
    return next((folder / n for n in names if (folder / n).is_file()), None)


def _read(path: Path) -> str | None:
    try:
        return overlay.read_bytes(path).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


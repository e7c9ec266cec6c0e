"""Adding one string to an array setting of a TOML file, as the smallest text edit.

`[tool.pytest.ini_options] pythonpath` (the fixes that put a folder on pytest's path) and
`[tool.dashm] ignore` (the editor's "ignore in this project") both need it: append to the
array where it is written, add the key under the table's header, or add the table at the end.
Anything written in another shape (dotted keys, an inline table, a string, an empty array)
gets no edit. Every edit is read back: the result must parse and differ from the original only
by the new string at the end of that array.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from dashm.findings import Position, Range, TextEdit
from dashm.rules.edits import apply_edits
from dashm.workspace.facts import split_lines
from dashm.workspace.toml_locate import locate_strings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


def append_string(path: Path, text: str, table: tuple[str, ...], key: str,
                  value: str) -> TextEdit | None:
    """The edit of `text` (the file at `path`) that appends `value` to the array `key` of
    the table `table` (`("tool", "dashm")`), creating the key or the table as needed; None
    when `value` is there already or no exact edit exists."""
    before = parse_toml(text)
    if before is None:
        return None
    current = table_at(before, table)
    header = "[" + ".".join(table) + "]"
    lines = split_lines(text)
    entry = f'{key} = ["{value}"]\n'
    if current is None:
        if _has_prefix(before, table):
            return None  # the table's parent holds something else under that name
        end = _end_of(lines)
        prefix = "" if not text or text.endswith("\n\n") else \
            "\n" if text.endswith("\n") else "\n\n"
        edit = TextEdit(path, Range(end, end), f"{prefix}{header}\n{entry}")
    elif key not in current:
        at = header_line(lines, header)
        if at is None:
            return None  # the table is written with dotted keys or inline
        edit = TextEdit(path, Range(Position(at + 1, 0), Position(at + 1, 0)), entry)
    else:
        array = current[key]
        if not isinstance(array, list) or not array or value in array:
            return None
        last = [s for s in locate_strings(text) if s.key == (*table, key, len(array) - 1)]
        if len(last) != 1:
            return None
        end = last[0].quoted.end
        edit = TextEdit(path, Range(end, end), f', "{value}"')
    after = parse_toml(apply_edits(text, [edit]))
    return edit if after is not None and _only_appended(before, after, table, key, value) \
        else None


def table_at(data: dict[str, Any], table: tuple[str, ...]) -> dict[str, Any] | None:
    """The table at the dotted path `table`, or None."""
    current: object = data
    for part in table:
        current = current.get(part) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else None


def parse_toml(text: str) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None


def _has_prefix(data: dict[str, Any], table: tuple[str, ...]) -> bool:
    """Some part of `table`'s path exists but is no table (`tool.pytest = 1`)."""
    current: object = data
    for part in table:
        if not isinstance(current, dict) or part not in current:
            return False
        current = current[part]
        if not isinstance(current, dict):
            return True
    return False


def _only_appended(before: dict[str, Any], after: dict[str, Any], table: tuple[str, ...],
                   key: str, value: str) -> bool:
    old = table_at(before, table) or {}
    new = table_at(after, table)
    if new is None or list(new.get(key, [])) != [*old.get(key, []), value]:
        return False
    return _without(before, table, key) == _without(after, table, key)


def _without(data: dict[str, Any], table: tuple[str, ...], key: str) -> dict[str, Any]:
    """`data` without `table.key`, and without the tables that leaves empty."""
    if not table:
        return {k: v for k, v in data.items() if k != key}
    head, rest = table[0], table[1:]
    inner = data.get(head)
    if not isinstance(inner, dict):
        return data
    stripped = _without(inner, rest, key)
    copy = {k: v for k, v in data.items() if k != head}
    if stripped:
        copy[head] = stripped
    return copy


def header_line(lines: list[str], header: str) -> int | None:
    """The one line that is exactly `header` (spaces and a comment after it allowed)."""
    wanted = header.replace(" ", "")
    found = [i for i, line in enumerate(lines)
             if line.split("#", 1)[0].strip().replace(" ", "") == wanted]
    return found[0] if len(found) == 1 else None


def _end_of(lines: list[str]) -> Position:
    if not lines:
        return Position(0, 0)
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return Position(len(lines), 0)
    return Position(len(lines) - 1, len(last))

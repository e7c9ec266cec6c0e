"""Carrying out a rename plan (rules/rename.py) on disk, or showing it as a diff.

All or nothing: every edited file is checked first (still as it was read, still compiling or
parsing after the edit), then the edits are written and the module renamed; if any step fails,
what was written is put back. Nothing is ever overwritten: the new name must not exist.
"""

from __future__ import annotations

import os
from pathlib import Path

from dashm.batch.checker import _does_not_load, _write_error, encoded_like
from dashm.batch.preview import hunks
from dashm.rules.edits import OverlappingEdits, apply_edits
from dashm.rules.rename import RenamePlan
from dashm.workspace.paths import first_outside
from dashm.workspace.source import decode_source


def new_texts(plan: RenamePlan) -> dict[Path, str] | str:
    """Each edited file's text after the plan, or why the plan cannot be carried out."""
    texts = {}
    for path, old in plan.texts.items():
        try:
            texts[path] = apply_edits(old, [e for e in plan.fix.edits if e.path == path])
        except OverlappingEdits as error:
            return str(error)
        problem = _does_not_load(path, texts[path])
        if problem:
            return f"{path}: {problem}"
    return texts


def apply_rename(plan: RenamePlan, root: Path) -> str | None:
    """Write the plan; why not, if refused (then nothing has changed)."""
    texts = new_texts(plan)
    if isinstance(texts, str):
        return texts
    outside = first_outside(root, [plan.old, plan.new.parent, *texts])
    if outside is not None:
        return f"{outside} is outside the workspace {root} (or links out of it)"
    if os.path.lexists(plan.new):
        return f"{plan.new} exists; dashm never overwrites a file"
    for path, old in plan.texts.items():
        try:
            current = path.read_bytes()
        except OSError as error:
            return _write_error(error)
        if _decoded(path, current) != old:
            return f"{path} changed since it was analysed"
    written: list[tuple[Path, bytes]] = []
    try:
        for path, text in texts.items():
            before = path.read_bytes()
            path.write_bytes(_as_written(path, text))
            written.append((path, before))
        _rename_without_overwriting(plan.old, plan.new)
    except (OSError, UnicodeEncodeError) as error:
        for path, before in written:  # all or nothing: put back what was written
            path.write_bytes(before)
        return _write_error(error)
    return None


def _as_written(path: Path, text: str) -> bytes:
    """A file's new text as the rename writes it: a Python file in its own encoding."""
    return encoded_like(path, text) if path.suffix == ".py" else text.encode("utf-8")


def _decoded(path: Path, data: bytes) -> str | None:
    try:
        return decode_source(data) if path.suffix == ".py" else data.decode("utf-8")
    except ValueError:
        return None


def _rename_without_overwriting(old: Path, new: Path) -> None:
    if old.is_dir():
        os.mkdir(new)  # fails if something took the name meanwhile; rename() onto an
        os.rmdir(new)  # empty folder would replace it silently (a narrow window remains)
        os.rename(old, new)
    else:
        os.link(old, new)  # fails if `new` exists, where rename() would replace it
        os.unlink(old)


def render_diff(plan: RenamePlan, root: Path) -> bytes:
    """The plan as a git-style diff (`git apply` takes it): each file the rename moves as a
    rename, with its edits, then the edits of the other files; byte for byte what the rename
    writes (encodings, BOMs and line endings kept)."""
    texts = new_texts(plan)
    if isinstance(texts, str):
        return b""
    moved = [plan.old] if plan.old.is_file() else sorted(
        p for p in plan.old.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    out: list[bytes] = []
    for path in [*moved, *sorted(p for p in texts if p not in moved)]:
        after = _after_rename(path, plan)
        old_name, new_name = shown_in(path, root), shown_in(after, root)
        head = [f"diff --git a/{old_name} b/{new_name}\n"]
        if after != path:
            head += [f"rename from {old_name}\n", f"rename to {new_name}\n"]
        body = b""
        if path in texts:
            body = hunks(path.read_bytes(), _as_written(path, texts[path]))
            if body:
                head += [f"--- a/{old_name}\n", f"+++ b/{new_name}\n"]
        out.append("".join(head).encode("utf-8", "surrogateescape") + body)
    return b"".join(out)


def _after_rename(path: Path, plan: RenamePlan) -> Path:
    """Where an edited file is once the module (or the package folder) is renamed."""
    if path == plan.old:
        return plan.new
    try:
        return plan.new / path.relative_to(plan.old)
    except ValueError:
        return path


def shown_in(path: Path, root: Path) -> str:
    """A path as the rename's output names it: relative to the workspace folder."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)

"""`dashm check` on the files that say how code is run, not Python: pyproject.toml (DM204),
`.vscode/launch.json` (DM205, fixable), `.vscode/tasks.json` and Makefiles (DM205).

Fixes are applied as `check --fix` applies them to Python files: one per pass, re-checking after
each, refusing a result that does not parse (JSONC) and a file that changed since it was read.
The file keeps its BOM and line endings; only the spans the fix names change.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from dashm.batch.results import CheckResult
from dashm.findings import Finding, Fix
from dashm.rules.edits import OverlappingEdits, apply_edits, fix_one_at_a_time
from dashm.rules.entrypoints import check_entry_text
from dashm.workspace import SourceProblem, Workspace, overlay
from dashm.workspace.jsonc import JsoncError, parse_jsonc
from dashm.workspace.source import MAX_SOURCE_BYTES
from dashm.workspace.walk import walk_entry_files


def iter_entry_files(paths: Sequence[Path]) -> Iterator[tuple[Path, Path]]:
    seen: set[Path] = set()
    for start in paths:
        start = Path(os.path.abspath(start))
        for item in walk_entry_files(start):
            if item not in seen:
                seen.add(item)
                yield start, item


def read_text(path: Path) -> str | SourceProblem:
    """The text of a UTF-8 file as written (line endings kept, BOM dropped)."""
    try:
        if overlay.size(path) > MAX_SOURCE_BYTES:
            return SourceProblem(path, "skipped: too large to analyse")
        data = overlay.read_bytes(path)
    except OSError as error:
        return SourceProblem(path, f"cannot be read: {error.strerror or error}")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        return SourceProblem(path, f"skipped: not UTF-8: {error}")


def check_entry_paths(workspace_for: Callable[[Path], Workspace], paths: Sequence[Path],
                      select: Sequence[str] = (), ignore: Sequence[str] = (),
                      fix: bool = False) -> CheckResult:
    result = CheckResult()
    for start, path in iter_entry_files(paths):
        workspace = workspace_for(start)
        text = read_text(path)
        if isinstance(text, SourceProblem):
            result.problems.append(text)
            continue
        result.files += 1
        findings = check_entry_text(workspace, path, text, select, ignore)
        if fix and any(f.fix for f in findings):
            findings, fixed, problem = fix_entry_file(workspace, path, text, select, ignore)
            result.fixed += fixed
            if problem is not None:
                result.problems.append(problem)
        result.findings.extend(findings)
    return result


def fix_entry_file(workspace: Workspace, path: Path, text: str, select: Sequence[str],
                   ignore: Sequence[str]) -> tuple[list[Finding], int, SourceProblem | None]:
    def apply(fix: Fix) -> list[Finding] | str:
        nonlocal text
        try:
            text = apply_text_fix(path, text, fix)
        except FixRefused as refusal:
            return str(refusal)
        return check_entry_text(workspace, path, text, select, ignore)

    findings, fixed, left = fix_one_at_a_time(check_entry_text(workspace, path, text, select,
                                                               ignore), apply)
    problem = SourceProblem(path, "not fixed: " + "; ".join(left)) if left else None
    return findings, fixed, problem


class FixRefused(Exception):
    """A fix that was not written, and why."""


def apply_text_fix(path: Path, text: str, fix: Fix) -> str:
    """Write `fix` to `path` if it is safe and return the new text; FixRefused says why not."""
    if fix.creations or any(e.path != path for e in fix.edits):
        raise FixRefused("it would change other files")
    try:
        new_text = apply_edits(text, fix.edits)
    except OverlappingEdits:
        raise FixRefused("its edits overlap") from None
    if path.suffix == ".json":
        try:
            parse_jsonc(new_text)
        except JsoncError as error:
            raise FixRefused(f"the result would not parse ({error})") from None
    try:
        raw = overlay.read_bytes(path)
    except OSError as error:
        raise FixRefused(f"the file cannot be read: {error.strerror or error}") from None
    bom = raw.startswith(b"\xef\xbb\xbf")
    if raw.decode("utf-8", "replace").removeprefix("\ufeff") != text:
        raise FixRefused("the file changed since it was read")
    try:
        overlay.write_bytes(path, (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8"))
    except OSError as error:
        raise FixRefused(f"the file cannot be written: {error.strerror or error}") from None
    return new_text

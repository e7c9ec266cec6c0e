"""Checking many files and applying fixes: the engine behind `dashm check` (no output here).

Fixes are applied one file at a time, one fix per pass, re-checking after each pass until
nothing fixable is left, so overlapping fixes never fight and a second run changes nothing.
A fix whose result does not compile, or that would create a file that exists, is refused.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from dashm.entryfiles import check_entry_paths
from dashm.findings import Finding, Fix, Severity
from dashm.results import CheckResult, fix_one_at_a_time
from dashm.rules import check_source
from dashm.rules.edits import OverlappingEdits, apply_edits
from dashm.workspace import SourceFile, SourceProblem, Workspace
from dashm.workspace.paths import first_outside
from dashm.workspace.prefetch import prefetch_paths
from dashm.workspace.source import decode_source
from dashm.workspace.walk import walk_python_files

_T = TypeVar("_T")


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path | SourceProblem]]:
    """(the argument it came from, a file or a problem) for every Python file under paths."""
    seen: set[Path] = set()
    for start in paths:
        start = Path(os.path.abspath(start))
        for item in walk_python_files(start):
            if isinstance(item, Path):
                if item in seen:
                    continue
                seen.add(item)
            yield start, item


def check_paths(workspace_for, paths: Sequence[Path], select: Sequence[str] = (),  # type: ignore[no-untyped-def]
                ignore: Sequence[str] = (), fix: bool = False, hints: bool = True) -> CheckResult:
    """Check every Python file under `paths`; `workspace_for(argument)` gives the Workspace
    of each command-line argument. `hints`: report findings of severity HINT (DM203)."""
    result = CheckResult()
    items = list(iter_files(paths))
    # Facts of every file, cached or made on all cores; each file is checked once its facts
    # are in, while the workers go on with the next ones.
    for start, item in _as_ready(items, prefetch_paths(workspace_for, items)):
        if isinstance(item, SourceProblem):
            result.problems.append(item)
            continue
        workspace: Workspace = workspace_for(start)
        source = workspace.source(item)
        if isinstance(source, SourceProblem):
            result.problems.append(source)
            continue
        result.files += 1
        findings = check_source(workspace, source, select, ignore, hints)
        if fix and source.facts.scanned and any(f.fix for f in findings):
            # A fix edits only a file that parses in full: a skeleton (skeleton.py) does not
            # see syntax errors outside the lines it keeps.
            source = workspace.parsed(item)
            if isinstance(source, SourceProblem):
                result.problems.append(source)
                continue
        if source.facts.syntax_error is not None:
            error = source.facts.syntax_error
            result.problems.append(SourceProblem(
                item, f"skipped: syntax error at line {error.position.line + 1}, column "
                      f"{error.position.column + 1}: {error.message}"))
            continue
        if fix and any(f.fix for f in findings):
            findings, fixed, problem = fix_file(workspace, source, select, ignore, hints)
            result.fixed += fixed
            if problem:
                result.problems.append(problem)
        result.findings.extend(findings)
    # pyproject.toml, launch.json, tasks.json, Makefiles: DM204 / DM205.
    entries = check_entry_paths(workspace_for, paths, select, ignore, fix)
    result.findings.extend(f for f in entries.findings
                           if hints or f.severity is not Severity.HINT)
    result.problems.extend(entries.problems)
    result.fixed += entries.fixed
    result.files += entries.files
    return result


def _as_ready(items: list[_T], ready: Iterable[int]) -> Iterator[_T]:
    """`items` in order, each once `ready` has counted past it."""
    given = 0
    for count in ready:
        yield from items[given:count]
        given = max(given, count)
    yield from items[given:]


def fix_file(workspace: Workspace, source: SourceFile, select: Sequence[str],
             ignore: Sequence[str], hints: bool = True
             ) -> tuple[list[Finding], int, SourceProblem | None]:
    """Apply fixes to one file until none is left; returns what remains and the count."""
    stopped: list[SourceProblem] = []

    def apply(fix: Fix) -> list[Finding] | str | None:
        nonlocal source
        problem = apply_fix(fix, source, workspace.folder)
        if problem:
            return problem
        for created in fix.creations:
            workspace.invalidate(created.path)
        workspace.invalidate(source.path)
        reread = workspace.source(source.path)
        if isinstance(reread, SourceProblem):
            stopped.append(reread)
            return None
        source = reread
        return check_source(workspace, source, select, ignore, hints)

    findings, fixed, left = fix_one_at_a_time(
        check_source(workspace, source, select, ignore, hints), apply)
    if stopped:
        return findings, fixed, stopped[0]
    if left:  # say why a fix that was offered was not applied
        return findings, fixed, SourceProblem(source.path, "not fixed: " + "; ".join(left))
    return findings, fixed, None


def apply_fix(fix: Fix, source: SourceFile, root: Path | None = None) -> str | None:
    """Write a fix to disk if it is safe; return why not otherwise. With `root` (the
    workspace folder), nothing is written outside it, not even through a symlink."""
    own = [e for e in fix.edits if e.path == source.path]
    if len(own) != len(fix.edits):
        return "the fix edits another file"
    if root is not None:
        outside = first_outside(root, [source.path, *(c.path.parent for c in fix.creations)])
        if outside is not None:
            return f"{outside} is outside the workspace {root} (or links out of it)"
    try:
        new_text = apply_edits(source.text, own)
    except OverlappingEdits as error:
        return str(error)
    try:
        ast.parse(new_text)
    except SyntaxError:
        return "the fixed file would not compile"
    for creation in fix.creations:
        if creation.path.exists():
            return f"{creation.path} exists; dashm never overwrites a file"
    if _changed_on_disk(source):
        return f"{source.path} changed since it was analysed"
    created: list[Path] = []
    try:
        for creation in fix.creations:
            # "x": if another process created it since the check above, refuse, never replace.
            with open(creation.path, "x", encoding="utf-8", newline="") as handle:
                created.append(creation.path)
                handle.write(creation.content)
        _write_preserving_encoding(source.path, new_text)
    except (OSError, UnicodeEncodeError) as error:
        for path in created:  # all or nothing: take back the files this fix created
            path.unlink(missing_ok=True)
        if isinstance(error, UnicodeEncodeError):
            return f"the fixed text cannot be written in the file's encoding ({error.encoding})"
        if isinstance(error, FileExistsError):
            return f"{error.filename} exists; dashm never overwrites a file"
        return f"could not write: {error.strerror or error} ({error.filename})"
    return None


def _changed_on_disk(source: SourceFile) -> bool:
    try:
        return decode_source(source.path.read_bytes()) != source.text
    except (OSError, ValueError):
        return True


def _write_preserving_encoding(path: Path, text: str) -> None:
    import io
    import tokenize

    raw = path.read_bytes()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    data = text.encode(encoding)
    if raw.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf"):
        data = b"\xef\xbb\xbf" + data
    # Newlines in the text are as read (no translation), so writing bytes keeps CRLF files CRLF.
    path.write_bytes(data)

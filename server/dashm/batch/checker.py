"""Checking many files and applying fixes: the engine behind `dashm check` (no output here).

`--fix` works in rounds: check everything; apply the fixes that only create files (they change
other files' module names, so nothing else is fixed from that state); else apply each file's
edits one fix at a time, re-checking the file after each; repeat until a round finds nothing to
fix. The last round is a fresh check, so the summary is the final state and a second run changes
nothing. A fix whose result does not compile, that would create a file that exists, or that
would break a documented by-path command (`Fix.safe`), is not applied.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from dashm.batch.entryfiles import check_entry_paths
from dashm.batch.results import MAX_FIX_ROUNDS, CheckResult
from dashm.findings import FileCreation, Finding, Fix, Severity
from dashm.rules import check_source
from dashm.rules.edits import OverlappingEdits, apply_edits, fix_one_at_a_time
from dashm.rules.notebook_edits import notebook_with_edits
from dashm.rules.packages import forget_importers
from dashm.workspace import SourceFile, SourceProblem, Workspace, evidence, overlay
from dashm.workspace.notebook import NOTEBOOK_SUFFIX
from dashm.workspace.paths import first_outside
from dashm.workspace.prefetch import prefetch_paths
from dashm.workspace.source import read_source
from dashm.workspace.toml_locate import toml_error
from dashm.workspace.walk import walk_python_files


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
    of each command-line argument. `hints`: report findings of severity HINT (DM203).

    With `fix`, rounds of check-then-fix run until a round has nothing left to fix (at most
    MAX_FIX_ROUNDS): the findings returned are those of a last, fresh check, so the summary
    is what `check` says afterwards and a second `--fix` finds nothing to do."""
    if not fix:
        return _check_round(workspace_for, paths, select, ignore, hints).result
    fixed = 0
    created: list[Path] = []
    for number in range(MAX_FIX_ROUNDS):
        checked = _check_round(workspace_for, paths, select, ignore, hints)
        if not (checked.fixable or checked.entries_fixable):
            break
        if number == MAX_FIX_ROUNDS - 1:
            checked.result.problems.append(SourceProblem(
                Path(os.curdir), f"not fixed: fixes still changed findings after "
                                 f"{MAX_FIX_ROUNDS - 1} rounds (please report this)"))
            break
        # Files first, all from the same state: a created __init__.py changes other files'
        # module names and findings, so the next round sees them before any edit is made,
        # and identical sub-projects get identical fixes whatever the order of files.
        applied, refused = _create_files(checked.fixable, created)
        if not applied:
            applied, edits_refused = _fix_edits(checked, workspace_for, paths, select, ignore,
                                                hints, created)
            refused += edits_refused
        fixed += applied
        forget_importers()
        evidence.forget_listings()  # a fix may have changed a file that documents a run
        if not applied:  # what is left was refused: say why
            checked.result.problems.extend(refused)
            break
    result = checked.result
    result.fixed, result.created = fixed, created
    return result


@dataclass
class _Round:
    """One check of every file: the result, and the files with a fix `--fix` may apply."""

    result: CheckResult
    fixable: list[tuple[Workspace, Path, list[Finding]]]
    entries_fixable: bool = False  # pyproject.toml, launch.json, ...


def _check_round(workspace_for, paths: Sequence[Path], select: Sequence[str],  # type: ignore[no-untyped-def]
                 ignore: Sequence[str], hints: bool) -> _Round:
    result = CheckResult()
    fixable: list[tuple[Workspace, Path, list[Finding]]] = []
    items = list(iter_files(paths))
    # Facts of every file first, cached or made on all cores. (Checking each file as its
    # facts came in made the first check that asks about the whole workspace, such as which
    # names it imports, read every other file itself, on one core.)
    for _ in prefetch_paths(workspace_for, items):
        pass
    for start, item in items:
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
        if source.facts.syntax_error is not None:
            error = source.facts.syntax_error
            result.problems.append(SourceProblem(
                item, f"skipped: syntax error at line {error.position.line + 1}, column "
                      f"{error.position.column + 1}: {error.message}"))
            continue
        if any(f.fix and f.fix.safe for f in findings):
            fixable.append((workspace, item, findings))
        result.findings.extend(findings)
    # pyproject.toml, launch.json, tasks.json, Makefiles: DM204 / DM205.
    entries = check_entry_paths(workspace_for, paths, select, ignore)
    result.findings.extend(f for f in entries.findings
                           if hints or f.severity is not Severity.HINT)
    result.problems.extend(entries.problems)
    result.files += entries.files
    return _Round(result, fixable, any(f.fix and f.fix.safe for f in entries.findings))


def _create_files(fixable: list[tuple[Workspace, Path, list[Finding]]],
                  created: list[Path]) -> tuple[int, list[SourceProblem]]:
    """Apply every fix that only creates files, in a fixed order; a file two fixes create is
    made once (the second fix is then done too). Returns how many fixes, and refusals."""
    fixes = sorted(((workspace, path, finding.fix) for workspace, path, findings in fixable
                    for finding in findings if finding.fix and finding.fix.safe
                    and finding.fix.creations and not finding.fix.edits),
                   key=lambda item: ([c.path for c in item[2].creations], item[1]))
    applied = 0
    refused: list[SourceProblem] = []
    made: set[Path] = set()
    for workspace, path, fix in fixes:
        pending = tuple(c for c in fix.creations if c.path not in made)
        problem = create_files(pending, workspace.folder) if pending else None
        if problem:
            refused.append(SourceProblem(path, f"not fixed: {fix.title}: {problem}"))
            continue
        applied += 1
        for creation in pending:
            made.add(creation.path)
            created.append(creation.path)
            workspace.invalidate(creation.path)
    return applied, refused


def _fix_edits(checked: _Round, workspace_for, paths: Sequence[Path],  # type: ignore[no-untyped-def]
               select: Sequence[str], ignore: Sequence[str], hints: bool,
               created: list[Path]) -> tuple[int, list[SourceProblem]]:
    """Apply the edit fixes of each file (one at a time, re-checking), files in path order,
    then those of pyproject.toml, launch.json and the like."""
    applied = 0
    refused: list[SourceProblem] = []
    for workspace, path, _ in sorted(checked.fixable, key=lambda item: item[1]):
        # A fix edits only a file that parses in full: a skeleton (skeleton.py) does not
        # see syntax errors outside the lines it keeps.
        source = workspace.parsed(path)
        if isinstance(source, SourceProblem):
            refused.append(source)
            continue
        if source.facts.syntax_error is not None:
            continue
        _, count, problem = fix_file(workspace, source, select, ignore, hints, created)
        applied += count
        if problem:
            refused.append(problem)
    if checked.entries_fixable:
        entries = check_entry_paths(workspace_for, paths, select, ignore, fix=True)
        applied += entries.fixed
        refused.extend(p for p in entries.problems if p.reason.startswith("not fixed"))
    return applied, refused


def fix_file(workspace: Workspace, source: SourceFile, select: Sequence[str],
             ignore: Sequence[str], hints: bool = True, created: list[Path] | None = None
             ) -> tuple[list[Finding], int, SourceProblem | None]:
    """Apply fixes to one file until none is left; returns what remains and the count.
    The files fixes create are added to `created`."""
    stopped: list[SourceProblem] = []

    def apply(fix: Fix) -> list[Finding] | str | None:
        nonlocal source
        problem = apply_fix(fix, source, workspace.folder)
        if problem:
            return problem
        for creation in fix.creations:
            workspace.invalidate(creation.path)
            if created is not None:
                created.append(creation.path)
        for other in {e.path for e in fix.edits} - {source.path}:
            workspace.invalidate(other)  # pytest's configuration: the project is read again
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
    workspace folder), nothing is written outside it, not even through a symlink. A fix may
    also edit another file (pytest's configuration beside a test's import): every file is
    checked first, then all are written, or none."""
    others = sorted({e.path for e in fix.edits} - {source.path})
    if root is not None:
        outside = first_outside(root, [source.path, *others,
                                       *(c.path.parent for c in fix.creations)])
        if outside is not None:
            return f"{outside} is outside the workspace {root} (or links out of it)"
    texts: dict[Path, str] = {}
    for path in [source.path, *others]:
        old = source.text if path == source.path else _read_other(path)
        if old is None:
            return f"{path} cannot be read"
        try:
            texts[path] = apply_edits(old, [e for e in fix.edits if e.path == path])
        except OverlappingEdits as error:
            return str(error)
        problem = _does_not_load(path, texts[path])
        if problem:
            return problem
    for creation in fix.creations:
        if overlay.exists(creation.path):
            return f"{creation.path} exists; dashm never overwrites a file"
    if _changed_on_disk(source):
        return f"{source.path} changed since it was analysed"
    notebook: bytes | None = None
    if source.path.suffix == NOTEBOOK_SUFFIX:  # the cells' sources, in the notebook's JSON
        made = notebook_with_edits(overlay.read_bytes(source.path),
                                   [e for e in fix.edits if e.path == source.path])
        if isinstance(made, str):
            return made
        notebook = made
    created: list[Path] = []
    written: list[tuple[Path, bytes]] = []
    try:
        _write_new_files(fix.creations, created)
        for path in others:
            before = overlay.read_bytes(path)
            overlay.write_bytes(path, texts[path].encode("utf-8"))
            written.append((path, before))
        if notebook is not None:
            overlay.write_bytes(source.path, notebook)
        else:
            _write_preserving_encoding(source.path, texts[source.path])
    except (OSError, UnicodeEncodeError) as error:
        for path in created:  # all or nothing: take back what this fix wrote
            overlay.unlink(path)
        for path, before in written:
            overlay.write_bytes(path, before)
        return _write_error(error)
    return None


def _read_other(path: Path) -> str | None:
    """Another file a fix edits (a configuration file), as text with its newlines kept."""
    try:
        return overlay.read_bytes(path).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _does_not_load(path: Path, text: str) -> str | None:
    """Why the edited text of `path` would no longer load, if it would not."""
    if path.suffix in (".py", ".pyw", ".pyi", NOTEBOOK_SUFFIX):
        try:
            ast.parse(text)
        except (SyntaxError, ValueError):
            return "the fixed file would not compile"
    elif path.suffix == ".toml" and toml_error(text) is not None:
        return f"the fixed {path.name} would not parse"
    return None


def create_files(creations: Sequence[FileCreation], root: Path) -> str | None:
    """Create files (a fix that edits nothing); why not, if refused. Nothing is written
    outside `root` (the workspace folder), nothing existing is replaced; all or nothing."""
    outside = first_outside(root, [c.path.parent for c in creations])
    if outside is not None:
        return f"{outside} is outside the workspace {root} (or links out of it)"
    for creation in creations:
        if overlay.exists(creation.path):
            return f"{creation.path} exists; dashm never overwrites a file"
    created: list[Path] = []
    try:
        _write_new_files(creations, created)
    except (OSError, UnicodeEncodeError) as error:
        for path in created:
            overlay.unlink(path)
        return _write_error(error)
    return None


def _write_new_files(creations: Sequence[FileCreation], created: list[Path]) -> None:
    preview = overlay.active()
    for creation in creations:
        if preview is not None:
            preview.create(creation.path, creation.content.encode("utf-8"))
            created.append(creation.path)
            continue
        # "x": if another process created it since the check, refuse, never replace.
        with open(creation.path, "x", encoding="utf-8", newline="") as handle:
            created.append(creation.path)
            handle.write(creation.content)


def _write_error(error: OSError | UnicodeEncodeError) -> str:
    if isinstance(error, UnicodeEncodeError):
        return f"the fixed text cannot be written in the file's encoding ({error.encoding})"
    if isinstance(error, FileExistsError):
        return f"{error.filename} exists; dashm never overwrites a file"
    return f"could not write: {error.strerror or error} ({error.filename})"


def _changed_on_disk(source: SourceFile) -> bool:
    read = read_source(source.path)  # (a notebook: its cells as the module they were read as)
    return isinstance(read, SourceProblem) or read != source.text


def _write_preserving_encoding(path: Path, text: str) -> None:
    overlay.write_bytes(path, encoded_like(path, text))


def encoded_like(path: Path, text: str) -> bytes:
    """`text` as the Python file at `path` holds its text: in its declared encoding, with
    its BOM. Newlines in the text are as read (no translation): a CRLF file stays CRLF."""
    import io
    import tokenize

    raw = overlay.read_bytes(path)
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    data = text.encode(encoding)
    if raw.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf"):
        data = b"\xef\xbb\xbf" + data
    return data

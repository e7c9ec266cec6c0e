"""Applying fixes: text edits to a string (the one place where fixes become new file content),
and fixes one at a time, re-checking after each, for `check --fix` and the editor's fix-all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from dashm.findings import Finding, Fix, Position, Range, TextEdit
from dashm.workspace.facts import LineIndex, split_lines

# A fix can uncover another (or undo one): stop re-checking a file after this many fixes.
MAX_FIX_PASSES = 20


class OverlappingEdits(ValueError):
    pass


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits (positions refer to `text`)."""
    index = LineIndex(text)
    spans = sorted(((index.offset(e.range.start), index.offset(e.range.end), e.new_text)
                    for e in edits), reverse=True)
    previous_start = len(text) + 1
    for start, end, new_text in spans:
        if end > previous_start:
            raise OverlappingEdits("fix edits overlap")
        text = text[:start] + new_text + text[end:]
        previous_start = start
    return text


def fix_one_at_a_time(findings: list[Finding],
                      apply: Callable[[Fix], list[Finding] | str | None]
                      ) -> tuple[list[Finding], int, list[str]]:
    """Apply the first fix not yet refused, re-check, and repeat until none is left.

    `apply(fix)` writes one fix and returns the re-checked findings; or a reason (str) when it
    refuses the fix; or None when the fix was written but the file cannot be checked again
    (stop there). A fix that would break a documented by-path command (`Fix.safe` false) is
    never applied here: a person applies it as a quick fix, knowing. Returns what remains, how
    many fixes were applied, and why the fixes of findings still there were refused."""
    fixed = 0
    reasons: dict[tuple[str, str], str] = {}
    for _ in range(MAX_FIX_PASSES):
        candidates = [f for f in findings if f.fix and f.fix.safe
                      and (f.code, f.fix.title) not in reasons]
        if not candidates:
            break
        finding = candidates[0]
        assert finding.fix is not None
        outcome = apply(finding.fix)
        if isinstance(outcome, str):
            reasons[(finding.code, finding.fix.title)] = outcome
            continue
        fixed += 1
        if outcome is None:
            return findings, fixed, []
        findings = outcome
    left = [f"{f.code} at line {f.range.start.line + 1}: {reasons[(f.code, f.fix.title)]}"
            for f in findings if f.fix and (f.code, f.fix.title) in reasons]
    return findings, fixed, left


def minimal_edit(path: Path, old: str, new: str) -> TextEdit | None:
    """One edit replacing only the lines that differ between `old` and `new`."""
    if old == new:
        return None
    a, b = split_lines(old), split_lines(new)
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    # Positions at line starts; a range ending past the last line means the end of the text.
    end = Position(end_a, 0) if end_a < len(a) or old.endswith(("\n", "\r")) else \
        Position(len(a) - 1, len(a[-1]))
    return TextEdit(path, Range(Position(start, 0), end), "".join(b[start:end_b]))

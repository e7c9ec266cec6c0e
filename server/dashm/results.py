"""What a `check` run produces, shared by the Python-file checker and the entry-file checker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dashm.findings import Finding, Fix
from dashm.workspace.source import SourceProblem

# A fix can uncover another (or undo one): stop re-checking a file after this many fixes.
MAX_FIX_PASSES = 20
# `--fix` re-checks every file after each round of fixes until nothing is left to fix; a bound
# in case two fixes undo each other.
MAX_FIX_ROUNDS = 6


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)
    fixed: int = 0
    files: int = 0
    created: list[Path] = field(default_factory=list)  # files `--fix` created, in order


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

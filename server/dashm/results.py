"""What a `check` run produces, shared by the Python-file checker and the entry-file checker."""

from __future__ import annotations

from dataclasses import dataclass, field

from dashm.findings import Finding
from dashm.workspace.source import SourceProblem

# A fix can uncover another (or undo one): stop re-checking a file after this many fixes.
MAX_FIX_PASSES = 20


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)
    fixed: int = 0
    files: int = 0

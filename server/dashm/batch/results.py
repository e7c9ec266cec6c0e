"""What a `check` run produces, shared by the Python-file checker and the entry-file checker."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dashm.findings import Finding
from dashm.workspace.source import SourceProblem

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

"""Findings as text, JSON, GitHub workflow commands or SARIF, for `dashm check`.

Lines and columns are 1-based here (the core is 0-based); paths are relative to the current
folder when they lie under it. In a notebook they count in its cell (`nb.ipynb:cell 3:2:5`;
JSON and SARIF add `cell`), numbered among all its cells as editors show them.
"""

from __future__ import annotations

import functools
import json
import os
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dashm import __version__
from dashm.findings import CODE_NAMES, Finding, Fix, Range, Severity
from dashm.workspace import SourceProblem
from dashm.workspace.notebook import NOTEBOOK_SUFFIX, Notebook, NotebookError, read_notebook

FORMATS = ("text", "json", "github", "sarif")
# The published rule docs: a CI log or a SARIF viewer cannot open a file in site-packages.
HOME_URL = "https://github.com/dashm-dev/dashm"
RULES_URL = f"{HOME_URL}/blob/main/server/dashm/docs/rules.md"


def rule_url(code: str) -> str:
    """The published docs of `code`, at the heading `## DM101 script-only-import`."""
    return RULES_URL + (f"#{code.lower()}-{CODE_NAMES[code]}" if code in CODE_NAMES else "")


def shown_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


@dataclass(frozen=True)
class Place:
    """A range as shown: 1-based, in its cell for a notebook (`cell` None for a file)."""

    cell: int | None
    line: int
    column: int
    end_line: int
    end_column: int

    def as_dict(self) -> dict[str, object]:
        cell = {"cell": self.cell} if self.cell is not None else {}
        return {**cell, "line": self.line, "column": self.column, "end_line": self.end_line,
                "end_column": self.end_column}


def place(path: Path, rng: Range) -> Place:
    """Where `rng` of `path` is shown; a notebook's module range in its cell."""
    notebook = _notebook(path) if path.suffix == NOTEBOOK_SUFFIX else None
    shown = notebook.shown_range(rng) if notebook is not None else None
    cell, at = shown if shown is not None else (None, rng)
    return Place(cell.number if cell is not None else None, at.start.line + 1,
                 at.start.column + 1, at.end.line + 1, at.end.column + 1)


def _notebook(path: Path) -> Notebook | None:
    """The notebook as it is on disk now (the state the findings describe)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _read_notebook(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _read_notebook(path: Path, mtime_ns: int, size: int) -> Notebook | None:
    try:
        return read_notebook(path.read_bytes())
    except (OSError, NotebookError):
        return None


def _fix_json(fix: Fix | None) -> dict[str, object] | None:
    if fix is None:
        return None
    return {
        "message": fix.title,
        "edits": [{"path": shown_path(e.path), **place(e.path, e.range).as_dict(),
                   "content": e.new_text}
                  for e in fix.edits],
        "creations": [{"path": shown_path(c.path), "content": c.content}
                      for c in fix.creations],
        # False: `--fix` leaves it alone (it would break `breaks_documented_run`).
        "safe": fix.safe,
        "breaks_documented_run": fix.breaks_documented_run,
    }


def finding_json(finding: Finding) -> dict[str, object]:
    return {
        "path": shown_path(finding.path), **place(finding.path, finding.range).as_dict(),
        "code": finding.code, "name": finding.name, "message": finding.message,
        "severity": finding.severity.value, "fix": _fix_json(finding.fix),
        "url": rule_url(finding.code), "explanation": finding.details,
    }


def render(findings: list[Finding], problems: list[SourceProblem], fixed: int, files: int,
           output_format: str, created: Sequence[Path] = (), explain: bool = False,
           show_fixes: bool = False) -> str:
    """`explain`: the full explanation under each finding; `show_fixes`: the fixes on
    offer, listed after the findings (text format; JSON and SARIF always carry both)."""
    if output_format == "json":
        return json.dumps([finding_json(f) for f in findings], indent=2)
    if output_format == "github":
        return "\n".join(_github(f) for f in findings)
    if output_format == "sarif":
        return json.dumps(_sarif(findings), indent=2)
    return _text(findings, problems, fixed, files, created, explain, show_fixes)


def render_problems(problems: list[SourceProblem]) -> str:
    return "\n".join(f"{shown_path(p.path)}: {p.reason}" for p in problems)


def render_created(created: Sequence[Path]) -> str:
    """One line per file `--fix` created, for stderr (machine formats keep stdout clean)."""
    return "\n".join(f"created {shown_path(path)}" for path in created)


def _text(findings: list[Finding], problems: list[SourceProblem], fixed: int,
          files: int, created: Sequence[Path] = (), explain: bool = False,
          show_fixes: bool = False) -> str:
    lines = [f"created {shown_path(path)}" for path in created]
    for f in findings:
        lines.append(f"{_where(f)}: {f.code} {f.message}"
                     + (" [*]" if f.fix and f.fix.safe else ""))
        if explain and f.explanation:
            lines.extend(textwrap.wrap(f.explanation, 96, initial_indent="    ",
                                       subsequent_indent="    ", break_on_hyphens=False))
            lines.append(f"    {rule_url(f.code)}")
    if show_fixes:
        lines.extend(_fix_lines(findings))
    # Only what `--fix` would apply: a fix that breaks a documented command is not.
    fixable = sum(1 for f in findings if f.fix and f.fix.safe)
    summary = []
    if fixed:
        made = f", created {len(created)} file{'s' if len(created) != 1 else ''}" \
            if created else ""
        summary.append(f"Fixed {fixed} problem{'s' if fixed != 1 else ''}{made}.")
    if findings:
        summary.append(f"Found {len(findings)} problem{'s' if len(findings) != 1 else ''} "
                       f"in {files} file{'s' if files != 1 else ''}"
                       + (f" ({fixable} fixable with --fix, marked [*])." if fixable else "."))
    elif files:
        summary.append(f"All checks passed ({files} file{'s' if files != 1 else ''}).")
    if problems:
        summary.append(f"{len(problems)} path{'s' if len(problems) != 1 else ''} skipped "
                       "(listed on stderr).")
    return "\n".join(lines + ([""] if lines else []) + [" ".join(summary)]).strip()


def _where(f: Finding) -> str:
    at = place(f.path, f.range)
    cell = f"cell {at.cell}:" if at.cell is not None else ""
    return f"{shown_path(f.path)}:{cell}{at.line}:{at.column}"


def _fix_lines(findings: list[Finding]) -> list[str]:
    """ruff's --show-fixes: what each fix does, and the ones `--fix` leaves to a person."""
    offered = [f for f in findings if f.fix]
    if not offered:
        return ["", "No fixes available."]
    lines = ["", "Fixes:"]
    for f in offered:
        assert f.fix is not None
        why = "" if f.fix.safe else f" (not applied by --fix: breaks {f.fix.breaks_documented_run})"
        lines.append(f"  {_where(f)}: {f.code} {f.fix.title}{why}")
    return lines


def _github(f: Finding) -> str:
    level = {"error": "error", "warning": "warning"}.get(f.severity.value, "notice")
    at = place(f.path, f.range)
    cell = f"cell {at.cell}: " if at.cell is not None else ""
    message = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return (f"::{level} title=dashm {f.code},file={shown_path(f.path)},line={at.line},"
            f"col={at.column},endLine={at.end_line},"
            f"endColumn={at.end_column}::{cell}{f.code} {message}")


def _sarif(findings: list[Finding]) -> dict[str, object]:
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning",
              Severity.INFORMATION: "note", Severity.HINT: "note"}
    codes = sorted(CODE_NAMES)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dashm", "version": __version__, "informationUri": HOME_URL,
                "rules": [{"id": c, "name": CODE_NAMES[c], "helpUri": rule_url(c),
                           "shortDescription": {"text": CODE_NAMES[c].replace("-", " ")}}
                          for c in codes],
            }},
            "results": [{
                "ruleId": f.code, "ruleIndex": codes.index(f.code) if f.code in codes else -1,
                "level": levels[f.severity], "message": {"text": f.message},
                "properties": _sarif_properties(f, at := place(f.path, f.range)),
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": Path(shown_path(f.path)).as_posix()},
                    "region": {"startLine": at.line, "startColumn": at.column,
                               "endLine": at.end_line, "endColumn": at.end_column},
                }}],
            } for f in findings],
        }],
    }


def _sarif_properties(f: Finding, at: Place) -> dict[str, object]:
    """The explanation; in a notebook, the cell the region's lines count in."""
    return {"explanation": f.details, **({"cell": at.cell} if at.cell is not None else {})}

"""Rules: pure functions from a file's facts and the workspace index to findings.

`check_source` runs every rule family on one file and applies suppressions (`# noqa`,
`[tool.dashm] select / ignore / per-file-ignores`, editor or CLI settings).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from dashm.findings import Finding, Severity
from dashm.rules.context import FileContext
from dashm.rules.imports import check_imports
from dashm.rules.notebooks import check_notebook
from dashm.rules.packages import check_packages
from dashm.rules.shadowing import check_shadowing
from dashm.rules.sourcefolder import check_source_folder_imports
from dashm.rules.syspath import check_sys_path
from dashm.workspace import Location, SourceFile, Workspace
from dashm.workspace.notebook import NOTEBOOK_SUFFIX

RULE_FAMILIES = (check_imports, check_source_folder_imports, check_sys_path, check_shadowing,
                 check_packages)
# A notebook is run by a kernel, never imported nor run with `python -m` (rules/notebooks.py).
NOTEBOOK_FAMILIES = (check_source_folder_imports, check_notebook)
# Findings that say the file does not (yet) work, or works differently, under `python -m`.
MODULE_MODE_PROBLEMS = frozenset({"DM101", "DM102", "DM103", "DM105", "DM106"})
HINT_CODES = frozenset({"DM203"})  # findings of severity HINT: for editors


def check_source(workspace: Workspace, source: SourceFile, select: Sequence[str] = (),
                 ignore: Sequence[str] = (), hints: bool = True) -> list[Finding]:
    """Findings for one parsed file, suppressions applied, in source order; without hints
    (severity HINT: DM203) if `hints` is False."""
    if source.facts.syntax_error is not None:
        return []
    project = workspace.project_for(source.path)
    notebook = source.path.suffix == NOTEBOOK_SUFFIX
    location = notebook_location(workspace, source.path) if notebook \
        else workspace.locate(source.path)
    ctx = FileContext(workspace, source, location, project, hints)
    families = NOTEBOOK_FAMILIES if notebook else RULE_FAMILIES
    findings = [f for family in families for f in family(ctx)]
    installed = installed_distribution(location.root)
    if installed:  # site-packages or an unpacked wheel: built from a source tree elsewhere
        findings = [_ask_first(f, f"installed code ({installed}): fix the project it was "
                               "built from") for f in findings]
    if any(f.code in MODULE_MODE_PROBLEMS for f in findings):
        # "Run it as `python -m`" (DM203) waits until the imports work that way.
        findings = [f for f in findings if f.code != "DM203"]
    selected = tuple(select) or project.select
    ignored = (*ignore, *project.ignore, *project.ignored_for(source.path))
    kept = [f for f in findings if (hints or f.severity is not Severity.HINT)
            and _matches(f.code, selected or ("DM",)) and not _matches(f.code, ignored)
            and not _silenced_inline(f, source)]
    return sorted(kept, key=lambda f: (f.range, f.code))


def notebook_location(workspace: Workspace, path: Path) -> Location:
    """A notebook's place for the rules: its imports resolve from the kernel folder, as
    "module mode" does for a module; it has no module name of its own."""
    return Location(path, workspace.script_dir(path), None, "notebook",
                    "a notebook is run by a kernel, not imported")


@functools.lru_cache(maxsize=256)
def installed_distribution(folder: Path) -> str | None:
    """The `*.dist-info` folder beside the code (never in a source tree), when `folder` holds an
    installed distribution rather than a project's source."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".dist-info") and entry.is_dir():
                    return entry.name
    except OSError:
        return None
    return None


def _ask_first(finding: Finding, reason: str) -> Finding:
    if finding.fix is None or not finding.fix.safe:
        return finding
    return dataclasses.replace(finding, fix=dataclasses.replace(
        finding.fix, breaks_documented_run=reason))


def _matches(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(p.strip().upper()) for p in prefixes if p.strip())


def _silenced_inline(finding: Finding, source: SourceFile) -> bool:
    for line in range(finding.range.start.line, finding.range.end.line + 1):
        if line in source.facts.noqa:
            codes = source.facts.noqa[line]
            if codes is None or finding.code in codes:
                return True
    return False

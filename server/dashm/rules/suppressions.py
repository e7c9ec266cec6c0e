"""Silencing a finding the user calls noise: `# noqa: DMxxx` on its line, or the code added to
`[tool.dashm] ignore` in the project's `pyproject.toml`.

Both are plain fixes (findings.py), so front ends only convert them. The noqa comment goes where
`check` looks for it (any line of the finding), joins a `noqa` comment already there, and is
never put after a line continuation. The pyproject.toml edit is toml_edit's: read back, only
`ignore` may change, and only by the new code; a shape it cannot extend exactly gets no fix.
"""

from __future__ import annotations

import re
from pathlib import Path

from dashm.findings import FileCreation, Finding, Fix, Position, Range, TextEdit
from dashm.rules.toml_edit import append_string
from dashm.workspace.facts import split_lines

NOQA = re.compile(r"(?:#|//)\s*noqa(?P<colon>:\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?",
                  re.I)


def noqa_fix(finding: Finding, text: str) -> Fix | None:
    """`# noqa: CODE` (`// noqa` in JSON) on the finding's first line that can take a comment,
    merged into a noqa comment already there; None if the line cannot take one."""
    lines = split_lines(text)
    marker = "//" if finding.path.suffix == ".json" else "#"
    for number in range(finding.range.start.line, finding.range.end.line + 1):
        if number >= len(lines):
            return None
        body = lines[number].rstrip("\r\n")
        if body.rstrip().endswith("\\"):
            continue  # a comment after a continuation would end the statement there
        match = NOQA.search(body)
        if match and match.group("codes") is None:
            return None  # a bare noqa already silences everything on the line
        if match:
            at = Position(number, match.end())
            new_text = f", {finding.code}"
        else:
            at = Position(number, len(body))
            new_text = f"  {marker} noqa: {finding.code}"
        return Fix(f"Ignore {finding.code} on this line",
                   (TextEdit(finding.path, Range(at, at), new_text),))
    return None


def project_ignore_fix(pyproject: Path, text: str | None, code: str) -> Fix | None:
    """`code` added to `[tool.dashm] ignore` of `pyproject` (whose text is `text`, None if the
    file does not exist: it is created); None when it is there already or no edit is certain
    to add exactly that."""
    title = f"Ignore {code} in this project ({pyproject.name})"
    if text is None:
        table = f'[tool.dashm]\nignore = ["{code}"]\n'
        return Fix(title, creations=(FileCreation(pyproject, table),))
    edit = append_string(pyproject, text, ("tool", "dashm"), "ignore", code)
    return Fix(title, (edit,)) if edit is not None else None

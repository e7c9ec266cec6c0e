"""Findings and fixes as plain data, shared by the rules, the CLI and the language server.

Positions are 0-based lines and 0-based columns counted in code points (characters), so the
core never thinks in UTF-8 bytes (ast) or UTF-16 units (LSP); each front end converts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"
    HINT = "hint"


@dataclass(frozen=True, order=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True, order=True)
class Range:
    start: Position
    end: Position

    @staticmethod
    def of(line: int, column: int, end_line: int, end_column: int) -> Range:
        return Range(Position(line, column), Position(end_line, end_column))


@dataclass(frozen=True)
class TextEdit:
    """Replace `range` of the file at `path` with `new_text`."""

    path: Path
    range: Range
    new_text: str


@dataclass(frozen=True)
class FileCreation:
    """Create `path` with `content`; never applied when the file already exists."""

    path: Path
    content: str


@dataclass(frozen=True)
class FileRename:
    """Rename the file or folder `old` to `new` (same folder); never applied when `new`
    exists. Text edits of the same fix refer to the files as they are before the rename."""

    old: Path
    new: Path


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[TextEdit, ...] = ()
    creations: tuple[FileCreation, ...] = ()
    # A module or package renamed (DM104): it changes a public module name, so it is never
    # applied by `--fix` or "fix all", only on request (`dashm rename-module`, a quick fix).
    renames: tuple[FileRename, ...] = ()
    # A by-path command the project documents (`python tools/train.py` in README.md:12) that
    # this fix would make fail. The rule that builds the fix decides; such a fix is still
    # offered to a person (quick fix) but never applied by `--fix` or "fix all".
    breaks_documented_run: str | None = None

    @property
    def safe(self) -> bool:
        """Whether `--fix` and "fix all" may apply it without asking."""
        return self.breaks_documented_run is None and not self.renames


@dataclass(frozen=True)
class Related:
    """Another place a finding points to: the evidence it cites, the file an import reaches."""

    path: Path
    # 0-based; None when the whole file is meant (editors show only related lines: a "see
    # util.py" row per finding is noise, and a folder opens as an error tab).
    line: int | None = None


@dataclass(frozen=True)
class Finding:
    path: Path
    range: Range
    code: str
    message: str
    severity: Severity
    fix: Fix | None = None
    # The `python -m` invocation that would run this file correctly, when the finding's
    # remedy is "run it as a module" (DM102, DM203); front ends turn it into a command.
    run_as_module: bool = False
    related: tuple[Related, ...] = field(default=())
    # `message` is one short line, the remedy first, that fits a Problems row; this is the
    # whole story (what breaks under which command, the evidence) for hovers, `--explain`,
    # JSON and SARIF. Empty when the message says it all.
    explanation: str = ""

    @property
    def details(self) -> str:
        """The full explanation, or the message when there is nothing more to say."""
        return self.explanation or self.message

    @property
    def name(self) -> str:
        return CODE_NAMES.get(self.code, self.code)


CODE_NAMES = {
    "DM101": "script-only-import",
    "DM102": "relative-import-outside-package",
    "DM103": "sys-path-hack",
    "DM104": "shadows-stdlib",
    "DM105": "import-resolves-differently",
    "DM106": "import-through-source-folder",
    "DM201": "missing-init",
    "DM202": "missing-main",
    "DM203": "main-guard-in-package",
    "DM204": "broken-entry-point",
    "DM205": "launched-by-path",
}

# The rule documentation ships inside the package, so links work offline and match the version.
RULES_DOC = Path(__file__).parent / "docs" / "rules.md"


def docs_url(code: str) -> str:
    anchor = f"#{code.lower()}-{CODE_NAMES[code]}" if code in CODE_NAMES else ""
    return RULES_DOC.as_uri() + anchor

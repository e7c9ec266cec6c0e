"""Applying text edits to a string: the one place where fixes become new file content."""

from __future__ import annotations

from collections.abc import Iterable

from dashm.findings import TextEdit
from dashm.workspace.facts import LineIndex


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

"""Writing edits into a notebook: the module edits become edits of its cells' sources, and only
those `source` values change in the JSON (workspace/notebook.py keeps every other byte). Used
by `check --fix` and by a module rename (rules/rename.py), which updates a notebook's imports."""

from __future__ import annotations

from collections.abc import Sequence

from dashm.findings import TextEdit
from dashm.rules.edits import OverlappingEdits, apply_edits
from dashm.workspace.notebook import NotebookError, read_notebook, rewrite_sources

BOM = b"\xef\xbb\xbf"


def notebook_with_edits(raw: bytes, edits: Sequence[TextEdit]) -> bytes | str:
    """The notebook file `raw` with `edits` (ranges of its module text) made in its cells'
    sources, or why they cannot be made."""
    try:
        notebook = read_notebook(raw)
        by_cell: dict[int, list[TextEdit]] = {}
        sources: dict[int, str] = {}
        for edit in edits:
            found = notebook.cell_range(edit.range)
            if found is None:
                return "the fix would edit across cells or IPython lines (%, !)"
            cell, rng = found
            sources[cell.index] = cell.source
            by_cell.setdefault(cell.index, []).append(TextEdit(edit.path, rng, edit.new_text))
        new = {index: apply_edits(sources[index], cell_edits)
               for index, cell_edits in by_cell.items()}
        text = rewrite_sources(raw.decode("utf-8-sig"), new)
    except (NotebookError, OverlappingEdits, UnicodeDecodeError) as error:
        return str(error)
    return (BOM if raw.startswith(BOM) else b"") + text.encode("utf-8")

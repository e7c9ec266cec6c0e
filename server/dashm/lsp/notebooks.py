"""Notebooks in the editor (notebook document sync): the open notebook's code cells are checked
as one module (workspace/notebook.py), and each finding and fix is mapped back to its cell:
diagnostics are published per cell URI (`vscode-notebook-cell:...`), and a quick fix asked for
a cell edits the cell documents, never the `.ipynb` file behind them (`cell_edit`; the code
actions themselves are built in actions.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lsprotocol import types

from dashm.findings import Finding, Fix
from dashm.lsp import analysis, convert
from dashm.workspace import SourceProblem
from dashm.workspace.notebook import Notebook, build

if TYPE_CHECKING:
    from dashm.lsp.server import DashmServer

NOTEBOOK_TYPE = "jupyter-notebook"
SYNC = types.NotebookDocumentSyncOptions(notebook_selector=[
    types.NotebookDocumentFilterWithNotebook(
        notebook=NOTEBOOK_TYPE, cells=[types.NotebookCellLanguage(language="python")])],
    save=True)


@dataclass
class Checked:
    """One check of an open notebook: its module, its cells' URIs and texts, the findings."""

    uri: str
    notebook: Notebook
    cells: dict[int, str]  # cell index -> the cell document's URI
    texts: dict[str, tuple[str, int | None]]  # cell URI -> (text, version)
    findings: list[Finding]
    diagnostics: dict[str, list[tuple[Finding, types.Diagnostic]]]  # per cell URI


def _module(ls: DashmServer, uri: str) -> tuple[Notebook, dict[int, str],
                                               dict[str, tuple[str, int | None]]] | None:
    document = ls.workspace.get_notebook_document(notebook_uri=uri)
    if document is None:
        return None
    code: list[tuple[int, str]] = []
    cells: dict[int, str] = {}
    texts: dict[str, tuple[str, int | None]] = {}
    for index, cell in enumerate(document.cells):
        cells[index] = cell.document
        text = ls.workspace.get_text_document(cell.document)
        texts[cell.document] = (text.source, text.version)
        if cell.kind == types.NotebookCellKind.Code and text.language_id in (None, "python"):
            code.append((index, text.source))
    return build(code), cells, texts


async def check(ls: DashmServer, uri: str, complete: bool = False) -> Checked | None:
    """Check the open notebook `uri` as it is in the editor now and publish per cell. While
    its folder's facts are still being read the answer is quick and without fixes (as for a
    buffer, analysis.py), and given again once all is read; `complete` waits for that
    instead (for code actions)."""
    path = analysis.path_of(uri)
    built = _module(ls, uri)
    if path is None or built is None:
        return None
    notebook, cells, texts = built
    folder = analysis.folder_for(ls, path)
    findings: list[Finding] = []
    if folder.settings.enable:
        source, findings, partial = await ls.session.run(
            analysis.analyze_buffer, folder.workspace, path, notebook.text)
        event = ls.session.read.get(folder.path)
        if partial and complete and event is not None:
            try:
                await asyncio.wait_for(event.wait(), analysis.READ_WAIT_SECONDS)
                source, findings, partial = await ls.session.run(
                    analysis.analyze_buffer, folder.workspace, path, notebook.text)
            except TimeoutError:
                pass
        if partial:
            findings = [dataclasses.replace(f, fix=None) for f in findings]
            if folder.workspace.reading:
                ls.session.provisional.add(uri)  # all read: recheck_open checks it again
            else:
                schedule(ls, uri, 0)
        if isinstance(source, SourceProblem):
            findings = []
    codec = ls.workspace.position_codec
    diagnostics: dict[str, list[tuple[Finding, types.Diagnostic]]] = {u: [] for u in texts}
    for finding in findings:
        placed = in_cell(notebook, finding)
        if placed is None:
            continue
        index, cell_finding = placed
        cell_uri = cells[index]
        lines = convert.lines_of(texts[cell_uri][0])
        diagnostic = analysis.diagnostics_of([cell_finding], folder.settings, codec, lines)[0]
        diagnostics[cell_uri].append((finding, diagnostic))
    checked = Checked(uri, notebook, cells, texts, findings, diagnostics)
    previous = ls.session.notebooks.get(uri)
    ls.session.notebooks[uri] = checked
    gone = set(previous.texts) - set(texts) if previous is not None else set()
    for cell_uri in [*diagnostics, *sorted(gone)]:
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=cell_uri, version=texts.get(cell_uri, ("", None))[1],
            diagnostics=[d for _, d in diagnostics.get(cell_uri, [])]))
    return checked


def in_cell(notebook: Notebook, finding: Finding) -> tuple[int, Finding] | None:
    """The finding with its range in its cell (and no related places: they are lines of the
    module), and the cell's index."""
    shown = notebook.shown_range(finding.range)
    if shown is None:
        return None
    cell, rng = shown
    return cell.index, dataclasses.replace(finding, range=rng, related=())


def schedule(ls: DashmServer, uri: str, delay: float = analysis.DEBOUNCE_SECONDS) -> None:
    """Check the notebook after `delay`, replacing a check already waiting."""
    key = f"notebook:{uri}"
    pending = ls.session.pending.pop(key, None)
    if pending is not None:
        pending.cancel()

    async def later() -> None:
        await asyncio.sleep(delay)
        ls.session.pending.pop(key, None)
        await check(ls, uri)

    ls.session.pending[key] = asyncio.ensure_future(later())


def close(ls: DashmServer, uri: str, cell_uris: list[str]) -> None:
    """The notebook closed: its cells' diagnostics go with it."""
    pending = ls.session.pending.pop(f"notebook:{uri}", None)
    if pending is not None:
        pending.cancel()
    checked = ls.session.notebooks.pop(uri, None)
    for cell_uri in sorted({*cell_uris, *(checked.texts if checked else ())}):
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=cell_uri, diagnostics=[]))


def notebook_of_cell(ls: DashmServer, cell_uri: str) -> str | None:
    document = ls.workspace.get_notebook_document(cell_uri=cell_uri)
    return document.uri if document is not None else None


def cell_edit(checked: Checked, fix: Fix, codec: object) -> types.WorkspaceEdit | None:
    """The fix (made for the notebook's module) as edits of the cell documents; None when it
    creates files, edits another file, or an edit does not fall inside one cell's Python
    lines."""
    path = analysis.path_of(checked.uri)
    if fix.creations or any(e.path != path for e in fix.edits):
        return None
    by_cell: dict[str, list[types.TextEdit]] = {}
    for edit in fix.edits:
        placed = checked.notebook.cell_range(edit.range)
        if placed is None:
            return None
        cell, rng = placed
        cell_uri = checked.cells[cell.index]
        lines = convert.lines_of(checked.texts[cell_uri][0])
        by_cell.setdefault(cell_uri, []).append(types.TextEdit(
            range=convert.to_client_range(codec, lines, rng),  # type: ignore[arg-type]
            new_text=edit.new_text))
    return types.WorkspaceEdit(document_changes=[
        types.TextDocumentEdit(text_document=types.OptionalVersionedTextDocumentIdentifier(
            uri=cell_uri, version=checked.texts[cell_uri][1]), edits=edits)  # type: ignore[arg-type]
        for cell_uri, edits in by_cell.items()])

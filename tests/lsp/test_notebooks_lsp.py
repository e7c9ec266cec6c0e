"""Notebooks over LSP (notebook document sync, as VS Code sends it): diagnostics land on the
cells' URIs at cell lines, the quick fix edits the cell documents, and the notebook written
from the fixed cells still runs from the kernel's folder (tests/notebooks.py)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.workspace import TextDocument
from pytest_lsp import ClientServerConfig

from notebooks import cell, lines, notebook_json, run_notebook
from trees import dashm

from .conftest import TestClient, capabilities_for, make_client, until

pytestmark = pytest.mark.asyncio(loop_scope="module")

MARKDOWN = "# Explore"
SETUP = "import os, sys\nsys.path.insert(0, os.getcwd())\n"
ANALYSIS = "%matplotlib inline\nimport helpers\nprint(helpers.X)"
INITIALIZED: list[types.InitializeResult] = []


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "dashm", "serve"],
                              client_factory=make_client),
    scope="module", params=["vscode", "vscode-pull"])
async def client(lsp_client: TestClient, request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory):
    INITIALIZED.clear()
    folder = tmp_path_factory.mktemp("notebooks")
    (folder / "nb").mkdir()
    (folder / "nb/helpers.py").write_text("X = 1\n")
    (folder / "nb/explore.ipynb").write_text(notebook_json(
        [cell(MARKDOWN, "markdown"), cell(lines(SETUP)), cell(lines(ANALYSIS))]))
    lsp_client.folder = folder
    lsp_client.variant = request.param
    lsp_client.set_configuration({"dashm": {}})
    caps = capabilities_for(request.param)
    caps.notebook_document = types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities())
    INITIALIZED.append(await lsp_client.initialize_session(types.InitializeParams(
        capabilities=caps,
        workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="notebooks")])))
    yield
    await lsp_client.shutdown_session()


def cell_uri(path: Path, index: int) -> str:
    return f"vscode-notebook-cell:{path}#W{index}sZmlsZQ%3D%3D"


def open_notebook(client: TestClient, path: Path, sources: list[tuple[str, str]]) -> list[str]:
    uris = [cell_uri(path, n) for n in range(len(sources))]
    items = []
    for uri, (language, text) in zip(uris, sources, strict=True):
        client.documents[uri] = TextDocument(uri, text, 1, language,
                                             position_codec=client.codec)
        items.append(types.TextDocumentItem(uri=uri, language_id=language, version=1,
                                            text=text))
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=path.as_uri(), notebook_type="jupyter-notebook", version=1,
            cells=[types.NotebookCell(kind=types.NotebookCellKind.Markup
                                      if language == "markdown" else types.NotebookCellKind.Code,
                                      document=uri)
                   for uri, (language, _) in zip(uris, sources, strict=True)]),
        cell_text_documents=items))
    return uris


def published(client: TestClient, uri: str) -> list[types.Diagnostic] | None:
    params = client.published.get(uri)
    return list(params.diagnostics) if params is not None else None


async def test_the_server_asks_for_the_python_cells_of_jupyter_notebooks(client: TestClient):
    sync = INITIALIZED[0].capabilities.notebook_document_sync
    assert isinstance(sync, types.NotebookDocumentSyncOptions)
    (selector,) = sync.notebook_selector
    assert selector.notebook == "jupyter-notebook"
    assert [c.language for c in selector.cells or []] == ["python"]


async def test_squiggle_in_the_cell_and_its_quick_fix_edits_the_cell(client: TestClient):
    path = client.folder / "nb/explore.ipynb"
    markdown, setup, analysis = open_notebook(
        client, path, [("markdown", MARKDOWN), ("python", SETUP), ("python", ANALYSIS)])
    found = await until(client, lambda: published(client, setup), "the setup cell's diagnostics")
    (item,) = found
    assert (item.code, item.range.start.line, item.range.start.character) == ("DM103", 1, 0)
    assert item.message == ("Delete `sys.path.insert()`: the kernel's working folder (nb/) is "
                            "already first on sys.path")
    assert published(client, analysis) == [] and published(client, markdown) == []
    if client.pull:  # a cell's findings are pushed; what the client pulls adds none twice
        report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=setup)))
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        assert not report.items
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=setup), range=item.range,
        context=types.CodeActionContext(diagnostics=[item])))
    action, ignore = [a for a in actions or [] if isinstance(a, types.CodeAction)]
    assert action.title == "Remove `sys.path.insert()` (DM103)" and action.is_preferred
    assert ignore.title == "Ignore DM103 on this line"
    assert ignore.edit is not None and ignore.edit.document_changes is not None
    (noqa,) = ignore.edit.document_changes
    assert isinstance(noqa, types.TextDocumentEdit) and noqa.text_document.uri == setup
    assert [(e.range.start.line, e.range.start.character, e.new_text) for e in noqa.edits] == \
        [(1, 31, "  # noqa: DM103")]
    assert action.edit is not None and action.edit.document_changes is not None
    (edit,) = action.edit.document_changes
    assert isinstance(edit, types.TextDocumentEdit) and edit.text_document.uri == setup
    document = client.documents[setup]
    for change in sorted(edit.edits, key=lambda e: (e.range.start.line, e.range.start.character),
                         reverse=True):
        document.apply_change(types.TextDocumentContentChangePartial(range=change.range,
                                                                     text=change.new_text))
    assert document.source == "import os, sys\n"
    client.published.pop(setup, None)
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri=path.as_uri()),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(
            text_content=[types.NotebookDocumentCellContentChanges(
                document=types.VersionedTextDocumentIdentifier(uri=setup, version=2),
                changes=[types.TextDocumentContentChangeWholeDocument(
                    text=document.source)])]))))
    assert await until(client, lambda: published(client, setup) == [] and [True],
                       "the fixed cell's empty diagnostics")
    # The truth: the notebook as the editor now holds it runs from the kernel's folder.
    notebook = json.loads(path.read_text())
    notebook["cells"][1]["source"] = lines(document.source)
    path.write_text(json.dumps(notebook))
    assert run_notebook(path, path.parent).stdout == "1\n"
    client.notebook_document_did_close(types.DidCloseNotebookDocumentParams(
        notebook_document=types.NotebookDocumentIdentifier(uri=path.as_uri()),
        cell_text_documents=[types.TextDocumentIdentifier(uri=u)
                             for u in (markdown, setup, analysis)]))


async def test_notebooks_are_not_reported_on_the_file_by_the_scan(client: TestClient):
    await until(client, lambda: client.scan_done.is_set() or client.log_messages, "a scan")
    assert not any(uri.endswith(".ipynb") for uri in client.published)


async def test_the_editor_setting_moves_the_kernel(client: TestClient):
    path = client.folder / "nb/beside.ipynb"
    path.write_text(notebook_json([cell("import helpers\n")]))
    (code,) = open_notebook(client, path, [("python", "import helpers\n")])
    assert await until(client, lambda: published(client, code) == [] and [True],
                       "no finding while the kernel runs beside the notebook")
    client.set_configuration({"dashm": {"notebookRoot": "${workspaceFolder}"}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    (item,) = await until(client, lambda: published(client, code), "DM101 once it runs above")
    assert (item.code, item.range.start.line, item.range.start.character) == ("DM101", 0, 7)
    assert item.message.startswith("`import helpers` works only with the kernel in nb/")
    assert "No module named 'helpers'" in run_notebook(path, client.folder).stderr
    client.set_configuration({"dashm": {}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert await until(client, lambda: published(client, code) == [] and [True],
                       "no finding with the setting gone")


async def test_fix_all_in_workspace_fixes_closed_notebooks_and_leaves_open_ones(
        client: TestClient, tmp_path: Path):
    """A closed notebook is fixed as `check --fix` fixes it (an edit of the file's JSON); an
    open one is held by the editor as cell documents: its cells' quick fixes fix it."""
    closed = client.folder / "nb/closed.ipynb"
    closed.write_text(notebook_json([cell(lines(SETUP))]))
    opened = client.folder / "nb/opened.ipynb"
    opened.write_text(notebook_json([cell(lines(SETUP))]))
    open_notebook(client, opened, [("python", SETUP)])
    copy = tmp_path / "copy"
    shutil.copytree(client.folder, copy)
    assert dashm("check", ".", "--fix", cwd=copy).returncode in (0, 1)
    before = closed.read_bytes()
    assert (copy / "nb/closed.ipynb").read_bytes() != before  # --fix fixes it

    edits = len(client.applied_edits)
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="dashm.fixWorkspace", arguments=[]))
    assert result["applied"] is True and len(client.applied_edits) == edits + 1
    edit = client.applied_edits[-1]
    changed = {c.text_document.uri: c for c in edit.document_changes or ()
               if isinstance(c, types.TextDocumentEdit)}
    assert opened.as_uri() not in changed and not any(
        u.startswith("vscode-notebook-cell:") for u in changed)
    assert any("opened.ipynb" in m.message for m in client.log_messages)
    own = changed[closed.as_uri()]
    document = TextDocument(closed.as_uri(), before.decode("utf-8"), position_codec=client.codec)
    for one in reversed(own.edits):
        document.apply_change(types.TextDocumentContentChangePartial(
            range=one.range, text=one.new_text))  # type: ignore[union-attr]
    assert document.source.encode("utf-8") == (copy / "nb/closed.ipynb").read_bytes()
    assert closed.read_bytes() == before  # the editor applies the edit, not the server

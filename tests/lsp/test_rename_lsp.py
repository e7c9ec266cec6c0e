"""DM104's quick fix over LSP: one WorkspaceEdit (text edits, then a RenameFile) that the test
client applies to disk, giving byte for byte the tree `dashm rename-module` gives. A preview
(change annotations that ask for confirmation) where the client supports it, a plain edit where
it does not, no edit where it cannot rename files; a refused rename is a disabled action that
says why. Each client capability set gets its own real server (`python -m dashm serve`)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.workspace import TextDocument
from pytest_lsp import client_capabilities
from tests.test_modes_truth import dashm, snapshot, write_tree
from tests.test_rename_truth import MODULE, NESTED, PACKAGE

from .conftest import SERVER, TestClient, diagnostics, open_file

pytestmark = pytest.mark.asyncio(loop_scope="module")

VARIANTS = ["preview", "plain", "no-rename"]


def _capabilities(variant: str) -> types.ClientCapabilities:
    caps = client_capabilities("visual-studio-code")
    assert caps.workspace is not None and caps.workspace.workspace_edit is not None
    edit = caps.workspace.workspace_edit
    if variant in ("plain", "no-rename"):
        edit.change_annotation_support = None
    if variant == "no-rename":
        edit.resource_operations = [types.ResourceOperationKind.Create]
    return caps


@pytest_lsp.fixture(config=SERVER, scope="module", params=VARIANTS)
async def client(lsp_client: TestClient, request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory):
    lsp_client.variant = request.param
    lsp_client.folder = tmp_path_factory.mktemp(f"rename-{request.param}")
    lsp_client.set_configuration({"dashm": {}})
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=_capabilities(request.param),
        workspace_folders=[types.WorkspaceFolder(uri=lsp_client.folder.as_uri(), name="ws")]))
    yield
    await lsp_client.shutdown_session()


def _write(client: TestClient, name: str, files: dict[str, str]) -> Path:
    project = write_tree(client.folder / name, files)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(project / r).as_uri(), type=types.FileChangeType.Created)
        for r in files]))
    return project


async def _rename_action(client: TestClient, relative: str) -> types.CodeAction | None:
    uri = open_file(client, relative)
    items = await diagnostics(client, uri, lambda d: any(x.code == "DM104" for x in d))
    (item,) = [d for d in items if d.code == "DM104"]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=item.range,
        context=types.CodeActionContext(diagnostics=[item])))
    found = [a for a in actions or [] if isinstance(a, types.CodeAction)
             and a.title.startswith("Rename")]
    assert len(found) <= 1
    return found[0] if found else None


def _apply_to_disk(edit: types.WorkspaceEdit) -> None:
    """Apply the edit's document changes in order, as an editor does: text edits to the
    files they name, RenameFile never over an existing file."""
    assert edit.changes is None
    for change in edit.document_changes or []:
        if isinstance(change, types.RenameFile):
            old, new = Path(change.old_uri[len("file://"):]), Path(change.new_uri[len("file://"):])
            assert change.options is not None and not change.options.overwrite
            assert not new.exists()
            os.rename(old, new)
            continue
        assert isinstance(change, types.TextDocumentEdit), change
        path = Path(change.text_document.uri[len("file://"):])
        document = TextDocument(change.text_document.uri, path.read_bytes().decode("utf-8"))
        # Every edit refers to the text before any of them: apply from the end.
        for text_edit in sorted(change.edits, key=lambda e: (e.range.start.line,
                                                             e.range.start.character),
                                reverse=True):
            document.apply_change(types.TextDocumentContentChangePartial(
                range=text_edit.range, text=text_edit.new_text))
        path.write_bytes(document.source.encode("utf-8"))


@pytest.mark.parametrize("case, files, module_file", [
    ("module", MODULE, "json.py"), ("package", PACKAGE, "json/__init__.py"),
    ("nested", NESTED, "a/json.py")])
async def test_the_quick_fix_gives_the_tree_the_command_line_gives(
        client: TestClient, tmp_path: Path, case: str, files: dict[str, str],
        module_file: str) -> None:
    project = _write(client, case, files)
    by_cli = shutil.copytree(project, tmp_path / case)
    action = await _rename_action(client, f"{case}/{module_file}")
    if client.variant == "no-rename":
        assert action is not None and action.edit is None and action.disabled is not None
        assert action.disabled.reason == "not renamed: the editor cannot rename files"
        return
    assert action is not None and action.edit is not None and action.disabled is None
    shown = module_file.removesuffix("/__init__.py")
    new_shown = "json_utils.py" if shown.endswith(".py") else "json_utils/"
    assert action.title.startswith(f"Rename {case}/{shown}{'' if '.' in shown else '/'} to "
                                   f"{new_shown} and update ")
    assert not action.is_preferred
    edit = action.edit
    changes = edit.document_changes or []
    assert isinstance(changes[-1], types.RenameFile)
    if client.variant == "preview":
        assert edit.change_annotations is not None
        (annotation,) = edit.change_annotations.values()
        assert annotation.needs_confirmation is True
        assert all(c.annotation_id in edit.change_annotations for c in changes
                   if isinstance(c, types.RenameFile))
        assert all(isinstance(e, types.AnnotatedTextEdit) for c in changes
                   if isinstance(c, types.TextDocumentEdit) for e in c.edits)
    else:
        assert edit.change_annotations is None
        assert not any(isinstance(e, types.AnnotatedTextEdit) for c in changes
                       if isinstance(c, types.TextDocumentEdit) for e in c.edits)
    _apply_to_disk(edit)
    done = dashm("rename-module", shown, "json_utils", cwd=by_cli)
    assert done.returncode == 0, done.stderr
    assert snapshot(project) == snapshot(by_cli)
    assert not (project / shown).exists()


async def test_a_refused_rename_is_a_disabled_action_with_the_reason(client: TestClient
                                                                     ) -> None:
    if client.variant == "no-rename":
        pytest.skip("no plan is made for a client that cannot rename files")
    project = _write(client, "refused", {**MODULE, "dyn.py": "import importlib\n\n"
                                         "m = importlib.import_module('json')\n"})
    action = await _rename_action(client, "refused/json.py")
    assert action is not None and action.edit is None and action.disabled is not None
    assert action.disabled.reason.startswith(
        "not renamed: refused/dyn.py:3 finds `json` by its name in a string")
    # Once the file no longer names it, the rename is offered (the plan is not kept).
    (project / "dyn.py").write_text("import importlib\n", encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(project / "dyn.py").as_uri(), type=types.FileChangeType.Changed)]))
    action = await _rename_action(client, "refused/json.py")
    assert action is not None and action.edit is not None and action.disabled is None


async def test_not_offered_while_a_notebook_it_edits_is_open(client: TestClient) -> None:
    if client.variant == "no-rename":
        pytest.skip("no plan is made for a client that cannot rename files")
    project = _write(client, "open-notebook", MODULE)
    notebook_uri = (project / "analysis.ipynb").as_uri()
    cell_uri = notebook_uri.replace("file://", "vscode-notebook-cell://") + "#c1"
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=notebook_uri, notebook_type="jupyter-notebook", version=1,
            cells=[types.NotebookCell(kind=types.NotebookCellKind.Code, document=cell_uri)]),
        cell_text_documents=[types.TextDocumentItem(
            uri=cell_uri, language_id="python", version=1,
            text="import json\nprint(json.MINE)\n")]))
    action = await _rename_action(client, "open-notebook/json.py")
    assert action is not None and action.edit is None and action.disabled is not None
    assert action.disabled.reason == ("not renamed: close analysis.ipynb first: the rename "
                                      "edits its cells")

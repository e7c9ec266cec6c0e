"""`dashm.fixWorkspace` ("dashm: Fix All in Workspace", issue 15): every safe fix of the
workspace as one WorkspaceEdit with a preview.

The proof: the edit the server sends, applied by the test client as an editor would (created
files, then text edits in the client's position encoding), gives byte for byte the tree
`dashm check --fix` gives on a copy; an unsaved buffer is the starting point of its file; a
client that supports change annotations gets a preview (needsConfirmation) on every change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.workspace import TextDocument
from pytest_lsp import ClientServerConfig

from test_diff import tree
from test_modes_truth import snapshot
from trees import dashm

from .conftest import TestClient, capabilities_for, make_client, open_file

pytestmark = pytest.mark.asyncio(loop_scope="function")

SHAPES = ["examples", "rounds", "src-layout"]


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "dashm", "serve"],
                              client_factory=make_client),
    params=["vscode", "neovim"])
async def client(lsp_client: TestClient, request: pytest.FixtureRequest, tmp_path: Path):
    lsp_client.variant = request.param
    lsp_client.folder = tmp_path / "previewed"
    lsp_client.set_configuration({"dashm": {}})
    yield
    await lsp_client.shutdown_session()


async def start(client: TestClient, shape: str, settings: dict | None = None) -> Path:
    folder = tree(client.folder, shape)
    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities_for(client.variant), initialization_options=settings,
        workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="ws")]))
    return folder


async def fix_workspace(client: TestClient) -> tuple[dict, types.WorkspaceEdit]:
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="dashm.fixWorkspace", arguments=[]))
    (edit,) = client.applied_edits
    return result, edit


def apply_to_disk(client: TestClient, edit: types.WorkspaceEdit) -> None:
    """What an editor does with the edit (for files not open, or saved right after)."""
    if edit.changes:  # a client without documentChanges: plain edits per file
        assert not edit.document_changes
        items: list = [types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
            edits=edits) for uri, edits in edit.changes.items()]  # type: ignore[arg-type]
    else:
        items = list(edit.document_changes or ())
    assert items
    for item in items:
        if isinstance(item, types.CreateFile):
            path = Path(client_path(item.uri))
            assert not path.exists()
            path.write_bytes(b"")
            continue
        assert isinstance(item, types.TextDocumentEdit), item
        path = Path(client_path(item.text_document.uri))
        document = client.documents.get(item.text_document.uri)
        if document is not None and item.text_document.version is not None:
            assert item.text_document.version == document.version
        text = document.source if document is not None else \
            path.read_bytes().decode("utf-8")
        target = TextDocument(item.text_document.uri, text, position_codec=client.codec)
        for one in sorted(item.edits, key=lambda e: (e.range.start.line,  # type: ignore[union-attr]
                                                     e.range.start.character), reverse=True):
            target.apply_change(types.TextDocumentContentChangePartial(
                range=one.range, text=one.new_text))  # type: ignore[union-attr]
        path.write_bytes(target.source.encode("utf-8"))


def client_path(uri: str) -> str:
    from pygls import uris

    found = uris.to_fs_path(uri)
    assert found
    return found


@pytest.mark.parametrize("shape", SHAPES)
async def test_the_edit_applied_is_what_fix_does(client: TestClient, tmp_path: Path,
                                                 shape: str) -> None:
    folder = await start(client, shape)
    fixed = tree(tmp_path / "fixed", shape)
    assert dashm("check", ".", "--fix", cwd=fixed).returncode in (0, 1)
    before = snapshot(folder)
    if client.variant == "neovim" and set(snapshot(fixed)) - set(before):
        # Fixes that create files, and an editor that cannot create them: refused, all of
        # it (the edits may rely on the files), with what to do instead.
        result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="dashm.fixWorkspace", arguments=[]))
        assert result["applied"] is False and not client.applied_edits
        assert "create files" in result["reason"] and "dashm check --fix" in result["reason"]
        return
    result, edit = await fix_workspace(client)
    assert snapshot(folder) == before  # the server wrote nothing: the editor applies it
    assert result["applied"] is True and result["fixed"] > 0, result
    apply_to_disk(client, edit)
    assert snapshot(folder) == snapshot(fixed)

    annotations = edit.change_annotations or {}
    if client.variant == "vscode":  # supports change annotations: a preview first
        ((_, annotation),) = annotations.items()
        assert annotation.needs_confirmation is True
        assert annotation.label.startswith(f"dashm: fix {result['fixed']} problem")
        for item in edit.document_changes or ():
            if isinstance(item, types.CreateFile):
                assert item.annotation_id in annotations
            else:
                assert all(isinstance(e, types.AnnotatedTextEdit) for e in item.edits)
    else:
        assert not annotations


async def test_an_unsaved_buffer_is_where_its_fixes_start(client: TestClient,
                                                           tmp_path: Path) -> None:
    folder = await start(client, "src-layout")
    edited = ("from src.mypkg.core import X\nimport src.mypkg.core as core  # typed, not saved"
              "\n\n\ndef test_x():\n    assert X == core.X\n")
    uri = open_file(client, "tests/test_core.py", edited)
    # The same text saved, then --fix: what the editor's buffer must end as.
    fixed = tree(tmp_path / "fixed", "src-layout")
    (fixed / "tests/test_core.py").write_text(edited, encoding="utf-8")
    assert dashm("check", ".", "--fix", cwd=fixed).returncode in (0, 1)

    result, edit = await fix_workspace(client)
    assert result["applied"] is True
    changes = edit.document_changes or [
        types.TextDocumentEdit(text_document=types.OptionalVersionedTextDocumentIdentifier(
            uri=u, version=None), edits=e) for u, e in (edit.changes or {}).items()]
    (own,) = [c for c in changes
              if isinstance(c, types.TextDocumentEdit) and c.text_document.uri == uri]
    assert own.text_document.version in (1, None)  # the buffer the user sees (if versioned)
    assert own.text_document.version == (1 if client.variant == "vscode" else None)
    apply_to_disk(client, edit)
    assert snapshot(folder) == snapshot(fixed)


async def test_nothing_to_fix_says_so(client: TestClient) -> None:
    folder = client.folder
    folder.mkdir(parents=True)
    (folder / "pkg").mkdir()
    (folder / "pkg/__init__.py").write_text("")
    (folder / "pkg/a.py").write_text("X = 1\n")
    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities_for(client.variant),
        workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="ws")]))
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="dashm.fixWorkspace", arguments=[]))
    assert result["applied"] is False and not client.applied_edits
    assert any("nothing to fix" in m.message for m in client.messages)


async def test_the_editor_settings_hold(client: TestClient, tmp_path: Path) -> None:
    """A code the user turned off in the editor is not fixed either (as `--ignore`)."""
    settings = {"dashm": {"severity": {"DM106": "off"}}}
    client.set_configuration(settings)
    folder = await start(client, "src-layout", settings)
    fixed = tree(tmp_path / "fixed", "src-layout")
    assert dashm("check", ".", "--fix", "--ignore", "DM106", cwd=fixed).returncode in (0, 1)
    result, edit = await fix_workspace(client)
    assert result["applied"] is True
    apply_to_disk(client, edit)
    assert snapshot(folder) == snapshot(fixed)
    assert "src.mypkg" in (folder / "tests/test_core.py").read_text()  # DM106's, kept

"""Fixes offered by the server never write outside the workspace folders, not even through a
symlink inside a folder that leads out of it (the CLI refuses these too, see test_security)."""

from __future__ import annotations

import pytest
from lsprotocol import types

from trees import write_tree

from .conftest import TestClient, close_file, codes, diagnostics, open_file

pytestmark = pytest.mark.asyncio(loop_scope="module")  # the client fixture is module-scoped


def created(client: TestClient, relative: str) -> None:
    """What an editor sends for a folder that appeared (the server watches folders)."""
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(client.folder / relative).as_uri(),
                        type=types.FileChangeType.Created)]))


async def test_no_fix_is_offered_for_a_file_that_links_out_of_the_workspace(
        client: TestClient):
    outside = write_tree(client.folder.parent / "outside", {
        "linked/__init__.py": "", "linked/util.py": "X = 1\n",
        "linked/app.py": "import util\n"})
    (client.folder / "linked").symlink_to(outside / "linked", target_is_directory=True)
    created(client, "linked")
    uri = open_file(client, "linked/app.py")
    items = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert codes(items) == ["DM101"]  # found, with its fix, as for any file in the workspace
    assert items[0].data["fixable"]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=items[0].range,
        context=types.CodeActionContext(diagnostics=list(items))))
    assert not [a for a in actions or [] if isinstance(a, types.CodeAction) and a.edit
                and a.kind == types.CodeActionKind.QuickFix]
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="dashm.fixAll", arguments=[{"uri": uri}]))
    assert result == {"applied": False, "fixed": 0}
    assert (outside / "linked/app.py").read_text() == "import util\n"
    close_file(client, uri)


async def test_the_same_fix_is_offered_inside_the_workspace(client: TestClient):
    # The control: the same files, really inside, do get their quick fix.
    write_tree(client.folder, {"inside/__init__.py": "", "inside/util.py": "X = 1\n",
                               "inside/app.py": "import util\n"})
    created(client, "inside")
    uri = open_file(client, "inside/app.py")
    items = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert items[0].data["fixable"]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=items[0].range,
        context=types.CodeActionContext(diagnostics=list(items))))
    assert [a for a in actions or [] if isinstance(a, types.CodeAction) and a.edit]
    close_file(client, uri)

"""The server's copy of a buffer stays the editor's copy, whatever characters it holds."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pygls.workspace import TextDocument

from .conftest import TestClient, close_file, codes, diagnostics, open_file

pytestmark = pytest.mark.asyncio(loop_scope="module")  # the client fixture is module-scoped


@pytest.mark.parametrize("odd", ["\f", "\v", "\x1c", "\x85", "\u2028"])
async def test_incremental_edits_after_characters_python_splitlines_breaks_at(
        client: TestClient, odd: str):
    # Editors and the LSP break lines only at \r\n, \r and \n; str.splitlines also breaks
    # at these. The edit below lands on line 1 only if the server counts lines the same way.
    text = f"x = 1  # page{odd}break\nimport storage\n"
    (client.folder / "inventory" / "odd.py").write_text(text, encoding="utf-8")
    uri = open_file(client, "inventory/odd.py", text)
    (item,) = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert item.code == "DM101" and item.range.start.line == 1
    new_text = "x = 1  # page" + odd + "break\nimport os\n"
    client.documents[uri] = TextDocument(uri, new_text, 2, "python",
                                         position_codec=client.codec)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=1, character=0),
                              end=types.Position(line=1, character=len("import storage"))),
            text="import os")]))
    assert codes(await diagnostics(client, uri, lambda d: not d)) == []
    # The server's buffer is exactly the editor's: a fix-all has nothing left to change.
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="dashm.fixAll", arguments=[{"uri": uri}]))
    assert result == {"applied": False, "fixed": 0}
    close_file(client, uri)

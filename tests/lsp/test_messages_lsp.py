"""Short diagnostics in the editor, the whole story in the hover, and related information only
where it points at a real line. Once per client (see conftest)."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .conftest import TestClient, close_file, diagnostics, open_file

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _hover(client: TestClient, uri: str, line: int, character: int) -> str:
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character)))
    assert hover is not None
    return hover.contents.value


async def test_short_diagnostics_and_the_story_in_the_hover(client: TestClient):
    uri = open_file(client, "inventory/cli.py")
    items = await diagnostics(client, uri, lambda d: len(d) >= 2)
    assert all("\n" not in d.message and len(d.message) <= 100 for d in items)
    storage = next(d for d in items if "import storage" in d.message)
    assert storage.message.endswith("use `from inventory import storage`")
    # The file an import reaches is no related row; nor is a folder.
    assert storage.related_information is None
    text = await _hover(client, uri, storage.range.start.line, storage.range.start.character)
    assert "module mode" in text and "DM101" in text and "No module named" in text
    close_file(client, uri)


async def test_a_finding_that_is_no_import_has_its_hover(client: TestClient):
    uri = open_file(client, "inventory/json.py")
    (item,) = await diagnostics(client, uri, lambda d: any(i.code == "DM104" for i in d))
    assert item.message.startswith("rename inventory/json.py")
    text = await _hover(client, uri, 0, 0)
    assert "DM104" in text and "loads inventory/json.py" in text
    close_file(client, uri)


async def test_related_rows_point_at_lines(client: TestClient):
    uri = open_file(client, "inventory/__init__.py")
    (item,) = await diagnostics(client, uri, lambda d: any(i.code == "DM202" for i in d))
    rows = item.related_information or []
    assert rows and all(r.message.rsplit(":", 1)[-1].isdigit() for r in rows)
    close_file(client, uri)

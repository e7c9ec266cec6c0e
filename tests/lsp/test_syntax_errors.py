"""A buffer with a syntax error: no squiggle on a line that does not hold what it says.

The imports on lines that still parse are checked as usual; when too much is broken to parse
the rest, the last results move with the edits (and go where their line was edited); one
diagnostic says that dashm paused, and where.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from lsprotocol import types

from .conftest import TestClient, change, close_file, codes, diagnostics, open_file

pytestmark = pytest.mark.asyncio(loop_scope="module")  # the client fixture is module-scoped

PAUSED = "dashm paused on a syntax error"


def insert(client: TestClient, uri: str, line: int, text: str) -> int:
    at = types.Position(line=line, character=0)
    return change(client, uri, [types.TextEdit(range=types.Range(start=at, end=at),
                                               new_text=text)])


def covered(client: TestClient, uri: str, item: types.Diagnostic) -> str:
    """The buffer's text inside the diagnostic's range (one line)."""
    assert item.range.start.line == item.range.end.line
    line = client.documents[uri].lines[item.range.start.line]
    return line[item.range.start.character:item.range.end.character]


def assert_truthful(client: TestClient, uri: str, items: Sequence[types.Diagnostic]) -> None:
    """Every finding's range holds an import, and the import it names."""
    for item in items:
        if item.code is None:
            continue
        text = covered(client, uri, item)
        line = client.documents[uri].lines[item.range.start.line]
        assert text and text in item.message, (text, item.message)
        assert line.lstrip().startswith(("import ", "from ")), line


def paused(items: Sequence[types.Diagnostic]) -> list[types.Diagnostic]:
    return [i for i in items if i.message.startswith(PAUSED)]


async def test_kept_results_move_with_lines_inserted_above(client: TestClient):
    uri = open_file(client, "inventory/cli.py")
    await diagnostics(client, uri, lambda d: len(d) == 2)
    # An unterminated string swallows the rest of the file: nothing after it can be read.
    end = len(client.documents[uri].lines)
    insert(client, uri, end, 'NOTE = """unfinished\n')
    items = await diagnostics(client, uri, lambda d: bool(paused(d)))
    assert codes([i for i in items if i.code]) == ["DM101", "DM101"]
    (notice,) = paused(items)
    assert notice.message == f"{PAUSED} at line {end + 1}"
    assert notice.range.start.line == end
    assert notice.severity == types.DiagnosticSeverity.Information
    # Two lines typed above `import storage` (line 4): both findings move down with it.
    insert(client, uri, 4, "# a comment\n\n")
    items = await diagnostics(client, uri, lambda d: any(i.range.start.line == 6 for i in d))
    assert sorted(i.range.start.line for i in items if i.code) == [6, 7]
    assert_truthful(client, uri, items)
    # The import's own line edited: its kept finding goes (it was judged on the old line).
    line = client.documents[uri].lines[6]
    change(client, uri, [types.TextEdit(range=types.Range(
        start=types.Position(line=6, character=0),
        end=types.Position(line=6, character=len(line.rstrip("\n")))),
        new_text="import storage as store")])
    items = await diagnostics(client, uri, lambda d: len([i for i in d if i.code]) == 1)
    assert [i.range.start.line for i in items if i.code] == [7]
    assert_truthful(client, uri, items)
    close_file(client, uri)


async def test_imports_on_lines_that_parse_are_still_checked(client: TestClient):
    uri = open_file(client, "inventory/cli.py")
    await diagnostics(client, uri, lambda d: len(d) == 2)
    # A half-typed header above main(): the lines around it still parse.
    insert(client, uri, 7, "def broken(:\n    pass\n")
    items = await diagnostics(client, uri, lambda d: bool(paused(d)))
    (notice,) = paused(items)
    assert notice.message == f"{PAUSED} at line 8" and notice.range.start.line == 7
    assert codes([i for i in items if i.code]) == ["DM101", "DM101"]
    # An import typed while the error is there is flagged, on its own line.
    insert(client, uri, 6, "import models\n")
    items = await diagnostics(client, uri, lambda d: len([i for i in d if i.code]) == 3)
    assert [i.range.start.line for i in items if i.code] == [4, 5, 6]
    assert "models" in covered(client, uri, items[2])
    assert_truthful(client, uri, items)
    (notice,) = paused(items)
    assert notice.range.start.line == 8
    # No rewrite is offered while the file does not parse (it was judged without the broken
    # lines), but the finding can still be silenced.
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=items[2].range,
        context=types.CodeActionContext(diagnostics=[items[2]])))
    titles = [a.title for a in actions or []]
    assert titles and all(t.startswith("Ignore DM101") for t in titles), titles
    # Fixed: the notice goes, the results are a full check's.
    change(client, uri, [types.TextEdit(range=types.Range(
        start=types.Position(line=8, character=0), end=types.Position(line=10, character=0)),
        new_text="")])
    items = await diagnostics(client, uri, lambda d: not paused(d) and len(d) == 3)
    assert all(i.data["fixable"] for i in items)
    close_file(client, uri)

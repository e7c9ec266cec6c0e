"""The server on entry points: DM204 on an open pyproject.toml, DM205 (with its fix) on an open
`.vscode/launch.json`, DM202's `__main__.py` as a `CreateFile` with `ignoreIfExists`, and the
DM203 hint with its "Run as module" action. Once per client (see conftest)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.workspace import TextDocument

from .conftest import (
    TestClient,
    apply_workspace_edit,
    change,
    close_file,
    diagnostics,
    open_file,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


def open_as(client: TestClient, relative: str, language: str) -> str:
    """Open a non-Python file with its own language id (open_file says "python")."""
    path = Path(os.path.normpath(client.folder / relative))
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8")
    client.documents[uri] = TextDocument(uri, text, 1, language, position_codec=client.codec)
    client.published.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1,
                                             text=text)))
    return uri


def covered(client: TestClient, uri: str, item: types.Diagnostic) -> str:
    line = client.documents[uri].lines[item.range.start.line]
    assert item.range.start.line == item.range.end.line
    return line[item.range.start.character:item.range.end.character]


async def quickfixes(client: TestClient, uri: str, item: types.Diagnostic
                     ) -> list[types.CodeAction]:
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=item.range,
        context=types.CodeActionContext(diagnostics=[item],
                                        only=[types.CodeActionKind.QuickFix])))
    # (Not the "Ignore DMxxx ..." actions, of their own kind: test_noise.py.)
    return [a for a in actions or [] if isinstance(a, types.CodeAction)
            and a.kind == types.CodeActionKind.QuickFix]


async def test_dm204_on_the_open_pyproject(client: TestClient):
    uri = open_as(client, "pyproject.toml", "toml")
    items = await diagnostics(client, uri, lambda d: any(i.code == "DM204" for i in d))
    (item,) = [i for i in items if i.code == "DM204"]
    assert covered(client, uri, item) == "inventory.reports:main"
    assert item.severity == types.DiagnosticSeverity.Error
    assert "No module named 'inventory.reports'" in item.data["explanation"]
    assert item.code_description and "dm204" in item.code_description.href
    # A TOML syntax error in the unsaved buffer is a finding, not a crash.
    end = types.Position(line=0, character=0)
    change(client, uri, [types.TextEdit(range=types.Range(start=end, end=end),
                                        new_text="[broken\n")])
    items = await diagnostics(client, uri, lambda d: any(
        "not valid TOML" in i.data["explanation"] for i in d))
    assert [i.range.start.line for i in items if i.code == "DM204"] == [0]
    # Typing the right module name clears it.
    document = client.documents[uri]
    change(client, uri, [types.TextEdit(range=types.Range(
        start=end, end=types.Position(line=1, character=0)), new_text="")])
    line = document.lines.index('inventory-report = "inventory.reports:main"  # no such '
                                "module: inventory/report.py is meant\n")
    start = document.lines[line].index("reports")
    change(client, uri, [types.TextEdit(range=types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=line, character=start + len("reports"))), new_text="cli")])
    assert not await diagnostics(client, uri, lambda d: not d)
    close_file(client, uri)


async def test_dm205_on_launch_json_fixed_keeping_comments(client: TestClient):
    uri = open_as(client, ".vscode/launch.json", "jsonc")
    (item,) = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert item.code == "DM205"
    assert covered(client, uri, item) == "${workspaceFolder}/inventory/cli.py"
    assert '"module": "inventory.cli"' in item.data["explanation"]
    (fix,) = await quickfixes(client, uri, item)
    assert fix.edit is not None
    before = client.documents[uri].source
    apply_workspace_edit(client, fix.edit)
    after = client.documents[uri].source
    assert after == before.replace('"program": "${workspaceFolder}/inventory/cli.py"',
                                   '"module": "inventory.cli"')
    assert "// runs it by path" in after and "// Debug configurations" in after
    assert not await diagnostics(client, uri, lambda d: not d)
    close_file(client, uri)


async def test_dm203_hint_with_run_as_module(client: TestClient):
    uri = open_file(client, "inventory/stats.py")
    (item,) = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert item.code == "DM203" and item.severity == types.DiagnosticSeverity.Hint
    assert "`python -m inventory.stats`" in item.data["explanation"]
    guard = client.documents[uri].lines.index('if __name__ == "__main__":\n')
    assert item.range.start.line == guard
    (run,) = await quickfixes(client, uri, item)
    assert run.command is not None and run.command.command == "dashm.runModule"
    assert run.command.arguments[0]["argv"][1:] == ["-m", "inventory.stats"]
    close_file(client, uri)


async def test_dm202_fix_is_a_create_file_that_never_overwrites(client: TestClient):
    uri = open_file(client, "inventory/__init__.py")
    items = await diagnostics(client, uri, lambda d: any(i.code == "DM202" for i in d))
    (item,) = [i for i in items if i.code == "DM202"]
    assert "No module named inventory.__main__" in item.data["explanation"]
    assert "README.md:11" in item.data["explanation"]
    readme = (client.folder / "README.md").as_uri()
    (cited,) = [r for r in item.related_information or [] if r.location.uri == readme]
    assert cited.location.range.start.line == 10 and cited.message == "DM202: see README.md:11"
    fixes = await quickfixes(client, uri, item)
    main = client.folder / "inventory" / "__main__.py"
    if client.variant == "neovim":  # no documentChanges: a file cannot be created that way
        assert fixes == []
        close_file(client, uri)
        return
    (fix,) = fixes
    assert fix.edit is not None and fix.edit.document_changes
    create, insert = fix.edit.document_changes
    assert isinstance(create, types.CreateFile) and create.uri == main.as_uri()
    assert create.options is not None and create.options.ignore_if_exists
    assert not create.options.overwrite
    assert isinstance(insert, types.TextDocumentEdit)
    content = insert.edits[0].new_text
    assert "from inventory.cli import main" in content and "raise SystemExit(main())" in content
    # The editor creates the file and reports it; the finding goes away.
    main.write_text(content, encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=main.as_uri(), type=types.FileChangeType.Created)]))
    await diagnostics(client, uri, lambda d: not any(i.code == "DM202" for i in d))
    close_file(client, uri)
    main.unlink()
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=main.as_uri(), type=types.FileChangeType.Deleted)]))

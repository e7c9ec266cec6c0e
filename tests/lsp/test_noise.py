"""Noise controls: "Ignore DMxxx on this line" (`# noqa`) and "... in this project"
(`[tool.dashm] ignore`), and the settings `severity`, `enable`, `codeLens` and `exclude`
(with `[tool.dashm] exclude`, which the command line reads too). Once per client."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import (
    GUARD_SECONDS,
    TestClient,
    apply_workspace_edit,
    close_file,
    codes,
    diagnostics,
    open_file,
)
from .test_entrypoints_lsp import open_as

pytestmark = pytest.mark.asyncio(loop_scope="module")  # the client fixture is module-scoped


async def actions_for(client: TestClient, uri: str, item: types.Diagnostic
                      ) -> dict[str, types.CodeAction]:
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=item.range,
        context=types.CodeActionContext(diagnostics=[item])))
    return {a.title: a for a in found or [] if isinstance(a, types.CodeAction)}


def configure(client: TestClient, settings: dict[str, object]) -> None:
    client.set_configuration({"dashm": settings})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"dashm": settings}))


def storage_import(items: list[types.Diagnostic] | tuple[types.Diagnostic, ...]
                   ) -> types.Diagnostic:
    return next(i for i in items if i.range.start.line == 4)


async def test_ignore_on_this_line_writes_noqa(client: TestClient):
    uri = open_file(client, "inventory/cli.py")
    items = await diagnostics(client, uri, lambda d: len(d) == 2)
    actions = await actions_for(client, uri, storage_import(items))
    action = actions["Ignore DM101 on this line"]
    assert action.kind == "quickfix.dashm.ignore" and not action.is_preferred
    assert action.edit is not None
    apply_workspace_edit(client, action.edit)
    assert client.documents[uri].lines[4] == "import storage  # noqa: DM101\n"
    (left,) = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert left.range.start.line == 5
    close_file(client, uri)


async def test_noqa_joins_a_noqa_comment_already_there(client: TestClient):
    path = client.folder / "inventory" / "noisy.py"
    path.write_text("import storage  # noqa: DM104\n", encoding="utf-8")
    uri = open_file(client, "inventory/noisy.py")
    (item,) = await diagnostics(client, uri, lambda d: len(d) == 1)
    action = (await actions_for(client, uri, item))["Ignore DM101 on this line"]
    assert action.edit is not None
    apply_workspace_edit(client, action.edit)
    assert client.documents[uri].source == "import storage  # noqa: DM104, DM101\n"
    assert not await diagnostics(client, uri, lambda d: not d)
    close_file(client, uri)
    path.unlink()


async def test_noqa_on_launch_json_is_a_jsonc_comment(client: TestClient):
    uri = open_as(client, ".vscode/launch.json", "jsonc")
    (item,) = await diagnostics(client, uri, lambda d: len(d) == 1)
    action = (await actions_for(client, uri, item))["Ignore DM205 on this line"]
    assert action.edit is not None
    apply_workspace_edit(client, action.edit)
    line = client.documents[uri].lines[item.range.start.line]
    assert line.rstrip().endswith("// runs it by path  // noqa: DM205")
    assert not await diagnostics(client, uri, lambda d: not d)
    close_file(client, uri)


def apply_to_disk(path: Path, edit: types.WorkspaceEdit) -> None:
    """Apply the edit of one file on disk (single-line positions, as the fix makes them)."""
    edits: list[types.TextEdit] = []
    for item in edit.document_changes or ():
        assert isinstance(item, types.TextDocumentEdit)
        assert item.text_document.uri == path.as_uri()
        edits.extend(e for e in item.edits if isinstance(e, types.TextEdit))
    for uri, more in (edit.changes or {}).items():
        assert uri == path.as_uri()
        edits.extend(more)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                    reverse=True):
        while len(lines) <= e.range.start.line:
            lines.append("")
        line = lines[e.range.start.line]
        lines[e.range.start.line] = (line[:e.range.start.character] + e.new_text
                                     + line[e.range.end.character:])
    path.write_text("".join(lines), encoding="utf-8")


def saved(client: TestClient, path: Path) -> None:
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=path.as_uri(), type=types.FileChangeType.Changed)]))


async def test_ignore_in_this_project_edits_pyproject(client: TestClient):
    pyproject = client.folder / "pyproject.toml"
    original = pyproject.read_text(encoding="utf-8")
    uri = open_file(client, "inventory/cli.py")
    items = await diagnostics(client, uri, lambda d: len(d) == 2)
    actions = await actions_for(client, uri, storage_import(items))
    action = actions["Ignore DM101 in this project (pyproject.toml)"]
    assert action.edit is not None
    apply_to_disk(pyproject, action.edit)
    added = '\n[tool.dashm]\nignore = ["DM101"]\n'
    assert pyproject.read_text(encoding="utf-8") == original + added
    saved(client, pyproject)
    assert not await diagnostics(client, uri, lambda d: not d)
    # A second code joins the list; one already there is not offered again.
    close_file(client, uri)
    uri = open_file(client, "inventory/json.py")
    (item,) = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert item.code == "DM104"
    action = (await actions_for(client, uri, item))["Ignore DM104 in this project (pyproject.toml)"]
    assert action.edit is not None
    apply_to_disk(pyproject, action.edit)
    assert pyproject.read_text(encoding="utf-8").endswith('ignore = ["DM101", "DM104"]\n')
    close_file(client, uri)
    pyproject.write_text(original, encoding="utf-8")
    saved(client, pyproject)


async def test_severity_overrides_and_off(client: TestClient):
    uri = open_file(client, "inventory/cli.py")
    await diagnostics(client, uri, lambda d: len(d) == 2)
    configure(client, {"severity": {"DM1": "error", "DM101": "hint"}})
    items = await diagnostics(client, uri, lambda d: all(
        i.severity == types.DiagnosticSeverity.Hint for i in d) and len(d) == 2)
    assert codes(items) == ["DM101", "DM101"]  # the longest matching key wins
    configure(client, {"severity": {"DM101": "off"}})
    assert not await diagnostics(client, uri, lambda d: not d)
    configure(client, {"severity": {"DM101": "loud"}})  # reported; the default stays
    items = await diagnostics(client, uri, lambda d: len(d) == 2)
    assert all(i.severity == types.DiagnosticSeverity.Warning for i in items)
    assert any("dashm.severity" in m.message and "loud" in m.message for m in client.messages)
    configure(client, {})
    close_file(client, uri)


async def test_enable_false_silences_the_folder(client: TestClient):
    uri = open_file(client, "tools/seed.py")
    await diagnostics(client, uri, lambda d: len(d) >= 1)
    configure(client, {"enable": False})
    assert not await diagnostics(client, uri, lambda d: not d)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert not lenses
    configure(client, {})
    await diagnostics(client, uri, lambda d: len(d) >= 1)
    close_file(client, uri)


async def test_code_lens_setting(client: TestClient):
    uri = open_file(client, "inventory/report.py")

    async def lenses() -> list[types.CodeLens]:
        return list(await client.text_document_code_lens_async(types.CodeLensParams(
            text_document=types.TextDocumentIdentifier(uri=uri))) or [])

    async def settled(wanted: bool) -> None:
        # The settings arrive by workspace/configuration, a moment later: ask again until
        # they are in (polling, since a refresh between two questions is easy to miss).
        deadline = asyncio.get_running_loop().time() + GUARD_SECONDS
        while bool(await lenses()) != wanted:
            assert asyncio.get_running_loop().time() < deadline, "setting never took effect"
            await asyncio.sleep(0.1)

    assert await lenses()
    configure(client, {"codeLens": False})
    await settled(False)
    configure(client, {})
    await settled(True)
    close_file(client, uri)


async def test_exclude_setting_and_pyproject_exclude(client: TestClient):
    uri = open_file(client, "inventory/cli.py")
    await diagnostics(client, uri, lambda d: len(d) == 2)
    configure(client, {"exclude": ["inventory/c*.py"]})
    assert not await diagnostics(client, uri, lambda d: not d)
    configure(client, {})
    await diagnostics(client, uri, lambda d: len(d) == 2)
    pyproject = client.folder / "pyproject.toml"
    original = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(original + '\n[tool.dashm]\nexclude = ["inventory"]\n',
                         encoding="utf-8")
    saved(client, pyproject)
    assert not await diagnostics(client, uri, lambda d: not d)
    pyproject.write_text(original, encoding="utf-8")
    saved(client, pyproject)
    await diagnostics(client, uri, lambda d: len(d) == 2)
    close_file(client, uri)

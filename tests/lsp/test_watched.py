"""Changes made outside the editor: whole folders created and deleted, a new `__main__.py`.

Editors report a folder moved in or deleted as one event for the folder itself; these tests
send exactly that and wait for the results it must change, in open and in closed files.
"""

from __future__ import annotations

import shutil

import pytest
from lsprotocol import types

from .conftest import (
    TestClient,
    close_file,
    codes,
    diagnostics,
    open_file,
    until,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")  # the client fixture is module-scoped


def folder_event(client: TestClient, relative: str, kind: types.FileChangeType) -> None:
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(client.folder / relative).as_uri(), type=kind)]))


async def test_folders_are_watched_for_creation_and_deletion(client: TestClient):
    await until(client, client.scan_done.is_set, "the end of the initial scan")
    if not client.variant.startswith("vscode"):
        return  # Neovim 0.7 registers no watchers: it sends no file events at all
    watchers = [w for r in client.registrations
                if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
                for w in r.register_options["watchers"]]  # left unstructured by the client
    folder_watchers = [w for w in watchers if w["globPattern"] == "**/*"]
    assert folder_watchers == [{"globPattern": "**/*", "kind": types.WatchKind.Create
                                | types.WatchKind.Delete}]


async def test_a_folder_moved_in_then_deleted(client: TestClient):
    await until(client, client.scan_done.is_set, "the end of the initial scan")
    uri = open_file(client, "inventory/uses_plugins.py", "import plugins.extra\n")
    assert not await diagnostics(client, uri)  # no plugins/ yet: nothing to say
    plugins = client.folder / "inventory" / "plugins"
    plugins.mkdir()
    (plugins / "__init__.py").write_text("", encoding="utf-8")
    (plugins / "extra.py").write_text("import sibling\n", encoding="utf-8")
    (plugins / "sibling.py").write_text("", encoding="utf-8")
    extra = (plugins / "extra.py").as_uri()
    folder_event(client, "inventory/plugins", types.FileChangeType.Created)
    items = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert codes(items) == ["DM101"] and "plugins.extra" in items[0].data["explanation"]
    # The closed file inside the new folder is found by the rescan the event starts.
    await until(client, lambda: extra in client.published
                and codes(client.published[extra].diagnostics) == ["DM101"],
                "the rescan's DM101 for plugins/extra.py")
    shutil.rmtree(plugins)
    folder_event(client, "inventory/plugins", types.FileChangeType.Deleted)
    assert not await diagnostics(client, uri, lambda d: not d)
    await until(client, lambda: not client.published[extra].diagnostics,
                "the cleared results of the deleted plugins/extra.py")
    close_file(client, uri)


async def test_code_lens_on_a_new_main_file(client: TestClient):
    main = client.folder / "inventory" / "__main__.py"
    main.write_text("from inventory.cli import main\n\nmain()\n", encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=main.as_uri(), type=types.FileChangeType.Created)]))
    uri = open_file(client, "inventory/__main__.py")
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert lenses is not None
    assert [lens.command.command for lens in lenses] == ["dashm.runModule", "dashm.debugModule"]
    assert lenses[0].command.title == "Run as module (python -m inventory)"
    assert lenses[0].range.start == types.Position(line=0, character=0)
    assert lenses[0].command.arguments[0]["argv"][1:] == ["-m", "inventory"]
    assert lenses[0].command.arguments[0]["cwd"] == str(client.folder)
    close_file(client, uri)
    main.unlink()
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=main.as_uri(), type=types.FileChangeType.Deleted)]))


async def test_the_scan_publishes_pyproject_and_launch_json_findings(client: TestClient):
    await until(client, client.scan_done.is_set, "the end of the initial scan")
    pyproject = (client.folder / "pyproject.toml").as_uri()
    launch = (client.folder / ".vscode" / "launch.json").as_uri()
    await until(client, lambda: pyproject in client.published and launch in client.published,
                "the scan's results for pyproject.toml and .vscode/launch.json")
    assert codes(client.published[pyproject].diagnostics) == ["DM204"]
    assert codes(client.published[launch].diagnostics) == ["DM205"]


async def test_new_evidence_outside_python_files_reaches_open_files(client: TestClient):
    (client.folder / "runner").mkdir()
    (client.folder / "runner" / "__init__.py").write_text("", encoding="utf-8")
    (client.folder / "runner" / "core.py").write_text("X = 1\n", encoding="utf-8")
    folder_event(client, "runner", types.FileChangeType.Created)
    uri = open_file(client, "runner/__init__.py")
    assert not [d for d in await diagnostics(client, uri) if d.code == "DM202"]
    workflow = client.folder / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("steps:\n  - run: python -m runner --check\n", encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=workflow.as_uri(), type=types.FileChangeType.Created)]))
    items = await diagnostics(client, uri, lambda d: any(i.code == "DM202" for i in d))
    (item,) = [i for i in items if i.code == "DM202"]
    assert ".github/workflows/ci.yml:2" in item.data["explanation"]
    close_file(client, uri)
    if client.variant.startswith("vscode"):
        globs = [w["globPattern"] for r in client.registrations
                 if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
                 for w in r.register_options["watchers"]]
        assert "**/.github/workflows/*.{yml,yaml}" in globs

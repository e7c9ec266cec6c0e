"""One behaviour everywhere: a loose file (outside every workspace folder) gets the same
invocation, CodeLens and quick fixes as a file inside one; a package's `__init__.py` has a
name to copy; a file a fix creates is shown; a `.venv` made after start is used; cancelling a
request already answered is no warning. Once per client (see conftest)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from .conftest import (
    EXAMPLES,
    TestClient,
    apply_workspace_edit,
    capabilities_for,
    close_file,
    codes,
    diagnostics,
    make_client,
    open_file,
    until,
)
from .test_robustness import RawClient

pytestmark = pytest.mark.asyncio(loop_scope="module")  # the client fixture is module-scoped

LOOSE = {"main.py": 'from .helper import VALUE\n\nif __name__ == "__main__":\n    print(VALUE)\n',
         "helper.py": "VALUE = 1\n"}


def invocation_of(client: TestClient, path: Path):  # type: ignore[no-untyped-def]
    return client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="dashm.moduleInvocation", arguments=[{"uri": path.as_uri()}]))


async def test_a_loose_file_runs_lenses_and_fixes_like_any_other(client: TestClient):
    loose = client.folder.parent / "loose"
    loose.mkdir(exist_ok=True)
    for name, text in LOOSE.items():
        (loose / name).write_text(text, encoding="utf-8")
    main = loose / "main.py"
    # The palette's Run asks for the invocation: answered as `dashm module` would.
    result = await invocation_of(client, main)
    assert result["module"] == "main" and result["cwd"] == str(loose)
    assert result["argv"][1:] == ["-m", "main"] and result["reason"] is None
    uri = open_file(client, "../loose/main.py")
    (item,) = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert item.code == "DM102"
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [lens.command.title for lens in lenses or [] if lens.command] == [
        "Run as module (python -m main)", "Debug as module"]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=item.range,
        context=types.CodeActionContext(diagnostics=[item])))
    (fix,) = [a for a in actions or [] if isinstance(a, types.CodeAction)
              and a.kind == types.CodeActionKind.QuickFix and a.edit]
    assert fix.edit is not None
    apply_workspace_edit(client, fix.edit)
    assert client.documents[uri].lines[0] == "from helper import VALUE\n"
    assert not await diagnostics(client, uri, lambda d: not d)
    main.write_text(client.documents[uri].source, encoding="utf-8")  # saved: it runs
    done = subprocess.run(result["argv"], cwd=result["cwd"], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout == "1\n"
    # Nothing that would write beside it (outside every folder) is offered: no pyproject.toml.
    assert not [a for a in actions or [] if "in this project" in a.title]
    close_file(client, uri)
    shutil.rmtree(loose)


async def test_a_package_init_has_a_name_to_copy(client: TestClient):
    result = await invocation_of(client, client.folder / "inventory" / "__init__.py")
    assert result["module"] is None and "__main__.py" in result["reason"]
    assert result["name"] == "inventory"
    deeper = client.folder / "inventory" / "sub"
    deeper.mkdir()
    (deeper / "__init__.py").write_text("", encoding="utf-8")
    result = await invocation_of(client, deeper / "__init__.py")
    assert result["name"] == "inventory.sub"
    shutil.rmtree(deeper)


async def test_the_main_file_a_fix_creates_is_shown(client: TestClient):
    if client.variant == "neovim":
        pytest.skip("no documentChanges: the fix that creates __main__.py is not offered")
    uri = open_file(client, "inventory/__init__.py")
    items = await diagnostics(client, uri, lambda d: any(i.code == "DM202" for i in d))
    (item,) = [i for i in items if i.code == "DM202"]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=item.range,
        context=types.CodeActionContext(diagnostics=[item],
                                        only=[types.CodeActionKind.QuickFix])))
    (fix,) = [a for a in actions or [] if a.kind == types.CodeActionKind.QuickFix]
    main = (client.folder / "inventory" / "__main__.py").as_uri()
    # After applying the edit the editor runs the command: the server asks it to show the file.
    assert fix.command is not None and fix.command.command == "dashm.showDocument"
    assert list(fix.command.arguments or ()) == [{"uri": main}]
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=fix.command.command, arguments=fix.command.arguments))
    assert result == {"shown": True}
    assert [d.uri for d in client.shown_documents] == [main]
    assert client.shown_documents[0].take_focus
    close_file(client, uri)


# -- a .venv made while the server runs -----------------------------------------------------
@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "dashm", "serve"], client_factory=make_client,
        # No active virtual environment: the folder's own .venv is the project's interpreter.
        server_env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}),
    scope="module")
async def bare(lsp_client: TestClient, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("ws-venv") / "examples"
    shutil.copytree(EXAMPLES, folder)
    lsp_client.variant = "vscode"
    lsp_client.folder = folder
    lsp_client.set_configuration({"dashm": {}})
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=capabilities_for("vscode"),
        workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="examples")]))
    yield
    await lsp_client.shutdown_session()


async def test_a_venv_made_after_start_is_used_by_the_next_run(bare: TestClient):
    report = bare.folder / "inventory" / "report.py"
    before = await invocation_of(bare, report)
    venv = bare.folder / ".venv"
    assert not before["argv"][0].startswith(str(venv))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    # No event needed for the next run: it asks again.
    after = await invocation_of(bare, report)
    assert after["argv"] == [str(venv / "bin" / "python"), "-m", "inventory.report"]
    # Removed, and said so by the editor's watcher: back to the interpreter before.
    shutil.rmtree(venv)
    bare.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=venv.as_uri(), type=types.FileChangeType.Deleted)]))
    assert (await invocation_of(bare, report))["argv"] == before["argv"]
    assert any("now runs with" in m.message for m in bare.log_messages)


async def test_a_venv_event_rechecks_open_files(bare: TestClient):
    uri = open_file(bare, "inventory/cli.py")
    assert codes(await diagnostics(bare, uri, lambda d: len(d) == 2)) == ["DM101", "DM101"]
    venv = bare.folder / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    published = bare.published.pop(uri)
    bare.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(venv / "pyvenv.cfg").as_uri(), type=types.FileChangeType.Created)]))
    # The open file is checked again (published anew), with the .venv's interpreter.
    await until(bare, lambda: uri in bare.published, "the re-check of the open file")
    assert bare.published[uri].diagnostics == published.diagnostics
    assert any(f"now runs with {venv}" in m.message for m in bare.log_messages)
    close_file(bare, uri)
    shutil.rmtree(venv)


# -- cancellation of requests already answered ------------------------------------------------
async def test_late_cancellations_are_not_logged_as_warnings(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    shutil.copytree(EXAMPLES, folder)
    log = tmp_path / "stderr.log"
    client = RawClient()
    with open(log, "wb") as stderr:
        client.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "dashm", "serve", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=stderr, cwd=folder)
    client.reader = asyncio.ensure_future(client._read())
    try:
        await client.initialize(folder)
        uri = (folder / "inventory" / "cli.py").as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1,
            "text": (folder / "inventory" / "cli.py").read_text()}})
        for _ in range(10):  # as VS Code does: the answer is in, the cancel comes anyway
            response = await client.request("textDocument/codeLens", {"textDocument": {"uri": uri}})
            assert "result" in response
            client.notify("$/cancelRequest", {"id": response["id"]})
        await client.alive()
    finally:
        await client.stop()
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "unknown message id" not in text, text

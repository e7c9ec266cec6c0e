"""End-to-end tests of `python -m dashm serve` over stdio, once per client (see conftest)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from .conftest import (
    TestClient,
    apply_workspace_edit,
    change,
    close_file,
    codes,
    diagnostics,
    open_file,
    until,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_initial_scan_reports_progress_and_workspace_findings(client: TestClient):
    await until(client, client.scan_done.is_set, "the end of the initial scan's progress")
    kinds = [type(r).__name__ for reports in client.progress_reports.values() for r in reports]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    # legacy.py is never opened: its finding comes from the workspace scan.
    legacy = (client.folder / "legacy.py").as_uri()
    await until(client, lambda: legacy in client.published, "the scan's results for legacy.py")
    assert codes(client.published[legacy].diagnostics) == ["DM102"]
    if client.variant.startswith("vscode"):
        watchers = [r for r in client.registrations
                    if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
        assert len(watchers) == 1


async def test_diagnostics_on_open(client: TestClient):
    uri = open_file(client, "inventory/cli.py")
    items = await diagnostics(client, uri, lambda d: len(d) == 2)
    assert codes(items) == ["DM101", "DM101"]
    storage = next(d for d in items if "import storage" in d.message)
    assert storage.range.start == types.Position(line=4, character=7)
    assert storage.source == "dashm"
    assert storage.code_description and "dm101" in storage.code_description.href
    close_file(client, uri)


async def test_incremental_edit_by_hand_clears_the_finding(client: TestClient):
    uri = open_file(client, "inventory/storage.py")
    items = await diagnostics(client, uri, lambda d: len(d) == 1)
    (finding,) = items
    assert finding.code == "DM101"
    line = finding.range.start.line
    # Type the fix in two quick edits: `from models` -> `from inventory.models`.
    change(client, uri, [types.TextEdit(range=finding.range, new_text="inventory.")])
    start = finding.range.start
    end = types.Position(line=line, character=start.character + len("inventory."))
    change(client, uri, [types.TextEdit(range=types.Range(start=end, end=end), new_text="models")])
    text = client.documents[uri].source
    assert "from inventory.models import" in text
    assert not await diagnostics(client, uri, lambda d: not d)
    close_file(client, uri)


async def test_unicode_columns_follow_the_client_encoding(client: TestClient):
    text = '"""Ünïcödé 😀"""\nX = "é😀"; import storage\n'
    path = client.folder / "inventory" / "wide.py"
    path.write_text(text, encoding="utf-8")
    uri = open_file(client, "inventory/wide.py")
    (item,) = await diagnostics(client, uri, lambda d: len(d) == 1)
    prefix = 'X = "é😀"; import '
    units = {"utf-8": len(prefix.encode()), "utf-16": len(prefix.encode("utf-16-le")) // 2}
    assert item.range.start.character == units[client.codec.encoding]
    close_file(client, uri)


async def test_syntax_error_keeps_the_last_good_results(client: TestClient):
    uri = open_file(client, "inventory/cli.py")
    await diagnostics(client, uri, lambda d: len(d) == 2)
    end = types.Position(line=0, character=0)
    change(client, uri, [types.TextEdit(range=types.Range(start=end, end=end),
                                        new_text="def broken(:\n")])
    items = await diagnostics(client, uri, lambda d: len(d) == 3)
    assert codes([i for i in items if i.code]) == ["DM101", "DM101"]  # and "dashm paused"
    close_file(client, uri)


async def test_watched_file_created_and_deleted(client: TestClient):
    uri = open_file(client, "inventory/uses_extra.py", "import extra\n") \
        if (client.folder / "inventory/uses_extra.py").write_text("import extra\n") else None
    assert uri is not None
    assert not await diagnostics(client, uri)
    extra = client.folder / "inventory" / "extra.py"
    extra.write_text("VALUE = 1\n", encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=extra.as_uri(), type=types.FileChangeType.Created)]))
    items = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert codes(items) == ["DM101"] and "extra" in items[0].message
    extra.unlink()
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=extra.as_uri(), type=types.FileChangeType.Deleted)]))
    assert not await diagnostics(client, uri, lambda d: not d)
    close_file(client, uri)


async def test_quickfix_applied_then_rechecked(client: TestClient):
    uri = open_file(client, "tools/seed.py")
    (item,) = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert item.code == "DM103"
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=item.range,
        context=types.CodeActionContext(diagnostics=[item])))
    assert actions
    fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert len(fixes) == 1 and fixes[0].is_preferred and fixes[0].edit is not None
    assert any(a.kind == "source.fixAll.dashm" for a in actions)
    apply_workspace_edit(client, fixes[0].edit)
    text = client.documents[uri].source
    compile(text, "seed.py", "exec")
    assert "sys.path.insert" not in text
    assert not await diagnostics(client, uri, lambda d: not d)
    close_file(client, uri)


async def test_a_fix_that_breaks_a_documented_run_says_so(client: TestClient):
    runner = client.folder / "runner"
    runner.mkdir()
    (runner / "README.md").write_text("Run `python job.py`.\n", encoding="utf-8")
    (runner / "helper2.py").write_text("X = 1\n", encoding="utf-8")
    (runner / "job.py").write_text("import helper2\n\nif __name__ == '__main__':\n"
                                   "    print(helper2.X)\n", encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(runner / name).as_uri(), type=types.FileChangeType.Created)
        for name in ("README.md", "helper2.py", "job.py")]))
    uri = open_file(client, "runner/job.py")
    (item,) = await diagnostics(client, uri, lambda d: len(d) == 1)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=item.range,
        context=types.CodeActionContext(diagnostics=[item])))
    (fix,) = [a for a in actions or [] if a.kind == types.CodeActionKind.QuickFix]
    assert "breaks `python job.py` (runner/README.md:1)" in fix.title
    assert not fix.is_preferred
    close_file(client, uri)
    shutil.rmtree(runner)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=runner.as_uri(), type=types.FileChangeType.Deleted)]))


async def test_run_as_module_action(client: TestClient):
    uri = open_file(client, "inventory/report.py")
    (item,) = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert item.code == "DM102"
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=item.range,
        context=types.CodeActionContext(diagnostics=[item],
                                        only=[types.CodeActionKind.QuickFix])))
    run = [a for a in actions or [] if isinstance(a, types.CodeAction) and a.command]
    assert len(run) == 1
    assert run[0].command.command == "dashm.runModule"
    assert run[0].command.arguments[0]["module"] == "inventory.report"
    # An editor without a handler of its own sends it back: it gets the command line to run.
    answer = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="dashm.runModule", arguments=run[0].command.arguments))
    assert answer["module"] == "inventory.report"
    # (the server sends the message before its answer, and stdio keeps the order)
    assert "-m inventory.report" in client.messages[-1].message
    close_file(client, uri)


async def test_fix_all_command(client: TestClient):
    uri = open_file(client, "inventory/cli.py")
    await diagnostics(client, uri, lambda d: len(d) == 2)
    before = len(client.applied_edits)
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="dashm.fixAll", arguments=[{"uri": uri}]))
    assert result == {"applied": True, "fixed": 2}
    assert len(client.applied_edits) == before + 1
    apply_workspace_edit(client, client.applied_edits[-1])
    text = client.documents[uri].source
    compile(text, "cli.py", "exec")
    assert "from inventory import storage" in text
    # Left: only the DM203 hint on how to run it, now that `python -m` works for it.
    await diagnostics(client, uri, lambda d: codes(d) == ["DM203"])
    close_file(client, uri)


async def test_module_invocation_runs(client: TestClient):
    uri = (client.folder / "inventory" / "report.py").as_uri()
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="dashm.moduleInvocation", arguments=[{"uri": uri}]))
    assert result["module"] == "inventory.report" and result["reason"] is None
    assert result["cwd"] == str(client.folder)
    completed = subprocess.run(result["argv"], cwd=result["cwd"], capture_output=True,
                               text=True, timeout=60, check=True)
    assert completed.stdout.startswith("sample")
    legacy = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="dashm.moduleInvocation",
        arguments=[{"uri": (client.folder / "legacy.py").as_uri()}]))
    assert legacy["module"] == "legacy" or legacy["reason"]


@pytest.mark.parametrize("uri", ["untitled:Untitled-1"])
async def test_commands_refuse_uris_that_name_no_file(client: TestClient, uri: str):
    # (A file outside the workspace folders is answered for its own project: test_loose.py.)
    with pytest.raises(JsonRpcInvalidParams, match="not a file: URI"):
        await client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="dashm.moduleInvocation", arguments=[{"uri": uri}]))


async def test_code_lens_over_main_guard(client: TestClient):
    uri = open_file(client, "inventory/report.py")
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [lens.command.command for lens in lenses] == ["dashm.runModule", "dashm.debugModule"]
    assert lenses[0].command.title.startswith("Run as module")
    assert lenses[0].command.arguments[0]["argv"][1:] == ["-m", "inventory.report"]
    guard = client.documents[uri].source.splitlines().index('if __name__ == "__main__":')
    assert lenses[0].range.start.line == guard
    close_file(client, uri)


async def test_hover_on_import(client: TestClient):
    uri = open_file(client, "inventory/cli.py")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=4, character=10)))
    assert hover is not None
    text = hover.contents.value
    assert "module mode (`python -m inventory.cli`" in text
    assert "not found" in text.split("script mode")[0]
    assert "inventory/storage.py" in text.split("script mode")[1]
    assert "These differ" in text
    close_file(client, uri)


async def test_document_links_in_pyproject(client: TestClient):
    uri = (client.folder / "pyproject.toml").as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(
            uri=uri, language_id="toml", version=1,
            text=(client.folder / "pyproject.toml").read_text())))
    links = await client.text_document_document_link_async(types.DocumentLinkParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [link.target for link in links] == [(client.folder / "inventory/cli.py").as_uri()]
    assert links[0].range.start.line == 7
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))


async def test_configuration_change(client: TestClient):
    uri = open_file(client, "inventory/cli.py")
    await diagnostics(client, uri, lambda d: len(d) == 2)
    client.set_configuration({"dashm": {"ignore": ["DM101"]}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert not await diagnostics(client, uri, lambda d: not d)
    client.set_configuration({"dashm": {"ignore": 42}})  # invalid: reported, default used
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert codes(await diagnostics(client, uri, lambda d: len(d) == 2)) == ["DM101", "DM101"]
    await until(client, lambda: any("dashm.ignore" in m.message for m in client.messages),
                "a message about the invalid setting")
    client.set_configuration({"dashm": {}})
    close_file(client, uri)


async def test_bad_interpreter_is_reported_not_fatal(client: TestClient):
    uri = open_file(client, "inventory/cli.py")
    client.set_configuration({"dashm": {"interpreter": "/nonexistent/python"}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await until(client, lambda: any("/nonexistent/python" in m.message
                                    for m in client.messages), "the interpreter error")
    client.set_configuration({"dashm": {"interpreter": sys.executable}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert codes(await diagnostics(client, uri, lambda d: len(d) == 2)) == ["DM101", "DM101"]
    close_file(client, uri)


async def test_workspace_folders_multi_root_with_own_settings(client: TestClient):
    second = client.folder.parent / "second"
    (second / "pkg").mkdir(parents=True)
    (second / "pkg" / "__init__.py").write_text("")
    (second / "pkg" / "b.py").write_text("VALUE = 1\n")
    (second / "pkg" / "a.py").write_text(
        'import b\n\nif __name__ == "__main__":\n    print(b.VALUE)\n')
    a_uri = (second / "pkg" / "a.py").as_uri()
    invocation = types.ExecuteCommandParams(command="dashm.moduleInvocation",
                                            arguments=[{"uri": a_uri}])
    # Outside the folders it is answered as the command line would (its own project).
    loose = await client.workspace_execute_command_async(invocation)
    assert loose["module"] == "pkg.a" and loose["cwd"] == str(second)
    folder = types.WorkspaceFolder(uri=second.as_uri(), name="second")
    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(added=[folder], removed=[])))
    result = await client.workspace_execute_command_async(invocation)
    assert result["module"] == "pkg.a" and result["cwd"] == str(second)

    a = open_file(client, "../second/pkg/a.py")
    cli = open_file(client, "inventory/cli.py")
    assert codes(await diagnostics(client, a, lambda d: len(d) == 1)) == ["DM101"]
    client.set_configuration({"dashm": {"ignore": ["DM101"]}}, scope_uri=second.as_uri())
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert not await diagnostics(client, a, lambda d: not d)
    assert codes(await diagnostics(client, cli, lambda d: len(d) == 2)) == ["DM101", "DM101"]
    close_file(client, a)
    close_file(client, cli)

    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(added=[], removed=[folder])))
    assert (await client.workspace_execute_command_async(invocation))["module"] == "pkg.a"

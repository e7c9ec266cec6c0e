"""A server started again on a folder it scanned, with nothing changed, publishes the last
scan's diagnostics without checking every file (lsp/warm_start.py); any change to what the
scan read means a full scan. Real servers over stdio, one after the other, sharing a cache
folder; the replayed diagnostics are compared with those a full scan published."""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from tests.lsp.test_robustness import RawClient
from tests.trees import write_tree

UNCHANGED = "(unchanged since the last scan)"
WORKSPACE = {
    "pkg/__init__.py": "",
    "pkg/util.py": "VALUE = 1\n",
    "pkg/app.py": "import util\n\nif __name__ == '__main__':\n    print(util.VALUE)\n",
    "pkg/clean.py": "from pkg import util\n",
    "tools/__init__.py": "",
    "tools/run.py": "from .helpers import go\n",
    "tools/helpers.py": "def go():\n    pass\n",
    "pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n\n'
                      '[project.scripts]\ndemo = "pkg.missing:main"\n',
}


def _age(root: Path) -> None:
    """Older than the snapshot's safety margin (snapshot.RACY_NS): a scan of files written
    a moment ago is never kept, since they may still change unseen."""
    old = time.time() - 60
    for folder, _, names in os.walk(root):
        for name in [*names, "."]:
            os.utime(os.path.join(folder, name), (old, old))


async def _start(folder: Path, options: dict[str, Any] | None = None,
                 then: Callable[[RawClient], Awaitable[None]] | None = None
                 ) -> tuple[str, dict[str, list[Any]]]:
    """Start a server on `folder`, wait for the end of its scan, (run `then`,) stop it: the
    scan's log line and the last diagnostics published for each file (files without any
    left out)."""
    client = RawClient()
    await client.start(folder)
    try:
        response = await client.request("initialize", {
            "processId": os.getpid(), "rootUri": folder.as_uri(), "capabilities": {},
            "initializationOptions": options or {},
            "workspaceFolders": [{"uri": folder.as_uri(), "name": folder.name}]})
        assert "result" in response, response
        client.notify("initialized", {})
        done = await client.scanned()
        if then is not None:
            await then(client)
        published: dict[str, list[Any]] = {}
        for message in client.notifications:
            if message["method"] == "textDocument/publishDiagnostics":
                published[message["params"]["uri"]] = message["params"]["diagnostics"]
        return done["params"]["message"], {u: d for u, d in published.items() if d}
    finally:
        await client.stop()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DASHM_CACHE_DIR", str(tmp_path / "cache"))
    root = write_tree(tmp_path / "ws", WORKSPACE)
    _age(root)
    return root


async def test_a_second_start_publishes_the_first_scans_diagnostics(workspace: Path) -> None:
    first_log, first = await _start(workspace)
    assert UNCHANGED not in first_log
    codes = {d["code"] for diagnostics in first.values() for d in diagnostics}
    assert {"DM101", "DM204"} <= codes, first  # a module's import and pyproject.toml's entry
    second_log, second = await _start(workspace)
    assert UNCHANGED in second_log and "checked 7 files" in second_log
    assert second == first


async def test_after_a_replay_an_opened_file_is_checked_and_fixed(workspace: Path) -> None:
    await _start(workspace)
    app = workspace / "pkg/app.py"

    async def open_and_fix(client: RawClient) -> None:
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": app.as_uri(), "languageId": "python", "version": 1,
            "text": app.read_text()}})
        diagnostics = await client.until(lambda: client.diagnostics(app.as_uri(), 1),
                                          "the opened file's diagnostics")
        assert [d["code"] for d in diagnostics] == ["DM101"]
        actions = await client.request("textDocument/codeAction", {
            "textDocument": {"uri": app.as_uri()}, "range": diagnostics[0]["range"],
            "context": {"diagnostics": diagnostics}})
        titles = [a["title"] for a in actions["result"]]
        assert "Import `pkg.util` from the package (DM101)" in titles, titles

    log, _ = await _start(workspace, then=open_and_fix)
    assert UNCHANGED in log


def _edit(root: Path) -> None:
    (root / "pkg/app.py").write_text("from pkg import util\n")


def _create(root: Path) -> None:
    (root / "pkg/new.py").write_text("import util\n")


def _delete(root: Path) -> None:
    (root / "pkg/app.py").unlink()


def _configure(root: Path) -> None:
    with (root / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.dashm]\nignore = ["DM101"]\n')


@pytest.mark.parametrize("change", [_edit, _create, _delete, _configure],
                         ids=["edited", "created", "deleted", "configured"])
async def test_any_change_means_a_full_scan(workspace: Path, change: Callable[[Path], None],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    await _start(workspace)
    change(workspace)
    _age(workspace)  # the change alone must be seen, not the time it was made
    log, published = await _start(workspace)
    assert UNCHANGED not in log
    # The full scan's results are those of a server that never saw the workspace before.
    monkeypatch.setenv("DASHM_CACHE_DIR", str(workspace.parent / "fresh-cache"))
    fresh_log, fresh = await _start(workspace)
    assert UNCHANGED not in fresh_log
    assert published == fresh


async def test_other_settings_mean_a_full_scan(workspace: Path) -> None:
    await _start(workspace)
    log, published = await _start(workspace, {"severity": {"DM101": "error"}})
    assert UNCHANGED not in log
    severities = {d["severity"] for ds in published.values() for d in ds if d["code"] == "DM101"}
    assert severities == {1}  # Error


async def test_a_scan_changed_while_it_ran_is_not_kept(workspace: Path) -> None:
    # Written just now: within the file system's timestamp granularity, it may change again
    # unseen, so the scan that read it is not kept.
    (workspace / "pkg/util.py").write_text("VALUE = 2\n")
    await _start(workspace)
    log, _ = await _start(workspace)
    assert UNCHANGED not in log


async def test_no_cache_means_a_full_scan(workspace: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    await _start(workspace)
    monkeypatch.setenv("DASHM_NO_CACHE", "1")
    log, _ = await _start(workspace)
    assert UNCHANGED not in log

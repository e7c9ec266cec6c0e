"""A file opened while the server still reads the workspace is answered at once from what it
has read, then again once it has read everything (lsp/analysis.py `provisional`): its last
diagnostics are those of the whole workspace, the command line's. The model's part (whole
passes skipped, nothing partial kept) is tests/test_quick_answers.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.lsp.test_robustness import RawClient
from tests.test_quick_answers import TYPER_LIKE
from tests.trees import dashm, write_tree

BULK = 1500  # enough files that reading them outlasts the first check of the opened one


async def test_a_file_opened_during_reading_ends_with_the_full_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHM_CACHE_DIR", str(tmp_path / "cache"))
    files = {**TYPER_LIKE, "docs_src/subcommands/tutorial001/main.py": "import items\n"}
    files.update({f"bulk/part_{n // 100}/mod_{n}.py": f"import json\nVALUE = {n}\n"
                  for n in range(BULK)})
    root = write_tree(tmp_path / "ws", files)
    main = root / "docs_src/subcommands/tutorial001/main.py"
    client = RawClient()
    await client.start(root)
    try:
        response = await client.request("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {},
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}]})
        assert "result" in response, response
        client.notify("initialized", {})
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": main.as_uri(), "languageId": "python", "version": 1,
            "text": main.read_text()}})
        await client.scanned()
        await client.alive()  # every check queued before this answer has been published
        final = client.diagnostics(main.as_uri(), 1)
        shown = [d for n in client.notifications if n["method"] ==
                 "textDocument/publishDiagnostics" and n["params"]["uri"] == main.as_uri()
                 for d in n["params"]["diagnostics"]]
    finally:
        await client.stop()
    assert final is not None
    done = dashm("check", "--format", "json", ".", cwd=root)
    expected = sorted((f["code"], f["line"] - 1, f["message"]) for f in json.loads(done.stdout)
                      if f["path"].endswith("tutorial001/main.py"))
    assert expected, done.stdout  # `import items` works only from the file's folder
    assert sorted((d["code"], d["range"]["start"]["line"], d["message"]) for d in final) \
        == expected
    # Whatever was shown before the full answer offered no fix: it may name the module wrongly.
    assert final is not None
    assert all(not d["data"]["fixable"] for d in shown if d not in final)

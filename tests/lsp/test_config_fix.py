"""A quick fix that edits two files: DM106 in a test rewrites the import and puts the source
folder on pytest's `pythonpath` in pyproject.toml, as one WorkspaceEdit; not offered while
pyproject.toml has unsaved changes. Once per client (see conftest)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.workspace import TextDocument

from .conftest import TestClient, close_file, diagnostics, open_file

pytestmark = pytest.mark.asyncio(loop_scope="module")

FILES = {
    "pyproject.toml": '[project]\nname = "mypkg"\nversion = "1"\n',
    "src/mypkg/__init__.py": "",
    "src/mypkg/core.py": "X = 1\n",
    "conftest.py": "",
    "tests/test_core.py": "from src.mypkg.core import X\n\n\ndef test_x():\n    assert X == 1\n",
}


def _write_project(client: TestClient) -> Path:
    project = client.folder / "srclayout"
    for relative, text in FILES.items():
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(project / r).as_uri(), type=types.FileChangeType.Created)
        for r in FILES]))
    return project


def _apply_to_disk(edit: types.WorkspaceEdit) -> set[str]:
    """Apply every text edit to the files on disk, as an editor saving them would."""
    changed = set()
    for item in edit.document_changes or []:
        assert isinstance(item, types.TextDocumentEdit)
        path = Path(item.text_document.uri.removeprefix("file://"))
        document = TextDocument(item.text_document.uri, path.read_text(encoding="utf-8"))
        for change in item.edits:
            document.apply_change(types.TextDocumentContentChangePartial(
                range=change.range, text=change.new_text))
        path.write_text(document.source, encoding="utf-8")
        changed.add(path.name)
    for uri, edits in (edit.changes or {}).items():
        path = Path(uri.removeprefix("file://"))
        document = TextDocument(uri, path.read_text(encoding="utf-8"))
        for change in edits:
            document.apply_change(types.TextDocumentContentChangePartial(
                range=change.range, text=change.new_text))
        path.write_text(document.source, encoding="utf-8")
        changed.add(path.name)
    return changed


async def _quick_fixes(client: TestClient, uri: str) -> list[types.CodeAction]:
    (item,) = await diagnostics(client, uri, lambda d: any(x.code == "DM106" for x in d))
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=item.range,
        context=types.CodeActionContext(diagnostics=[item])))
    return [a for a in actions or [] if a.kind == types.CodeActionKind.QuickFix]


async def test_the_fix_edits_the_test_and_pytest_configuration(client: TestClient):
    project = _write_project(client)
    pyproject = project / "pyproject.toml"
    # With pyproject.toml open and edited but not saved, the two-file fix is not offered.
    config_uri = pyproject.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=config_uri, language_id="toml", version=1,
                                             text=FILES["pyproject.toml"] + "# unsaved\n")))
    uri = open_file(client, "srclayout/tests/test_core.py")
    assert await _quick_fixes(client, uri) == []
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=config_uri)))

    (fix,) = await _quick_fixes(client, uri)
    assert "pythonpath" in fix.title and fix.edit is not None
    close_file(client, uri)
    assert _apply_to_disk(fix.edit) == {"test_core.py", "pyproject.toml"}
    assert 'pythonpath = ["src"]' in pyproject.read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests"], cwd=project, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr

"""pytest-lsp fixtures: the real `python -m dashm serve` over stdio, driven with the client
capabilities of VS Code (push diagnostics, and a pull-capable variant) and of Neovim.

Nothing here sleeps: helpers wait for the notification (or refresh request) they expect; the
only timeouts are guards so a broken server fails a test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Union

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GUARD_SECONDS = 30  # a guard against hangs, never a wait for the server


def _converter():  # type: ignore[no-untyped-def]
    """lsprotocol 2025.0.0 structures `CodeAction(command=...)` as a `Command`: fix that."""
    converter = default_converter()

    def command_or_action(obj: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction],  # noqa: UP007
                                      command_or_action)
    return converter


class TestClient(LanguageClient):
    """A pytest-lsp client that also records edits, registrations and diagnostics history."""

    __test__ = False  # not a test class

    def __init__(self) -> None:
        super().__init__(converter_factory=_converter)
        self.variant = ""
        self.applied_edits: list[types.WorkspaceEdit] = []
        self.registrations: list[types.Registration] = []
        self.published: dict[str, types.PublishDiagnosticsParams] = {}
        self.changed = asyncio.Event()
        self.refreshes = 0
        self.scan_done = asyncio.Event()
        self.documents: dict[str, TextDocument] = {}
        self.folder = Path()

    @property
    def pull(self) -> bool:
        return self.variant == "vscode-pull"

    @property
    def codec(self) -> PositionCodec:
        general = self.capabilities.general if self.capabilities else None
        encodings = general.position_encodings if general else None
        return PositionCodec(encodings[0] if encodings else types.PositionEncodingKind.Utf16)

    def poke(self) -> None:
        self.changed.set()


def _features() -> dict[str, Callable[..., Any]]:
    features = dict(DEFAULT_CLIENT_FEATURES)
    base_publish = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]
    base_progress = features[types.PROGRESS]
    base_show = features[types.WINDOW_SHOW_MESSAGE]

    def publish(client: TestClient, params: types.PublishDiagnosticsParams) -> None:
        base_publish(client, params)
        client.published[params.uri] = params
        client.poke()

    def progress(client: TestClient, params: types.ProgressParams) -> None:
        base_progress(client, params)
        if isinstance(params.value, dict) and params.value.get("kind") == "end":
            client.scan_done.set()
        client.poke()

    def show_message(client: TestClient, params: types.ShowMessageParams) -> None:
        base_show(client, params)
        client.poke()  # `until` waits on client.messages too

    def apply_edit(client: TestClient, params: types.ApplyWorkspaceEditParams
                   ) -> types.ApplyWorkspaceEditResult:
        client.applied_edits.append(params.edit)
        client.poke()
        return types.ApplyWorkspaceEditResult(applied=True)

    def register(client: TestClient, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)

    def diagnostic_refresh(client: TestClient, params: None) -> None:
        client.refreshes += 1
        client.poke()

    def code_lens_refresh(client: TestClient, params: None) -> None:
        return None

    features.update({
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
        types.PROGRESS: progress,
        types.WINDOW_SHOW_MESSAGE: show_message,
        types.WORKSPACE_APPLY_EDIT: apply_edit,
        types.CLIENT_REGISTER_CAPABILITY: register,
        types.WORKSPACE_DIAGNOSTIC_REFRESH: diagnostic_refresh,
        types.WORKSPACE_CODE_LENS_REFRESH: code_lens_refresh,
    })
    return features


def make_client() -> TestClient:
    client = TestClient()
    register_lsp_features(client, _features())  # type: ignore[arg-type]
    return client


VARIANTS = ["vscode", "vscode-pull", "neovim"]


def capabilities_for(variant: str) -> types.ClientCapabilities:
    if variant == "neovim":
        return client_capabilities("neovim")
    caps = client_capabilities("visual-studio-code")
    if variant == "vscode-pull":
        assert caps.text_document is not None and caps.workspace is not None
        caps.text_document.diagnostic = types.DiagnosticClientCapabilities()
        caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(
            refresh_support=True)
    return caps


# The real server over stdio, driven by the recording client.
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "dashm", "serve"],
                            client_factory=make_client)


@pytest_lsp.fixture(config=SERVER, scope="module", params=VARIANTS)
async def client(lsp_client: TestClient, request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory):
    variant = request.param
    folder = tmp_path_factory.mktemp(f"ws-{variant}") / "examples"
    shutil.copytree(EXAMPLES, folder)
    lsp_client.variant = variant
    lsp_client.folder = folder
    lsp_client.set_configuration({"dashm": {}})
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=capabilities_for(variant),
        initialization_options={"dashm": {"importStyle": "absolute"}},
        workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="examples")]))
    yield
    await lsp_client.shutdown_session()


# -- helpers ------------------------------------------------------------------------------
async def until(client: TestClient, predicate: Callable[[], Any], what: str) -> Any:
    """Wait (event-driven) until `predicate()` is truthy after some message from the server."""

    async def wait() -> Any:
        while not (value := predicate()):
            client.changed.clear()
            await client.changed.wait()
        return value

    try:
        return await asyncio.wait_for(wait(), GUARD_SECONDS)
    except TimeoutError:
        raise AssertionError(f"the server never sent {what}") from None


def open_file(client: TestClient, relative: str, text: str | None = None) -> str:
    path = Path(os.path.normpath(client.folder / relative))
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8") if text is None else text
    client.documents[uri] = TextDocument(uri, text, 1, "python", position_codec=client.codec)
    client.published.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1,
                                             text=text)))
    return uri


def close_file(client: TestClient, uri: str) -> None:
    client.documents.pop(uri, None)
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))


def change(client: TestClient, uri: str, changes: Sequence[types.TextEdit]) -> int:
    """Send edits (which all refer to the current text) as incremental changes."""
    document = client.documents[uri]
    ordered = sorted(changes, key=lambda e: (e.range.start.line, e.range.start.character),
                     reverse=True)
    events = [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
              for e in ordered]
    for event in events:
        document.apply_change(event)
    document.version = (document.version or 0) + 1
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=document.version),
        content_changes=events))  # type: ignore[arg-type]
    return document.version


async def diagnostics(client: TestClient, uri: str,
                      predicate: Callable[[Sequence[types.Diagnostic]], bool] = lambda d: True,
                      ) -> Sequence[types.Diagnostic]:
    """The buffer's current diagnostics: pulled, or the pushed ones for its current version
    that satisfy `predicate` (results of file events keep the version)."""
    if client.pull:  # pull; if not there yet, pull again when the server says to refresh
        while True:
            refreshes = client.refreshes
            report = await client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(uri=uri)))
            assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
            if predicate(report.items):
                return report.items
            await until(client, lambda r=refreshes: client.refreshes > r,
                        "workspace/diagnostic/refresh")
    version = client.documents[uri].version if uri in client.documents else None

    def current() -> Sequence[types.Diagnostic] | None:
        params = client.published.get(uri)
        if params is None or (version is not None and params.version != version):
            return None
        return params.diagnostics if predicate(params.diagnostics) else None

    found = await until(client, lambda: (d := current()) is not None and (d,),
                        f"diagnostics for {uri}")
    return found[0]


def codes(items: Sequence[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in items)


def apply_workspace_edit(client: TestClient, edit: types.WorkspaceEdit) -> dict[str, int]:
    """Apply an edit to the open buffers as the editor would (as didChange). -> versions"""
    versions = {}
    if edit.document_changes:
        for item in edit.document_changes:
            assert isinstance(item, types.TextDocumentEdit), item
            uri = item.text_document.uri
            assert item.text_document.version == client.documents[uri].version
            versions[uri] = change(client, uri, item.edits)  # type: ignore[arg-type]
    for uri, edits in (edit.changes or {}).items():
        versions[uri] = change(client, uri, edits)
    return versions

"""The dashm language server: protocol glue only.

Each handler reads its params, calls the feature module that does the work (`analysis`,
`actions`, `commands`, `lenses`, `hover`, `links`) and returns lsprotocol types. Logs go to
`window/logMessage` and stderr, never stdout (which carries the protocol).
"""

from __future__ import annotations

import logging
import sys
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

from dashm import __version__
from dashm.lsp import (
    actions,
    analysis,
    commands,
    convert,
    hover,
    lenses,
    links,
    notebooks,
    workspace_fix,
)
from dashm.lsp.analysis import Session
from dashm.lsp.documents import LspWorkspace
from dashm.lsp.settings import SECTION, parse_settings
from dashm.workspace import evidence
from dashm.workspace.paths import is_within

log = logging.getLogger(__name__)

WATCHED_GLOBS = ("**/*.py", "**/*.pyi", "**/__init__.py", "**/pyproject.toml", "**/setup.py",
                 "**/setup.cfg",
                 # What DM202-DM205 read: where a project says how its code is run.
                 "**/.vscode/{launch,tasks}.json", "**/{Makefile,makefile,GNUmakefile,justfile}",
                 "**/README*", "**/.github/workflows/*.{yml,yaml}", "**/Dockerfile*",
                 "**/{Procfile,tox.ini,.gitlab-ci.yml}")
# Editors report a folder deleted, moved or created as one event for the folder itself, which
# no file glob matches: watch every path for creation and deletion, and keep only folders.
FOLDER_WATCHER = types.FileSystemWatcher(glob_pattern="**/*",
                                         kind=types.WatchKind.Create | types.WatchKind.Delete)


def pull_diagnostics(capabilities: types.ClientCapabilities) -> bool:
    """Pull only when the client can also be told to pull again (refresh) after file events."""
    return bool(get_capability(capabilities, "text_document.diagnostic", None)
                and get_capability(capabilities, "workspace.diagnostics.refresh_support", False))


class DashmProtocol(LanguageServerProtocol):
    """Advertises pull diagnostics only to clients that will use them well, and keeps
    documents whose lines break as the editor's do."""

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Any:
        result = yield from super().lsp_initialize(params)
        # pygls builds its Workspace inside initialize; no document exists yet, and the
        # subclass only changes which document class it creates.
        self._workspace.__class__ = LspWorkspace
        if not pull_diagnostics(params.capabilities):
            result.capabilities.diagnostic_provider = None
        return result

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        """`$/cancelRequest` for a request already answered is routine (VS Code cancels code
        actions and lenses as the cursor moves, often after the answer left): not a warning."""
        if msg_id in self._request_futures:
            super()._handle_cancel_notification(msg_id)


class DashmServer(LanguageServer):
    def __init__(self, python: str | None = None) -> None:
        super().__init__("dashm", __version__, protocol_cls=DashmProtocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         notebook_document_sync=notebooks.SYNC)
        self.session = Session(python=python)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Errors become log messages: the server keeps going and never pops up a crash."""
        log.error("dashm: %s: %s", getattr(source, "__name__", source), error)
        try:
            self.window_log_message(types.LogMessageParams(
                type=types.MessageType.Error, message=f"dashm: internal error: {error}"))
        except Exception:  # the connection itself is gone
            log.exception("could not report an error to the client")


server = DashmServer()


# -- lifecycle ----------------------------------------------------------------------------
@server.feature(types.INITIALIZE)
def initialize(ls: DashmServer, params: types.InitializeParams) -> None:
    """initialize: settings from initializationOptions, one Workspace per folder."""
    ls.session.pull = pull_diagnostics(params.capabilities)
    settings, problems = parse_settings(params.initialization_options)
    ls.session.initial_settings = settings
    for problem in problems:
        analysis.report_once(ls, problem)
    uris = [f.uri for f in params.workspace_folders or []]
    if not uris and params.root_uri:
        uris = [params.root_uri]
    elif not uris and params.root_path:
        uris = [convert.uri_of(Path(params.root_path))]
    for uri in uris:
        analysis.add_folder(ls, uri)


@server.feature(types.INITIALIZED)
async def initialized(ls: DashmServer, params: types.InitializedParams) -> None:
    """initialized: watch files, read folder settings, then scan every folder (with progress)."""
    ready = ls.session.wait_ready()
    try:
        if get_capability(ls.client_capabilities,
                          "workspace.did_change_watched_files.dynamic_registration", False):
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[
                types.Registration(
                    id=str(uuid.uuid4()), method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[
                        *(types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS),
                        FOLDER_WATCHER]))]))
        await load_configuration(ls)
    except Exception as error:
        analysis.log_message(ls, f"dashm: setup incomplete: {error!r}", types.MessageType.Error)
    finally:
        ready.set()
    for folder in list(ls.session.folders.values()):
        analysis.start_scan(ls, folder, progress=True)


async def load_configuration(ls: DashmServer) -> bool:
    """Read `dashm` settings per folder; True if any folder's settings changed."""
    folders = list(ls.session.folders.values())
    if not folders or not get_capability(ls.client_capabilities, "workspace.configuration",
                                         False):
        return False
    values = await ls.workspace_configuration_async(types.ConfigurationParams(items=[
        types.ConfigurationItem(section=SECTION, scope_uri=f.uri) for f in folders]))
    changed = False
    for folder, value in zip(folders, values or [], strict=False):
        settings, problems = parse_settings(value, ls.session.initial_settings)
        for problem in problems:
            analysis.report_once(ls, f"{folder.path.name}: {problem}")
        changed |= analysis.update_settings(ls, folder, settings)
    return changed


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: DashmServer,
                                   params: types.DidChangeConfigurationParams) -> None:
    """workspace/didChangeConfiguration: re-read settings; re-check if they changed."""
    if get_capability(ls.client_capabilities, "workspace.configuration", False):
        changed = await load_configuration(ls)
    else:  # clients that push their settings instead
        settings, problems = parse_settings(params.settings, ls.session.initial_settings)
        for problem in problems:
            analysis.report_once(ls, problem)
        ls.session.initial_settings = settings
        changed = False
        for folder in ls.session.folders.values():
            changed |= analysis.update_settings(ls, folder, settings)
    if changed:
        analysis.recheck_open(ls)
        for folder in ls.session.folders.values():
            analysis.start_scan(ls, folder)


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
async def did_change_workspace_folders(ls: DashmServer,
                                       params: types.DidChangeWorkspaceFoldersParams) -> None:
    """workspace/didChangeWorkspaceFolders: drop removed folders, set up and scan added ones."""
    for removed in params.event.removed:
        path = analysis.path_of(removed.uri)
        if path is not None:
            analysis.forget_folder(ls, path)
    added = [f for a in params.event.added if (f := analysis.add_folder(ls, a.uri))]
    await load_configuration(ls)
    analysis.recheck_open(ls)
    for folder in added:
        analysis.start_scan(ls, folder, progress=True)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def did_change_watched_files(ls: DashmServer,
                                   params: types.DidChangeWatchedFilesParams) -> None:
    """workspace/didChangeWatchedFiles: forget what changed, re-check open files, rescan; a
    `.venv` made or removed may change a folder's interpreter."""
    if any((p := analysis.path_of(change.uri)) and analysis.is_venv_change(p)
           for change in params.changes):
        folders = [*ls.session.folders.values(), *ls.session.loose.values()]
        changed = await ls.session.run(
            lambda: [f for f in folders if analysis.refresh_interpreter(ls, f)])
        for folder in changed:
            analysis.log_message(ls, f"dashm: {folder.path.name} now runs with "
                                 f"{folder.workspace.interpreter}")
        if changed:
            analysis.recheck_open(ls)
            for folder in changed:
                if folder.in_workspace:
                    analysis.start_scan(ls, folder, delay=analysis.RESCAN_DELAY_SECONDS)
    paths = [p for change in params.changes
             if (p := analysis.path_of(change.uri)) and analysis.may_change_results(p)]
    if not paths:
        return
    if any(analysis.is_evidence(p) for p in paths):
        evidence.forget_listings()  # the next check lists those folders again
    workspaces = [f.workspace for f in (*ls.session.folders.values(),
                                        *ls.session.loose.values())]

    def invalidate() -> None:
        for workspace in workspaces:
            for path in paths:
                workspace.invalidate(path)

    await ls.session.run(invalidate)
    analysis.recheck_open(ls)
    for folder in ls.session.folders.values():
        if any(is_within(p, folder.path) for p in paths):
            analysis.start_scan(ls, folder, delay=analysis.RESCAN_DELAY_SECONDS)


# -- documents ----------------------------------------------------------------------------
def _tracked(uri: str, language_id: str | None = None) -> bool:
    return analysis.is_python(uri, language_id) or analysis.is_entry_file(uri)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: DashmServer, params: types.DidOpenTextDocumentParams) -> None:
    """textDocument/didOpen: check the buffer now."""
    document = params.text_document
    if not _tracked(document.uri, document.language_id):
        return
    if ls.session.disk_published.pop(document.uri, None) and ls.session.pull:
        # The buffer's results now come by pull; drop the pushed ones so none show twice.
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=document.uri, diagnostics=[]))
    analysis.schedule(ls, document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: DashmServer, params: types.DidChangeTextDocumentParams) -> None:
    """textDocument/didChange (incremental): debounce, then check the unsaved text."""
    if _tracked(params.text_document.uri):
        analysis.schedule(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: DashmServer, params: types.DidSaveTextDocumentParams) -> None:
    """textDocument/didSave: a saved pyproject.toml changes layout and settings for all files."""
    uri = params.text_document.uri
    path = analysis.path_of(uri)
    if path is None or not _tracked(uri):
        return
    if analysis.is_pyproject(uri):
        await did_change_watched_files(ls, types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=uri, type=types.FileChangeType.Changed)]))
    else:
        folder = analysis.folder_for(ls, path)
        await ls.session.run(folder.workspace.invalidate, path)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
async def did_close(ls: DashmServer, params: types.DidCloseTextDocumentParams) -> None:
    """textDocument/didClose: back to the file on disk, as the workspace scan reports it."""
    uri = params.text_document.uri
    pending = ls.session.pending.pop(uri, None)
    if pending is not None:
        pending.cancel()
    ls.session.results.pop(uri, None)
    path = analysis.path_of(uri)
    if path is None or not _tracked(uri):
        return
    if not ls.session.pull:
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, diagnostics=[]))
    await analysis.check_closed(ls, path)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
def notebook_did_open(ls: DashmServer, params: types.DidOpenNotebookDocumentParams) -> None:
    """notebookDocument/didOpen: check the notebook's code cells now, as one module."""
    notebooks.schedule(ls, params.notebook_document.uri, 0)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
def notebook_did_change(ls: DashmServer, params: types.DidChangeNotebookDocumentParams) -> None:
    """notebookDocument/didChange (cells edited, added, removed): debounce, then check."""
    notebooks.schedule(ls, params.notebook_document.uri)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
def notebook_did_save(ls: DashmServer, params: types.DidSaveNotebookDocumentParams) -> None:
    """notebookDocument/didSave: nothing to do (the editor's cells are what is checked)."""


@server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
def notebook_did_close(ls: DashmServer, params: types.DidCloseNotebookDocumentParams) -> None:
    """notebookDocument/didClose: its cells' diagnostics go."""
    notebooks.close(ls, params.notebook_document.uri,
                    [c.uri for c in params.cell_text_documents])


@server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DiagnosticOptions(
    identifier="dashm", inter_file_dependencies=True, workspace_diagnostics=False))
async def document_diagnostic(ls: DashmServer, params: types.DocumentDiagnosticParams
                              ) -> types.DocumentDiagnosticReport:
    """textDocument/diagnostic: the buffer's findings, computed for its current version."""
    outcome = await analysis.fresh(ls, params.text_document.uri)
    if outcome is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    if params.previous_result_id and params.previous_result_id == outcome.result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=outcome.result_id)
    return types.RelatedFullDocumentDiagnosticReport(items=outcome.diagnostics,
                                                     result_id=outcome.result_id)


# -- features -----------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
    code_action_kinds=[types.CodeActionKind.QuickFix, actions.IGNORE_KIND,
                       actions.FIX_ALL_KIND]))
async def code_action(ls: DashmServer, params: types.CodeActionParams
                      ) -> list[types.CodeAction] | None:
    """textDocument/codeAction: quick fixes, Run as module, and source.fixAll.dashm."""
    return await actions.code_actions(ls, params)


@server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
async def code_lens(ls: DashmServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    """textDocument/codeLens: Run / Debug as module over __main__ guards and __main__.py."""
    return await lenses.code_lenses(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def on_hover(ls: DashmServer, params: types.HoverParams) -> types.Hover | None:
    """textDocument/hover: where an import goes in module mode and in script mode."""
    return await hover.hover(ls, params)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK,
                types.DocumentLinkOptions(resolve_provider=False))
async def document_link(ls: DashmServer, params: types.DocumentLinkParams
                        ) -> list[types.DocumentLink] | None:
    """textDocument/documentLink: pyproject.toml script entries -> their module files."""
    return await links.document_links(ls, params.text_document.uri)


@server.command(commands.MODULE_INVOCATION)
async def module_invocation(ls: DashmServer, *args: Any) -> dict[str, object]:
    """dashm.moduleInvocation {uri} -> {module, cwd, argv, reason}."""
    return await commands.module_invocation(ls, *args)


@server.command(commands.FIX_ALL)
async def fix_all(ls: DashmServer, *args: Any) -> dict[str, object]:
    """dashm.fixAll {uri}: apply every safe fix to the buffer via workspace/applyEdit."""
    return await commands.fix_all(ls, *args)


@server.command(workspace_fix.FIX_WORKSPACE)
async def fix_workspace(ls: DashmServer, *args: Any) -> dict[str, object]:
    """dashm.fixWorkspace [{uri}]: every safe fix of the workspace (or the folder of `uri`)
    as one edit with a preview, exactly what `dashm check --fix` would do."""
    return await workspace_fix.fix_workspace(ls, *args)


@server.command(commands.SHOW_DOCUMENT)
async def show_document(ls: DashmServer, *args: Any) -> dict[str, object]:
    """dashm.showDocument {uri}: the editor shows the file (after a fix created it)."""
    return await commands.show_document(ls, *args)


@server.command(commands.RUN_MODULE)
async def run_module(ls: DashmServer, *args: Any) -> dict[str, object]:
    """dashm.runModule {invocation}: editors run it themselves; others get the command line."""
    return await commands.say_how_to_run(ls, commands.RUN_MODULE, *args)


@server.command(commands.DEBUG_MODULE)
async def debug_module(ls: DashmServer, *args: Any) -> dict[str, object]:
    """dashm.debugModule {invocation}: editors debug it themselves; others get the command line."""
    return await commands.say_how_to_run(ls, commands.DEBUG_MODULE, *args)


@server.feature(types.SHUTDOWN)
def shutdown(ls: DashmServer, params: None) -> None:
    """shutdown: stop background work."""
    for task in [*ls.session.pending.values(), *ls.session.scans.values()]:
        task.cancel()
    ls.session.pool.shutdown(wait=False, cancel_futures=True)


def serve(python: str | None = None) -> None:
    """`python -m dashm serve`: run the server on stdin/stdout."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="dashm %(levelname)s %(name)s: %(message)s")
    server.session.python = python
    server.start_io()

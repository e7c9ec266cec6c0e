"""Workspaces, open documents and analysis: the state behind diagnostics.

One `Workspace` per workspace folder (each with its own settings). Analysis runs on a single
worker thread, so the core (not thread-safe) is never entered twice at once and the event loop
never blocks on an interpreter query. Edits are debounced per document: a new edit cancels the
pending check, and a result whose document version (or analysis generation: settings, watched
files) is no longer current is dropped, so stale results never overwrite newer ones.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import os
import sys
import time
from collections.abc import Callable, Container, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls import uris
from pygls.workspace import TextDocument

from dashm.findings import Finding, Position, Range
from dashm.lsp import convert, warm_start
from dashm.lsp.settings import EditorSettings
from dashm.rules import check_source, entrypoints
from dashm.workspace import (
    InterpreterError,
    SourceFile,
    SourceProblem,
    Workspace,
    entry_files,
    evidence,
)
from dashm.workspace.environment import default_interpreter
from dashm.workspace.facts import FileFacts
from dashm.workspace.notebook import NOTEBOOK_SUFFIX
from dashm.workspace.partial import line_map, partial_facts
from dashm.workspace.paths import PROJECT_MARKERS, is_within, workspace_folder
from dashm.workspace.walk import walk_entry_files, walk_python_files

if TYPE_CHECKING:
    from dashm.lsp.server import DashmServer

log = logging.getLogger(__name__)
T = TypeVar("T")

DEBOUNCE_SECONDS = 0.15
CHEAP_CHECK_SECONDS = 0.02  # a buffer whose last check took less is checked on every edit
RESCAN_DELAY_SECONDS = 0.3
# A scan checks closed files on the analysis thread in trips of at most this long, so that an
# edit waits at most about this long for the thread (the files a trip takes vary: a Python
# file costs a fraction of a millisecond, a pyproject.toml ten or more).
SCAN_TRIP_SECONDS = 0.03
SCAN_BATCH_FILES = 512  # files per progress report while a scan checks them
READ_WAIT_SECONDS = 30.0  # at most, for a quick fix asked while the facts are being read


@dataclass
class Folder:
    """A workspace folder (or the project of a file opened outside every folder)."""

    uri: str
    path: Path
    settings: EditorSettings
    workspace: Workspace
    in_workspace: bool = True


@dataclass
class Outcome:
    """The analysis of one text: a buffer version, or the file on disk (version None)."""

    uri: str
    version: int | None
    generation: int
    source: SourceFile | None
    findings: list[Finding]
    diagnostics: list[types.Diagnostic]
    # True when the buffer did not parse: the findings are those of its other lines, or the
    # last good ones moved with the edits; none carries a fix.
    kept: bool = False
    result_id: str = ""
    # True when it was answered while the folder's facts were still being read, without the
    # passes over the whole workspace: its findings carry no fix (see `complete`).
    partial: bool = False


@dataclass
class Session:
    """Everything the server knows between requests."""

    python: str | None = None
    initial_settings: EditorSettings = field(default_factory=EditorSettings)
    folders: dict[Path, Folder] = field(default_factory=dict)
    loose: dict[Path, Folder] = field(default_factory=dict)
    generation: int = 0
    results: dict[str, Outcome] = field(default_factory=dict)
    notebooks: dict[str, Any] = field(default_factory=dict)  # uri -> notebooks.Checked
    pending: dict[str, asyncio.Task[Any]] = field(default_factory=dict)
    last_edit: dict[str, float] = field(default_factory=dict)
    check_cost: dict[str, float] = field(default_factory=dict)
    disk_published: dict[str, list[types.Diagnostic]] = field(default_factory=dict)
    # Open buffers answered while a scan was still reading the facts (without the passes over
    # every file): they are checked again once it has read them all.
    provisional: set[str] = field(default_factory=set)
    read: dict[Path, asyncio.Event] = field(default_factory=dict)  # folder -> facts all read
    scans: dict[Path, asyncio.Task[Any]] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)
    pull: bool = False
    ready: asyncio.Event | None = None
    pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="dashm-analysis"))
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run core code on the analysis thread."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, function, *args)

    def next_id(self) -> str:
        return str(next(self._ids))

    def wait_ready(self) -> asyncio.Event:
        if self.ready is None:
            self.ready = asyncio.Event()
        return self.ready


# -- messages -----------------------------------------------------------------------------
def log_message(ls: DashmServer, message: str,
                kind: types.MessageType = types.MessageType.Log) -> None:
    log.info("%s", message)
    ls.window_log_message(types.LogMessageParams(type=kind, message=message))


def report_once(ls: DashmServer, message: str,
                kind: types.MessageType = types.MessageType.Warning) -> None:
    """Show `message` to the user the first time only (bad settings, unusable interpreter)."""
    if message in ls.session.reported:
        return
    ls.session.reported.add(message)
    log_message(ls, message, kind)
    ls.window_show_message(types.ShowMessageParams(type=kind, message=f"dashm: {message}"))


# -- folders ------------------------------------------------------------------------------
def path_of(uri: str) -> Path | None:
    """The file a URI names, or None (untitled buffers, notebook cells, other schemes)."""
    if not uri.startswith("file:"):
        return None
    path = uris.to_fs_path(uri)
    return Path(os.path.abspath(path)) if path else None


def folder_for(ls: DashmServer, path: Path) -> Folder:
    """The innermost workspace folder holding `path`; else a folder for its own project."""
    best: Folder | None = None
    for folder in ls.session.folders.values():
        if is_within(path, folder.path) and (
                best is None or len(folder.path.parts) > len(best.path.parts)):
            best = folder
    if best is not None:
        return best
    project = workspace_folder(path)  # the command line's model, so both answer alike
    loose = ls.session.loose.get(project)
    if loose is None:
        settings = ls.session.initial_settings
        loose = ls.session.loose[project] = Folder(
            convert.uri_of(project), project, settings, _workspace(ls, project, settings),
            in_workspace=False)
    return loose


def _workspace(ls: DashmServer, path: Path, settings: EditorSettings) -> Workspace:
    return Workspace(path, settings.interpreter_for(path, ls.session.python), settings.core())


def add_folder(ls: DashmServer, uri: str, settings: EditorSettings | None = None) -> Folder | None:
    path = path_of(uri)
    if path is None:
        log_message(ls, f"ignoring workspace folder {uri}: only file: folders are supported",
                    types.MessageType.Warning)
        return None
    settings = settings or ls.session.initial_settings
    folder = Folder(uri, path, settings, _workspace(ls, path, settings))
    ls.session.folders[path] = folder
    return folder


def refresh_interpreter(ls: DashmServer, folder: Folder) -> bool:
    """Choose the folder's interpreter again (on the analysis thread): when neither the editor
    nor `--python` names one, a `.venv` made (or removed) since is what runs the project. True
    if the choice changed."""
    chosen = folder.settings.interpreter_for(folder.path, ls.session.python) or \
        default_interpreter(folder.workspace.folder)
    if chosen == folder.workspace.interpreter:
        return False
    folder.workspace.set_interpreter(chosen)
    return True


VENV_NAMES = frozenset({".venv", "venv"})


def is_venv_change(path: Path) -> bool:
    """A created or deleted path that can change which interpreter a folder's `.venv` or
    `venv` offers (the folder itself, its pyvenv.cfg or its interpreter)."""
    return path.name in VENV_NAMES or path.name == "pyvenv.cfg" or (
        path.parent.name in ("bin", "Scripts") and path.parent.parent.name in VENV_NAMES)


def update_settings(ls: DashmServer, folder: Folder, settings: EditorSettings) -> bool:
    """Apply new settings to a folder; True if analysis results can change."""
    if settings == folder.settings:
        return False
    old = folder.settings
    folder.settings = settings
    if old.core() != settings.core():
        folder.workspace = _workspace(ls, folder.path, settings)
    else:
        folder.workspace.set_interpreter(settings.interpreter_for(folder.path, ls.session.python))
    return True


# -- analysis (on the worker thread) ------------------------------------------------------
def analyze(workspace: Workspace, path: Path, text: str | None
            ) -> tuple[SourceFile | SourceProblem, list[Finding]]:
    """Check one Python file's text (a buffer) or its file on disk."""
    source = workspace.source(path, text)
    if isinstance(source, SourceProblem) or source.facts.syntax_error is not None:
        return source, []
    return source, check_source(workspace, source)


def analyze_buffer(workspace: Workspace, path: Path, text: str
                   ) -> tuple[SourceFile | SourceProblem, list[Finding], bool]:
    """`analyze` of an open buffer, answered at once: while a scan still reads the facts,
    passes over every file are skipped. True when one was (`partial`)."""
    workspace.quick, workspace.partial = True, False
    try:
        source, findings = analyze(workspace, path, text)
        return source, findings, workspace.partial
    finally:
        workspace.quick = workspace.partial = False


def analyze_broken(workspace: Workspace, source: SourceFile
                   ) -> tuple[SourceFile, list[Finding]] | None:
    """A buffer with a syntax error: the findings of the lines that still parse (without
    fixes: they were judged without the broken lines), or None when too much is broken."""
    error = source.facts.syntax_error
    facts = partial_facts(source.text, error.position.line) if error else None
    if facts is None:
        return None
    partial = SourceFile(source.path, source.text, facts)
    return partial, [dataclasses.replace(f, fix=None) for f in check_source(workspace, partial)]


def moved(findings: list[Finding], old_text: str, new_text: str) -> list[Finding]:
    """`findings` of `old_text` where their lines are in `new_text`: moved with the lines
    above them, dropped where the edit touched their lines; never a fix (it was made for the
    old text)."""
    where = line_map(old_text, new_text)
    kept = []
    for finding in findings:
        start, end = finding.range.start, finding.range.end
        new_start, new_end = where(start.line), where(end.line)
        if new_start is None or new_end is None or new_end - new_start != end.line - start.line:
            continue
        kept.append(dataclasses.replace(finding, fix=None, range=Range(
            Position(new_start, start.column), Position(new_end, end.column))))
    return kept


def paused_diagnostic(source: SourceFile, codec: Any, lines: list[str]) -> types.Diagnostic:
    """The one diagnostic that says why the buffer's results are partial, on the error's line."""
    error = source.facts.syntax_error
    line = min(error.position.line if error else 0, max(len(lines) - 1, 0))
    text = lines[line].rstrip("\r\n") if lines else ""
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=line, character=0),
                          end=types.Position(line=line, character=codec.client_num_units(text))),
        message=f"dashm paused on a syntax error at line {line + 1}",
        severity=types.DiagnosticSeverity.Information, source=convert.SOURCE,
        data={"paused": True})


def diagnostics_of(findings: list[Finding], settings: EditorSettings, codec: Any,
                   lines: list[str]) -> list[types.Diagnostic]:
    """The findings as diagnostics, with the severities the user chose (`dashm.severity`)."""
    diagnostics = []
    for finding in findings:
        diagnostic = convert.diagnostic(finding, codec, lines)
        chosen = settings.severity_of(finding.code) if settings.severity else None
        if chosen in CLIENT_SEVERITIES:
            diagnostic.severity = CLIENT_SEVERITIES[chosen]
        diagnostics.append(diagnostic)
    return diagnostics


CLIENT_SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def pyproject_problems(workspace: Workspace, path: Path) -> list[str]:
    workspace.reread_projects()  # as the file is now (not everything else a change may move)
    project = workspace.project_for(path)
    return [p for p in project.problems if p.startswith(str(path))] if project.folder == \
        path.parent else []


# Files whose creation or deletion changes what an import finds.
WATCHED_SUFFIXES = frozenset({".py", ".pyi", ".pyw", ".so", ".pyd"})
# Tools' own folders: what happens inside them never changes dashm's results, and a commit or
# a test run creates and deletes many extension-less files there (which look like folders).
TOOL_FOLDERS = frozenset({".git", ".hg", ".svn", ".bzr", "__pycache__", ".mypy_cache",
                          ".pytest_cache", ".ruff_cache", ".dashm_cache", ".hypothesis",
                          "node_modules", ".tox", ".nox"})


def scanned_files(folder: Path) -> Iterator[Path | SourceProblem]:
    """The Python files a scan checks: not notebooks, whose findings belong in their cells
    and are shown while the notebook is open (notebooks.py)."""
    for item in walk_python_files(folder):
        if not (isinstance(item, Path) and item.suffix == NOTEBOOK_SUFFIX):
            yield item


def may_change_results(path: Path) -> bool:
    """Whether a created, changed or deleted path can change results: a Python file, a
    project file, a file DM202-DM205 read (README, Makefile, launch.json, CI workflows...),
    or a folder (one that exists, or a deleted path with no suffix)."""
    if not TOOL_FOLDERS.isdisjoint(path.parts):
        return False
    if path.suffix in WATCHED_SUFFIXES or path.name in PROJECT_MARKERS \
            or is_evidence(path):
        return True
    return path.is_dir() or (not path.suffix and not path.exists())


def is_evidence(path: Path) -> bool:
    """A file DM202-DM205 read: where a project says how its code is run."""
    return entry_files.is_entry_file(path) or evidence.may_hold_evidence(path)


def is_python(uri: str, language_id: str | None = None) -> bool:
    return language_id == "python" or uri.endswith((".py", ".pyi"))


def is_pyproject(uri: str) -> bool:
    return uri.endswith("/pyproject.toml")


def is_entry_file(uri: str) -> bool:
    """pyproject.toml (DM204), `.vscode/launch.json` / `tasks.json`, a Makefile (DM205)."""
    path = path_of(uri)
    return path is not None and entry_files.is_entry_file(path)


def entry_file_check(workspace: Workspace, path: Path, text: str
                     ) -> tuple[SourceFile, list[Finding], list[str]]:
    """Findings of a non-Python buffer, and pyproject.toml's other problems (a TOML syntax
    error is a DM204 finding, so it is not repeated as a problem)."""
    problems = pyproject_problems(workspace, path) if path.name == "pyproject.toml" else []
    problems = [p for p in problems if "cannot be read as TOML" not in p]
    findings = entrypoints.check_entry_text(workspace, path, text)
    return SourceFile(path, text, FileFacts()), findings, problems


async def check(ls: DashmServer, uri: str) -> Outcome | None:
    """Analyse the open buffer `uri` now; None if it was closed or changed meanwhile."""
    await ls.session.wait_ready().wait()
    document = ls.workspace.text_documents.get(uri)
    path = path_of(uri)
    if document is None or path is None:
        return None
    version, text, generation = document.version, document.source, ls.session.generation
    folder = folder_for(ls, path)
    codec = ls.workspace.position_codec
    previous = ls.session.results.get(uri)
    settings = folder.settings
    try:
        if not settings.enable:
            outcome = Outcome(uri, version, generation, None, [], [])
        elif is_entry_file(uri):
            entry, found, problems = await ls.session.run(entry_file_check, folder.workspace,
                                                          path, text)
            lines = convert.lines_of(text)  # findings' diagnostics first, then problems
            outcome = Outcome(uri, version, generation, entry, found,
                              [*diagnostics_of(found, settings, codec, lines),
                               *(convert.problem_diagnostic(p) for p in problems)])
        else:
            source, findings, partial = await ls.session.run(analyze_buffer, folder.workspace,
                                                             path, text)
            if partial:
                # Answered without the whole workspace: shown, but no fix is offered on it
                # (it may name the module wrongly), and it is checked again once all is read.
                findings = [dataclasses.replace(f, fix=None) for f in findings]
                if folder.workspace.reading:
                    ls.session.provisional.add(uri)  # (_read)
                else:  # all was read meanwhile: at once
                    schedule(ls, uri, 0)
            if isinstance(source, SourceProblem):
                outcome = Outcome(uri, version, generation, None, [],
                                  [convert.problem_diagnostic(f"dashm: {source.reason}")])
            elif source.facts.syntax_error is not None:
                outcome = await _paused(ls, folder, uri, version, generation, source, previous)
            else:
                # (Splitting a 60,000-line buffer costs ~20 ms: only when there is a finding.)
                lines = convert.lines_of(source.text) if findings else []
                outcome = Outcome(uri, version, generation, source, findings,
                                  diagnostics_of(findings, settings, codec, lines),
                                  partial=partial)
    except InterpreterError as error:
        report_once(ls, f"{folder.path}: {error}", types.MessageType.Error)
        outcome = Outcome(uri, version, generation, None, [], [])
    except Exception as error:  # a bug in one file's analysis: log it, keep serving
        log.exception("checking %s failed", uri)
        log_message(ls, f"dashm: checking {uri} failed: {error!r}", types.MessageType.Error)
        outcome = Outcome(uri, version, generation, None, [], [])
    current = ls.workspace.text_documents.get(uri)
    if current is None or current.version != version or ls.session.generation != generation:
        return None
    if previous is not None and previous.diagnostics == outcome.diagnostics:
        outcome.result_id = previous.result_id
    else:
        outcome.result_id = ls.session.next_id()
    ls.session.results[uri] = outcome
    return outcome


async def _paused(ls: DashmServer, folder: Folder, uri: str, version: int | None,
                  generation: int, source: SourceFile, previous: Outcome | None) -> Outcome:
    """A buffer that does not parse (the user is mid-edit; the syntax error itself is the
    Python language server's to report): the findings of the lines that still parse, else the
    last results moved with the edits, and one diagnostic saying dashm paused, and where."""
    partial = await ls.session.run(analyze_broken, folder.workspace, source)
    if partial is not None:
        shown, findings = partial
    else:
        shown = source
        findings = moved(previous.findings, previous.source.text, source.text) \
            if previous is not None and previous.source is not None else []
    lines = convert.lines_of(source.text)
    codec = ls.workspace.position_codec
    diagnostics = [*diagnostics_of(findings, folder.settings, codec, lines),
                   paused_diagnostic(source, codec, lines)]
    return Outcome(uri, version, generation, shown, findings, diagnostics, kept=True)


async def fresh(ls: DashmServer, uri: str) -> Outcome | None:
    """The analysis of the buffer as it is now (computed if needed)."""
    for _ in range(5):
        document = ls.workspace.text_documents.get(uri)
        if document is None:
            return None
        outcome = ls.session.results.get(uri)
        if (outcome is not None and outcome.version == document.version
                and outcome.generation == ls.session.generation):
            return outcome
        outcome = await check(ls, uri)
        if outcome is not None:
            return outcome
    return None


async def complete(ls: DashmServer, uri: str) -> Outcome | None:
    """`fresh`, but never a partial answer while its folder's facts are still being read:
    for requests that act on the findings (quick fixes, fix all), worth a short wait."""
    outcome = await fresh(ls, uri)
    path = path_of(uri)
    if outcome is None or not outcome.partial or path is None:
        return outcome
    event = ls.session.read.get(folder_for(ls, path).path)
    if event is not None:
        try:
            await asyncio.wait_for(event.wait(), READ_WAIT_SECONDS)
        except TimeoutError:
            return outcome  # still reading: what is known, without fixes
    return await fresh(ls, uri)


def schedule(ls: DashmServer, uri: str, delay: float = DEBOUNCE_SECONDS) -> None:
    """(Re)start the debounced check of an open buffer; push its diagnostics when current."""
    pending = ls.session.pending.pop(uri, None)
    if pending is not None:
        pending.cancel()
    now = asyncio.get_running_loop().time()
    if delay == DEBOUNCE_SECONDS and pending is None and (
            now - ls.session.last_edit.get(uri, float("-inf")) >= DEBOUNCE_SECONDS
            or ls.session.check_cost.get(uri, 1.0) < CHEAP_CHECK_SECONDS):
        # Nothing in flight for this buffer, and either the edit follows a pause or checking
        # it is cheap: check at once. Edits that arrive while a check runs wait for a pause,
        # and each cancels the one before (a storm costs one check per pause, not per edit).
        delay = 0
    ls.session.last_edit[uri] = now
    if ls.session.pull:
        return  # the client pulls; it is told to when results change without an edit
    ls.session.pending[uri] = asyncio.ensure_future(_check_later(ls, uri, delay))


async def _check_later(ls: DashmServer, uri: str, delay: float) -> None:
    try:
        if delay:
            await asyncio.sleep(delay)
        started = asyncio.get_running_loop().time()
        outcome = await check(ls, uri)
        ls.session.check_cost[uri] = asyncio.get_running_loop().time() - started
        if outcome is not None:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, version=outcome.version, diagnostics=outcome.diagnostics))
    except asyncio.CancelledError:
        raise
    except Exception as error:  # never let one file take the server down
        log.exception("checking %s failed", uri)
        log_message(ls, f"dashm: checking {uri} failed: {error!r}", types.MessageType.Error)
    finally:
        if ls.session.pending.get(uri) is asyncio.current_task():
            del ls.session.pending[uri]


def recheck_open(ls: DashmServer) -> None:
    """Results may have changed without an edit: recheck every open buffer."""
    ls.session.generation += 1
    if ls.session.pull:
        refresh = ls.client_capabilities.workspace and ls.client_capabilities.workspace.diagnostics
        if refresh and refresh.refresh_support:
            ls.workspace_diagnostic_refresh(None)
    else:
        for uri, document in list(ls.workspace.text_documents.items()):
            if is_python(uri, document.language_id) or is_entry_file(uri):
                schedule(ls, uri, 0)
    from dashm.lsp import notebooks  # (it builds on this module)

    for uri in list(ls.workspace.notebook_documents):  # their cells' diagnostics are pushed
        notebooks.schedule(ls, uri, 0)
    lens = ls.client_capabilities.workspace and ls.client_capabilities.workspace.code_lens
    if lens and lens.refresh_support:
        ls.workspace_code_lens_refresh(None)


# -- workspace scans ----------------------------------------------------------------------
def open_document(ls: DashmServer, path: Path) -> TextDocument | None:
    """The editor's buffer of `path`, if it is open."""
    for uri, document in ls.workspace.text_documents.items():
        if path_of(uri) == path:
            return document
    return None


def open_paths(ls: DashmServer) -> set[Path]:
    return {p for uri in ls.workspace.text_documents if (p := path_of(uri)) is not None}


def publish_disk(ls: DashmServer, uri: str, diagnostics: list[types.Diagnostic]) -> None:
    """Push results of a file that is not open, skipping ones already sent."""
    if ls.session.disk_published.get(uri, []) == diagnostics:
        return
    if diagnostics:
        ls.session.disk_published[uri] = diagnostics
    else:
        ls.session.disk_published.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=uri, diagnostics=diagnostics))


def _disk_diagnostics(workspace: Workspace, path: Path, codec: Any,
                      settings: EditorSettings) -> list[types.Diagnostic]:
    source, findings = analyze(workspace, path, None)
    if isinstance(source, SourceProblem) or not findings:
        return []  # (most files: no need to split their lines)
    return diagnostics_of(findings, settings, codec, convert.lines_of(source.text))


def _disk_entry_diagnostics(workspace: Workspace, path: Path, codec: Any,
                            settings: EditorSettings) -> list[types.Diagnostic]:
    """DM204/DM205 of a pyproject.toml, launch.json, tasks.json or Makefile on disk."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, ValueError):
        return []
    _, findings, problems = entry_file_check(workspace, path, text)
    lines = convert.lines_of(text)
    return [*diagnostics_of(findings, settings, codec, lines),
            *(convert.problem_diagnostic(p) for p in problems)]


async def check_closed(ls: DashmServer, path: Path) -> None:
    """Publish the on-disk results of a file that was just closed."""
    folder = folder_for(ls, path)
    entry = entry_files.is_entry_file(path)
    if not folder.in_workspace or not folder.settings.enable or (
            path.suffix not in (".py", ".pyi") and not entry):
        publish_disk(ls, convert.uri_of(path), [])
        return
    check_on_disk = _disk_entry_diagnostics if entry else _disk_diagnostics
    try:
        diagnostics = await ls.session.run(check_on_disk, folder.workspace, path,
                                           ls.workspace.position_codec, folder.settings)
    except InterpreterError:
        diagnostics = []
    if path not in open_paths(ls):
        publish_disk(ls, convert.uri_of(path), diagnostics)


def start_scan(ls: DashmServer, folder: Folder, delay: float = 0, progress: bool = False) -> None:
    previous = ls.session.scans.pop(folder.path, None)
    if previous is not None:
        previous.cancel()
    if not folder.settings.enable:  # `dashm.enable` false: nothing of this folder is shown
        for uri in list(ls.session.disk_published):
            path = path_of(uri)
            if path is not None and folder_for(ls, path) is folder:
                publish_disk(ls, uri, [])
        return
    # Until the scan has read every file's facts, an open buffer is answered from those read
    # so far (and checked again then): set before any check can run.
    folder.workspace.reading = True
    event = ls.session.read.setdefault(folder.path, asyncio.Event())
    event.clear()
    ls.session.scans[folder.path] = asyncio.ensure_future(scan(ls, folder, delay, progress))


async def scan(ls: DashmServer, folder: Folder, delay: float, progress: bool) -> None:
    """Check every Python file of a folder from disk and publish workspace-wide results."""
    token: str | None = None
    try:
        if delay:
            await asyncio.sleep(delay)
        await ls.session.wait_ready().wait()
        if await _replay(ls, folder):
            return
        recorder = warm_start.Recorder(folder.path, folder.workspace.interpreter,
                                       folder.settings, ls.workspace.position_codec.encoding)
        if progress and _supports_progress(ls):
            token = f"dashm-scan-{ls.session.next_id()}-{os.getpid()}"
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(
                title="dashm", message=f"Scanning {folder.path.name}", percentage=0,
                cancellable=False))
        files = await ls.session.run(lambda: list(scanned_files(folder.path)))
        paths = [f for f in files if isinstance(f, Path)]
        seen: set[str] = set()
        # Facts first, from the on-disk cache, else made on all cores (checking each file as
        # its chunk came in made the first check that asks about the whole workspace, such
        # as which names it imports, read every other file itself, on one thread). Edits
        # meanwhile are answered from the facts read so far, and again once all are in.
        def reading(ready: int) -> None:
            if token is not None:
                ls.work_done_progress.report(token, types.WorkDoneProgressReport(
                    message=f"reading {ready}/{len(paths)} files",
                    percentage=int(ready * 50 / max(len(paths), 1))))

        await _read_facts(ls, folder, paths, reading)
        # A nested workspace folder scans its own files.
        mine = [p for p in paths if folder_for(ls, p) is folder]
        seen.update(convert.uri_of(p) for p in mine)
        for first in range(0, len(mine), SCAN_BATCH_FILES):
            batch = mine[first:first + SCAN_BATCH_FILES]
            if not await _publish_from_disk(ls, folder, batch, _disk_diagnostics, recorder):
                break  # the interpreter cannot be queried: every file would fail
            if token is not None:
                done = first + len(batch)
                ls.work_done_progress.report(token, types.WorkDoneProgressReport(
                    message=f"{done}/{len(mine)} files",
                    percentage=50 + int(done * 50 / max(len(mine), 1))))
        # pyproject.toml, launch.json, tasks.json, Makefiles: DM204 / DM205 in Problems too.
        entries = await ls.session.run(lambda: list(walk_entry_files(folder.path)))
        entries = [p for p in entries if folder_for(ls, p) is folder]
        seen.update(convert.uri_of(p) for p in entries)
        await _publish_from_disk(ls, folder, entries, _disk_entry_diagnostics, recorder)
        _clear_unlisted(ls, folder, seen)
        await ls.session.run(folder.workspace.let_texts_go)  # (read again when asked)
        settle_memory()
        log_message(ls, f"dashm: checked {len(paths)} files in {folder.path}")
        # Kept for the next start on this folder.
        await ls.session.run(recorder.keep_later, len(paths))
    except asyncio.CancelledError:
        raise
    except Exception as error:
        log.exception("scanning %s failed", folder.path)
        log_message(ls, f"dashm: scanning {folder.path} failed: {error!r}",
                    types.MessageType.Error)
    finally:
        _read(ls, folder)  # (if it stopped before reading them all)
        if token is not None:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message="done"))


async def _replay(ls: DashmServer, folder: Folder) -> bool:
    """Publish the last complete scan's diagnostics of `folder` if nothing it depended on
    has changed (warm_start.py), then read the facts for later checks; False if it cannot."""
    found = await ls.session.run(warm_start.replay, folder.path, folder.workspace.interpreter,
                                 folder.settings, ls.workspace.position_codec.encoding)
    if found is None:
        return False
    files, published = found
    opened = open_paths(ls)
    for uri, diagnostics in published.items():
        path = path_of(uri)
        if path is not None and path not in opened and folder_for(ls, path) is folder:
            publish_disk(ls, uri, diagnostics)
    _clear_unlisted(ls, folder, published)
    log_message(ls, f"dashm: checked {files} files in {folder.path} "
                    "(unchanged since the last scan)")
    # The facts, from the on-disk cache, for the checks edits ask for (no rules run).
    paths = await ls.session.run(
        lambda: [f for f in scanned_files(folder.path) if isinstance(f, Path)])
    await _read_facts(ls, folder, paths)
    await ls.session.run(folder.workspace.let_texts_go)
    settle_memory()
    return True


def _clear_unlisted(ls: DashmServer, folder: Folder, listed: Container[str]) -> None:
    """Empty the diagnostics published for files of `folder` that are not `listed` (gone,
    or now without findings)."""
    for uri in list(ls.session.disk_published):
        path = path_of(uri)
        if path is not None and uri not in listed and is_within(path, folder.path) \
                and folder_for(ls, path) is folder:
            publish_disk(ls, uri, [])


async def _read_facts(ls: DashmServer, folder: Folder, paths: list[Path],
                      reading: Callable[[int], None] | None = None) -> None:
    """Every file's facts, from the on-disk cache, else made on all cores (`reading(count)`
    as they come in), then what the workspace imports; open buffers answered meanwhile are
    checked again after (`_read`)."""
    ready_counts = prefetch_folder(folder.workspace, paths)
    try:
        while (ready := await ls.session.run(next, ready_counts, None)) is not None:
            if reading is not None:
                reading(ready)
        await _prime(ls, folder)
    finally:
        # On the analysis thread, after whatever it is doing: reading cancelled midway stops
        # the workers; a finished one saves the facts it made.
        _read(ls, folder)
        try:
            ls.session.pool.submit(ready_counts.close)
            ls.session.pool.submit(_save_caches)
        except RuntimeError:  # the server is shutting down: nothing left to stop or save
            pass


async def _prime(ls: DashmServer, folder: Folder) -> None:
    """Gather what the workspace imports in steps, before anything needs it: made in one go
    by the first check that asks, it kept the analysis thread (and an edit) for 0.3-0.6 s
    on 20,000 files."""
    steps = folder.workspace.imported_names_in_steps()
    while await ls.session.run(next, steps, False):
        pass


def _read(ls: DashmServer, folder: Folder) -> None:
    """The folder's scan has read its facts, or stopped (not one that a newer scan took the
    place of: that one reads them): open buffers answered from part of them are checked
    again."""
    if ls.session.scans.get(folder.path) is not asyncio.current_task() or \
            not folder.workspace.reading:
        return
    folder.workspace.reading = False
    event = ls.session.read.get(folder.path)
    if event is not None:
        event.set()
    if ls.session.provisional:
        ls.session.provisional.clear()
        recheck_open(ls)


async def _publish_from_disk(ls: DashmServer, folder: Folder, paths: list[Path],
                             check_on_disk: Callable[..., list[types.Diagnostic]],
                             recorder: warm_start.Recorder) -> bool:
    """Check closed files of a scan, as many per trip to the analysis thread as fit in
    SCAN_TRIP_SECONDS (one trip per file was a third of indexing a large workspace), and
    publish their results; the recorder keeps every file's, open or not. False when the
    interpreter cannot be queried: the scan stops, every other file would fail the same
    way."""
    codec = ls.workspace.position_codec

    def check_some(first: int) -> tuple[list[tuple[Path, list[types.Diagnostic] | Exception]],
                                        InterpreterError | None]:
        results: list[tuple[Path, list[types.Diagnostic] | Exception]] = []
        deadline = time.monotonic() + SCAN_TRIP_SECONDS
        for path in paths[first:]:
            try:
                results.append((path, check_on_disk(folder.workspace, path, codec,
                                                    folder.settings)))
            except InterpreterError as error:
                return results, error  # what was checked before it is still published
            except Exception as error:  # one bad file must not stop the scan
                log.exception("checking %s failed", path)
                results.append((path, error))
            if time.monotonic() >= deadline:
                break
        # Their texts go (a rule reads one again if it asks): the texts of a whole
        # workspace would otherwise all be held at the end of its scan.
        folder.workspace.let_texts_go([path for path, _ in results])
        return results, None

    done = 0
    while done < len(paths):
        results, interpreter_error = await ls.session.run(check_some, done)
        done += len(results)
        opened = open_paths(ls)
        for path, outcome in results:
            if isinstance(outcome, Exception):
                recorder.complete = False
                log_message(ls, f"dashm: checking {path} failed: {outcome!r}",
                            types.MessageType.Error)
                continue
            uri = convert.uri_of(path)
            recorder.diagnostics[uri] = outcome
            if path not in opened:
                publish_disk(ls, uri, outcome)
        if interpreter_error is not None:
            recorder.complete = False
            report_once(ls, f"{folder.path}: {interpreter_error}", types.MessageType.Error)
            return False
    return True


def settle_memory() -> None:
    """After a scan: collect once, then move everything that survived (the workspace index)
    out of the cyclic collector's reach. Without this, each full collection walks every fact
    of every file, a pause of up to a second in the middle of someone's typing."""
    import gc

    gc.collect()
    gc.freeze()
    _trim_heap()


def _trim_heap() -> None:
    """Give the heap's free pages back to the system (glibc keeps them otherwise, and freed
    texts then still count in the server's memory); nothing elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # another C library (musl): nothing to do
        pass


def prefetch_folder(workspace: Workspace, paths: list[Path]) -> Iterator[int]:
    """Facts for `paths`, made as the returned iterator is advanced (on the analysis thread):
    it tells how many of `paths`, from the first, have their facts."""
    from dashm.workspace.prefetch import prefetch_in_order

    return prefetch_in_order([(workspace, p) for p in paths], keep_texts=False)


def _save_caches() -> None:
    from dashm.workspace import cache

    cache.save_all()


def _supports_progress(ls: DashmServer) -> bool:
    window = ls.client_capabilities.window
    return bool(window and window.work_done_progress)


def forget_folder(ls: DashmServer, path: Path) -> None:
    folder = ls.session.folders.pop(path, None)
    scan_task = ls.session.scans.pop(path, None)
    if scan_task is not None:
        scan_task.cancel()
    if folder is None:
        return
    for uri in list(ls.session.disk_published):
        file = path_of(uri)
        if file is not None and is_within(file, path) and folder_for(ls, file) is not folder:
            publish_disk(ls, uri, [])

"""Editor latency and memory, measured with one real LSP client over stdio for every server.

The client (pygls's `LanguageClient`) starts the server, initialises it on a workspace folder
with push diagnostics (no pull capability, so dashm and ruff both push), waits until the server
says its initial indexing is done (dashm logs `dashm: checked N files`; ruff indexes nothing
up front), opens the big file, then sends `edits` incremental `didChange` notifications one at
a time, each time waiting for the `publishDiagnostics` of that version. The time from sending
to receiving is the latency. Peak RSS is read from /proc (VmHWM) of the server process and its
children.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.client import run_async
from pygls.lsp.client import LanguageClient
from pygls.protocol import default_converter


@dataclass
class LspResult:
    name: str
    index_seconds: float | None = None
    open_ms: float | None = None
    edit_ms: list[float] = field(default_factory=list)
    import_edit_ms: list[float] = field(default_factory=list)
    rss_after_index_mb: float | None = None
    peak_rss_mb: float | None = None
    error: str | None = None

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.edit_ms) if self.edit_ms else None

    @property
    def p95_ms(self) -> float | None:
        return p95(self.edit_ms)


def p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _converter():  # type: ignore[no-untyped-def]
    """pygls's converter, except that InitializeResult stays a plain dict: lsprotocol 2025.0.0
    cannot structure the notebook filters ruff advertises, and the benchmark needs none of it."""
    converter = default_converter()
    converter.register_structure_hook(types.InitializeResult, lambda obj, _: obj)
    return converter


class _Client(LanguageClient):
    def __init__(self, stderr_path: Path) -> None:
        super().__init__("dashm-benchmark", "1", converter_factory=_converter)
        self.stderr_path = stderr_path
        self.waiters: dict[str, asyncio.Future[types.PublishDiagnosticsParams]] = {}
        self.indexed = asyncio.Event()
        self.pid = 0
        self.started = 0.0  # perf_counter() when the server process was started

    async def start(self, argv: list[str], cwd: Path) -> None:
        """Like `start_io`, but stderr goes to a file (a full pipe would block the server)."""
        with open(self.stderr_path, "wb") as stderr:
            server = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=stderr, cwd=cwd)
        assert server.stdin is not None and server.stdout is not None
        self.protocol.set_writer(server.stdin)
        self._server = server
        self.pid = server.pid
        import logging

        self._async_tasks.append(asyncio.create_task(run_async(
            stop_event=self._stop_event, reader=server.stdout, protocol=self.protocol,
            logger=logging.getLogger("benchmark-client"),
            error_handler=self.report_server_error)))


def _register(client: _Client, ready_marker: str | None) -> None:
    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diagnostics(params: types.PublishDiagnosticsParams) -> None:
        waiter = client.waiters.get(params.uri)
        if waiter is not None and not waiter.done():
            waiter.set_result(params)

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def _log(params: types.LogMessageParams) -> None:
        if ready_marker and ready_marker in params.message:
            client.indexed.set()

    @client.feature(types.PROGRESS)
    def _progress_report(params: types.ProgressParams) -> None:
        pass

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def _show(params: types.ShowMessageParams) -> None:
        pass

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def _configuration(params: types.ConfigurationParams) -> list[object]:
        return [None for _ in params.items]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register_capability(params: types.RegistrationParams) -> None:
        return None

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def _progress(params: types.WorkDoneProgressCreateParams) -> None:
        return None


def _rss_mb(pid: int, key: str) -> float | None:
    """VmRSS or VmHWM of `pid` plus its children (a process pool), in MB."""
    total = 0.0
    found = False
    for process in [pid, *_children(pid)]:
        try:
            with open(f"/proc/{process}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith(key + ":"):
                        total += int(line.split()[1]) / 1024
                        found = True
        except OSError:
            continue
    return round(total, 1) if found else None


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def _body_edit(version: int) -> str:
    """Typing in a function body, halfway down the big file."""
    return f"        return value + {version}"


async def _session(result: LspResult, argv: list[str], folder: Path,
                   ready_marker: str | None, timeout: float, stderr_path: Path,
                   body: Callable[[_Client], Awaitable[None]]) -> LspResult:
    """Run `body` on a started and initialised server, then stop it. An error ends the session
    and goes into `result`: reported in the table, the rest is still benchmarked."""
    client = _Client(stderr_path)
    _register(client, ready_marker)
    try:
        await client.start(argv, folder)
        client.started = time.perf_counter()
        await _initialize(client, folder, timeout)
        await body(client)
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"
    finally:
        await _stop(client)
    return result


async def _timed_open(result: LspResult, client: _Client, big_file: Path,
                      timeout: float) -> _Document:
    sent = time.perf_counter()
    document = await _open(client, big_file, timeout)
    result.open_ms = (time.perf_counter() - sent) * 1000
    return document


async def measure(name: str, argv: list[str], folder: Path, big_file: Path, edits: int,
                  ready_marker: str | None, timeout: float, stderr_path: Path,
                  pause: float = 0.2) -> LspResult:
    result = LspResult(name)

    async def body(client: _Client) -> None:
        if ready_marker:
            await asyncio.wait_for(client.indexed.wait(), timeout)
        result.index_seconds = time.perf_counter() - client.started
        result.rss_after_index_mb = _rss_mb(client.pid, "VmRSS")
        result.peak_rss_mb = _rss_mb(client.pid, "VmHWM")

        document = await _timed_open(result, client, big_file, timeout)
        for series, line_number, make in (
                (result.edit_ms, document.body_line, _body_edit),
                (result.import_edit_ms, document.import_line,
                 lambda v: f"import json as json_{v}")):
            for _ in range(edits if series is result.edit_ms else max(1, edits // 4)):
                series.append(await document.edit(line_number, make, timeout))
                # A person types a few characters a second: leave the server a pause, as
                # an editor would, so every edit is a fresh one rather than a burst.
                await asyncio.sleep(pause)
        peak = _rss_mb(client.pid, "VmHWM")
        if peak is not None:
            result.peak_rss_mb = max(peak, result.peak_rss_mb or 0)

    return await _session(result, argv, folder, ready_marker, timeout, stderr_path, body)


async def measure_start(name: str, argv: list[str], folder: Path, ready_marker: str,
                        timeout: float, stderr_path: Path) -> LspResult:
    """A server started on a workspace it has indexed before (its caches on disk): from
    starting the process to every diagnostic published (`index_seconds`: the marker logged
    after the scan's last publishDiagnostics), and its RSS then."""
    result = LspResult(name)

    async def body(client: _Client) -> None:
        await asyncio.wait_for(client.indexed.wait(), timeout)
        result.index_seconds = time.perf_counter() - client.started
        result.rss_after_index_mb = _rss_mb(client.pid, "VmRSS")
        result.peak_rss_mb = _rss_mb(client.pid, "VmHWM")

    return await _session(result, argv, folder, ready_marker, timeout, stderr_path, body)


async def measure_huge_buffer(name: str, argv: list[str], folder: Path, huge_file: Path,
                              edits: int, ready_marker: str | None, timeout: float,
                              stderr_path: Path, pause: float = 0.2) -> LspResult:
    """A buffer far beyond the usual (60,000 lines): body edits halfway down, as `measure`
    does for the big file; `edit_ms` holds their latencies."""
    result = LspResult(name)

    async def body(client: _Client) -> None:
        if ready_marker:
            await asyncio.wait_for(client.indexed.wait(), timeout)
        document = await _timed_open(result, client, huge_file, timeout)
        for _ in range(edits):
            result.edit_ms.append(await document.edit(document.body_line, _body_edit, timeout))
            await asyncio.sleep(pause)

    return await _session(result, argv, folder, ready_marker, timeout, stderr_path, body)


async def measure_while_indexing(argv: list[str], folder: Path, big_file: Path,
                                 ready_marker: str, timeout: float, stderr_path: Path,
                                 pause: float = 0.2) -> LspResult:
    """Someone starts typing the moment the editor opens: the big file is opened right after
    `initialized` and edited in a function body, `pause` apart, until indexing ends. The
    latencies go into `edit_ms` (`open_ms`: the didOpen's)."""
    result = LspResult("while indexing")

    async def body(client: _Client) -> None:
        document = await _timed_open(result, client, big_file, timeout)
        while True:
            await asyncio.sleep(pause)  # a keystroke a moment after the last, not a burst
            if client.indexed.is_set():
                break
            result.edit_ms.append(await document.edit(document.body_line, _body_edit, timeout))
        result.index_seconds = time.perf_counter() - client.started

    return await _session(result, argv, folder, ready_marker, timeout, stderr_path, body)


async def _initialize(client: _Client, folder: Path, timeout: float) -> None:
    folder_uri = folder.as_uri()
    capabilities = types.ClientCapabilities(
        window=types.WindowClientCapabilities(work_done_progress=True),
        workspace=types.WorkspaceClientCapabilities(
            configuration=True, workspace_folders=True),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                version_support=True)))
    await asyncio.wait_for(client.initialize_async(types.InitializeParams(
        capabilities=capabilities, root_uri=folder_uri, process_id=os.getpid(),
        workspace_folders=[types.WorkspaceFolder(uri=folder_uri, name=folder.name)])),
        timeout)
    client.initialized(types.InitializedParams())


@dataclass
class _Document:
    """The open big file: where to type, and its lines as the server has them."""

    client: _Client
    uri: str
    lines: list[str]
    body_line: int  # `return value + N` in a function body, halfway down
    import_line: int  # `import json`
    version: int = 0

    async def edit(self, line_number: int, make: Callable[[int], str], timeout: float) -> float:
        """Replace a line with `make(version)`; milliseconds until that version's diagnostics."""
        self.version += 1
        old, new = self.lines[line_number], make(self.version)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line_number, 0),
                              types.Position(line_number, len(old))), text=new)
        loop = asyncio.get_running_loop()
        waiter = self.client.waiters[self.uri] = loop.create_future()
        sent = time.perf_counter()
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri,
                                                                version=self.version),
            content_changes=[change]))
        while True:
            params = await asyncio.wait_for(waiter, timeout)
            if params.version in (None, self.version):
                break
            waiter = self.client.waiters[self.uri] = loop.create_future()
        self.lines[line_number] = new
        return (time.perf_counter() - sent) * 1000


async def _open(client: _Client, big_file: Path, timeout: float) -> _Document:
    """didOpen of `big_file`, returning once its diagnostics arrive."""
    uri = big_file.as_uri()
    text = big_file.read_text(encoding="utf-8")
    lines = text.split("\n")
    waiter = client.waiters[uri] = asyncio.get_running_loop().create_future()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=0,
                                             text=text)))
    await asyncio.wait_for(waiter, timeout)
    middle = len(lines) // 2
    body_line = next(n for n in range(middle, len(lines))
                     if lines[n].startswith("        return value + "))
    import_line = next(n for n, line in enumerate(lines) if line == "import json")
    return _Document(client, uri, lines, body_line, import_line)


async def _stop(client: _Client) -> None:
    server = client._server
    try:
        if server is not None and server.returncode is None:
            await asyncio.wait_for(client.shutdown_async(None), 10)
            client.exit(None)
            await asyncio.wait_for(server.wait(), 10)
    except Exception:
        pass
    if server is not None and server.returncode is None:
        server.kill()
        await server.wait()
    client._stop_event.set()
    for task in client._async_tasks:
        task.cancel()

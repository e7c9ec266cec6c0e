"""The server survives hostile and odd input, driven over raw stdio (bytes a real client
library refuses to send): malformed JSON-RPC, unknown methods, non-file URIs, cancellation,
didChange storms, symlink loops, many files, files deleted while a scan runs.

Nothing here sleeps to wait for the server: each step waits for the message it expects, with a
guard timeout so a broken server fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

GUARD_SECONDS = 120
STORM_SECONDS = float(os.environ.get("DASHM_STORM_SECONDS", "10"))
MANY_FILES = int(os.environ.get("DASHM_MANY_FILES", "20000"))


class RawClient:
    """A minimal LSP client over the server's stdin/stdout that can also send garbage."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.notifications: list[dict[str, Any]] = []
        self.responses: dict[Any, dict[str, Any]] = {}
        self.changed = asyncio.Event()
        self.next_id = 0
        self.reader: asyncio.Task[None] | None = None

    async def start(self, cwd: Path, prefix: list[str] | None = None) -> None:
        """Start the server (`prefix`: a command that runs it with fewer privileges)."""
        self.process = await asyncio.create_subprocess_exec(
            *(prefix or []), sys.executable, "-m", "dashm", "serve",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, cwd=cwd)
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = await stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            assert length is not None
            message = json.loads(await stream.readexactly(length))
            if "method" in message and "id" in message:  # a request from the server
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "method" in message:
                self.notifications.append(message)
            else:
                self.responses[message.get("id")] = message
            self.changed.set()

    def send_bytes(self, data: bytes) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(data)

    def send(self, message: dict[str, Any] | list[Any] | str) -> None:
        body = (message if isinstance(message, str) else json.dumps(message)).encode()
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request_id(self, method: str, params: Any = None) -> int:
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id

    async def until(self, predicate: Any, what: str, guard: float = GUARD_SECONDS) -> Any:
        async def wait() -> Any:
            while not (value := predicate()):
                self.changed.clear()
                await self.changed.wait()
            return value

        try:
            return await asyncio.wait_for(wait(), guard)
        except TimeoutError:
            raise AssertionError(f"the server never sent {what}") from None

    async def request(self, method: str, params: Any = None) -> dict[str, Any]:
        number = self.request_id(method, params)
        return await self.until(lambda: self.responses.get(number), f"a response to {method}")

    async def initialize(self, folder: Path) -> None:
        response = await self.request("initialize", {
            "processId": os.getpid(), "rootUri": folder.as_uri(), "capabilities": {},
            "workspaceFolders": [{"uri": folder.as_uri(), "name": folder.name}]})
        assert "result" in response, response
        self.notify("initialized", {})

    async def scanned(self, guard: float = GUARD_SECONDS) -> dict[str, Any]:
        return await self.until(lambda: next(
            (n for n in self.notifications if n["method"] == "window/logMessage"
             and "dashm: checked" in n["params"]["message"]), None), "the end of the scan",
            guard)

    def diagnostics(self, uri: str, version: int | None = None) -> list[Any] | None:
        for message in reversed(self.notifications):
            if message["method"] == "textDocument/publishDiagnostics" and \
                    message["params"]["uri"] == uri and (
                    version is None or message["params"].get("version") == version):
                return message["params"]["diagnostics"]
        return None

    async def alive(self) -> None:
        """A normal request still gets its normal answer."""
        response = await self.request("workspace/executeCommand", {
            "command": "dashm.moduleInvocation", "arguments": [{"uri": "file:///nowhere.py"}]})
        assert "result" in response or "error" in response
        assert self.process is not None and self.process.returncode is None

    async def stop(self) -> None:
        if self.process is None:
            return
        if self.process.returncode is None:
            try:
                await asyncio.wait_for(self.request("shutdown"), 30)
                self.notify("exit")
                await asyncio.wait_for(self.process.wait(), 30)
            except (AssertionError, TimeoutError, ConnectionError):
                self.process.kill()
                await self.process.wait()
        if self.reader is not None:
            self.reader.cancel()


@pytest.fixture
async def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "ws"
    (folder / "pkg").mkdir(parents=True)
    (folder / "pkg/__init__.py").write_text("")
    (folder / "pkg/util.py").write_text("VALUE = 1\n")
    (folder / "pkg/app.py").write_text("import util\n\nif __name__ == '__main__':\n    pass\n")
    client = RawClient()
    await client.start(folder)
    client.folder = folder  # type: ignore[attr-defined]
    yield client
    await client.stop()


async def test_malformed_json_rpc_is_survived(server: RawClient) -> None:
    await server.initialize(server.folder)  # type: ignore[attr-defined]
    server.send("{this is not json")
    server.send("[]")
    server.send("42")
    server.send({"jsonrpc": "2.0", "method": 5})
    server.send({"jsonrpc": "2.0", "id": 999, "method": "textDocument/hover",
                 "params": {"textDocument": 7}})
    server.send({"no": "method"})
    server.send_bytes(b"Content-Type: nothing\r\n\r\n")  # a header block with no length
    await server.alive()


async def test_unknown_methods(server: RawClient) -> None:
    await server.initialize(server.folder)  # type: ignore[attr-defined]
    server.notify("$/somethingNobodyKnows", {"x": 1})
    server.notify("custom/notification")
    response = await server.request("custom/request", {"x": 1})
    assert response["error"]["code"] == -32601  # MethodNotFound
    await server.alive()


@pytest.mark.parametrize("uri", ["untitled:Untitled-1", "https://example.com/x.py",
                                 "vscode-notebook-cell:/x.ipynb#W0sZmlsZQ%3D%3D",
                                 "file:///does/not/exist/anywhere.py", "file://", "mailto:x"])
async def test_unknown_and_non_file_uris(server: RawClient, uri: str) -> None:
    await server.initialize(server.folder)  # type: ignore[attr-defined]
    document = {"uri": uri}
    server.notify("textDocument/didOpen", {"textDocument": {
        **document, "languageId": "python", "version": 1, "text": "import util\n"}})
    position = {"line": 0, "character": 8}
    for method, params in (
            ("textDocument/hover", {"textDocument": document, "position": position}),
            ("textDocument/codeAction", {"textDocument": document, "range": {
                "start": position, "end": position}, "context": {"diagnostics": []}}),
            ("textDocument/codeLens", {"textDocument": document}),
            ("textDocument/documentLink", {"textDocument": document}),
            ("workspace/executeCommand", {"command": "dashm.moduleInvocation",
                                          "arguments": [{"uri": uri}]}),
            ("workspace/executeCommand", {"command": "dashm.fixAll",
                                          "arguments": [{"uri": uri}]})):
        response = await server.request(method, params)
        assert "result" in response or "error" in response, (method, response)
    server.notify("textDocument/didChange", {"textDocument": {**document, "version": 2},
                                             "contentChanges": [{"text": "x = 1\n"}]})
    server.notify("textDocument/didClose", {"textDocument": document})
    await server.alive()


async def test_cancellation(server: RawClient) -> None:
    await server.initialize(server.folder)  # type: ignore[attr-defined]
    uri = (server.folder / "pkg/app.py").as_uri()  # type: ignore[attr-defined]
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1,
        "text": (server.folder / "pkg/app.py").read_text()}})  # type: ignore[attr-defined]
    numbers = []
    for _ in range(20):
        number = server.request_id("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0},
                                                    "end": {"line": 0, "character": 5}},
            "context": {"diagnostics": []}})
        server.notify("$/cancelRequest", {"id": number})
        numbers.append(number)
    server.notify("$/cancelRequest", {"id": 123456})  # never sent
    for number in numbers:  # each gets an answer: its result or RequestCancelled
        await server.until(lambda n=number: server.responses.get(n), "a cancelled response")
    await server.alive()


async def test_did_change_storm_ends_with_correct_diagnostics(server: RawClient) -> None:
    """1,000 edits a second for STORM_SECONDS (10 by default), then the final diagnostics
    are those of the final text."""
    folder = server.folder  # type: ignore[attr-defined]
    await server.initialize(folder)
    await server.scanned()
    uri = (folder / "pkg/app.py").as_uri()
    text = (folder / "pkg/app.py").read_text()
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": text}})
    await server.until(lambda: server.diagnostics(uri, 1) is not None, "first diagnostics")
    version = 1
    start = time.perf_counter()
    lines = ["import util", "from pkg import util", "import os", "import util  # again"]
    while (elapsed := time.perf_counter() - start) < STORM_SECONDS:
        # Catch up to 1,000 edits per elapsed second, whatever the sleep's real granularity.
        for _ in range(min(int(elapsed * 1000) + 1, int(STORM_SECONDS * 1000)) - version + 1):
            version += 1
            server.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                              "end": {"line": 0, "character": 200}},
                                    "text": lines[version % len(lines)]}]})
        await asyncio.sleep(0.005)
    assert version >= 950 * STORM_SECONDS
    version += 1
    server.notify("textDocument/didChange", {  # the last edit: a full replacement
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"text": "import util\nimport os\n\nif __name__ == '__main__':\n"
                                    "    pass\n"}]})
    final = await server.until(lambda: server.diagnostics(uri, version), "final diagnostics")
    assert [(d["code"], d["range"]["start"]["line"]) for d in final] == [("DM101", 0)]
    await server.alive()


async def test_symlink_loop_workspace(server: RawClient) -> None:
    folder = server.folder  # type: ignore[attr-defined]
    (folder / "pkg/loop").symlink_to(folder)
    (folder / "pkg/self").symlink_to(folder / "pkg")
    (folder / "dangling.py").symlink_to(folder / "missing.py")
    await server.initialize(folder)
    await server.scanned()
    uri = (folder / "pkg/app.py").as_uri()
    await server.until(lambda: server.diagnostics(uri), "diagnostics of pkg/app.py")
    await server.alive()


async def test_many_files_and_files_deleted_during_the_scan(server: RawClient) -> None:
    """MANY_FILES (20,000 by default; DASHM_MANY_FILES=200000 for the full case) empty and
    small files; half the small ones are deleted while the scan runs."""
    folder = server.folder  # type: ignore[attr-defined]
    for number in range(MANY_FILES):
        sub = folder / f"d{number // 1000}"
        if number % 1000 == 0:
            sub.mkdir()
        (sub / f"f{number}.py").write_bytes(b"" if number % 10 else b"import util\n")
    await server.initialize(folder)
    for number in range(0, MANY_FILES, 20):  # deleted while being walked or analysed
        (folder / f"d{number // 1000}" / f"f{number}.py").unlink()
    started = time.perf_counter()
    message = await server.scanned(GUARD_SECONDS + MANY_FILES / 100)  # a guard, not a goal
    print(f"{MANY_FILES} files scanned in {time.perf_counter() - started:.0f} s: "
          f"{message['params']['message']}")
    assert "checked" in message["params"]["message"]
    await server.alive()


async def test_a_scan_larger_than_a_chunk_checks_every_file(server: RawClient,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """Text for several of the pool's chunks (prefetch.CHUNK_BYTES, 512 KB): the scan checks
    files as each chunk's facts arrive, and not one file is left out."""
    folder = server.folder  # type: ignore[attr-defined]
    padding = "# " + "x" * 4000 + "\n"
    modules = [folder / "pkg" / f"m{number}.py" for number in range(300)]  # 1.2 MB
    for module in modules:
        module.write_text(padding + "import util\n")
    monkeypatch.setenv("DASHM_JOBS", "2")  # a pool of workers even on a one-core runner
    await server.stop()
    await server.start(folder)
    await server.initialize(folder)
    await server.scanned()
    unchecked = [m.name for m in modules
                 if [d["code"] for d in server.diagnostics(m.as_uri()) or []] != ["DM101"]]
    assert unchecked == []


async def test_the_scan_leaves_its_facts_in_the_cache(server: RawClient, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """After a scan the facts are on disk, so the next start need not make them again."""
    folder = server.folder  # type: ignore[attr-defined]
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("DASHM_CACHE_DIR", str(cache_dir))
    await server.stop()
    await server.start(folder)
    await server.initialize(folder)
    await server.scanned()  # the save goes to the analysis thread before the scan's last trip
    saved = list(cache_dir.glob("facts-*.pickle"))
    assert saved and all(f.stat().st_size > 0 for f in saved), list(cache_dir.iterdir())


# Root reads any folder: without these two capabilities it obeys folder modes like any user.
NO_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


async def test_unreadable_folder(server: RawClient) -> None:
    folder = server.folder  # type: ignore[attr-defined]
    if os.geteuid() == 0:
        import shutil

        if shutil.which("setpriv") is None:
            pytest.fail("as root this test needs setpriv (util-linux) to drop DAC overrides")
        await server.stop()
        await server.start(folder, NO_DAC)
    secret = folder / "secret"
    secret.mkdir()
    (secret / "x.py").write_text("import util\n")
    secret.chmod(0)
    try:
        if os.geteuid() == 0:  # the premise: the server really cannot read it
            probe = await asyncio.create_subprocess_exec(
                *NO_DAC, sys.executable, "-c", f"import os; os.listdir({str(secret)!r})",
                stderr=asyncio.subprocess.PIPE)
            _, err = await probe.communicate()
            assert probe.returncode != 0 and b"PermissionError" in err
        await server.initialize(folder)
        await server.scanned()
        await server.alive()
        app = (folder / "pkg" / "app.py").as_uri()
        found = await server.until(lambda: server.diagnostics(app), "pkg/app.py's findings")
        assert [d["code"] for d in found] == ["DM101"]
    finally:
        secret.chmod(0o755)

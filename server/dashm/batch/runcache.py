"""Warm `dashm check`: when nothing it read has changed, print the last run's output again.

A run is keyed by everything that shapes its output without being a file: dashm's version,
the interpreter running it, the arguments, the current folder and the environment variables
that change an interpreter's `sys.path`. The entry records the stat (mtime, size, inode) of
everything the run depended on: every folder walked and every entry in them (Python files,
pyproject.toml, Makefiles, ...), `.vscode` files, every folder whose listing import resolution
used (the workspace, the standard library, site-packages: adding or removing a module changes
a folder's mtime), each argument's ancestors and their project files, and the interpreters.
If any of them differs, or anything cannot be read back, the run happens as usual.

This module is imported before the rest of dashm on the warm path, so it imports nothing heavy.
Entries are `marshal` data (plain values only: reading a tampered file cannot run code).
"""

from __future__ import annotations

import io
import marshal
import os
import sys
import time
import zlib

from dashm import __version__
from dashm.cachedir import cache_dir

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing alone costs a warm run
if TYPE_CHECKING:  # 20-50 ms here; these imports are for type checkers only
    from collections.abc import Callable, Iterable
    from pathlib import Path

FORMAT = 2
KEY_ENVIRONMENT = ("PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONNOUSERSITE",
                   "PYTHONUSERBASE", "PYTHONPLATLIBDIR", "VIRTUAL_ENV", "DASHM_BUNDLED_LIBS",
                   "DASHM_JOBS", "PATH")  # PATH: where the default interpreter is looked for
# Looked for in every ancestor of an argument: project files and `.git` (they decide the
# workspace folder), and the virtual environments dashm picks by default (a folder's own
# mtime would change with every unrelated file in it).
ANCESTOR_FILES = ("pyproject.toml", "setup.py", "setup.cfg", os.path.join(".git", "HEAD"),
                  os.path.join(".venv", "bin", "python"), os.path.join("venv", "bin", "python"),
                  os.path.join(".venv", "Scripts", "python.exe"),
                  os.path.join("venv", "Scripts", "python.exe"))
MAX_ENTRIES = 64
RACY_NS = 2_000_000_000  # coarser than any common file system's mtime granularity


def _key(argv: list[str]) -> str:
    return repr((FORMAT, __version__, sys.executable, sys.version, argv, os.getcwd(),
                 [(k, os.environ.get(k)) for k in KEY_ENVIRONMENT]))


def _entry_path(key: str) -> str:
    """The entry's file; the full key is stored in it too, so a name clash is only a miss."""
    data = key.encode("utf-8", "surrogatepass")
    name = f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
    return os.path.join(cache_dir(), "runs", f"{name}.marshal")


def _stat(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def cacheable(argv: list[str]) -> bool:
    return os.environ.get("DASHM_NO_CACHE", "") == "" and not any(
        a in ("--no-cache", "--fix") for a in argv)


def replay(argv: list[str]) -> int | None:
    """Print the stored output of this exact run and return its exit code, if still valid."""
    if not cacheable(argv):
        return None
    key = _key(argv)
    try:
        with open(_entry_path(key), "rb") as handle:
            entry = marshal.load(handle)
        stored_key, stdout, stderr, code, watched = entry
        if stored_key != key:
            return None
        for path, recorded in watched:
            if _stat(path) != recorded:
                return None
        if not (isinstance(stdout, str) and isinstance(stderr, str) and isinstance(code, int)):
            return None
    except Exception:  # missing, corrupt, another format: not a hit
        return None
    sys.stderr.write(stderr)
    sys.stderr.flush()
    sys.stdout.write(stdout)
    sys.stdout.flush()
    return code


class _Tee(io.TextIOBase):
    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.buffer_text = io.StringIO()

    def write(self, text: str) -> int:
        self.buffer_text.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")


def run_check(argv: list[str], paths: Iterable[Path], handler: Callable[[], int]) -> int:
    """Run `dashm check` (handler) through the caches: replay, else run, record and store."""
    from dashm.workspace import cache

    if not cacheable(argv):
        if "--no-cache" in argv or os.environ.get("DASHM_NO_CACHE"):
            cache.disable()
            return handler()
        code = handler()  # --fix: facts may come from and go to the cache, output is not kept
        _save_facts()
        return code
    hit = replay(argv)
    if hit is not None:
        return hit
    started = time.time_ns()
    out, err = _Tee(sys.stdout), _Tee(sys.stderr)  # type: ignore[arg-type]
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
    try:
        code = handler()
    finally:
        sys.stdout, sys.stderr = real
    _save_facts()
    if code in (0, 1):
        watched = _watched(paths, argv)
        # "Racily clean": a file changed within RACY_NS of the run may have been changed again
        # within the file system's timestamp granularity, unseen. Such a run is not kept.
        if not any(isinstance(st, tuple) and st[0] >= started - RACY_NS for _, st in watched):
            _store(argv, out.buffer_text.getvalue(), err.buffer_text.getvalue(), code, watched)
    return code


def _save_facts() -> None:
    from dashm.workspace import cache

    cache.save_all()


def _watched(paths: Iterable[Path], argv: list[str]) -> list[tuple[str, object]]:
    from dashm.workspace.looked_at import LISTED, READ
    from dashm.workspace.walk import is_excluded_folder

    found: dict[str, object] = {}

    def add(path: str) -> None:
        if path not in found:
            found[path] = _stat(path)

    for start in paths:
        start_path = os.path.abspath(start)
        folder = start_path
        while True:  # the argument's ancestors: where project files and .venv are looked for
            for name in ANCESTOR_FILES:
                add(os.path.join(folder, name))
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        add(start_path)
        stack = [start_path] if os.path.isdir(start_path) else []
        seen: set[str] = set()
        while stack:
            current = stack.pop()
            real = os.path.realpath(current)
            if real in seen:
                continue
            seen.add(real)
            add(current)
            try:
                entries = list(os.scandir(current))
            except OSError:
                continue
            for entry in entries:
                add(entry.path)
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    continue
                if not is_dir:
                    continue
                if entry.name == ".vscode":
                    try:
                        for inner in os.scandir(entry.path):
                            add(inner.path)
                    except OSError:
                        pass
                elif not (is_excluded_folder(entry.name) or entry.name.startswith(".")):
                    stack.append(entry.path)
    for folder in sorted(LISTED):
        add(folder)
    for file in sorted(READ):
        add(file)
    # dashm's own code: a changed dashm (an edit, a reinstall of the same version) reruns.
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # dashm/, not batch/
    for current, _, files in os.walk(package):
        add(current)
        for name in files:
            if name.endswith((".py", ".md")):
                add(os.path.join(current, name))
    add(sys.executable)
    for interpreter in _default_interpreters():
        add(interpreter)
    if "--python" in argv:
        index = argv.index("--python")
        if index + 1 < len(argv):
            add(os.path.abspath(argv[index + 1]))
    return sorted(found.items())


def _default_interpreters() -> list[str]:
    """Where environment.choose_interpreter looks besides the workspace: the active virtual
    environment and `python3`/`python` in each PATH folder (an interpreter installed there
    changes the choice)."""
    found = []
    active = os.environ.get("VIRTUAL_ENV")
    if active:
        found += [os.path.join(active, "bin", "python"),
                  os.path.join(active, "Scripts", "python.exe")]
    names = ("python3.exe", "python.exe") if os.name == "nt" else ("python3", "python")
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if folder:
            found += [os.path.join(folder, name) for name in names]
    return found


def _store(argv: list[str], stdout: str, stderr: str, code: int,
           watched: list[tuple[str, object]]) -> None:
    import tempfile
    from pathlib import Path

    key = _key(argv)
    target = Path(_entry_path(key))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        entries = sorted(target.parent.glob("*.marshal"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".run-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                marshal.dump((key, stdout, stderr, code, watched), handle)
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass

"""What a whole check depended on, as file stats, so a later run can tell nothing changed.

The warm-run cache (`dashm.batch.runcache`) and the language server's warm start
(`dashm.lsp.warm_start`) store a result with the stat (mtime, size, inode) of everything it
depended on: every folder walked and every entry in them (Python files, pyproject.toml,
Makefiles, ...), `.vscode` files, every folder import resolution listed and every file the
evidence search read (`looked_at`), each checked path's ancestors and their project files,
dashm's own code and the interpreters. The result is used again only if every stat is the
same. Entries are `marshal` data (plain values only: reading a tampered file cannot run code).

The warm run imports this before the rest of dashm: it imports nothing heavy at load time.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib

from dashm import __version__
from dashm.cachedir import cache_dir

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing alone costs a warm run
if TYPE_CHECKING:
    from collections.abc import Iterable

Stat = tuple[int, int, int]
Watched = list[tuple[str, "Stat | None"]]

# Looked for in every ancestor of a checked path: project files and `.git` (they decide the
# workspace folder), and the virtual environments dashm picks by default (a folder's own
# mtime would change with every unrelated file in it).
ANCESTOR_FILES = ("pyproject.toml", "setup.py", "setup.cfg", os.path.join(".git", "HEAD"),
                  os.path.join(".venv", "bin", "python"), os.path.join("venv", "bin", "python"),
                  os.path.join(".venv", "Scripts", "python.exe"),
                  os.path.join("venv", "Scripts", "python.exe"))
# The environment variables that change an interpreter's `sys.path` or dashm's choices: part
# of every entry's key. PATH: where the default interpreter is looked for.
ENVIRONMENT_KEYS = ("PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONNOUSERSITE",
                    "PYTHONUSERBASE", "PYTHONPLATLIBDIR", "VIRTUAL_ENV", "DASHM_BUNDLED_LIBS",
                    "DASHM_JOBS", "PATH")
MAX_ENTRIES = 64  # per kind of entry; the oldest go first
# "Racily clean": a file changed within this long before a run began may change again within
# the file system's timestamp granularity, unseen. A result with such an input is not kept.
RACY_NS = 2_000_000_000


def key(*parts: object) -> str:
    """An entry's key: `parts` (what the caller's result depends on besides files) with
    dashm's version, the interpreter running it and the ENVIRONMENT_KEYS of this process."""
    return repr((__version__, sys.executable, sys.version,
                 [(k, os.environ.get(k)) for k in ENVIRONMENT_KEYS], *parts))


def stat_of(path: str) -> Stat | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def unchanged(watched: Watched) -> bool:
    """Every recorded input has the stat it had."""
    return all(stat_of(path) == recorded for path, recorded in watched)


def racy(watched: Watched, started_ns: int) -> bool:
    """Some input changed from RACY_NS before `started_ns` (time.time_ns()) on."""
    return any(isinstance(st, tuple) and st[0] >= started_ns - RACY_NS for _, st in watched)


def watched_inputs(paths: Iterable[str], interpreters: Iterable[str] = (),
                   looked_at: tuple[list[str], list[str]] | None = None) -> Watched:
    """The stats of everything a check of `paths` depended on (see the module's docstring),
    with `interpreters` besides the default ones. `looked_at`: the folders listed and files
    read, copied from `looked_at.LISTED` and `READ` (the default) by the thread that adds
    to them, for a call from another thread."""
    from dashm.workspace import looked_at as looked
    from dashm.workspace.walk import is_excluded_folder

    listed, read = looked_at if looked_at is not None else (sorted(looked.LISTED),
                                                            sorted(looked.READ))

    found: dict[str, Stat | None] = {}

    def add(path: str) -> None:
        if path not in found:
            found[path] = stat_of(path)

    for start in paths:
        start_path = os.path.abspath(start)
        folder = start_path
        while True:  # the path's ancestors: where project files and .venv are looked for
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
    for folder in listed:
        add(folder)
    for file in read:
        add(file)
    # dashm's own code: a changed dashm (an edit, a reinstall of the same version) reruns.
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # dashm/
    for current, folders, files in os.walk(package):
        folders[:] = [f for f in folders if f != "__pycache__"]  # written to by any import
        add(current)
        for name in files:
            if name.endswith((".py", ".md")):
                add(os.path.join(current, name))
    add(sys.executable)
    for interpreter in [*default_interpreters(), *interpreters]:
        add(os.path.abspath(interpreter))
    return sorted(found.items())


def default_interpreters() -> list[str]:
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


def entry_path(kind: str, key: str) -> str:
    """The file of the entry for `key` among those of `kind` ("runs", "server"); the key is
    stored in it too, so a clash of names is only a miss."""
    data = key.encode("utf-8", "surrogatepass")
    name = f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
    return os.path.join(cache_dir(), kind, f"{name}.marshal")


def load_entry(kind: str, key: str) -> tuple[object, ...] | None:
    """The values stored for `key` whose inputs are all unchanged, else None (missing,
    corrupt, another format, or an input changed)."""
    try:
        with open(entry_path(kind, key), "rb") as handle:
            entry = marshal.load(handle)
        stored_key, watched, *values = entry
        if stored_key != key or not unchanged(watched):
            return None
    except Exception:  # whatever the file holds: not a hit
        return None
    return tuple(values)


def store_entry(kind: str, key: str, watched: Watched, *values: object) -> None:
    """Keep `values` for `key` with the inputs they depend on (atomically; never raises for
    a cache folder that cannot be written)."""
    import tempfile
    from pathlib import Path

    target = Path(entry_path(kind, key))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        entries = sorted(target.parent.glob("*.marshal"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{kind}-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                marshal.dump((key, watched, *values), handle)
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, ValueError):
        pass

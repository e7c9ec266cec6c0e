"""The user's interpreter: its `sys.path`, standard library and what it loads before user code.

Facts come from asking that interpreter once (a short `-c` script run from an empty temporary
folder, so no workspace code is ever imported), cached per interpreter binary and its mtime.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dashm.workspace.paths import is_within

MIN_VERSION = (3, 8)

# Runs inside the user's interpreter. It imports only the standard library and lists, never
# imports, anything on sys.path.
_QUERY = r"""
import sys
preloaded = sorted(sys.modules)
import json, os, sysconfig
try:
    import importlib.machinery as machinery
    frozen = [n for n in getattr(sys, "stdlib_module_names", ())
              if machinery.FrozenImporter.find_spec(n) is not None]
except Exception:
    frozen = []
paths = sysconfig.get_paths()
print(json.dumps({
    "executable": sys.executable,
    "version": list(sys.version_info[:3]),
    "prefix": sys.prefix,
    "sys_path": [os.path.abspath(p) for p in sys.path[1:] if p],
    "stdlib_dirs": sorted({paths.get("stdlib", ""), paths.get("platstdlib", "")} - {""}),
    "stdlib_names": sorted(getattr(sys, "stdlib_module_names", ())),
    "builtin_names": sorted(sys.builtin_module_names),
    "frozen_names": sorted(frozen),
    "preloaded": preloaded,
}))
"""


class InterpreterError(Exception):
    """The interpreter cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Environment:
    executable: str
    version: tuple[int, ...]
    sys_path: tuple[Path, ...]
    stdlib_dirs: tuple[Path, ...]
    stdlib_names: frozenset[str]
    # Found before sys.path is searched (builtin, frozen) or already imported at start-up:
    # a file of the same name can never hide them.
    unshadowable: frozenset[str]

    def is_stdlib_path(self, path: Path) -> bool:
        # In a venv, platstdlib is <venv>/lib/pythonX.Y, which holds site-packages too.
        return not self.is_site_path(path) and any(
            is_within(path, folder) for folder in self.stdlib_dirs)

    def is_site_path(self, path: Path) -> bool:
        return "site-packages" in path.parts or "dist-packages" in path.parts


_CACHE: dict[tuple[str, int], Environment] = {}


@dataclass(frozen=True)
class InterpreterChoice:
    """The interpreter a workspace is judged with, and why that one (for `--verbose`)."""

    path: str
    why: str  # "--python", "$VIRTUAL_ENV", ".venv", "venv", "PATH" or "dashm's own"


def choose_interpreter(folder: Path, explicit: str | None = None,
                       environ: Mapping[str, str] | None = None) -> InterpreterChoice:
    """The user's interpreter, not dashm's: `explicit` (--python, the editor's choice), the
    active virtual environment, the workspace's `.venv`/`venv`, `python3`/`python` on PATH,
    and only then the one running dashm (a pipx venv has nothing of the project installed)."""
    environ = os.environ if environ is None else environ
    if explicit:
        return InterpreterChoice(explicit, "--python")
    active = environ.get("VIRTUAL_ENV")
    found = _venv_python(Path(active)) if active else None
    if found:
        return InterpreterChoice(found, "$VIRTUAL_ENV")
    for name in (".venv", "venv"):
        found = _venv_python(folder / name)
        if found:
            return InterpreterChoice(found, name)
    for name in ("python3", "python"):
        found = shutil.which(name, path=environ.get("PATH", os.defpath))
        if found and "WindowsApps" not in found:  # Windows' store stub is no interpreter
            return InterpreterChoice(found, "PATH")
    return InterpreterChoice(sys.executable, "dashm's own")


def default_interpreter(folder: Path) -> str:
    """The interpreter for `folder` when neither the command line nor the editor names one."""
    return choose_interpreter(folder).path


def _venv_python(venv: Path) -> str | None:
    for candidate in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if candidate.is_file():
            return str(candidate)
    return None


def load_environment(interpreter: str) -> Environment:
    """Ask `interpreter` for its facts (cached); raise InterpreterError if it cannot answer."""
    path = Path(interpreter)
    try:
        stat = path.stat()
    except OSError:
        raise InterpreterError(
            f"the Python interpreter {interpreter!r} does not exist; pass --python with the "
            "path of the interpreter your project runs with") from None
    key = (str(path.absolute()), stat.st_mtime_ns)
    if key not in _CACHE:
        _CACHE[key] = _query(interpreter)
    return _CACHE[key]


def query_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment to ask the user's interpreter in: the server's own, minus what is ours.

    The VS Code extension runs the server with its bundled libraries on PYTHONPATH and names
    that entry in DASHM_BUNDLED_LIBS; the user's interpreter must not see it, or pygls & co.
    would look installed in the project's environment."""
    env = {k: v for k, v in environ.items() if k not in ("PYTHONSTARTUP", "PYTHONINSPECT")}
    bundled = env.pop("DASHM_BUNDLED_LIBS", "")
    if bundled and "PYTHONPATH" in env:
        ours = os.path.normcase(os.path.abspath(bundled))
        kept = [p for p in env["PYTHONPATH"].split(os.pathsep)
                if p and os.path.normcase(os.path.abspath(p)) != ours]
        if kept:
            env["PYTHONPATH"] = os.pathsep.join(kept)
        else:
            del env["PYTHONPATH"]
    return env


def _query(interpreter: str) -> Environment:
    env = query_env(os.environ)
    with tempfile.TemporaryDirectory(prefix="dashm-env-") as empty:
        try:
            done = subprocess.run([interpreter, "-c", _QUERY], cwd=empty, env=env,
                                  capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise InterpreterError(f"cannot run the Python interpreter {interpreter!r}: "
                                    f"{error}") from None
    if done.returncode != 0:
        raise InterpreterError(
            f"the Python interpreter {interpreter!r} failed to describe itself "
            f"(exit {done.returncode}): {done.stderr.strip()[-500:]}")
    try:
        data = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise InterpreterError(
            f"the Python interpreter {interpreter!r} printed something dashm cannot read; "
            "is it really Python?") from None
    version = tuple(data["version"])
    if version < MIN_VERSION:
        raise InterpreterError(
            f"{interpreter} is Python {'.'.join(map(str, version))}; dashm needs the project's "
            f"interpreter to be Python {'.'.join(map(str, MIN_VERSION))} or newer")
    stdlib_dirs = tuple(Path(p) for p in data["stdlib_dirs"])
    stdlib_names = frozenset(data["stdlib_names"]) or _list_stdlib(stdlib_dirs)
    unshadowable = frozenset(data["builtin_names"]) | frozenset(data["frozen_names"]) | {
        name.split(".")[0] for name in data["preloaded"]}
    return Environment(
        executable=data["executable"] or interpreter,
        version=version,
        sys_path=tuple(Path(p) for p in data["sys_path"]),
        stdlib_dirs=stdlib_dirs,
        stdlib_names=stdlib_names,
        unshadowable=unshadowable,
    )


def _list_stdlib(stdlib_dirs: tuple[Path, ...]) -> frozenset[str]:
    """Before 3.10 there is no sys.stdlib_module_names: list the stdlib folder instead."""
    names = set()
    for folder in stdlib_dirs:
        try:
            for entry in os.scandir(folder):
                stem = entry.name.split(".")[0]
                if entry.name.endswith(".py") or (entry.is_dir() and stem.isidentifier()):
                    names.add(stem)
        except OSError:
            continue
    names.discard("site-packages")
    return frozenset(names)

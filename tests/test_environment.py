"""The user's interpreter: chosen in the documented order (and said so), and asked without the
VS Code extension's bundled libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashm.workspace import environment
from dashm.workspace.environment import InterpreterChoice, choose_interpreter, query_env


def test_bundled_entry_is_removed_from_pythonpath(tmp_path: Path) -> None:
    bundled, mine = tmp_path / "bundled" / "libs", tmp_path / "mine"
    env = query_env({"PYTHONPATH": os.pathsep.join([str(bundled), str(mine)]),
                     "DASHM_BUNDLED_LIBS": str(bundled), "PATH": "/bin"})
    assert env == {"PYTHONPATH": str(mine), "PATH": "/bin"}


def test_pythonpath_of_only_the_bundled_entry_is_dropped(tmp_path: Path) -> None:
    bundled = tmp_path / "libs"
    env = query_env({"PYTHONPATH": str(bundled) + os.sep, "DASHM_BUNDLED_LIBS": str(bundled)})
    assert env == {}


def test_pythonpath_untouched_without_the_marker(tmp_path: Path) -> None:
    env = query_env({"PYTHONPATH": str(tmp_path), "PYTHONSTARTUP": "x.py"})
    assert env == {"PYTHONPATH": str(tmp_path)}


def test_real_interpreter_does_not_see_bundled_libs(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    bundled, mine = tmp_path / "bundled", tmp_path / "mine"
    bundled.mkdir()
    mine.mkdir()
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(bundled), str(mine)]))
    monkeypatch.setenv("DASHM_BUNDLED_LIBS", str(bundled))
    found = environment._query(sys.executable)
    assert mine in found.sys_path
    assert bundled not in found.sys_path


# -- which interpreter judges the workspace: the user's, said by --verbose --------------------
@pytest.fixture(scope="module")
def real_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real virtual environment, not the one running the tests."""
    folder = Path(os.path.realpath(tmp_path_factory.mktemp("user-venv"))) / "ve"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True,
                   capture_output=True, timeout=120)
    return folder


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def path_folder(tmp_path: Path, target: Path) -> Path:
    """A PATH folder whose only `python3` is `target`."""
    folder = tmp_path / "on-path"
    folder.mkdir()
    (folder / "python3").symlink_to(target)
    return folder


def verbose(project: Path, path: Path, virtual_env: Path | None,
            *options: str) -> tuple[str, str]:
    """dashm's `interpreter` line for `module --verbose`, and the interpreter its argv runs."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = str(path)
    if virtual_env is not None:
        env["VIRTUAL_ENV"] = str(virtual_env)
    done = subprocess.run([sys.executable, "-m", "dashm", "module", "--verbose", *options,
                           "--json", str(project / "app.py")], env=env, cwd=project,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("dashm: interpreter ")]
    return line, json.loads(done.stdout)["argv"][0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = Path(os.path.realpath(tmp_path)) / "proj"
    folder.mkdir()
    (folder / "app.py").write_text("import os\n")
    return folder


def test_virtual_env_wins_over_the_project_venv_and_path(tmp_path: Path, project: Path,
                                                         real_venv: Path) -> None:
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "bin" / "python").symlink_to(sys.executable)
    on_path = path_folder(tmp_path, Path(sys.executable))
    line, used = verbose(project, on_path, real_venv)
    assert line == f"dashm: interpreter {venv_python(real_venv)} ($VIRTUAL_ENV)"
    assert used == str(venv_python(real_venv))


def test_project_venv_wins_over_path(tmp_path: Path, project: Path, real_venv: Path) -> None:
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "bin" / "python").symlink_to(venv_python(real_venv))
    on_path = path_folder(tmp_path, Path(sys.executable))
    line, used = verbose(project, on_path, None)
    assert line == f"dashm: interpreter {project / '.venv/bin/python'} (.venv)"
    assert used == str(project / ".venv/bin/python")


def test_python3_on_path_before_dashms_own(tmp_path: Path, project: Path,
                                           real_venv: Path) -> None:
    on_path = path_folder(tmp_path, venv_python(real_venv))
    # A VIRTUAL_ENV that no longer exists is passed over.
    line, used = verbose(project, on_path, tmp_path / "deleted-venv")
    assert line == f"dashm: interpreter {on_path / 'python3'} (PATH)"
    assert used == str(on_path / "python3")


def test_dashms_own_interpreter_only_last(tmp_path: Path, project: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    line, used = verbose(project, empty, None)
    assert line == f"dashm: interpreter {sys.executable} (dashm's own)"
    assert used == sys.executable


def test_python_option_wins_and_check_says_so_too(tmp_path: Path, project: Path,
                                                  real_venv: Path) -> None:
    line, _ = verbose(project, tmp_path, real_venv, "--python", sys.executable)
    assert line == f"dashm: interpreter {sys.executable} (--python)"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(VIRTUAL_ENV=str(real_venv), PATH=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "dashm", "check", "--verbose", "--no-cache",
                           "."], env=env, cwd=project, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"dashm: interpreter {venv_python(real_venv)} ($VIRTUAL_ENV)" in done.stderr
    assert f"dashm: workspace {project}" in done.stderr


def test_choose_interpreter_order(tmp_path: Path, real_venv: Path) -> None:
    on_path = path_folder(tmp_path, Path(sys.executable))
    env = {"PATH": str(on_path), "VIRTUAL_ENV": str(real_venv)}
    assert choose_interpreter(tmp_path, "/x/python", env) == InterpreterChoice(
        "/x/python", "--python")
    assert choose_interpreter(tmp_path, None, env).why == "$VIRTUAL_ENV"
    assert choose_interpreter(tmp_path, None, {"PATH": str(on_path)}) == InterpreterChoice(
        str(on_path / "python3"), "PATH")
    assert choose_interpreter(tmp_path, None, {"PATH": ""}).why == "dashm's own"

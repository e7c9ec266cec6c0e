"""Every answer is the same from any folder: inside the project, its parent, and `/`.

A project with no pyproject.toml, setup.py, setup.cfg or .git (the scripty kind) is checked,
named and run from three working folders with real `dashm` processes; only the `path` field,
relative to the current folder by design, may differ. `run` keeps the user's working folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashm.workspace.paths import workspace_folder
from trees import write_tree

PROJECT = {
    "utils.py": "VALUE = 1\n",
    # tools/ is no package: its file imports the project's utils, so the project folder is
    # its workspace, whichever folder it is run from.
    "tools/count.py": ("import os\nimport sys\n\nimport utils\n\n"
                       "if __name__ == '__main__':\n"
                       "    print('cwd', os.getcwd())\n"
                       "    with open(sys.argv[1], encoding='utf-8') as data:\n"
                       "        print('data', data.read().strip(), utils.VALUE)\n"),
    # Its sibling import works only as `python tools/report.py`: DM101 in the project.
    "tools/report.py": "import utils\nimport shared_tool\n",
    "tools/shared_tool.py": "",
    "pkg/__init__.py": "",
    "pkg/__main__.py": "",
    "pkg/helper.py": "X = 2\n",
    "pkg/app.py": "import helper\n\nif __name__ == '__main__':\n    print(helper.X)\n",
    "pkg/fine.py": "from pkg import helper\n\nif __name__ == '__main__':\n    print(helper.X)\n",
    "data/x": "payload\n",
}


def clean_env() -> dict[str, str]:
    """No active virtual environment, and only this test run's interpreter on PATH: the
    default interpreter is then the same, and known, in every folder."""
    env = {k: v for k, v in os.environ.items() if k not in (
        "PYTHONPATH", "PYTHONSAFEPATH", "PYTHONSTARTUP", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = os.path.dirname(sys.executable)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def dashm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dashm", *args], cwd=cwd, env=clean_env(),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = Path(os.path.realpath(tmp_path)) / "proj"
    assert not any((folder / ".git").exists() for folder in root.parents), \
        "a .git above the temporary folder would be this project's workspace"
    return write_tree(root, PROJECT)


def places(project: Path) -> list[tuple[Path, str]]:
    """(working folder, how the project is named from there)."""
    return [(project, "."), (project.parent, project.name), (Path("/"), str(project))]


def findings_from(cwd: Path, argument: str) -> list[tuple[str, int, int, str, str]]:
    done = dashm("check", argument, "--format", "json", "--no-cache", cwd=cwd)
    assert done.returncode == 1, done.stderr
    return sorted((os.path.normpath(cwd / f["path"]), f["line"], f["column"], f["code"],
                   f["explanation"]) for f in json.loads(done.stdout))


def test_check_finds_the_same_from_every_folder(project: Path) -> None:
    (inside, *others) = [findings_from(cwd, argument) for cwd, argument in places(project)]
    assert all(found == inside for found in others), (inside, others)
    # The project folder is the workspace: pkg/app.py's script-only import is reported and the
    # correct one in pkg/fine.py is not (with the parent as workspace, it would be
    # `proj.pkg...` and both would be wrong).
    dm101 = [(Path(path).relative_to(project).as_posix(), line) for path, line, _, code, _
             in inside if code == "DM101"]
    assert dm101 == [("pkg/app.py", 1), ("tools/report.py", 2)]


@pytest.mark.parametrize("relative, module", [("pkg/app.py", "pkg.app"),
                                              ("tools/count.py", "tools.count")])
def test_module_names_the_same_from_every_folder(project: Path, relative: str,
                                                 module: str) -> None:
    answers = []
    for cwd, _ in [*places(project), (project / "tools", "")]:
        done = dashm("module", str(project / relative), "--json", cwd=cwd)
        assert done.returncode == 0, (cwd, done.stderr)
        answers.append(json.loads(done.stdout))
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0]["module"] == module and answers[0]["cwd"] == str(project)


@pytest.mark.parametrize("relative, module", [("tools/count.py", "tools.count"),
                                              ("utils.py", "utils")])
def test_module_from_the_root_folder_names_no_temporary_folder(project: Path, relative: str,
                                                               module: str) -> None:
    done = dashm("module", str(project / relative), cwd=Path("/"))
    assert done.returncode == 0, done.stderr
    assert "not a valid module name" not in done.stderr
    assert f"module: {module}\ncwd:    {project}\n" in done.stdout


@pytest.mark.parametrize("where, file, data", [
    ("tools", "count.py", "../data/x"),  # from inside tools/: the project is still the root
    (".", "tools/count.py", "data/x"),
    ("..", "proj/tools/count.py", "proj/data/x"),
])
def test_run_keeps_the_working_folder_and_relative_arguments(project: Path, where: str,
                                                             file: str, data: str) -> None:
    cwd = Path(os.path.normpath(project / where))
    done = dashm("run", file, data, cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"cwd {cwd}", "data payload 1"]
    assert "warning" not in done.stderr


def test_run_from_the_root_folder(project: Path) -> None:
    done = dashm("run", str(project / "tools/count.py"), str(project / "data/x"), cwd=Path("/"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["cwd /", "data payload 1"]


def test_run_warns_before_a_file_with_a_script_only_import(project: Path) -> None:
    done = dashm("run", "pkg/app.py", cwd=project)
    assert done.returncode == 1 and "No module named 'helper'" in done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith("dashm: warning: pkg/app.py:1: ") and "DM101" in first, first
    quiet = dashm("run", "pkg/fine.py", cwd=project)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "2\n", "")


@pytest.mark.parametrize("folder", ["pkg", "tools"])
def test_a_sub_folder_is_checked_as_part_of_its_project(project: Path, folder: str) -> None:
    """`check pkg` (a package) and `check tools` (whose file imports the project's utils)
    judge them in the project, as a check of the whole project does, from any folder."""
    whole = [f for f in findings_from(project, ".") if Path(f[0]).parent.name == folder]
    for cwd, argument in [(project, folder), (project / folder, "."),
                          (Path("/"), str(project / folder))]:
        done = dashm("check", argument, "--format", "json", "--no-cache", cwd=cwd)
        found = sorted((os.path.normpath(cwd / f["path"]), f["line"], f["column"], f["code"],
                        f["explanation"]) for f in json.loads(done.stdout or "[]"))
        assert found == whole, (cwd, argument, found, whole)


def test_a_cloned_repository_beside_the_project_is_not_its_module(tmp_path: Path) -> None:
    """`import detectron2` (installed from a clone in ~/code/detectron2) does not make ~/code
    the workspace of ~/code/proj: a folder with its own .git or pyproject.toml is a project."""
    code = Path(os.path.realpath(tmp_path)) / "code"
    write_tree(code, {"proj/train.py": "import detectron2\nimport helpers\n",
                      "proj/helpers.py": "", "detectron2/pyproject.toml": "",
                      "detectron2/detectron2/__init__.py": "", "scratch/notes.py": ""})
    assert workspace_folder(code / "proj/train.py") == code / "proj"
    assert workspace_folder(code / "proj") == code / "proj"
    (code / "proj/more.py").write_text("import scratch\n")  # a plain folder: a module of code/
    assert workspace_folder(code / "proj") == code


def test_the_home_folder_is_never_chosen_by_imports(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    home = Path(os.path.realpath(tmp_path)) / "home"
    write_tree(home, {"models/weights.txt": "", "proj/run.py": "import models\n"})
    monkeypatch.setenv("HOME", str(home))
    assert workspace_folder(home / "proj/run.py") == home / "proj"


def test_unreadable_or_broken_files_fall_back_to_their_folder(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/broken.py": "import utils\ndef f(:\n", "a/bytes.py": b"\xff\xfe",
                          "utils.py": ""})
    assert workspace_folder(tmp_path / "a/broken.py") == tmp_path / "a"
    assert workspace_folder(tmp_path / "a/bytes.py") == tmp_path / "a"
    assert workspace_folder(tmp_path / "a/missing.py") == tmp_path / "a"

"""DM104 against the real interpreter: a module hides a standard-library one only where its
folder is really first on sys.path, and a local `stat.py` that Python has loaded before any
user code can never be imported at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.test_modes_truth import by_file, check, run_module, run_script, write_tree


@pytest.mark.parametrize("name", ["stat", "abc", "codecs"])
def test_a_module_python_loads_at_start_up_is_never_the_local_one(
        tmp_path: Path, hook_dir: Path, name: str) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "",
        f"{name}.py": "MINE = 1\n",
        "main.py": f"import {name}\n\nif __name__ == '__main__':\n    print({name}.MINE)\n",
    })
    for run in (run_script(tmp_path, "main.py", hook_dir),
                run_module(tmp_path, "main.py", hook_dir)):
        assert run is not None and "AttributeError" in run.stderr
        assert os.path.realpath(tmp_path / f"{name}.py") not in run.modules.values()
    (finding,) = by_file(check(tmp_path))[f"{name}.py"]["DM104"]
    assert finding["explanation"].startswith(f"rename {name}.py: `import {name}` never loads it")


def test_a_start_up_module_nobody_imports_by_that_name_is_left_alone(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "pkg/__init__.py": "",
        "pkg/stat.py": "MINE = 1\n",  # imported as pkg.stat: fine
        "pkg/use.py": "from pkg import stat\n",
    })
    assert check(tmp_path) == []


def test_a_package_module_named_like_the_stdlib_hides_nothing_under_python_m(
        tmp_path: Path, hook_dir: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[project]\nname = "lib"\nversion = "1"\n',
        "lib/__init__.py": "",
        "lib/logging.py": "import logging\n\nlog = logging.getLogger('x')\n",
        "lib/__main__.py": "from lib.logging import log\n\n"
                           "if __name__ == '__main__':\n    print(log.name)\n",
    })
    main = run_module(tmp_path, "lib/__main__.py", hook_dir)
    assert main is not None and main.stdout == "x\n"
    assert check(tmp_path) == []


def test_a_by_path_script_beside_it_makes_it_hide_the_stdlib(tmp_path: Path,
                                                             hook_dir: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "tools/logging.py": "VALUE = 1\n",
        "tools/report.py": "import logging\n\nif __name__ == '__main__':\n"
                           "    print(logging.INFO)\n",
    })
    script = run_script(tmp_path, "tools/report.py", hook_dir)
    assert "AttributeError" in script.stderr  # the local logging.py was loaded
    assert "DM104" in by_file(check(tmp_path))["tools/logging.py"]


def _installed_copy(tmp_path: Path, distribution: str, packages: dict[str, str]) -> Path:
    """A virtual environment where `pip install .` of the project left `packages` (name ->
    __init__ text) and the distribution's dist-info; returns its python."""
    import subprocess
    import sys
    import sysconfig

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    site = Path(purelib)
    record = []
    for name, text in packages.items():
        write_tree(site, {f"{name}/__init__.py": text})
        record.append(f"{name}/__init__.py,,")
    info = site / f"{distribution}-0.1.dist-info"
    write_tree(info, {"METADATA": f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.1\n",
                      "RECORD": "\n".join(record) + "\n"})
    return venv / "bin" / "python"


@pytest.mark.parametrize("distribution, packages", [
    ("mylib", ["mylib"]), ("attrs", ["attr", "attrs"])])
def test_the_project_installed_from_itself_is_not_hidden_by_its_source(
        tmp_path: Path, distribution: str, packages: list[str]) -> None:
    """tox installs the project (`pip install .`, not editable): its src/ packages then have
    an installed twin, the same code. No DM104; another distribution's package of that name
    is still hidden."""
    import subprocess

    files = {"pyproject.toml": f'[project]\nname = "{distribution}"\nversion = "0.1"\n'}
    files.update({f"src/{name}/__init__.py": "VERSION = '0.1'\n" for name in packages})
    workspace = write_tree(tmp_path / "ws", files)
    python = _installed_copy(tmp_path, distribution, {n: "VERSION = '0.1'\n" for n in packages})
    ran = subprocess.run([str(python), "-c", f"import {packages[0]}; print({packages[0]}.VERSION)"],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert ran.stdout == "0.1\n", ran.stderr
    assert "DM104" not in str(check(workspace, "--python", str(python)))
    other = _installed_copy(tmp_path / "other", "someone-else", {packages[0]: "X = 1\n"})
    hidden = by_file(check(workspace, "--python", str(other)))
    assert "DM104" in hidden[f"src/{packages[0]}/__init__.py"]

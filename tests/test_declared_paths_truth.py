"""Folders the project's own test set-up puts on sys.path, and modules found by their name in
a string: judged by running pytest before and after `--fix` (found by QA on
free-python-games, whose tox.ini sets `PYTHONPATH={toxinidir}/tests`).

- pytest's `pythonpath = ["tests"]` or tox's `PYTHONPATH` make `import helper` in tests/ work
  where the project runs its tests: no DM101, and `--fix` leaves the tests passing.
- `sys.modules['helper']` names the module: a rewrite to `from tests import helper` renames it
  and the lookup fails, so `--fix` does not apply it (the quick fix says why).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.test_modes_truth import by_file, check, dashm, snapshot, write_tree

TESTS = {
    "tests/__init__.py": "",
    "tests/helper.py": "STATE = {}\n",
    "tests/test_x.py": "import sys\n\nimport helper\n\n\ndef test_same_module():\n"
                       "    assert sys.modules['helper'] is helper\n",
}


def pytest_run(workspace: Path, pythonpath: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath:
        env["PYTHONPATH"] = str(workspace / pythonpath)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests"], cwd=workspace, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("config", [
    ("pyproject.toml", '[project]\nname = "demo"\nversion = "0"\n\n'
                       '[tool.pytest.ini_options]\npythonpath = ["tests"]\n'),
    ("pytest.ini", "[pytest]\npythonpath = tests\n"),
])
def test_pytest_pythonpath_makes_the_import_work(tmp_path: Path, config: tuple[str, str]
                                                 ) -> None:
    write_tree(tmp_path, {**TESTS, config[0]: config[1]})
    assert pytest_run(tmp_path).returncode == 0
    assert "tests/test_x.py" not in by_file(check(tmp_path))
    dashm("check", ".", "--fix", cwd=tmp_path)
    assert pytest_run(tmp_path).returncode == 0


@pytest.mark.parametrize("setenv", ["setenv = PYTHONPATH={toxinidir}/tests\n",
                                    "setenv =\n    PYTHONPATH = {toxinidir}:{toxinidir}/tests\n"])
def test_tox_pythonpath_makes_the_import_work(tmp_path: Path, setenv: str) -> None:
    write_tree(tmp_path, {**TESTS, "pyproject.toml": "",
                          "tox.ini": f"[testenv]\ndeps = pytest\ncommands = pytest tests\n"
                                     f"{setenv}"})
    assert pytest_run(tmp_path, "tests").returncode == 0
    assert "tests/test_x.py" not in by_file(check(tmp_path))
    dashm("check", ".", "--fix", cwd=tmp_path)
    assert pytest_run(tmp_path, "tests").returncode == 0


def test_a_module_looked_up_by_name_is_not_renamed_by_fix(tmp_path: Path) -> None:
    write_tree(tmp_path, {**TESTS, "pyproject.toml": ""})
    # Without a set-up that puts tests/ on sys.path, the import is by-path only ...
    assert pytest_run(tmp_path).returncode != 0
    assert pytest_run(tmp_path, "tests").returncode == 0
    (finding,) = by_file(check(tmp_path))["tests/test_x.py"]["DM101"]
    # ... but the rewrite would rename the module that sys.modules['helper'] looks up.
    assert finding["fix"]["safe"] is False
    assert "sys.modules['helper']" in finding["fix"]["breaks_documented_run"]
    before = snapshot(tmp_path)
    dashm("check", ".", "--fix", cwd=tmp_path)
    assert snapshot(tmp_path) == before
    # The rewrite, applied by hand, fails as said.
    test = tmp_path / "tests" / "test_x.py"
    test.write_text(test.read_text().replace("import helper", "from tests import helper"))
    failed = pytest_run(tmp_path)
    assert failed.returncode != 0 and "KeyError: 'helper'" in failed.stdout

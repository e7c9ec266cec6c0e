"""DM102 in folders without `__init__.py`, against the real interpreter, pytest and unittest:
a relative import is reported exactly where the way the file is evidently run makes it fail
(run by path, imported as a top-level sibling of a by-path script, collected by a test
runner), and the test-folder fix makes `python -m pytest` and `unittest discover` pass."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_modes_truth import (
    RELATIVE_ERROR,
    base_env,
    by_file,
    check,
    dashm,
    run_module,
    run_script,
    write_tree,
)

GUARD = "\n\nif __name__ == '__main__':\n    print('ok')\n"
EVIDENT = {
    # A __main__ guard in a folder without __init__.py.
    "scripts/guarded.py": "from . import shared" + GUARD,
    # A sys.path hack built from __file__.
    "bin/hacked.py": "import os, sys\n\nsys.path.insert(0, os.path.dirname(__file__))\n"
                     "from .shared import X\n",
    # Documented as run by path (README.md below).
    "tools/documented.py": "from .shared import X\n",
    # Imported by its bare name from a by-path script beside it.
    "tools/middle.py": "from . import shared\n",
    "tools/main.py": "import middle" + GUARD,
}
QUIET = {
    # A namespace-package module nobody runs by path: `python -m pkgless.lib` works.
    "pkgless/lib.py": "from . import shared\n",
}


def shared_modules(folders: list[str]) -> dict[str, str]:
    return {f"{f}/shared.py": "X = 1\n" for f in folders}


def test_relative_imports_of_evidently_run_files(tmp_path: Path, hook_dir: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "", **EVIDENT, **QUIET,
                          **shared_modules(["scripts", "bin", "tools", "pkgless"]),
                          "README.md": "Run `python tools/documented.py` to see it.\n"})
    for relative in set(EVIDENT) - {"tools/main.py"}:  # main.py itself is DM101
        if relative == "tools/middle.py":
            run = run_script(tmp_path, "tools/main.py", hook_dir)
        else:
            run = run_script(tmp_path, relative, hook_dir)
        assert RELATIVE_ERROR in run.stderr, (relative, run)
        module = run_module(tmp_path, relative, hook_dir)
        assert module is not None and module.ok, module
    quiet = run_module(tmp_path, "pkgless/lib.py", hook_dir)
    assert quiet is not None and quiet.ok

    findings = by_file(check(tmp_path))
    reported = {path for path, codes in findings.items() if "DM102" in codes}
    assert reported == set(EVIDENT) - {"tools/main.py"}, findings
    message = findings["tools/documented.py"]["DM102"][0]["explanation"]
    assert message.startswith("run it as `python -m tools.documented`")
    assert "README.md:1" in message
    assert "imports this file as the top-level module `middle`" in \
        findings["tools/middle.py"]["DM102"][0]["explanation"]


def test_runners(project: Path) -> tuple[subprocess.CompletedProcess, ...]:
    env = base_env()
    pytest_run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                 "tests"], cwd=project, env=env, capture_output=True,
                                text=True, timeout=120)
    unittest_run = subprocess.run([sys.executable, "-m", "unittest", "discover", "-s", "tests",
                                   "-t", "."], cwd=project, env=env, capture_output=True,
                                  text=True, timeout=120)
    return pytest_run, unittest_run


test_runners.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


TEST_FILE = ("import unittest\n\nfrom .common import VALUE\n\n\n"
             "class TestValue(unittest.TestCase):\n    def test_value(self):\n"
             "        self.assertEqual(VALUE, 2)\n")


def test_a_test_folder_without_init_gets_its_init(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "", "tests/common.py": "VALUE = 2\n",
                          "tests/test_value.py": TEST_FILE})
    assert all(run.returncode != 0 for run in test_runners(tmp_path))
    (finding,) = by_file(check(tmp_path))["tests/test_value.py"]["DM102"]
    assert finding["explanation"].startswith("add tests/__init__.py")
    assert finding["fix"]
    done = dashm("check", ".", "--fix", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "tests/__init__.py").exists()
    assert all(run.returncode == 0 for run in test_runners(tmp_path))


def test_no_init_when_a_test_imports_a_sibling_by_its_bare_name(tmp_path: Path) -> None:
    # `import common` works only while tests/ itself is on sys.path: an __init__.py would
    # break it, so the finding stands without a fix.
    write_tree(tmp_path, {"pyproject.toml": "", "tests/common.py": "VALUE = 2\n",
                          "tests/test_value.py": TEST_FILE,
                          "tests/test_other.py": "import common\n\n\n"
                                                 "def test_other():\n"
                                                 "    assert common.VALUE == 2\n"})
    (finding,) = by_file(check(tmp_path))["tests/test_value.py"]["DM102"]
    assert finding["fix"] is None

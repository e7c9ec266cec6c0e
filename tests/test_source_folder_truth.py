"""DM106 against the real interpreter and real pytest: `from src.mypkg.core import X` works
only while the project folder is on sys.path; the fix (`from mypkg.core import X`) is offered
only where it keeps the tests passing, and `src/__init__.py` is never the remedy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.test_modes_truth import base_env, by_file, check, dashm, write_tree

PYPROJECT = '[project]\nname = "mypkg"\nversion = "1"\n'
PYTEST_PATH = '\n[tool.pytest.ini_options]\npythonpath = ["src"]\n'
SRC_LAYOUT = {
    "src/mypkg/__init__.py": "",
    "src/mypkg/core.py": "X = 1\n",
    # The hack that keeps `src.mypkg` alive: the project folder on sys.path.
    "conftest.py": "import os, sys\n\nsys.path.insert(0, os.path.dirname(__file__))\n",
    "tests/test_core.py": "from src.mypkg.core import X\n\n\ndef test_x():\n    assert X == 1\n",
    "tests/test_whole.py": "import src.mypkg.core as core\n\n\ndef test_core():\n"
                           "    assert core.X == 1\n",
}


def pytest_passes(project: Path) -> bool:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests"], cwd=project, env=base_env(), capture_output=True,
                          text=True, timeout=120)
    return done.returncode == 0


def installed_import(site: Path, statement: str, cwd: Path) -> bool:
    """`statement` with only the installed package on sys.path (run from elsewhere)."""
    done = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(site)!r})"
                           f"; {statement}"], cwd=cwd, env=base_env(), capture_output=True,
                          text=True, timeout=60)
    return done.returncode == 0


@pytest.mark.parametrize("configured", [False, True])
def test_imports_through_the_source_folder(tmp_path: Path, configured: bool) -> None:
    project = tmp_path / "proj"
    write_tree(project, {**SRC_LAYOUT,
                         "pyproject.toml": PYPROJECT + (PYTEST_PATH if configured else "")})
    assert pytest_passes(project)
    # Installed, the package is `mypkg`; `src.mypkg` is gone.
    site = tmp_path / "site"
    write_tree(site, {"mypkg/__init__.py": "", "mypkg/core.py": "X = 1\n"})
    assert not installed_import(site, "import src.mypkg.core", tmp_path)
    assert installed_import(site, "import mypkg.core", tmp_path)

    findings = by_file(check(project))
    (from_import,) = findings["tests/test_core.py"]["DM106"]
    (plain,) = findings["tests/test_whole.py"]["DM106"]
    assert from_import["message"].startswith("import `mypkg.core`, not `src.mypkg.core`")
    assert "DM201" not in {code for codes in findings.values() for code in codes}
    if configured:  # pytest's pythonpath makes `mypkg` importable: the rewrite is safe
        assert from_import["fix"] and plain["fix"]
    else:  # without it the rewrite would break the tests: say what to do first
        assert from_import["fix"] is None and plain["fix"] is None
        assert 'pythonpath = ["src"]' in from_import["message"]

    done = dashm("check", ".", "--fix", cwd=project)
    assert done.returncode in (0, 1), done.stderr
    assert not (project / "src/__init__.py").exists()
    assert pytest_passes(project)
    text = (project / "tests/test_core.py").read_text()
    assert ("from mypkg.core import X" in text) == configured
    if configured:
        assert "import mypkg.core as core" in (project / "tests/test_whole.py").read_text()
        (project / "conftest.py").unlink()  # the hack is no longer needed
        assert pytest_passes(project)


def test_a_real_package_named_src_is_left_alone(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "src/__init__.py": "",
        "src/core.py": "X = 1\n",
        "main.py": "from src.core import X\n",
    })
    assert check(tmp_path) == []

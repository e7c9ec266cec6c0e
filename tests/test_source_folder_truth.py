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
    assert from_import["explanation"].startswith("import `mypkg.core`, not `src.mypkg.core`")
    assert "DM201" not in {code for codes in findings.values() for code in codes}
    # Either pytest's pythonpath makes `mypkg` importable already, or the fix puts `src` on
    # it in pyproject.toml, together with the rewrite: the tests pass either way.
    assert from_import["fix"] and plain["fix"]
    edited = {e["path"] for e in from_import["fix"]["edits"]}
    assert any(p.endswith("pyproject.toml") for p in edited) == (not configured)
    # The conftest.py hack adds its own folder, which pytest adds itself: deleted.
    (hack,) = findings["conftest.py"]["DM103"]
    assert hack["fix"] and hack["fix"]["safe"]

    done = dashm("check", ".", "--fix", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (project / "src/__init__.py").exists()
    assert pytest_passes(project)
    assert "from mypkg.core import X" in (project / "tests/test_core.py").read_text()
    assert "import mypkg.core as core" in (project / "tests/test_whole.py").read_text()
    assert "sys.path" not in (project / "conftest.py").read_text()
    config = (project / "pyproject.toml").read_text()
    assert config.count('pythonpath = ["src"]') == 1 and config.startswith(PYPROJECT)
    # The tests also pass against the installed package, from a folder without the project.
    assert pytest_passes(project) and installed_import(site, "import mypkg.core", tmp_path)
    assert dashm("check", ".", "--fix", cwd=project).stdout.startswith("All checks passed")


def test_the_setting_goes_where_pytest_reads_it(tmp_path: Path) -> None:
    """pytest.ini wins over pyproject.toml; a tox.ini `[pytest]` is extended rather than a new
    pyproject table that would take its place."""
    for name, config, section in (("pytest.ini", "[pytest]\naddopts = -q\n", "[pytest]"),
                                  ("tox.ini", "[tox]\nenvlist = py\n\n[pytest]\n"
                                              "addopts = -q\n", "[pytest]")):
        project = tmp_path / name
        write_tree(project, {**SRC_LAYOUT, "pyproject.toml": PYPROJECT, name: config})
        assert pytest_passes(project)
        done = dashm("check", ".", "--fix", cwd=project)
        assert done.returncode == 0, done.stdout + done.stderr
        assert pytest_passes(project)
        assert (project / "pyproject.toml").read_text() == PYPROJECT
        text = (project / name).read_text()
        assert text.replace("pythonpath = src\n", "") == config and section in text


def test_no_fix_when_the_source_folder_would_change_another_import(tmp_path: Path) -> None:
    """`src/helpers.py` would go first on sys.path, and a test imports its own `helpers`."""
    project = tmp_path / "proj"
    write_tree(project, {**SRC_LAYOUT, "pyproject.toml": PYPROJECT,
                         "src/helpers.py": "WHO = 'src'\n",
                         "tests/helpers.py": "WHO = 'tests'\n",
                         "tests/test_core.py": "import helpers\nfrom src.mypkg.core import X\n"
                                              "\n\ndef test_x():\n"
                                              "    assert helpers.WHO == 'tests'\n"})
    assert pytest_passes(project)
    (finding,) = by_file(check(project))["tests/test_core.py"]["DM106"]
    assert finding["fix"] is None
    dashm("check", ".", "--fix", cwd=project)
    assert pytest_passes(project)
    assert "pythonpath" not in (project / "pyproject.toml").read_text()


def test_a_conftest_hack_moves_to_pytest_pythonpath(tmp_path: Path) -> None:
    """`sys.path.insert(0, <project>/src)` in tests/conftest.py becomes `pythonpath`; in a
    test file that is also run by path, the same change is offered but not applied."""
    project = tmp_path / "proj"
    hack = ("import os\nimport sys\n\nsys.path.insert(0, os.path.join(os.path.dirname("
            "__file__), '..', 'src'))\n")
    write_tree(project, {
        "pyproject.toml": PYPROJECT,
        "src/mypkg/__init__.py": "", "src/mypkg/core.py": "X = 1\n",
        "tests/conftest.py": hack,
        "tests/test_core.py": "from mypkg.core import X\n\n\ndef test_x():\n"
                              "    assert X == 1\n",
        "tests/test_run.py": hack + "from mypkg.core import X\n\n\ndef test_x():\n"
                             "    assert X == 1\n\n\nif __name__ == '__main__':\n"
                             "    test_x()\n    print('ran')\n",
    })
    assert pytest_passes(project)
    findings = by_file(check(project))
    (moved,) = findings["tests/conftest.py"]["DM103"]
    assert moved["fix"]["safe"] and "pythonpath" in moved["fix"]["message"]
    (by_path,) = findings["tests/test_run.py"]["DM103"]
    assert by_path["fix"] and not by_path["fix"]["safe"]
    done = dashm("check", ".", "--fix", cwd=project)
    assert pytest_passes(project), done.stdout
    assert "sys.path" not in (project / "tests/conftest.py").read_text()
    assert 'pythonpath = ["src"]' in (project / "pyproject.toml").read_text()
    ran = subprocess.run([sys.executable, "tests/test_run.py"], cwd=project, env=base_env(),
                         capture_output=True, text=True, timeout=60)
    assert ran.stdout.strip() == "ran", ran.stderr


def test_no_deletion_when_pytest_imports_by_importlib(tmp_path: Path) -> None:
    """With `--import-mode=importlib` pytest adds no test folder to sys.path: the conftest
    hack is needed."""
    project = tmp_path / "proj"
    write_tree(project, {**SRC_LAYOUT, "pyproject.toml": PYPROJECT +
                         '\n[tool.pytest.ini_options]\naddopts = "--import-mode=importlib"\n'})
    (hack,) = by_file(check(project))["conftest.py"]["DM103"]
    assert hack["fix"] is None


def test_a_real_package_named_src_is_left_alone(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "src/__init__.py": "",
        "src/core.py": "X = 1\n",
        "main.py": "from src.core import X\n",
    })
    assert check(tmp_path) == []


def test_no_pytest_fix_where_nothing_says_pytest_runs_the_tests(tmp_path: Path) -> None:
    """No conftest.py, no pytest configuration: the tests may be run by another runner
    (`python tests/alltests.py`), for which pytest's settings do nothing."""
    project = tmp_path / "proj"
    write_tree(project, {
        "pyproject.toml": PYPROJECT,
        "src/mypkg/__init__.py": "", "src/mypkg/core.py": "X = 1\n",
        "tests/support.py": "import os\nimport sys\n\nsys.path.insert(0, os.path.join("
                            "os.path.dirname(__file__), '..', 'src'))\n",
        "tests/test_core.py": "import support\nfrom src.mypkg.core import X\n",
    })
    findings = by_file(check(project))
    (hack,) = findings["tests/support.py"]["DM103"]
    (through,) = findings["tests/test_core.py"]["DM106"]
    assert hack["fix"] is None and through["fix"] is None

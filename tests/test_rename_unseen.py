"""`dashm rename-module` on shapes found by judging real projects (issue 15): each rename either
leaves everything that ran running, with the real interpreter and real pytest as the judges,
or is refused with the reason and changes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_modes_truth import snapshot
from trees import write_tree


def run(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=120)


def rename(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # -P: a workspace with its own `types.py` must not replace the one dashm's imports need.
    return run(cwd, sys.executable, "-P", "-m", "dashm", "rename-module", *args)


def renamed_and_runs(root: Path, old: str, new: str, outputs: dict[str, str]) -> None:
    """The rename is made, and each script prints what it printed (or should have)."""
    done = rename(root, old, new)
    assert done.returncode == 0, done.stderr
    for script, output in outputs.items():
        assert run(root, sys.executable, script).stdout == output, script


def pytest_passes(cwd: Path) -> bool:
    return run(cwd, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "-p", "no:hypothesispytest").returncode == 0


def test_a_documented_script_without_a_guard_keeps_its_module(tmp_path: Path) -> None:
    """README: `python tools/run.py`, whose `import json` loads tools/json.py that way and the
    standard library's under -m: refused, as for a guarded script."""
    files = {"README.md": "```sh\npython tools/run.py\n```\n",
             "tools/run.py": "import json\nprint(json.MINE)\n", "tools/json.py": "MINE = 1\n"}
    repository = write_tree(tmp_path / "repo", files)
    (repository / ".git").mkdir()  # the project is the repository, README and all
    before = snapshot(repository)
    done = rename(repository, "tools/json.py", "json_utils")
    assert done.returncode == 1 and "python tools/run.py" in done.stderr, done.stderr
    assert snapshot(repository) == before
    assert run(repository, sys.executable, "tools/run.py").stdout == "1\n"
    # Without a project around it, tools/ is the workspace (`python -m run` loads tools/json.py
    # too): renamed, and the documented run still works.
    loose = write_tree(tmp_path / "loose", files)
    assert rename(loose, "tools/json.py", "json_utils").returncode == 0
    assert run(loose, sys.executable, "tools/run.py").stdout == "1\n"


def test_a_test_helper_pytest_finds_beside_the_tests(tmp_path: Path) -> None:
    """pytest puts tests/ first on sys.path for tests/test_q.py: its `queue` is tests/queue.py."""
    write_tree(tmp_path, {
        "tests/queue.py": "ITEMS = [1, 2]\n",
        "tests/test_q.py": "import queue\nfrom queue import ITEMS\n\n\ndef test_items():\n"
                           "    assert queue.ITEMS == ITEMS == [1, 2]\n",
    })
    assert pytest_passes(tmp_path)
    done = rename(tmp_path, "tests/queue.py", "queue_utils")
    assert done.returncode == 0, done.stderr
    assert pytest_passes(tmp_path)
    assert "queue_utils" in (tmp_path / "tests/test_q.py").read_text()


def test_pytests_pythonpath_is_how_the_tests_import(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[project]\nname = "g"\nversion = "0"\n'
                          '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
        "src/secrets.py": 'TOKEN = "t"\n',
        "tests/test_app.py": "import secrets\n\n\ndef test_tok():\n"
                             '    assert secrets.TOKEN == "t"\n',
    })
    assert pytest_passes(tmp_path)
    assert rename(tmp_path, "src/secrets.py", "secrets_utils").returncode == 0
    assert pytest_passes(tmp_path)


def test_an_import_written_for_the_hidden_module_is_left_to_reach_it(tmp_path: Path) -> None:
    """random.py has only shuffle_deck; game.py's `random.choice` meant the standard library's
    (and fails today): it is kept, and works once the local module has another name."""
    write_tree(tmp_path, {
        "random.py": "def shuffle_deck(d):\n    return list(reversed(d))\n",
        "cards.py": "import random\nprint(random.shuffle_deck([1, 2]))\n",
        "game.py": "import random\nprint(random.choice([5]))\n",
    })
    assert "AttributeError" in run(tmp_path, sys.executable, "game.py").stderr
    done = rename(tmp_path, "random.py", "random_utils")
    assert done.returncode == 0 and "kept game.py:1" in done.stderr, done.stderr
    assert run(tmp_path, sys.executable, "game.py").stdout == "5\n"
    assert run(tmp_path, sys.executable, "cards.py").stdout == "[2, 1]\n"


def test_names_others_reach_through_an_importer_stay_bound(tmp_path: Path) -> None:
    """`from main import *` then `json.A`, and `main.json.A`: main.py keeps the name bound."""
    write_tree(tmp_path, {"json.py": "A = 1\n", "main.py": "import json\nB = json.A\n",
                          "lib1.py": "from main import *\nprint('star', json.A)\n",
                          "lib2.py": "import main\nprint('attr', main.json.A)\n"})
    renamed_and_runs(tmp_path, "json.py", "json_utils",
                     {"lib1.py": "star 1\n", "lib2.py": "attr 1\n"})


def test_setuptools_files_that_name_the_module_refuse_the_rename(tmp_path: Path) -> None:
    for name, text in (("setup.py", 'from setuptools import setup\nsetup(name="r", '
                        'version="0", packages=["types"])\n'),
                       ("setup.cfg", "[metadata]\nname = r\n[options]\npackages = types\n")):
        root = write_tree(tmp_path / name, {name: text, "types/__init__.py": "X = 1\n",
                                            "app.py": "import types\nprint(types.X)\n"})
        before = snapshot(root)
        done = rename(root, "types", "types_utils")
        assert done.returncode == 1 and f"{name}:" in done.stderr, done.stderr
        assert snapshot(root) == before


def test_the_diff_keeps_a_bom_and_git_apply_takes_it(tmp_path: Path) -> None:
    files = {"json.py": "A = 1\n", "main.py": b"\xef\xbb\xbfimport json\r\nprint(json.A)\r\n"}
    previewed, renamed = write_tree(tmp_path / "a", files), write_tree(tmp_path / "b", files)
    diff = subprocess.run([sys.executable, "-P", "-m", "dashm", "rename-module", "json.py",
                           "json_utils", "--diff"], cwd=previewed, capture_output=True,
                          timeout=120).stdout
    applied = subprocess.run(["git", "apply"], input=diff, cwd=previewed, capture_output=True,
                             timeout=60)
    assert applied.returncode == 0, applied.stderr
    assert rename(renamed, "json.py", "json_utils").returncode == 0
    assert snapshot(previewed) == snapshot(renamed)
    assert snapshot(renamed)["main.py"].startswith(b"\xef\xbb\xbfimport json_utils\r\n")


def test_a_star_import_of_the_module_is_rewritten_and_keeps_working(tmp_path: Path) -> None:
    write_tree(tmp_path, {"random.py": "def shuffle_deck(d):\n    return list(reversed(d))\n",
                          "main.py": "from random import *\nprint(shuffle_deck([1, 2]))\n"})
    renamed_and_runs(tmp_path, "random.py", "random_utils", {"main.py": "[2, 1]\n"})


def test_a_star_chain_through_a_package_keeps_the_name_bound(tmp_path: Path) -> None:
    write_tree(tmp_path, {"json.py": "A = 1\n", "pkg/__init__.py": "from .sub import *\n",
                          "pkg/sub.py": "import json\n",
                          "main.py": "from pkg import *\nprint(json.A)\n"})
    renamed_and_runs(tmp_path, "json.py", "json_utils", {"main.py": "1\n"})


def test_names_pytest_and_packaging_read_refuse_the_rename(tmp_path: Path) -> None:
    cases = {
        "plugins": {"conftest.py": 'pytest_plugins = ["secrets"]\n', "secrets.py": "X = 1\n"},
        "doctest": {"lib.py": '"""\n>>> import secrets\n"""\n', "secrets.py": "X = 1\n"},
        "find": {"pyproject.toml": '[project]\nname = "r"\nversion = "0"\n'
                                   '[tool.setuptools.packages.find]\ninclude = ["secrets"]\n',
                 "secrets/__init__.py": "X = 1\n"},
    }
    for name, files in cases.items():
        root = write_tree(tmp_path / name, files)
        before = snapshot(root)
        target = "secrets" if name == "find" else "secrets.py"
        done = rename(root, target, "secrets_utils")
        assert done.returncode == 1 and "by hand" in done.stderr, (name, done.stderr)
        assert snapshot(root) == before


def test_a_conftest_at_the_root_puts_it_on_pytests_path(tmp_path: Path) -> None:
    """A conftest.py in the project folder makes pytest put that folder on sys.path: the
    tests' `import colorsys` is ./colorsys.py; under `python -m pytest` alone it would be too,
    under plain `pytest` without the conftest not: then refused."""
    files = {"colorsys.py": "MINE = 1\n",
             "tests/test_a.py": "import colorsys\n\n\ndef test_a():\n"
                                "    assert colorsys.MINE == 1\n"}
    with_conftest = write_tree(tmp_path / "a", {**files, "conftest.py": ""})
    assert pytest_passes(with_conftest)
    assert rename(with_conftest, "colorsys.py", "colorsys_utils").returncode == 0
    assert pytest_passes(with_conftest)
    bare = write_tree(tmp_path / "b", {**files, "Makefile": "test:\n\tpython -m pytest -q\n"})
    done = rename(bare, "colorsys.py", "colorsys_utils")
    assert done.returncode == 1 and "python -m pytest" in done.stderr, done.stderr

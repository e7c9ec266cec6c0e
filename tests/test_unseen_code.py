"""Shapes found on real repositories and library wheels (yolov5, detectron2, flask, click,
stable-diffusion, typer, pip, setuptools, rich, marshmallow), cut down to a few files each:
what dashm said wrongly there, and what `--fix` broke, must stay fixed. Where it matters the
real interpreter shows the code works as it is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_modes_truth import base_env, by_file, check, dashm, snapshot, write_tree


def python(cwd: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python ARGS` run in `cwd`, with PYTHONPATH=`path` when given (an installed package)."""
    env = base_env() if path is None else {**base_env(), "PYTHONPATH": path}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=60)


def codes(root: Path) -> set[tuple[str, str]]:
    return {(path, code) for path, found in by_file(check(root)).items() for code in found}


def test_a_test_folder_named_like_the_stdlib_does_not_crash(tmp_path: Path) -> None:
    # click: tests/typing/ beside `import typing` (the import reaches the stdlib's file).
    write_tree(tmp_path, {"tests/test_a.py": "import typing\n",
                          "tests/typing/typing_x.py": "x = 1\n"})
    done = dashm("check", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_file_a_framework_loads_from_its_own_folder_is_left_alone(tmp_path: Path) -> None:
    # flask's tests/test_apps/helloworld/wsgi.py: loaded as top-level `wsgi` by `flask run`.
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "p"\nversion = "0"\n',
                          "tests/app/hello.py": "app = 'hello'\n",
                          "tests/app/wsgi.py": "from hello import app\n"})
    assert python(tmp_path / "tests/app", "-c", "import wsgi").returncode == 0
    assert codes(tmp_path) == set()
    assert dashm("check", ".", "--fix", cwd=tmp_path).returncode == 0
    assert python(tmp_path / "tests/app", "-c", "import wsgi").returncode == 0


def test_an_optional_import_where_nothing_runs_by_path(tmp_path: Path) -> None:
    # yolov5's utils/loggers/__init__.py beside utils/loggers/wandb/.
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "pkg/__init__.py": "",
        "pkg/loggers/wandb/__init__.py": "",
        "pkg/loggers/__init__.py": "try:\n    import wandb\n    assert hasattr(wandb, "
                                   "'__version__')\nexcept (ImportError, AssertionError):\n"
                                   "    wandb = None\n",
    })
    assert codes(tmp_path) == set()


def test_a_script_with_a_shebang_keeps_its_by_path_run(tmp_path: Path) -> None:
    # detectron2's tools/lightning_train_net.py: #! and a __main__ guard, mode 644.
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "tools/__init__.py": "",
        "tools/train_net.py": "def build():\n    return 1\n",
        "tools/light.py": "#!/usr/bin/env python3\nfrom train_net import build\n\n"
                          "if __name__ == '__main__':\n    print('ok', build())\n",
    })
    (finding,) = by_file(check(tmp_path))["tools/light.py"]["DM101"]
    assert finding["fix"]["safe"] is False
    dashm("check", ".", "--fix", cwd=tmp_path)
    assert python(tmp_path, "tools/light.py").stdout == "ok 1\n"


def test_a_namespace_folder_with_modules_is_not_a_source_folder(tmp_path: Path) -> None:
    # stable-diffusion's ldm/ (ldm/util.py, ldm/data/...), imported as ldm.*.
    write_tree(tmp_path, {
        "setup.py": "from setuptools import setup, find_packages\n"
                    "setup(name='x', packages=find_packages())\n",
        "ns/util.py": "def y():\n    pass\n",
        "ns/data/__init__.py": "",
        "ns/data/base.py": "X = 1\n",
        "main.py": "from ns.data.base import X\nfrom ns.util import y\n",
    })
    found = codes(tmp_path)
    assert not any(code == "DM106" for _, code in found), found
    assert any(code == "DM201" for _, code in found)


def test_a_new_top_level_package_in_a_distribution_is_asked_for(tmp_path: Path) -> None:
    # detectron2's projects/: find_packages() leaves it out on purpose.
    write_tree(tmp_path, {
        "setup.py": "from setuptools import setup, find_packages\n"
                    "setup(name='lib', packages=find_packages(exclude=('tests*',)))\n",
        "lib/__init__.py": "", "tests/__init__.py": "",
        "projects/Rend/rend/__init__.py": "",
        "tests/test_a.py": "def test_x():\n    from projects.Rend import rend\n",
    })
    findings = [f for f in check(tmp_path) if f["code"] == "DM201"]
    assert findings and all(f["fix"] and f["fix"]["safe"] is False for f in findings)
    dashm("check", ".", "--fix", cwd=tmp_path)
    assert not (tmp_path / "projects/__init__.py").exists()


def test_an_import_that_script_mode_never_reaches(tmp_path: Path) -> None:
    # rich's highlighter.py: `import json` in its __main__ block after a relative import.
    write_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/util.py": "def helper():\n    return 1\n",
        "pkg/json.py": "from json import dumps as _d\n\ndef dumps(x):\n    return _d(x)\n",
        "pkg/hl.py": "from .util import helper\n\nif __name__ == '__main__':\n"
                     "    import json\n    print(json.dumps({'a': helper()}))\n",
        "pkg/demo.py": "import inspect\n\nif __name__ == '__main__':\n    pass\n",
    })
    assert "relative import" in python(tmp_path, "pkg/hl.py").stderr
    assert ("pkg/hl.py", "DM105") not in codes(tmp_path)


def test_a_package_init_with_a_vendor_path(tmp_path: Path, ) -> None:
    # setuptools' __init__.py puts _vendor/ on sys.path; the vendored namespace stays.
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "lib/__init__.py": "import os, sys\n\nsys.path.extend([os.path.join("
                           "os.path.dirname(__file__), '_vendor')])\nfrom .core import answer\n",
        "lib/core.py": "import dep\n\nanswer = dep.VALUE\n",
        "lib/_vendor/dep/__init__.py": "VALUE = 1\n",
        "lib/_vendor/ns/text/__init__.py": "VALUE = 'text'\n",
    })
    found = codes(tmp_path)
    assert ("lib/__init__.py", "DM102") not in found
    assert not any(code == "DM201" for _, code in found), found


def test_pips_by_path_shim_is_left_alone(tmp_path: Path) -> None:
    # pip/__main__.py: the path change runs only when run by path (or from a zip).
    write_tree(tmp_path, {
        "tool/__init__.py": "",
        "tool/core.py": "def main():\n    print('ok')\n",
        "tool/__main__.py": "import os, sys\n\nif __package__ == '':\n    sys.path.insert(0, "
                            "os.path.dirname(os.path.dirname(__file__)))\n\n"
                            "if __name__ == '__main__':\n    from tool.core import main\n"
                            "    main()\n",
    })
    assert python(tmp_path, "tool").stdout == "ok\n"
    assert codes(tmp_path) == set()
    dashm("check", ".", "--fix", cwd=tmp_path)
    assert python(tmp_path, "tool").stdout == "ok\n"


def test_a_subpackage_imported_by_its_dotted_name_hides_nothing(tmp_path: Path) -> None:
    # typer's docs_src/kinds/datetime/, imported by the tests as docs_src.kinds.datetime.
    write_tree(tmp_path, {
        "pyproject.toml": '[project]\nname = "mylib"\nversion = "0"\n',
        "mylib/__init__.py": "",
        "docs_src/one/__init__.py": "", "docs_src/one/main.py": "def main():\n    return 1\n",
        "docs_src/kinds/datetime/__init__.py": "",
        "docs_src/kinds/datetime/tutorial001.py": "import datetime\n",
        "tests/test_x.py": "from docs_src.one import main\n"
                           "from docs_src.kinds.datetime import tutorial001\n",
    })
    found = codes(tmp_path)
    assert not any(code in ("DM104", "DM106") for _, code in found), found


def test_installed_code_is_never_edited_by_fix(tmp_path: Path) -> None:
    # An unpacked wheel (flask's sansio/): dashm may report, but --fix edits nothing there.
    write_tree(tmp_path, {
        "lib/__init__.py": "from lib.sansio.app import App\n",
        "lib/sansio/app.py": "class App:\n    pass\n",
        "lib-1.0.dist-info/METADATA": "Name: lib\n",
    })
    before = snapshot(tmp_path)
    dashm("check", ".", "--fix", cwd=tmp_path)
    assert snapshot(tmp_path) == before

"""Proof tests for DM201 (issue 12, class 7), judged by the real interpreter and setuptools.

On random trees of folders, with and without `__init__.py`, below a top folder a script
imports with dotted names: DM201 names exactly the folders without `__init__.py` that
setuptools' find_packages() leaves out (each once); after `--fix` find_packages() misses none,
and every import that worked under `python -m` loads the same file. Folders of by-path scripts
and config folders loaded by path get no DM201, and stay as they were after `--fix`.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_modes_truth import HOOK, check, dashm, observe, write_tree

pytest.importorskip("setuptools")

PY = sys.executable
NAMES = ("core", "web", "io")
FIND = "from setuptools import find_packages\nprint(sorted(find_packages()))"
FOLDER = re.compile(r": (\S+)/ has no __init__\.py")


@pytest.fixture(scope="module")
def hook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hook")
    (folder / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    return folder


def packages_found(root: Path, hook: Path) -> set[str]:
    run = observe([PY, "-c", FIND], root, hook)
    assert run.ok, run.stderr
    return set(eval(run.stdout))  # noqa: S307 - a list of names printed by our own snippet


def folders_with_code(root: Path) -> set[str]:
    """Dotted names of the folders under `app/` that a file below them reaches through
    folders without __init__.py only (the folder has a file of its own to report on)."""
    found = set()
    for path in root.joinpath("app").rglob("*.py"):
        folder = path.parent
        while folder != root:
            found.add(folder.relative_to(root).as_posix().replace("/", "."))
            if (folder / "__init__.py").exists() and folder != path.parent:
                break
            folder = folder.parent
    return found


def dm201_folders(findings: list[dict]) -> Counter[str]:
    folders: Counter[str] = Counter()
    for finding in findings:
        if finding["code"] == "DM201":
            match = FOLDER.search(finding["explanation"])
            assert match, finding["explanation"]
            folders[match.group(1).replace("/", ".")] += 1
    return folders


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str]:
    """`app/` and up to four folders below it, each with or without `__init__.py` and a
    module; main.py imports every module with its dotted name."""
    paths = draw(st.lists(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3)
                          .map(tuple), min_size=1, max_size=4))
    folders = sorted({p[: n + 1] for p in paths for n in range(len(p))} | {()})
    files: dict[str, str] = {}
    imports = []
    for folder in folders:
        base = "/".join(("app", *folder))
        if draw(st.booleans()):
            files[f"{base}/__init__.py"] = ""
        if draw(st.booleans()) or folder in paths:
            name = f"m_{'_'.join(folder) or 'top'}"
            files[f"{base}/{name}.py"] = f"NAME = {base!r}\n"
            imports.append(".".join(("app", *folder, name)))
    files["main.py"] = "".join(f"import {i}\n" for i in imports) + "print('ok')\n"
    return files


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=trees())
def test_dm201_is_exactly_what_find_packages_misses(tmp_path: Path, hook: Path,
                                                    files: dict[str, str]) -> None:
    root = tmp_path / "ws"
    shutil.rmtree(root, ignore_errors=True)
    write_tree(root, files)
    before = observe([PY, "-m", "main"], root, hook)
    assert before.ok, before.stderr
    missed = folders_with_code(root) - packages_found(root, hook)
    without_init = {f for f in missed if not (root / f.replace(".", "/") / "__init__.py").exists()}
    reported = dm201_folders(check(root))
    assert set(reported) == without_init, (files, reported)
    assert all(count == 1 for count in reported.values()), reported  # each folder once
    done = dashm("check", "--fix", cwd=root)
    assert done.returncode in (0, 1), done.stderr
    assert not folders_with_code(root) - packages_found(root, hook)
    after = observe([PY, "-m", "main"], root, hook)
    assert after.ok, after.stderr
    ours = {k: v for k, v in before.modules.items() if v.startswith(str(root.resolve()))}
    assert {k: after.modules.get(k) for k in ours} == ours
    assert dm201_folders(check(root)) == Counter()


def test_dm201_top_folder_loses_to_a_regular_package_elsewhere_until_fixed(
        tmp_path: Path, hook: Path) -> None:
    root = write_tree(tmp_path / "ws", {
        "app/web/adapters/http.py": "NAME = 'local'\n",
        "main.py": "from app.web.adapters.http import NAME\nprint(NAME)\n",
    })
    # Any regular package `app` on sys.path wins over the namespace, even after it.
    site = write_tree(tmp_path / "site", {"app/__init__.py": ""})
    shadowed = observe([PY, "-c", f"import sys; sys.path.append({str(site)!r}); import main"],
                       root, hook)
    assert "No module named 'app.web'" in shadowed.stderr, shadowed.stderr
    reported = dm201_folders(check(root))
    assert reported == Counter({"app": 1, "app.web": 1, "app.web.adapters": 1})
    assert dashm("check", "--fix", cwd=root).returncode == 0
    fixed = observe([PY, "-c", f"import sys; sys.path.append({str(site)!r}); import main"],
                    root, hook)
    assert fixed.ok and fixed.stdout == "local\n", fixed.stderr


def test_no_dm201_on_scripts_and_config_folders_loaded_by_path(tmp_path: Path,
                                                               hook: Path) -> None:
    root = write_tree(tmp_path / "ws", {
        "scripts/report.py": "#!/usr/bin/env python3\nimport common\n\n"
                             "if __name__ == '__main__':\n    print(common.X)\n",
        "scripts/common.py": "X = 'report'\n",
        "configs/base.py": "lr = 0.1\n",
        "configs/big.py": "_base_ = 'base.py'\nlr = 0.2\n",
        "lib/__init__.py": "",
        "lib/configs/default.py": "size = 3\n",
        "train.py": "import runpy\n\nif __name__ == '__main__':\n"
                    "    print(runpy.run_path('configs/big.py')['lr'],"
                    " runpy.run_path('lib/configs/default.py')['size'])\n",
        "alembic/env.py": "", "alembic/versions/0001_first.py": "revision = '1'\n",
    })
    assert observe([PY, "scripts/report.py"], root, hook).stdout == "report\n"
    assert observe([PY, "train.py"], root, hook).stdout == "0.2 3\n"
    assert dm201_folders(check(root)) == Counter()
    # DM201's own fixes only (DM101 on `import common` is another rule's business).
    dashm("check", "--fix", "--select", "DM201", cwd=root)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("__init__.py")) == [
        "lib/__init__.py"]
    assert observe([PY, "scripts/report.py"], root, hook).stdout == "report\n"
    assert observe([PY, "train.py"], root, hook).stdout == "0.2 3\n"


def test_dm201_on_a_scripts_folder_once_it_is_imported_as_a_package(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {
        "pkg/__init__.py": "",
        "pkg/tools/run.py": "#!/usr/bin/env python3\nif __name__ == '__main__':\n    pass\n",
        "pkg/tools/shared.py": "X = 1\n",
        "main.py": "from pkg.tools.shared import X\n",
    })
    assert dm201_folders(check(root)) == Counter({"pkg.tools": 1})

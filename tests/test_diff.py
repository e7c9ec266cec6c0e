"""`check --diff` (issue 15): the unified diff of everything `--fix` would do, writing nothing.

The proof is the one a user would run: the diff applied with `patch -p1` (and `git apply`) to
a copy of the workspace gives byte for byte the tree `--fix` gives, on workspaces whose fixes
take several rounds (created `__init__.py` files change other files' module names), edit
other files (pytest's configuration, launch.json), create files with content (`__main__.py`),
and keep odd encodings, CRLF, BOMs and missing final newlines.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_fix_converges import PROJECT as ROUNDS
from test_modes_truth import snapshot
from test_source_folder_truth import PYPROJECT, SRC_LAYOUT
from trees import dashm, write_tree

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# ... and a sibling import whose rewrite names the module by the package the created
# `__init__.py` files make (`pkg.sub.deeper`), which only a second round can know.
ROUNDS_AND_NAMES = {**ROUNDS, "pkg/sub/deeper/leaf.py": "import helper\n\nX = helper.Y\n",
                    "pkg/sub/deeper/helper.py": "Y = 1\n"}

ODD_BYTES = {
    "pyproject.toml": "[tool.dashm]\n",
    "app/__init__.py": "",
    "app/util.py": "X = 1\n",
    # A latin-1 file with its coding cookie, CRLF, no newline at the end.
    "app/latin.py": "# -*- coding: latin-1 -*-\r\nimport util\r\nNAME = 'caf\xe9'\r\n"
                    "print(util.X, NAME)".encode("latin-1"),
    "app/bom.py": b"\xef\xbb\xbfimport util\nprint(util.X)\n",
    "app/crlf.py": b"import util\r\n\r\nprint(util.X)\r\n",
    "app/last.py": b"import util",
}


def tree(root: Path, shape: str) -> Path:
    if shape == "examples":
        shutil.copytree(EXAMPLES, root)
        return root
    files = {"rounds": ROUNDS_AND_NAMES, "odd-bytes": ODD_BYTES,
             "src-layout": {**SRC_LAYOUT, "pyproject.toml": PYPROJECT}}[shape]
    return write_tree(root, files)


def with_mtimes(root: Path) -> dict[str, tuple[bytes, int]]:
    return {name: (data, (root / name).stat().st_mtime_ns)
            for name, data in snapshot(root).items()}


@pytest.mark.parametrize("shape", ["examples", "rounds", "odd-bytes", "src-layout"])
def test_the_diff_applied_with_patch_is_what_fix_does(tmp_path: Path, shape: str) -> None:
    previewed = tree(tmp_path / "previewed", shape)
    before = with_mtimes(previewed)
    done = subprocess.run([sys.executable, "-m", "dashm", "check", ".", "--diff"],
                          cwd=previewed, capture_output=True, timeout=120)  # bytes, untouched
    assert done.returncode == 1, done.stderr
    assert with_mtimes(previewed) == before  # nothing written, not even touched
    diff = done.stdout
    assert diff.startswith(b"diff --git a/")
    assert b"Would fix" in done.stderr and b"--fix" in done.stderr

    fixed = tree(tmp_path / "fixed", shape)
    assert dashm("check", ".", "--fix", cwd=fixed).returncode in (0, 1)
    assert snapshot(fixed) != snapshot(previewed)  # there was something to fix

    for tool in (["patch", "-p1", "--quiet", "--binary"], ["git", "apply"]):
        patched = tree(tmp_path / f"patched-{tool[0]}", shape)
        applied = subprocess.run(tool, input=diff, cwd=patched, capture_output=True,
                                 timeout=60)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert snapshot(patched) == snapshot(fixed), tool


def test_created_files_are_new_files_in_the_diff(tmp_path: Path) -> None:
    root = tree(tmp_path / "ws", "rounds")
    diff = dashm("check", ".", "--diff", cwd=root).stdout
    # Empty files too: git's "new file mode" header is what makes `patch` create them.
    assert "diff --git a/app/__init__.py b/app/__init__.py\nnew file mode 100644\n" \
           "--- /dev/null\n+++ b/app/__init__.py\n" in diff
    assert "+++ b/cli/__main__.py\n@@ -0,0 +1," in diff
    # A module name the created __init__.py files make right is rewritten in the same diff.
    assert not (root / "app/__init__.py").exists()


def test_nothing_to_fix_prints_nothing_and_exits_zero(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {"pkg/__init__.py": "", "pkg/a.py": "X = 1\n"})
    done = dashm("check", ".", "--diff", cwd=root)
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    assert "Nothing to fix" in done.stderr


def test_exit_zero_and_subfolder_paths(tmp_path: Path) -> None:
    root = tree(tmp_path / "ws", "examples")
    done = dashm("check", "inventory", "--diff", "--exit-zero", cwd=root)
    assert done.returncode == 0, done.stderr
    # Paths are relative to the current folder, whatever was named on the command line.
    assert "--- a/inventory/cli.py\n" in done.stdout and "launch.json" not in done.stdout

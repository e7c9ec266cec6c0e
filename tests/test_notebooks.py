"""Notebooks (`.ipynb`) in the CLI: read as one module from the kernel's folder, reported by cell
and line, fixed in their cells' sources only. Each finding that says an import breaks is backed
by a real run of the cells (tests/notebooks.py) that breaks, and each fixed notebook still runs
and differs from the original only inside the edited `source` values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dashm.workspace.jsonc import parse_jsonc
from dashm.workspace.notebook import build, mask_ipython, read_notebook
from notebooks import cell, lines, notebook_json, run_notebook
from trees import write_tree

PACKAGE = {"pyproject.toml": '[project]\nname = "pkg"\nversion = "0"\n',
           "src/pkg/__init__.py": "", "src/pkg/core.py": "def answer():\n    return 42\n"}


def dashm(cwd: Path, *args: str, pythonpath: Path | None = None
          ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([sys.executable, "-m", "dashm", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def findings(cwd: Path, *args: str, pythonpath: Path | None = None) -> list[dict[str, object]]:
    done = dashm(cwd, "check", "--format", "json", *args, pythonpath=pythonpath)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def changed_only_in_source(before: bytes, after: bytes, index: int) -> bool:
    """`after` differs from `before` only inside cell `index`'s `source` value."""
    text = before.decode("utf-8")
    source = parse_jsonc(text).get("cells").value.items[index].get("source").value  # type: ignore[union-attr]
    start, end = len(text[:source.start].encode()), len(text[:source.end].encode())
    prefix = len(os.path.commonprefix([before, after]))
    suffix = len(os.path.commonprefix([before[prefix:][::-1], after[prefix:][::-1]]))
    return prefix >= start and len(before) - suffix <= end


# -- reading ---------------------------------------------------------------------------------
def test_ipython_lines_are_masked_with_their_numbering() -> None:
    source = ("%matplotlib inline\nimport os\n!ls -l\nfiles = !ls\nos.path?\n?os\n"
              "for x in []:\n    %time f(x)\nimport json\n")
    text, masked, python = mask_ipython(source)
    assert python and masked == {0, 2, 3, 4, 5, 7}
    assert [line.split("  # IPython: ")[0] for line in text.splitlines()] == [
        "pass", "import os", "pass", "pass", "pass", "pass", "for x in []:", "    pass",
        "import json"]
    assert text.splitlines()[2] == "pass  # IPython: !ls -l"  # what it was, for the rules


def test_cell_magics_are_not_python_unless_they_time_python() -> None:
    assert mask_ipython("%%bash\nimport os\n") == ("\n\n", {0, 1}, False)
    text, masked, python = mask_ipython("%%time\nimport os\n")
    assert python and masked == {0} and text == "pass  # IPython: %%time\nimport os\n"


def test_plain_python_is_left_alone_even_with_a_leading_percent() -> None:
    source = 'x = ("%d"\n     % 3)\n'
    assert mask_ipython(source) == (source, set(), True)


def test_a_cell_that_does_not_compile_hides_nothing_in_the_others() -> None:
    notebook = build([(0, "import os\n"), (1, "def broken(:\n"), (2, "import sys")])
    assert notebook.text == "import os\n\nimport sys\n"
    assert [c.python for c in notebook.cells] == [True, False, True]
    assert notebook.cells[2].start == 2


def test_source_as_a_string_or_a_list_and_crlf() -> None:
    raw = notebook_json([cell("import os\r\nimport sys"), cell(["import json\r\n", "x = 1"])])
    notebook = read_notebook(raw.encode())
    assert notebook.text == "import os\r\nimport sys\nimport json\r\nx = 1\n"
    assert [(c.index, c.start, c.lines) for c in notebook.cells] == [(0, 0, 2), (1, 2, 2)]


def test_bad_notebooks_get_a_one_line_reason_not_a_crash(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "broken.ipynb": "{\"cells\": [",
        "old.ipynb": json.dumps({"nbformat": 3, "worksheets": []}),
        "r.ipynb": notebook_json([cell("library(x)")], language="R"),
        "latin.ipynb": b'{"cells": ["\xff"]}',
        "list.ipynb": "[]",
        "ok.ipynb": notebook_json([cell(None), cell([1, "import os\n"]), {"cell_type": "code"}]),  # type: ignore[arg-type]
    })
    done = dashm(tmp_path, "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr
    reasons = dict(line.split(": ", 1) for line in done.stderr.splitlines())
    assert reasons == {
        "broken.ipynb": "skipped: not valid notebook JSON: Expecting value at line 1, "
                        "column 12",
        "latin.ipynb": "skipped: not UTF-8 JSON (invalid start byte at byte 12)",
        "list.ipynb": "skipped: not a notebook: the JSON is not an object",
        "old.ipynb": "skipped: nbformat 3 notebook; upgrade it to nbformat 4 (`jupyter "
                     "nbconvert --to notebook --inplace`) to check it",
        "r.ipynb": "skipped: not a Python notebook (kernel language 'r')",
    }
    assert "All checks passed (1 file)." in done.stdout


# -- DM103 -----------------------------------------------------------------------------------
SRC_HACK = [cell("# Analysis", "markdown"),
            cell(lines("import sys\nsys.path.append('../src')\n")),
            cell(lines("%matplotlib inline\nfrom pkg.core import answer\nprint(answer())"))]


def test_path_hack_to_an_uninstalled_project_says_install_it(tmp_path: Path) -> None:
    write_tree(tmp_path, {**PACKAGE, "notebooks/explore.ipynb": notebook_json(SRC_HACK)})
    notebook, kernel = tmp_path / "notebooks/explore.ipynb", tmp_path / "notebooks"
    found = findings(tmp_path, ".")
    assert [(f["code"], f["cell"], f["line"], f["column"]) for f in found] == \
        [("DM103", 2, 2, 1)]
    assert found[0]["message"] == ("Install the project (`pip install -e .`) and import `pkg` "
                                   "instead of `sys.path.append()`")
    assert found[0]["fix"] is None
    # The truth: it runs with the change, and without it the import breaks.
    assert run_notebook(notebook, kernel).stdout == "42\n"
    without = json.loads(notebook.read_text())
    without["cells"][1]["source"] = []
    notebook.write_text(json.dumps(without))
    assert "No module named 'pkg'" in run_notebook(notebook, kernel).stderr


def test_path_hack_made_dead_by_the_install_is_removed_keeping_every_other_byte(
        tmp_path: Path) -> None:
    nb = SRC_HACK + [cell("print('é')")]
    nb[2]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["42\n"]}]
    write_tree(tmp_path, {**PACKAGE, "notebooks/explore.ipynb": notebook_json(nb)})
    notebook, kernel, installed = (tmp_path / "notebooks/explore.ipynb",
                                   tmp_path / "notebooks", tmp_path / "src")
    found = findings(tmp_path, ".", pythonpath=installed)
    assert [(f["code"], f["cell"], f["line"]) for f in found] == [("DM103", 2, 2)]
    assert found[0]["message"] == ("Delete `sys.path.append()`: every import of this notebook "
                                   "resolves the same without it")
    before = notebook.read_bytes()
    done = dashm(tmp_path, "check", "--fix", ".", pythonpath=installed)
    assert "Fixed 1 problem." in done.stdout, done.stdout + done.stderr
    after = notebook.read_bytes()
    assert changed_only_in_source(before, after, 1)
    assert json.loads(after)["cells"][1]["source"] == []  # `import sys` was only for it
    assert run_notebook(notebook, kernel, pythonpath=installed).stdout == "42\né\n"
    assert findings(tmp_path, ".", pythonpath=installed) == []


def test_adding_the_kernel_folder_itself_is_dead_and_removed(tmp_path: Path) -> None:
    cells = [cell(lines("import os, sys\nsys.path.insert(0, os.getcwd())\nimport helpers\n"
                        "print(helpers.X, os.sep)"))]
    write_tree(tmp_path, {"nb/helpers.py": "X = 1\n", "nb/a.ipynb": notebook_json(cells)})
    notebook = tmp_path / "nb/a.ipynb"
    found = findings(tmp_path, ".")
    assert [(f["code"], f["cell"], f["line"], f["message"]) for f in found] == [
        ("DM103", 1, 2, "Delete `sys.path.insert()`: the kernel's working folder (nb/) is "
                        "already first on sys.path")]
    before = notebook.read_bytes()
    assert "Fixed 1 problem." in dashm(tmp_path, "check", "--fix", ".").stdout
    assert changed_only_in_source(before, notebook.read_bytes(), 0)
    assert json.loads(notebook.read_bytes())["cells"][0]["source"] == \
        ["import os, sys\n", "import helpers\n", "print(helpers.X, os.sep)"]
    assert run_notebook(notebook, tmp_path / "nb").stdout == "1 /\n"


def test_path_hack_to_loose_modules_says_set_the_notebook_root(tmp_path: Path) -> None:
    cells = [cell(lines("import sys\nsys.path.insert(0, '..')\nimport tools\n"))]
    write_tree(tmp_path, {"tools.py": "", "nb/a.ipynb": notebook_json(cells)})
    found = findings(tmp_path, ".")
    assert [f["message"] for f in found] == [
        "Set the notebook root to `${workspaceFolder}` instead of `sys.path.insert()`"]
    assert "`[tool.dashm] notebook-root`, the editor's `dashm.notebookRoot`" in \
        str(found[0]["explanation"])
    assert found[0]["fix"] is None


# -- DM101: imports that resolve only from the notebook's folder --------------------------------
def test_import_beside_the_notebook_breaks_with_the_kernel_elsewhere(tmp_path: Path) -> None:
    cells = [cell("import helpers\nprint(helpers.X)\n")]
    write_tree(tmp_path, {"nb/helpers.py": "X = 1\n", "nb/a.ipynb": notebook_json(cells)})
    notebook = tmp_path / "nb/a.ipynb"
    assert findings(tmp_path, ".") == []  # the kernel starts in nb/: it works
    assert run_notebook(notebook, tmp_path / "nb").stdout == "1\n"
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dashm]\nnotebook-root = "${workspaceFolder}"\n')
    found = findings(tmp_path, ".")
    assert [(f["code"], f["cell"], f["line"], f["column"], f["message"]) for f in found] == [
        ("DM101", 1, 1, 8, "`import helpers` works only with the kernel in nb/: set the "
                           "notebook root to `${fileDirname}`")]
    assert "No module named 'helpers'" in run_notebook(notebook, tmp_path).stderr


# -- DM106 -----------------------------------------------------------------------------------
def test_source_folder_import_in_a_root_notebook_is_fixed_once_installed(
        tmp_path: Path) -> None:
    cells = [cell("Notes", "markdown"), cell("x = 1"),
             cell(lines("import os\nfrom src.pkg.core import answer\nprint(answer())"))]
    write_tree(tmp_path, {**PACKAGE, "explore.ipynb": notebook_json(cells, indent=2)})
    notebook, installed = tmp_path / "explore.ipynb", tmp_path / "src"
    done = dashm(tmp_path, "check", ".")
    assert done.stdout.splitlines()[0] == ("explore.ipynb:cell 3:2:6: DM106 import "
                                           "`pkg.core`, not `src.pkg.core`: src/ is not a "
                                           "package")
    assert run_notebook(notebook, tmp_path).stdout == "42\n"
    assert [f["fix"] for f in findings(tmp_path, ".")] == [None]  # `pkg` is not installed
    sarif = json.loads(dashm(tmp_path, "check", "--format", "sarif", ".",
                             pythonpath=installed).stdout)
    result = sarif["runs"][0]["results"][0]
    assert result["properties"]["cell"] == 3
    assert result["locations"][0]["physicalLocation"]["region"] == \
        {"startLine": 2, "startColumn": 6, "endLine": 2, "endColumn": 18}
    before = notebook.read_bytes()
    assert "Fixed 1 problem." in dashm(tmp_path, "check", "--fix", ".",
                                       pythonpath=installed).stdout
    assert changed_only_in_source(before, notebook.read_bytes(), 2)
    assert json.loads(notebook.read_bytes())["cells"][2]["source"] == \
        ["import os\n", "from pkg.core import answer\n", "print(answer())"]
    assert run_notebook(notebook, tmp_path, pythonpath=installed).stdout == "42\n"


def test_a_string_source_in_a_crlf_notebook_is_fixed_as_a_string(tmp_path: Path) -> None:
    # Written on Windows: CRLF between the JSON's lines, a cell's source as one string.
    raw = notebook_json([cell("import os, sys\nsys.path.append('.')\nprint(os.sep)\n")],
                        indent=2).replace("\n", "\r\n")
    write_tree(tmp_path, {"a.ipynb": raw.encode()})
    notebook = tmp_path / "a.ipynb"
    done = dashm(tmp_path, "check", "a.ipynb")  # a notebook named on the command line
    assert done.stdout.splitlines()[0].startswith("a.ipynb:cell 1:2:1: DM103 Delete "), done.stdout
    before = notebook.read_bytes()
    assert "Fixed 1 problem." in dashm(tmp_path, "check", "--fix", "a.ipynb").stdout
    after = notebook.read_bytes()
    assert changed_only_in_source(before, after, 0)
    assert after.count(b"\r\n") == before.count(b"\r\n")
    assert json.loads(after)["cells"][0]["source"] == "import os, sys\nprint(os.sep)\n"
    assert run_notebook(notebook, tmp_path).stdout == "/\n"


def test_notebook_root_relative_to_the_project_folder(tmp_path: Path) -> None:
    cells = [cell("import helpers\n")]
    write_tree(tmp_path, {"pyproject.toml": '[tool.dashm]\nnotebook-root = "lib"\n',
                          "lib/helpers.py": "", "nb/helpers.py": "",
                          "nb/a.ipynb": notebook_json(cells)})
    found = findings(tmp_path, ".")
    assert [(f["path"], f["code"]) for f in found] == [("nb/a.ipynb", "DM105")]
    assert "it loads lib/helpers.py instead" in str(found[0]["explanation"])
    (tmp_path / "pyproject.toml").write_text("[tool.dashm]\nnotebook-root = 3\n")
    done = dashm(tmp_path, "check", ".")
    assert "[tool.dashm] notebook-root must be a string" in done.stderr
    assert done.returncode == 0, done.stdout  # each notebook's folder, then


def test_path_hack_to_the_project_folder_says_install_and_import_the_package(
        tmp_path: Path) -> None:
    cells = [cell(lines("import sys\nsys.path.append('..')\nfrom src.pkg.core import answer\n"
                        "print(answer())"))]
    write_tree(tmp_path, {**PACKAGE, "notebooks/a.ipynb": notebook_json(cells)})
    notebook, kernel = tmp_path / "notebooks/a.ipynb", tmp_path / "notebooks"
    (found,) = findings(tmp_path, ".")
    assert found["message"] == ("Install the project (`pip install -e .`) and import `pkg` "
                                "instead of `sys.path.append()`")
    assert run_notebook(notebook, kernel).stdout == "42\n"
    # Installed, the package imports by its own name from the kernel's folder, without it.
    fixed = json.loads(notebook.read_text())
    fixed["cells"][0]["source"] = ["from pkg.core import answer\n", "print(answer())"]
    notebook.write_text(json.dumps(fixed))
    assert run_notebook(notebook, kernel, pythonpath=tmp_path / "src").stdout == "42\n"
    assert "No module named 'pkg'" in run_notebook(notebook, kernel).stderr


def test_noqa_in_a_cell_silences_its_line(tmp_path: Path) -> None:
    cells = [cell(lines("import sys\nsys.path.insert(0, '.')  # noqa: DM103\n")),
             cell(lines("sys.path.insert(0, '.')\n"))]
    write_tree(tmp_path, {"a.ipynb": notebook_json(cells)})
    assert [(f["cell"], f["line"]) for f in findings(tmp_path, ".")] == [(2, 1)]


def test_the_diff_of_a_notebook_applied_with_patch_is_what_fix_does(tmp_path: Path) -> None:
    nb = [cell(lines("import os, sys\nsys.path.insert(0, '.')\nprint(os.sep)"))]
    nb[0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["/\n"]}]
    fixed, patched = tmp_path / "fixed", tmp_path / "patched"
    for folder in (fixed, patched):
        write_tree(folder, {"a.ipynb": notebook_json(nb)})
    diff = dashm(patched, "check", "--diff", ".").stdout
    assert diff.startswith("diff --git a/a.ipynb b/a.ipynb\n"), diff
    assert (patched / "a.ipynb").read_bytes() == (fixed / "a.ipynb").read_bytes()  # unwritten
    assert "Fixed 1 problem." in dashm(fixed, "check", "--fix", ".").stdout
    applied = subprocess.run(["patch", "-p1", "--quiet", "--binary"], input=diff, cwd=patched,
                             capture_output=True, text=True, timeout=60)
    assert applied.returncode == 0, applied.stderr
    assert (patched / "a.ipynb").read_bytes() == (fixed / "a.ipynb").read_bytes()


# -- found by judging real notebooks (a kernel's '' follows `%cd` and os.chdir) ----------------
def without_cell_line(notebook: Path, index: int, text: str) -> None:
    data = json.loads(notebook.read_text())
    data["cells"][index]["source"] = [s for s in data["cells"][index]["source"] if text not in s]
    notebook.write_text(json.dumps(data))


def needs_its_change(notebook: Path, kernel: Path, output: str, error: str) -> None:
    """The truth behind "no fix": the cells run as written, and fail without the change."""
    assert run_notebook(notebook, kernel).stdout == output
    without_cell_line(notebook, 0, "sys.path")
    assert error in run_notebook(notebook, kernel).stderr


def test_a_notebook_that_changes_folder_gets_no_fix(tmp_path: Path) -> None:
    """os.chdir("..") then sys.path.append("src"): the path is relative to the folder the
    notebook moved to, which the kernel's folder says nothing about."""
    cells = [cell(lines('import os, sys\nos.chdir("..")\nsys.path.append("src")\n'
                        "from pkg.core import answer\nprint(answer())"))]
    write_tree(tmp_path, {**PACKAGE, "notebooks/d.ipynb": notebook_json(cells)})
    notebook, kernel = tmp_path / "notebooks/d.ipynb", tmp_path / "notebooks"
    (found,) = findings(tmp_path, ".")
    assert found["fix"] is None and found["message"] == (
        "Install the project (`pip install -e .`) and import its packages instead of "
        "`sys.path.append()`")
    assert "Fixed" not in dashm(tmp_path, "check", "--fix", ".").stdout
    needs_its_change(notebook, kernel, "42\n", "No module named 'pkg'")


def test_cd_magic_and_a_pinned_folder_get_no_fix(tmp_path: Path) -> None:
    """`sys.path.insert(0, os.getcwd())` then `%cd data`: the pinned folder is what keeps
    `import helpers` working once '' is data/."""
    cells = [cell(lines("import os, sys\nsys.path.insert(0, os.getcwd())\n%cd data\n"
                        "import helpers\nprint(helpers.X)"))]
    write_tree(tmp_path, {"nb/helpers.py": "X = 1\n", "nb/data/x.csv": "",
                          "nb/a.ipynb": notebook_json(cells)})
    notebook, kernel = tmp_path / "nb/a.ipynb", tmp_path / "nb"
    assert [f for f in findings(tmp_path, ".") if f["fix"]] == []
    needs_its_change(notebook, kernel, "1\n", "No module named 'helpers'")


def test_a_folder_the_notebook_makes_itself_is_not_judged(tmp_path: Path) -> None:
    """`!git clone ...` then `sys.path.append('./taming-transformers')`: the folder is not there
    when dashm looks, which proves nothing about the run."""
    cells = [cell(lines("!git clone https://example.invalid/taming-transformers\n"
                        "import sys\nsys.path.append('./taming-transformers')\nimport taming"))]
    write_tree(tmp_path, {"scripts/demo.ipynb": notebook_json(cells)})
    assert findings(tmp_path, ".") == []


def test_install_is_advised_only_for_a_project_pip_can_install(tmp_path: Path) -> None:
    """A pyproject.toml of [tool.*] tables only, two top-level folders: `pip install -e .`
    fails ("Multiple top-level packages discovered in a flat-layout")."""
    cells = [cell(lines("import sys\nsys.path.append('..')\nfrom pkg.core import answer\n"
                        "print(open('../data/x.csv').read(), answer())"))]
    write_tree(tmp_path, {"pyproject.toml": "[tool.black]\nline-length = 100\n",
                          "pkg/__init__.py": "", "pkg/core.py": "def answer():\n    return 4\n",
                          "data/x.csv": "x", "notebooks/explore.ipynb": notebook_json(cells)})
    (found,) = findings(tmp_path, ".")
    assert found["fix"] is None
    assert found["message"] == ("Make ./ installable, then `pip install -e .` and import `pkg` "
                                "instead of `sys.path.append()`")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "--no-index",
                          "--no-build-isolation", "-e", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    # The truth: the advice of the past, "install it", fails.
    assert pip.returncode != 0 and "Multiple top-level packages" in pip.stdout + pip.stderr


def test_the_notebook_root_is_not_advised_when_file_paths_climb_out(tmp_path: Path) -> None:
    """The kernel at the project folder makes the import work and '../data/x.csv' fail."""
    cells = [cell(lines("import sys\nsys.path.insert(0, '..')\nimport tools\n"
                        "print(open('../data/x.csv').read())"))]
    write_tree(tmp_path, {"tools.py": "", "data/x.csv": "x", "nb/a.ipynb": notebook_json(cells)})
    (found,) = findings(tmp_path, ".")
    assert "notebook root" not in found["message"] and found["fix"] is None
    assert run_notebook(tmp_path / "nb/a.ipynb", tmp_path / "nb").stdout == "x\n"
    moved = run_notebook(tmp_path / "nb/a.ipynb", tmp_path)  # the kernel at the root
    assert "FileNotFoundError" in moved.stderr


def test_a_hack_that_adds_the_notebook_folder_keeps_its_imports_working(tmp_path: Path) -> None:
    """notebook-root = the project folder, and `sys.path.append("notebooks")`: `import helpers`
    finds notebooks/helpers.py from there; no DM101."""
    cells = [cell(lines('import sys\nsys.path.append("notebooks")\nimport helpers\n'
                        "print(helpers.X)"))]
    write_tree(tmp_path, {"pyproject.toml": '[tool.dashm]\nnotebook-root = "."\n',
                          "notebooks/helpers.py": "X = 1\n",
                          "notebooks/d.ipynb": notebook_json(cells)})
    assert [f["code"] for f in findings(tmp_path, ".")] == ["DM103"]
    assert run_notebook(tmp_path / "notebooks/d.ipynb", tmp_path).stdout == "1\n"


def test_a_change_a_helper_beside_the_notebook_needs_is_not_dead(tmp_path: Path) -> None:
    """notebooks/helpers.py does `from pkg.core import V`: only the notebook's
    `sys.path.append("..")` makes that work, though the notebook never names `pkg`."""
    cells = [cell(lines('import sys\nsys.path.append("..")\nimport helpers\nprint(helpers.V)'))]
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/core.py": "V = 1\n",
                          "notebooks/helpers.py": "from pkg.core import V\n",
                          "notebooks/a.ipynb": notebook_json(cells)})
    notebook, kernel = tmp_path / "notebooks/a.ipynb", tmp_path / "notebooks"
    assert [f for f in findings(tmp_path, ".") if f["fix"]] == []
    needs_its_change(notebook, kernel, "1\n", "No module named 'pkg'")


def test_code_loaded_by_name_keeps_its_path_change(tmp_path: Path) -> None:
    """importlib.import_module("pkg.core") needs the change as much as an import statement."""
    cells = [cell(lines('import sys, importlib\nsys.path.append("..")\nimport local\n'
                        'print(importlib.import_module("pkg.core").V)'))]
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/core.py": "V = 1\n",
                          "notebooks/local.py": "", "notebooks/a.ipynb": notebook_json(cells)})
    notebook, kernel = tmp_path / "notebooks/a.ipynb", tmp_path / "notebooks"
    assert findings(tmp_path, ".") == []
    needs_its_change(notebook, kernel, "1\n", "No module named 'pkg'")

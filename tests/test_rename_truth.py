"""`dashm rename-module` (DM104's rename) against the real interpreter.

Generated workspaces import the shadowing module in every spelling (absolute and relative,
`import a.json as j`, `from a import json`, `from . import json`, `import json.sub` for a package,
attribute chains `a.json.MINE`), name it in pyproject.toml and launch.json, and hold traps (the
name in strings and comments, an `import json` that means the standard library). Every module is
run with `python -m` before and after the rename: each run must still succeed with the same
output, load the renamed file wherever it loaded the old one, and no code may name the old module
any more. Each refusal is seen with its reason.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.test_modes_truth import (
    base_env,
    dashm,
    observe,
    python_files,
    snapshot,
    write_tree,
)

from dashm.workspace import Workspace

PYPROJECT = '''\
[project]
name = "demo"
version = "1"

[project.scripts]
demo = "{module}:main"

[tool.setuptools]
py-modules = ["main"]
'''
LAUNCH = '''\
{
    // the debugger runs the module
    "configurations": [
        {"type": "debugpy", "request": "launch", "name": "run it", "module": "%s"}
    ]
}
'''

# A notebook beside json.py: its kernel runs from the notebook's folder.
NOTEBOOK = json.dumps({
    "nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3"}},
    "cells": [
        {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": 1,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": ["1 1\n"]}],
         "source": ["import json\n", "from json import MINE\n", "%time x = 1\n",
                    "print(json.MINE, MINE)"]},
        {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["json stays here"]},
    ]}, indent=1) + "\n"

# A top-level json.py: hides the standard library's json for every run from the folder.
MODULE = {
    "analysis.ipynb": NOTEBOOK,
    "pyproject.toml": PYPROJECT.format(module="json"),
    ".vscode/launch.json": LAUNCH % "json",
    "json.py": "import json\n\nMINE = 1\n\n\ndef main():\n    print('json', json.MINE)\n",
    "main.py": ("import json\nfrom json import MINE\nimport json as j\n\n\n"
                "if __name__ == '__main__':\n    print(json.MINE, MINE, j.MINE)\n"),
    "pkg/__init__.py": "",
    "pkg/use.py": ("import json  # json in a comment stays\n\nTEXT = 'json in a string stays'\n"
                   "\n\ndef value():\n    return json.MINE\n\n\nprint(value(), TEXT)\n"),
    "pkg/again.py": ("from pkg.use import value\nfrom json import (\n    MINE,\n)\n\n"
                     "print(value() + MINE)\n"),
    "tests/__init__.py": "",
    "tests/test_json.py": "from json import MINE\n\n\ndef test_mine():\n    assert MINE == 1\n",
    "pkg/crlf.py": "import json\r\n\r\nprint(json.MINE)\r\n",  # CRLF stays CRLF
}

# A top-level json/ package with submodules.
PACKAGE = {
    "pyproject.toml": PYPROJECT.format(module="json.cli"),
    ".vscode/launch.json": LAUNCH % "json.cli",
    "json/__init__.py": "from .core import MINE\n",
    "json/core.py": "MINE = 2\n",
    "json/sub.py": "from json.core import MINE as M\nfrom . import core\n\nN = core.MINE + M\n",
    "json/cli.py": "from json import sub\n\n\ndef main():\n    print(sub.N)\n\n\nmain()\n",
    "app.py": ("import json.sub\nfrom json.sub import M\nfrom json import sub\n"
               "import json.core as jc\n\n\nif __name__ == '__main__':\n"
               "    print(json.sub.N, M, sub.N, jc.MINE, json.MINE)\n"),
    "lib/__init__.py": "",
    "lib/deep.py": "from json.core import MINE\n\nprint(MINE)\n",
}

# a/json.py inside a package, first on sys.path only when a script in a/ runs by path;
# a/util.py's `import json` means the standard library's and stays.
NESTED = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1"\n',
    "a/__init__.py": "",
    "a/json.py": "MINE = 3\n",
    "a/tool.py": "import sys\n\nif __name__ == '__main__':\n    print(sys.argv[0] != '')\n",
    "a/util.py": "import json\n\nprint(json.dumps([1]))\n",
    "a/use2.py": "from a import json\n\nprint(json.MINE)\n",
    "a/use.py": ("from . import json\nfrom .json import MINE\nimport a.json as aj\n"
                 "from a import json as aj2\nimport a.json\n\n"
                 "print(json.MINE, MINE, aj.MINE, aj2.MINE, a.json.MINE)\n"),
    "main.py": ("import a.json\nimport a\n\n\nif __name__ == '__main__':\n"
                "    print(a.json.MINE)\n"),
    # a.json reached as an attribute of the package, once a.use imported it
    "later.py": "import a\nimport a.use\n\nprint(a.json.MINE)\n",
}

CASES = {"module": (MODULE, "json.py", "json_utils.py"),
         "package": (PACKAGE, "json", "json_utils"),
         "nested": (NESTED, "a/json.py", "a/json_utils.py")}
# Files whose `json` is the standard library's (a trap the rename must leave alone).
STDLIB_USERS = {"a/util.py"}


def _runs(workspace: Path, hook: Path) -> dict[str, tuple[int, str, set[str]]]:
    """`python -m` of every module: exit code, output and the workspace files it loaded."""
    found = {}
    model = Workspace(workspace)
    for relative in python_files(workspace):
        invocation = model.invocation(workspace / relative)
        if invocation.module is None:
            continue
        assert invocation.cwd is not None
        run = observe(list(invocation.argv), Path(invocation.cwd), hook)
        loaded = {Path(p).relative_to(workspace.resolve()).as_posix()
                  for p in run.modules.values() if Path(p).is_relative_to(workspace.resolve())}
        found[invocation.module] = (run.returncode, run.stdout, loaded)
    return found


def _renamed(name: str, old: str, new: str) -> str:
    """A workspace path after the rename of the file or folder `old` to `new`."""
    return new + name[len(old):] if name == old or name.startswith(old + "/") else name


def _renamed_module(dotted: str, old: str, new: str) -> str:
    return ".".join(new if part == old else part for part in dotted.split("."))


def _names_in_code(text: str) -> set[str]:
    """Every identifier code uses: names, attributes, and the parts of imported names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.update(node.name.split("."))
            found.add(node.asname or "")
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.update(node.module.split("."))
    return found


def _cells_code(notebook: Path) -> str:
    """The notebook's code cells, IPython lines left out, as one module."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = [line for cell in cells if cell["cell_type"] == "code"
             for line in "".join(cell["source"]).splitlines() if not line.startswith("%")]
    return "\n".join(lines) + "\n"


def _run_cells(notebook: Path) -> str:
    """Run the code cells as a kernel in the notebook's folder does (sys.path[0] is it)."""
    done = subprocess.run([sys.executable, "-c", _cells_code(notebook)], cwd=notebook.parent,
                          env=base_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _rename(workspace: Path, old: str, new: str, *args: str):  # type: ignore[no-untyped-def]
    return dashm("rename-module", old, new, *args, cwd=workspace)


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_module_still_imports_and_nothing_names_the_old_module(
        tmp_path: Path, hook_dir: Path, case: str) -> None:
    files, old, new = CASES[case]
    workspace = write_tree(tmp_path / case, files)
    before = _runs(workspace, hook_dir)
    assert before and all(code == 0 for code, _, _ in before.values()), before
    if case == "module":
        assert _run_cells(workspace / "analysis.ipynb") == "1 1\n"
    assert any(old in loaded or any(p.startswith(old + "/") for p in loaded)
               for _, _, loaded in before.values())
    done = _rename(workspace, old, new)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"renamed {old} -> {new}\nupdated ")
    old_module = Path(old).stem if old.endswith(".py") else Path(old).name
    new_module = Path(new).stem if new.endswith(".py") else Path(new).name
    after = _runs(workspace, hook_dir)
    assert sorted(after) == sorted(_renamed_module(m, old_module, new_module) for m in before)
    for module, (_, stdout, loaded) in before.items():
        now = after[_renamed_module(module, old_module, new_module)]
        assert now[0] == 0, (module, now)
        assert now[1] == stdout, module  # the same behaviour
        assert now[2] == {_renamed(p, old, new) for p in loaded}, module
    for relative in python_files(workspace):
        if relative not in STDLIB_USERS:
            assert old_module not in _names_in_code((workspace / relative).read_text()), relative
    if case == "module":
        notebook = json.loads((workspace / "analysis.ipynb").read_text())
        was = json.loads(NOTEBOOK)
        assert notebook["cells"][0]["outputs"] == was["cells"][0]["outputs"]
        assert notebook["cells"][1] == was["cells"][1]
        assert old_module not in _names_in_code(_cells_code(workspace / "analysis.ipynb"))
        assert _run_cells(workspace / "analysis.ipynb") == "1 1\n"
        assert (workspace / "pkg/crlf.py").read_bytes() == \
            b"import json_utils\r\n\r\nprint(json_utils.MINE)\r\n"
        use = (workspace / "pkg/use.py").read_text()
        assert "# json in a comment stays" in use and "'json in a string stays'" in use
        assert "json_utils:main" in (workspace / "pyproject.toml").read_text()
        launch = (workspace / ".vscode/launch.json").read_text()
        assert '"module": "json_utils"' in launch and "// the debugger" in launch
    if case == "package":
        assert "json_utils.cli:main" in (workspace / "pyproject.toml").read_text()
        assert '"module": "json_utils.cli"' in (workspace / ".vscode/launch.json").read_text()
    if case == "nested":
        assert (workspace / "a/util.py").read_text() == NESTED["a/util.py"]


def test_the_tests_pass_under_pytest_before_and_after(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path, MODULE)

    def pytest_run() -> int:
        return _exit_code([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "tests"], workspace)

    assert pytest_run() == 0
    assert _rename(workspace, "json.py", "json_utils").returncode == 0
    assert pytest_run() == 0


def _exit_code(argv: list[str], cwd: Path) -> int:
    return subprocess.run(argv, cwd=cwd, env=base_env(), capture_output=True,
                          timeout=120).returncode


def test_an_importer_in_another_encoding_keeps_it(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path, {"pyproject.toml": "", "json.py": "MINE = 1\n"})
    text = "# -*- coding: latin-1 -*-\nimport json\n\nNAME = 'café'\nprint(json.MINE, NAME)\n"
    (workspace / "main.py").write_bytes(text.encode("latin-1"))
    assert _rename(workspace, "json.py", "json_utils").returncode == 0
    assert (workspace / "main.py").read_bytes() == \
        text.replace("json", "json_utils").encode("latin-1")
    assert _exit_code([sys.executable, "-m", "main"], workspace) == 0


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_diff_applied_with_git_apply_gives_the_renamed_tree(tmp_path: Path,
                                                                case: str) -> None:
    files, old, new = CASES[case]
    files = {**files, "tail.py": "import json"}  # no newline at the end
    renamed = write_tree(tmp_path / "renamed", files)
    patched = write_tree(tmp_path / "patched", files)
    diff = subprocess.run([sys.executable, "-m", "dashm", "rename-module", old, new, "--diff"],
                          cwd=patched, env=base_env(), capture_output=True, timeout=120)
    assert diff.returncode == 0, diff.stderr
    assert _rename(renamed, old, new).returncode == 0
    applied = subprocess.run(["git", "apply", "-"], input=diff.stdout, cwd=patched,
                             capture_output=True, timeout=60)
    assert applied.returncode == 0, applied.stderr + diff.stdout
    assert snapshot(patched) == snapshot(renamed)


def test_diff_shows_the_change_and_writes_nothing(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path, MODULE)
    before = snapshot(workspace)
    done = _rename(workspace, "json.py", "json_utils", "--diff")
    assert done.returncode == 0, done.stderr
    assert snapshot(workspace) == before
    assert done.stdout.startswith("diff --git a/json.py b/json_utils.py\nrename from json.py\n"
                                  "rename to json_utils.py\n")
    assert "-from json import MINE\n+from json_utils import MINE" in done.stdout
    assert "+++ b/json_utils.py" in done.stdout


def test_a_self_import_that_means_the_hidden_module_is_kept(tmp_path: Path,
                                                             hook_dir: Path) -> None:
    """logging.py's own `import logging` loads logging.py itself today (and fails: it meant
    the standard library's); after the rename it loads the standard library's, as written."""
    workspace = write_tree(tmp_path, {
        "pyproject.toml": "",
        "logging.py": "import logging\n\nlog = logging.getLogger('x')\n",
        "main.py": "import logging\n\nif __name__ == '__main__':\n    print(logging.log.name)\n",
    })
    assert observe([sys.executable, "-m", "main"], workspace, hook_dir).returncode != 0
    done = _rename(workspace, "logging.py", "log_setup")
    assert done.returncode == 0, done.stderr
    assert "kept logging.py:1 `logging`" in done.stderr
    assert (workspace / "log_setup.py").read_text().startswith("import logging\n")
    run = observe([sys.executable, "-m", "main"], workspace, hook_dir)
    assert run.returncode == 0 and run.stdout == "x\n", run.stderr


def test_documented_commands_the_rename_changes_are_named(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path, {**PACKAGE, "README.md": "Run `python -m json.cli`.\n"})
    done = _rename(workspace, "json", "json_utils")
    assert done.returncode == 0, done.stderr
    assert ("dashm: README.md:1 documents `python -m json.cli`: write `json_utils.cli` there"
            in done.stderr.splitlines())
    assert (workspace / "README.md").read_text() == "Run `python -m json.cli`.\n"


@pytest.mark.parametrize("files, edited, run", [
    # another file imports the name from hub.py: hub.py's binding keeps its name
    ({"hub.py": "import json\n\nVALUE = json.MINE\n",
      "user.py": "from hub import json\n\nprint(json.MINE)\n"}, "hub.py", "user"),
    # a parameter of the same name: scopes dashm does not follow
    ({"main.py": "import json\n\n\ndef f(json=json):\n    return json.MINE\n\n\nprint(f())\n"},
     "main.py", "main"),
], ids=["imported-from-it", "rebound"])
def test_a_name_that_cannot_be_followed_stays_as_an_alias(
        tmp_path: Path, files: dict[str, str], edited: str, run: str) -> None:
    workspace = write_tree(tmp_path, {"pyproject.toml": "", "json.py": "MINE = 1\n", **files})
    assert _rename(workspace, "json.py", "json_utils").returncode == 0
    text = (workspace / edited).read_text()
    assert text == files[edited].replace("import json\n", "import json_utils as json\n", 1)
    ran = observe([sys.executable, "-m", run], workspace, workspace)
    assert ran.returncode == 0 and ran.stdout == "1\n", ran.stderr


def test_bytecode_left_in_pycache_neither_blocks_nor_survives_the_rename(
        tmp_path: Path) -> None:
    """Python ignores `__pycache__/json.*.pyc` once json.py is gone, and a stale
    `__pycache__/json_utils.*.pyc` is not a module named json_utils."""
    workspace = write_tree(tmp_path, MODULE)
    env = {k: v for k, v in base_env().items() if k != "PYTHONDONTWRITEBYTECODE"}
    first = subprocess.run([sys.executable, "-m", "main"], cwd=workspace, env=env,
                           capture_output=True, text=True, timeout=60)
    cache = workspace / "__pycache__"
    assert first.returncode == 0 and any(p.name.startswith("json.") for p in cache.iterdir())
    (cache / f"json_utils.{sys.implementation.cache_tag}.pyc").write_bytes(b"stale")
    assert _rename(workspace, "json.py", "json_utils").returncode == 0
    again = subprocess.run([sys.executable, "-m", "main"], cwd=workspace, env=env,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and again.stdout == first.stdout, again.stderr


# -- refusals ------------------------------------------------------------------------------
REFUSALS = [
    ({"dyn.py": "import importlib\n\nm = importlib.import_module('json')\n"}, "json_utils",
     "dyn.py:3 finds `json` by its name in a string"),
    ({"dyn.py": "m = __import__(\"json\")\n"}, "json_utils",
     "dyn.py:1 finds `json` by its name in a string"),
    ({"tests/test_x.py": "from unittest import mock\n\n\n@mock.patch('json.MINE', 2)\n"
                         "def test_x():\n    pass\n"}, "json_utils",
     "tests/test_x.py:4 finds `json` by its name in a string"),
    ({"json_utils.py": ""}, "json_utils", "json_utils.py exists"),
    ({"json_utils/__init__.py": ""}, "json_utils", "json_utils exists"),
    ({}, "os", "`os` would hide the standard library's `os` too"),
    ({}, "pytest", "`pytest` would hide the installed `pytest`"),
    ({"pyproject.toml": MODULE["pyproject.toml"].replace(
        'version = "1"\n', 'version = "1"\ndependencies = ["json-utils>=1"]\n')},
     "json_utils", "`json_utils` would hide the declared dependency `json_utils` too"),
    ({}, "class", "`class` is not a valid module name"),
    ({}, "1json", "`1json` is not a valid module name"),
    ({}, "json", "it is already called `json`"),
    ({"other.py": "import json_utils\n"}, "json_utils",
     "other.py:1 already imports `json_utils`"),
    ({"broken.py": "import json\nif x\n"}, "json_utils",
     "broken.py has a syntax error (line 2)"),
]


@pytest.mark.parametrize("extra, new, reason", REFUSALS,
                         ids=[r[2].split(" ")[0] + "-" + r[1] for r in REFUSALS])
def test_a_refused_rename_says_why_and_changes_nothing(tmp_path: Path, extra: dict[str, str],
                                                       new: str, reason: str) -> None:
    workspace = write_tree(tmp_path, {**MODULE, **extra})
    before = snapshot(workspace)
    done = _rename(workspace, "json.py", new)
    assert done.returncode == 1, done.stdout
    assert done.stderr.startswith("dashm: not renamed: ") and reason in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert snapshot(workspace) == before


def test_an_import_that_loads_the_module_in_one_run_and_the_stdlib_in_another_is_refused(
        tmp_path: Path, hook_dir: Path) -> None:
    """a/tool.py's `import json` loads a/json.py by path and the standard library's json
    under `python -m a.tool`: which one it means cannot be known."""
    files = {**NESTED, "a/tool.py": "import json\n\nif __name__ == '__main__':\n"
                                    "    print(json.__name__)\n"}
    workspace = write_tree(tmp_path, files)
    by_path = observe([sys.executable, "a/tool.py"], workspace, hook_dir)
    as_module = observe([sys.executable, "-m", "a.tool"], workspace, hook_dir)
    assert by_path.modules["json"].endswith("a/json.py")
    assert not as_module.modules["json"].startswith(str(workspace.resolve()))
    done = _rename(workspace, "a/json.py", "json_utils")
    assert done.returncode == 1
    assert ("a/tool.py:1 `json` loads a/json.py under `python a/tool.py` but "
            in done.stderr), done.stderr
    assert "under `python -m a.tool`: rename by hand" in done.stderr


def test_bad_arguments_are_one_line_usage_errors(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path, MODULE)
    missing = _rename(workspace, "nope.py", "x")
    assert missing.returncode == 2 and missing.stderr == "dashm: nope.py does not exist\n"
    elsewhere = _rename(workspace, "json.py", "pkg/json_utils.py")
    assert elsewhere.returncode == 2 and "in the folder of json.py" in elsewhere.stderr
    text = _rename(workspace, "pyproject.toml", "x")
    assert text.returncode == 1 and "is not a Python module" in text.stderr


def test_check_fix_never_renames(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path, MODULE)
    done = dashm("check", ".", "--fix", cwd=workspace)
    assert (workspace / "json.py").is_file() and not (workspace / "json_utils.py").exists()
    assert "DM104" in done.stdout

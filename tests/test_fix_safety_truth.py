"""Fix safety, proven with the real interpreter: a fix never changes what an import that
already works loads, never makes a self-import, and leaves optional and third-party imports
alone; the use a file makes of a module decides which module it means.

Each workspace is imported module by module (`python -c "import pkg.mod"` from its import
root, as `python -m`, pytest and an installed package see it) before and after `--fix`;
a sitecustomize hook records which file every loaded module came from.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.test_modes_truth import (
    by_file,
    check,
    dashm,
    observe,
    python_files,
    run_module,
    run_script,
    snapshot,
    write_tree,
)

from dashm.workspace import Workspace


def import_all(workspace: Path, hook: Path) -> dict[str, frozenset[str] | None]:
    """Every workspace file imported on its own, by its module name (which a created
    `__init__.py` may lengthen): file -> the files every import loaded, None if it fails."""
    ws = Workspace(workspace)
    outcome: dict[str, frozenset[str] | None] = {}
    for relative in python_files(workspace):
        location = ws.locate(workspace / relative)
        if location.module is None or location.module.endswith("__main__"):
            continue
        run = observe([sys.executable, "-c", "import importlib, sys; "
                       "importlib.import_module(sys.argv[1])", location.module],
                      location.root, hook)
        outcome[relative] = frozenset(run.modules.values()) if run.ok else None
    return outcome


def assert_fix_keeps_working_imports(workspace: Path, hook: Path) -> dict:
    """`--fix` and then: every file that imported before imports, and loads every file it
    loaded before (created `__init__.py` files may come on top), except where a DM105 fix
    followed the file's use to the local module; a second `--fix` changes nothing. Returns
    the findings before the fix, by file."""
    findings = by_file(check(workspace))
    before = import_all(workspace, hook)
    done = dashm("check", ".", "--fix", cwd=workspace)
    assert done.returncode in (0, 1), done.stderr
    after = import_all(workspace, hook)
    for relative, loaded in before.items():
        if loaded is None:
            continue
        now = after.get(relative)
        assert now is not None, f"{relative} imported before --fix, not after"
        if fixes(findings, relative, "DM105"):
            continue  # its use showed the import meant the local module: it loads that now
        assert loaded <= now, f"after --fix, importing {relative} no longer loads " \
            f"{sorted(loaded - now)} (but {sorted(now - loaded)})"
    once = snapshot(workspace)
    dashm("check", ".", "--fix", cwd=workspace)
    assert snapshot(workspace) == once, "a second --fix changed files"
    return findings


def assert_fix_held_back(workspace: Path, relative: str, hook: Path, cited: str) -> None:
    """`relative` has one DM101, whose fix --fix must not apply because it breaks the run
    `cited` names; then --fix keeps every working import (assert_fix_keeps_working_imports)."""
    (finding,) = by_file(check(workspace))[relative]["DM101"]
    assert finding["fix"] and finding["fix"]["safe"] is False
    assert cited in finding["fix"]["breaks_documented_run"], finding["fix"]
    assert_fix_keeps_working_imports(workspace, hook)


def fixes(findings: dict, relative: str, code: str) -> list:
    return [f["fix"] for f in findings.get(relative, {}).get(code, [])]


# -- a library that imports the standard library from modules named like it --------------
LIBRARY = {
    "pyproject.toml": '[project]\nname = "richlike"\nversion = "1"\n',
    "richlike/__init__.py": "",
    # `from json import ...` in richlike/json.py means the standard library's json.
    "richlike/json.py": "from json import loads, dumps\n\n"
                        "def roundtrip(value):\n    return loads(dumps(value))\n",
    "richlike/logging.py": "import logging\n\nlog = logging.getLogger(__name__)\n",
    "richlike/other.py": "import json\n\nTEXT = json.dumps([1])\n",
    # __main__.py exists for `python -m richlike`; nobody runs it by path.
    "richlike/__main__.py": "from richlike.json import roundtrip\n\n"
                            "if __name__ == '__main__':\n    print(roundtrip([1]))\n",
}


def test_library_modules_named_like_the_stdlib_get_no_finding(tmp_path: Path,
                                                                hook_dir: Path) -> None:
    write_tree(tmp_path, LIBRARY)
    findings = assert_fix_keeps_working_imports(tmp_path, hook_dir)
    assert findings == {}, findings
    assert run_module(tmp_path, "richlike/__main__.py", hook_dir).ok  # type: ignore[union-attr]


def test_a_module_never_gets_a_self_import(tmp_path: Path, hook_dir: Path) -> None:
    # With a by-path script in the package folder, json.py's own `from json import` still
    # means the standard library: no rewrite to `from richlike.json import ...`.
    write_tree(tmp_path, {**LIBRARY, "richlike/demo.py":
                          "import logging\nif __name__ == '__main__':\n    print(logging.INFO)\n"})
    script = run_script(tmp_path, "richlike/demo.py", hook_dir)
    assert not script.ok  # run by path, `import logging` loads richlike/logging.py
    findings = assert_fix_keeps_working_imports(tmp_path, hook_dir)
    assert "richlike/json.py" not in findings or "DM105" not in findings["richlike/json.py"]
    assert "DM105" not in findings.get("richlike/logging.py", {})
    # demo.py means the standard library's logging (it uses `logging.INFO`, which the local
    # module lacks): the remedy is renaming, not `from richlike import logging`.
    (finding,) = findings["richlike/demo.py"]["DM105"]
    assert finding["fix"] is None
    assert finding["explanation"].startswith("rename richlike/logging.py")
    for relative in ("richlike/json.py", "richlike/logging.py", "richlike/other.py"):
        assert "from richlike" not in (tmp_path / relative).read_text()


def test_a_local_module_named_like_the_stdlib_is_renamed_not_imported(
        tmp_path: Path, hook_dir: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "scripts/secrets.py": "X = 1\n",
        "scripts/gen.py": "import secrets\n\ndef main():\n    print(len(secrets.token_hex(4)))\n"
                          "\nif __name__ == '__main__':\n    main()\n",
    })
    assert not run_script(tmp_path, "scripts/gen.py", hook_dir).ok  # AttributeError
    module = run_module(tmp_path, "scripts/gen.py", hook_dir)
    assert module is not None and module.stdout == "8\n"
    findings = assert_fix_keeps_working_imports(tmp_path, hook_dir)
    (finding,) = findings["scripts/gen.py"]["DM105"]
    assert finding["fix"] is None
    assert "rename scripts/secrets.py" in finding["explanation"]
    assert "DM104" in findings["scripts/secrets.py"]
    assert run_module(tmp_path, "scripts/gen.py", hook_dir).stdout == "8\n"  # type: ignore[union-attr]


OPTIONAL_WANDB = ("try:\n    import wandb\n    assert hasattr(wandb, '__version__')\n"
                  "except (ImportError, AssertionError):\n    wandb = None\n\n"
                  "if __name__ == '__main__':\n    print(wandb.__version__ if wandb else None)\n")


@pytest.mark.parametrize("declared", [False, True])
def test_an_optional_or_declared_third_party_import_is_never_rewritten(
        tmp_path: Path, hook_dir: Path, declared: bool) -> None:
    project = tmp_path / "proj"
    body = OPTIONAL_WANDB if not declared else (
        "import wandb\n\nif __name__ == '__main__':\n    print(wandb.__version__)\n")
    write_tree(project, {
        "pyproject.toml": '[project]\nname = "proj"\nversion = "1"\n'
                          + ('dependencies = ["wandb>=0.15"]\n' if declared else ""),
        "tools/train.py": body,
        "tools/wandb/__init__.py": "",  # a local folder: logs, not the package
    })
    findings = assert_fix_keeps_working_imports(project, hook_dir)
    (finding,) = findings["tools/train.py"]["DM101"]
    assert finding["fix"] is None
    assert finding["explanation"].startswith("rename tools/wandb/")
    assert "third-party" in finding["explanation"]
    assert "from tools import wandb" not in (project / "tools/train.py").read_text()
    # Once the real package is installed, module mode gets it: the feature is on.
    site = tmp_path / "site"
    write_tree(site, {"wandb/__init__.py": "__version__ = '0.16'\n"})
    without = observe([sys.executable, "-m", "tools.train"], project, hook_dir)
    assert without.ok == (not declared)  # the optional import falls back to None
    with_site = observe([sys.executable, "-c", f"import sys; sys.path.append({str(site)!r}); "
                         "import runpy; runpy.run_module('tools.train', run_name='__main__')"],
                        project, hook_dir)
    assert with_site.stdout == "0.16\n", with_site


def test_declared_dependencies_are_read_from_requirements(tmp_path: Path) -> None:
    from dashm.workspace.dependencies import declared_dependencies

    write_tree(tmp_path, {
        "requirements.txt": "# comment\nWandB==0.16 ; python_version > '3'\n-r other.txt\n"
                            "-e .\nhttps://example.com/x.whl\nrequests[socks]>=2\n",
        "requirements/dev.txt": "pytest_cov\n",
    })
    data = {"project": {"dependencies": ["Rich>=13"],
                        "optional-dependencies": {"x": ["typing_extensions"]}},
            "tool": {"poetry": {"dependencies": {"python": "^3.10", "Flask": "*"}}},
            "dependency-groups": {"dev": ["ruff", {"include-group": "x"}]}}
    assert declared_dependencies(tmp_path, data) == {
        "wandb", "requests", "pytest-cov", "rich", "typing-extensions", "flask", "ruff"}


def test_the_use_of_a_local_module_makes_its_rewrite_safe(tmp_path: Path,
                                                           hook_dir: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "tools/__init__.py": "",
        # tools/json.py is the project's own config reader; cfg.py means it (load_config).
        "tools/json.py": "def load_config():\n    return 'local'\n",
        "tools/cfg.py": "import json\n\nif __name__ == '__main__':\n"
                        "    print(json.load_config())\n",
        "tools/util.py": "def helper():\n    return 'helped'\n",
        "tools/run.py": "import util\n\nif __name__ == '__main__':\n    print(util.helper())\n",
    })
    assert run_script(tmp_path, "tools/cfg.py", hook_dir).stdout == "local\n"
    assert not run_module(tmp_path, "tools/cfg.py", hook_dir).ok  # type: ignore[union-attr]
    findings = assert_fix_keeps_working_imports(tmp_path, hook_dir)
    assert all(fixes(findings, "tools/cfg.py", "DM105"))
    assert all(fixes(findings, "tools/run.py", "DM101"))
    assert run_module(tmp_path, "tools/cfg.py", hook_dir).stdout == "local\n"  # type: ignore[union-attr]
    assert run_module(tmp_path, "tools/run.py", hook_dir).stdout == "helped\n"  # type: ignore[union-attr]


def test_an_unclear_intent_is_reported_without_a_fix(tmp_path: Path, hook_dir: Path) -> None:
    # Both `json` modules have `dumps`: the use does not say which one is meant.
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "tools/__init__.py": "",
        "tools/json.py": "def dumps(value):\n    return 'local'\n",
        "tools/cfg.py": "import json\n\nif __name__ == '__main__':\n    print(json.dumps(1))\n",
    })
    findings = assert_fix_keeps_working_imports(tmp_path, hook_dir)
    (finding,) = findings["tools/cfg.py"]["DM105"]
    assert finding["fix"] is None
    assert "if tools/json.py is the module meant" in finding["explanation"]


def test_a_rewrite_that_breaks_a_documented_by_path_run_is_not_applied(
        tmp_path: Path, hook_dir: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "README.md": "Train with `python tools/train.py`.\n",
        "tools/util.py": "def helper():\n    return 'helped'\n",
        "tools/train.py": "import util\n\nif __name__ == '__main__':\n    print(util.helper())\n",
    })
    (finding,) = by_file(check(tmp_path))["tools/train.py"]["DM101"]
    assert finding["fix"] and finding["fix"]["safe"] is False
    assert "this breaks `python tools/train.py` (README.md:1)" in finding["explanation"]
    assert_fix_keeps_working_imports(tmp_path, hook_dir)
    assert (tmp_path / "tools/train.py").read_text().startswith("import util\n")
    assert run_script(tmp_path, "tools/train.py", hook_dir).stdout == "helped\n"


# A package whose main.py imports its sibling as run by path.
EX_PACKAGE = {
    "pyproject.toml": "",
    "ex/__init__.py": "",
    "ex/helper.py": "X = 'helped'\n",
    "ex/main.py": "import helper\n\nif __name__ == '__main__':\n    print(helper.X)\n",
}


@pytest.mark.parametrize("command", [
    "torchrun --nproc_per_node 2 main.py",
    "python -m torch.distributed.run --nproc_per_node=2 main.py",
    "accelerate launch --multi_gpu main.py --lr 3",
    "deepspeed --num_gpus 1 main.py --deepspeed ds.json",
    "uv run main.py",
    "streamlit run main.py",
    "python -m cProfile -s time main.py",
])
def test_a_launcher_that_runs_the_file_by_path_is_a_documented_run(
        tmp_path: Path, hook_dir: Path, command: str) -> None:
    """Launchers run the file as `python main.py` would (its folder first on sys.path): the
    rewrite to `from ex import helper` would break the documented command, so --fix leaves it.
    `python -m cProfile` stands in for them all as the command really run."""
    write_tree(tmp_path, {**EX_PACKAGE, "ex/README.md": f"```\n{command}\n```\n"})
    assert_fix_held_back(tmp_path, "ex/main.py", hook_dir, "ex/README.md:2")
    ran = subprocess.run([sys.executable, "-m", "cProfile", "main.py"], cwd=tmp_path / "ex",
                         capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0 and ran.stdout.startswith("helped\n"), ran.stderr


@pytest.mark.parametrize("command", [
    "uv run pytest ex/main.py", "coverage run -m pytest ex/main.py", "uv run -m ex.main"])
def test_a_launcher_of_another_program_is_no_run_of_the_file(tmp_path: Path,
                                                              command: str) -> None:
    write_tree(tmp_path, {**EX_PACKAGE, "README.md": f"```\n{command}\n```\n"})
    (finding,) = by_file(check(tmp_path))["ex/main.py"]["DM101"]
    assert finding["fix"]["safe"] is True


def test_a_readme_between_the_project_and_the_file_documents_its_runs(
        tmp_path: Path, hook_dir: Path) -> None:
    """`sub/README.md` says `python pkg/app.py` (run from sub/): that runs sub/pkg/app.py."""
    write_tree(tmp_path, {
        "README.md": "See sub/.\n",
        "sub/README.md": "python pkg/app.py\n",
        "sub/pkg/__init__.py": "",
        "sub/pkg/helper.py": "X = 'helped'\n",
        "sub/pkg/app.py": "import helper\n\nif __name__ == '__main__':\n    print(helper.X)\n",
    })
    assert_fix_held_back(tmp_path, "sub/pkg/app.py", hook_dir, "sub/README.md:1")
    ran = subprocess.run([sys.executable, "pkg/app.py"], cwd=tmp_path / "sub",
                         capture_output=True, text=True, timeout=60)
    assert ran.stdout == "helped\n", ran.stderr


@pytest.mark.parametrize("where", ["docstring", "shell script"])
def test_a_run_documented_in_the_file_or_a_shell_script_is_kept(
        tmp_path: Path, hook_dir: Path, where: str) -> None:
    """llm.c: `dev/data/fineweb.py` says "from root directory: python dev/data/fineweb.py" in
    its docstring, and scripts/run_*.sh comments say the same."""
    doc = "Example, from the root:\npython dev/data/prep.py\n" if where == "docstring" else ""
    files = {
        "dev/data/common.py": "def write():\n    return 'wrote'\n",
        "dev/data/prep.py": f'"""Prepares the data.\n{doc}"""\nfrom common import write\n\n'
                            "if __name__ == '__main__':\n    print(write())\n",
    }
    if where == "shell script":
        files["scripts/run.sh"] = "#!/bin/bash\n# run python dev/data/prep.py first\n./train\n"
    write_tree(tmp_path, files)
    cited = "dev/data/prep.py:3" if where == "docstring" else "scripts/run.sh:2"
    assert_fix_held_back(tmp_path, "dev/data/prep.py", hook_dir, cited)
    ran = subprocess.run([sys.executable, "dev/data/prep.py"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert ran.stdout == "wrote\n", ran.stderr


def test_a_tutorial_page_that_shows_the_file_then_runs_it_by_name(
        tmp_path: Path, hook_dir: Path) -> None:
    """typer's docs: a page shows `docs_src/app/main.py`, then `python main.py` (run from the
    tutorial's folder): the rewrite would break that command, so `--fix` leaves it."""
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "docs/tutorial/app.md": "Create `main.py`:\n\n{* docs_src/app/main.py *}\n\n"
                                "Run it:\n\n```console\n$ python main.py\n```\n",
        "docs_src/app/__init__.py": "",
        "docs_src/app/items.py": "def helper():\n    return 'helped'\n",
        "docs_src/app/main.py": "import items\n\nif __name__ == '__main__':\n"
                                "    print(items.helper())\n",
        # Another page runs a `main.py` too, but names no file of this folder.
        "docs_src/other/__init__.py": "",
        "docs_src/other/util.py": "X = 1\n",
        "docs_src/other/main.py": "import util\n\nif __name__ == '__main__':\n"
                                  "    print(util.X)\n",
        "docs/tutorial/other.md": "Run `python main.py`.\n",
    })
    findings = by_file(check(tmp_path))
    (finding,) = findings["docs_src/app/main.py"]["DM101"]
    assert finding["fix"] and finding["fix"]["safe"] is False
    assert "docs/tutorial/app.md:8" in finding["fix"]["breaks_documented_run"]
    (unrelated,) = findings["docs_src/other/main.py"]["DM101"]
    assert unrelated["fix"]["safe"] is True
    assert_fix_keeps_working_imports(tmp_path, hook_dir)
    assert (tmp_path / "docs_src/app/main.py").read_text().startswith("import items\n")
    ran = subprocess.run([sys.executable, "main.py"], cwd=tmp_path / "docs_src/app",
                         capture_output=True, text=True, timeout=60)
    assert ran.stdout == "helped\n", ran.stderr


# -- generated: a script, a local module named like something else, and a use of it --------
LOCAL_NAMES = ["json", "secrets", "util", "wandb"]
# Attributes of json, secrets and nobody, each with a call whose output is always the same.
CALLS = {"dumps": "dumps(4)", "compare_digest": "compare_digest('a', 'a')", "helper": "helper(4)"}


@st.composite
def shadowing_workspaces(draw: st.DrawFn) -> dict[str, str]:
    name = draw(st.sampled_from(LOCAL_NAMES))
    defined = draw(st.sets(st.sampled_from(sorted(CALLS))))
    used = draw(st.sampled_from([*sorted(CALLS), None]))
    package = draw(st.booleans())  # tools/ a package or a plain folder
    local_package = draw(st.booleans())  # the local module a package (folder) or a file
    optional = draw(st.booleans())
    documented = draw(st.booleans())
    body = "".join(f"def {a}(*args):\n    return 'local {a}'\n" for a in sorted(defined))
    local = f"tools/{name}/__init__.py" if local_package else f"tools/{name}.py"
    use = f"{name}.{CALLS[used]}" if used else f"type({name}).__name__"
    if optional:
        importing = f"try:\n    import {name}\nexcept ImportError:\n    {name} = None\n"
        use = f"({use} if {name} else None)"
    else:
        importing = f"import {name}\n"
    files = {
        "pyproject.toml": "",
        local: body or "VALUE = 1\n",
        "tools/run.py": f"{importing}\nif __name__ == '__main__':\n    print({use})\n",
    }
    if package:
        files["tools/__init__.py"] = ""
    if documented:
        files["README.md"] = "Run `python tools/run.py`.\n"
    return files


@settings(max_examples=int(os.environ.get("DASHM_TRUTH_EXAMPLES", "12")),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(files=shadowing_workspaces())
def test_generated_fixes_never_change_what_working_code_loads(files: dict[str, str],
                                                              hook_dir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="dashm-safety-") as temp:
        workspace = Path(os.path.realpath(temp))
        write_tree(workspace, files)
        script = run_script(workspace, "tools/run.py", hook_dir)
        module = run_module(workspace, "tools/run.py", hook_dir)
        findings = assert_fix_keeps_working_imports(workspace, hook_dir)
        after = run_module(workspace, "tools/run.py", hook_dir)
        assert module is not None and after is not None
        if module.ok:  # what worked under python -m still does the same
            assert after.ok and after.stdout == module.stdout, (module, after)
        name = next(n for n in LOCAL_NAMES if f"import {n}" in files["tools/run.py"])
        if findings.get("tools/run.py", {}).get("DM105"):  # the two runs really load two files
            assert script.modules.get(name) != module.modules.get(name), (script, module)
        applied = [f for f in findings.get("tools/run.py", {}).get("DM101", [])
                   + findings.get("tools/run.py", {}).get("DM105", [])
                   if f["fix"] and f["fix"]["safe"]]
        if applied and script.ok:  # the fix makes python -m do what the script did
            assert after.ok and after.stdout == script.stdout, (script, after)
        if "README.md" in files:  # a documented by-path run is never broken by --fix
            assert run_script(workspace, "tools/run.py", hook_dir).ok == script.ok


def test_an_executable_script_keeps_its_by_path_run(tmp_path: Path, hook_dir: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "",
        "scripts/common.py": "NAME = 'common'\n",
        "scripts/report.py": "#!/usr/bin/env python3\nimport common\n\n"
                             "if __name__ == '__main__':\n    print(common.NAME)\n",
    })
    (tmp_path / "scripts/report.py").chmod(0o755)
    (finding,) = by_file(check(tmp_path))["scripts/report.py"]["DM101"]
    assert finding["fix"]["safe"] is False
    assert "this breaks `./scripts/report.py` (#! line, executable)" in finding["explanation"]
    assert_fix_keeps_working_imports(tmp_path, hook_dir)
    assert observe([str(tmp_path / "scripts/report.py")], tmp_path, hook_dir).stdout == "common\n"

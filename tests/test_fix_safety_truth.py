"""Fix safety, proven with the real interpreter: a fix never changes what an import that
already works loads, never makes a self-import, and leaves optional and third-party imports
alone; the use a file makes of a module decides which module it means.

Each workspace is imported module by module (`python -c "import pkg.mod"` from its import
root, as `python -m`, pytest and an installed package see it) before and after `--fix`;
a sitecustomize hook records which file every loaded module came from.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.test_modes_truth import (
    HOOK,
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


@pytest.fixture(scope="module")
def hook_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hook")
    (folder / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    return folder


def import_all(workspace: Path, hook: Path) -> dict[str, dict[str, str] | None]:
    """Every workspace module imported on its own: module name -> {loaded name: file} for
    the imports that work, None for those that fail."""
    ws = Workspace(workspace)
    outcome: dict[str, dict[str, str] | None] = {}
    for relative in python_files(workspace):
        location = ws.locate(workspace / relative)
        if location.module is None or location.module.endswith("__main__"):
            continue
        run = observe([sys.executable, "-c", "import importlib, sys; "
                       "importlib.import_module(sys.argv[1])", location.module],
                      location.root, hook)
        outcome[location.module] = run.modules if run.ok else None
    return outcome


def assert_fix_keeps_working_imports(workspace: Path, hook: Path,
                                     extra_path: Path | None = None) -> dict:
    """`--fix` and then: every module that imported before imports and loads the same files;
    a second `--fix` changes nothing. Returns the findings before the fix, by file."""
    findings = by_file(check(workspace))
    before = import_all(workspace, hook)
    done = dashm("check", ".", "--fix", cwd=workspace)
    assert done.returncode in (0, 1), done.stderr
    after = import_all(workspace, hook)
    for module, loaded in before.items():
        if loaded is None:
            continue
        assert after.get(module) is not None, f"{module} imported before --fix, not after"
        for name, path in loaded.items():
            if name in after[module]:  # type: ignore[operator]
                assert after[module][name] == path, (  # type: ignore[index]
                    f"after --fix, importing {module} loads {name} from "
                    f"{after[module][name]} instead of {path}")  # type: ignore[index]
    once = snapshot(workspace)
    dashm("check", ".", "--fix", cwd=workspace)
    assert snapshot(workspace) == once, "a second --fix changed files"
    return findings


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
    assert finding["fix"] is None and finding["message"].startswith("rename richlike/logging.py")
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
    assert "rename scripts/secrets.py" in finding["message"]
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
    assert finding["message"].startswith("rename tools/wandb/")
    assert "third-party" in finding["message"]
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
    assert "if tools/json.py is the module meant" in finding["message"]


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
    assert "this breaks `python tools/train.py` (README.md:1)" in finding["message"]
    assert_fix_keeps_working_imports(tmp_path, hook_dir)
    assert (tmp_path / "tools/train.py").read_text().startswith("import util\n")
    assert run_script(tmp_path, "tools/train.py", hook_dir).stdout == "helped\n"

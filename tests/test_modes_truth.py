"""Proof tests: what dashm reports is what really breaks.

Each workspace file is run both ways, as subprocesses of the real interpreter:
script mode (`python path/file.py` from the workspace) and module mode (`python -m dotted.name`
from the import root). A `sitecustomize` hook records which file every imported name came from,
so "the same import reaches different files" is observed, not inferred. The findings of
`python -m dashm check --format json` must match those observations, and `--fix` must leave
every module runnable.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dashm.workspace import Workspace

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RELATIVE_ERROR = "attempted relative import with no known parent package"

# Loaded before any workspace code; imports nothing a workspace file could shadow.
HOOK = '''\
import atexit, os, sys

def _dashm_truth_dump():
    out = os.environ.get("DASHM_TRUTH_OUT")
    if not out:
        return
    rows = {}
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str):
            rows[name] = os.path.realpath(path)
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(repr(rows))

atexit.register(_dashm_truth_dump)
'''


@dataclass
class Run:
    argv: list[str]
    cwd: Path
    returncode: int
    stdout: str
    stderr: str
    modules: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def __str__(self) -> str:
        return (f"`{' '.join(self.argv[1:])}` in {self.cwd}: exit {self.returncode}\n"
                f"stdout: {self.stdout!r}\nstderr: {self.stderr[-800:]}")



def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONSAFEPATH", "PYTHONSTARTUP", "PYTHONHOME")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def observe(argv: list[str], cwd: Path, hook: Path, stdin: str = "") -> Run:
    out = hook / f"modules-{os.getpid()}.txt"
    out.unlink(missing_ok=True)
    env = base_env()
    env["PYTHONPATH"] = str(hook)  # holds sitecustomize.py and nothing importable else
    env["DASHM_TRUTH_OUT"] = str(out)
    done = subprocess.run(argv, cwd=cwd, env=env, input=stdin, capture_output=True, text=True,
                          timeout=60)
    modules = ast.literal_eval(out.read_text(encoding="utf-8")) if out.exists() else {}
    return Run(list(argv), cwd, done.returncode, done.stdout, done.stderr, modules)


def run_script(workspace: Path, relative: str, hook: Path, *args: str) -> Run:
    return observe([sys.executable, relative, *args], workspace, hook)


def run_module(workspace: Path, relative: str, hook: Path, *args: str) -> Run | None:
    """`python -m` for the file, or None when -m cannot run it. For `pkg/__init__.py` this
    is None too: `python -m pkg` runs pkg/__main__.py, which is checked as itself."""
    if relative.endswith("__init__.py"):
        return None
    invocation = Workspace(workspace).invocation(workspace / relative)
    if invocation.module is None:
        return None
    assert invocation.cwd is not None
    return observe([*invocation.argv, *args], Path(invocation.cwd), hook)


def dashm(*args: str, cwd: Path, input: str | None = None,
          timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dashm", *args], cwd=cwd, input=input,
                          env=base_env(), capture_output=True, text=True, timeout=timeout)


def check(workspace: Path, *args: str) -> list[dict]:
    done = dashm("check", ".", "--format", "json", *args, cwd=workspace)
    assert done.returncode in (0, 1), done.stderr
    findings = json.loads(done.stdout) if done.stdout.strip() else []
    assert (done.returncode == 1) == bool(findings), (done.returncode, findings)
    return findings


def by_file(findings: list[dict]) -> dict[str, dict[str, list[dict]]]:
    grouped: dict[str, dict[str, list[dict]]] = {}
    for finding in findings:
        grouped.setdefault(finding["path"], {}).setdefault(finding["code"], []).append(finding)
    return grouped


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if text.startswith("#!"):
            target.chmod(0o755)
    return root


def python_files(workspace: Path) -> list[str]:
    return sorted(p.relative_to(workspace).as_posix() for p in workspace.rglob("*.py")
                  if "__pycache__" not in p.parts)


def snapshot(workspace: Path) -> dict[str, bytes]:
    return {p.relative_to(workspace).as_posix(): p.read_bytes()
            for p in sorted(workspace.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


# -- what the observations say dashm must report ---------------------------------------------
def imported_names(source: str) -> tuple[set[str], bool]:
    """Absolute names a file imports (each dotted prefix too), and whether it has a guard."""
    tree = ast.parse(source)
    names: set[str] = set()
    for node in ast.walk(tree):
        dotted: list[str] = []
        if isinstance(node, ast.Import):
            dotted = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            dotted = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in dotted:
            parts = name.split(".")
            names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    guard = re.search(r"^if __name__ == ['\"]__main__['\"]:", source, re.M) is not None
    return names, guard


def imported_bare_by_script(path: Path) -> bool:
    for sibling in path.parent.glob("*.py"):
        if sibling == path:
            continue
        names, guard = imported_names(sibling.read_text(encoding="utf-8"))
        if guard and path.stem in names:
            return True
    return False


def expected(workspace: Path, relative: str, script: Run, module: Run | None) -> dict:
    """code -> True (must be reported), False (must not be), None (no claim)."""
    path = workspace / relative
    source = path.read_text(encoding="utf-8")
    names, guard = imported_names(source)
    run_by_path = guard and (source.startswith("#!") or os.access(path, os.X_OK))
    if module is None:
        return {}
    claims: dict[str, bool | None] = {}
    missing = re.search(r"ModuleNotFoundError: No module named '([\w.]+)'", module.stderr)
    claims["DM101"] = bool(script.ok and not module.ok and missing
                           and missing.group(1) in names)
    if script.ok and module.ok:
        differ = {n for n in names if n in script.modules and n in module.modules
                  and script.modules[n] != module.modules[n]}
        # Script mode matters where a by-path run loads this file: its own (a __main__
        # guard) or a guarded sibling's that imports it by its bare name.
        reached = guard or imported_bare_by_script(path)
        claims["DM105"] = bool(differ) if reached or not differ else None
    else:
        claims["DM105"] = None
    script_relative = RELATIVE_ERROR in script.stderr
    if script_relative and not module.ok and RELATIVE_ERROR in module.stderr:
        claims["DM102"] = True  # outside any package: fails however it is run
    elif script_relative and module.ok:
        # A package module: a problem only when it is evidently run by path.
        claims["DM102"] = True if run_by_path else (False if not guard else None)
    elif not script_relative:
        claims["DM102"] = False
    return claims


def assert_findings_match_reality(workspace: Path, hook: Path, findings: list[dict],
                                  files: list[str] | None = None) -> dict[str, tuple]:
    """Every file, both ways: DM101/DM102/DM105 reported exactly where reality says."""
    grouped = by_file(findings)
    runs: dict[str, tuple] = {}
    problems = []
    for relative in files or python_files(workspace):
        script = run_script(workspace, relative, hook)
        module = run_module(workspace, relative, hook)
        runs[relative] = (script, module)
        for code, claim in expected(workspace, relative, script, module).items():
            if claim is None:
                continue
            reported = code in grouped.get(relative, {})
            if reported != claim:
                problems.append(f"{relative}: {code} {'missing' if claim else 'unexpected'}"
                                f"\n  script {script}\n  module {module}\n  findings "
                                f"{grouped.get(relative)}")
    assert not problems, "\n\n".join(problems)
    return runs


# -- fixtures --------------------------------------------------------------------------------
GUARD = 'if __name__ == "__main__":\n'

SIBLINGS = {
    "app/__init__.py": "",
    "app/helpers.py": 'def f():\n    return "helped"\n\n\n' + GUARD + "    print(f())\n",
    "app/uses_sibling.py": "import helpers\n\n" + GUARD + "    print(helpers.f())\n",
    "app/uses_from_sibling.py": "from helpers import f\n\n" + GUARD + "    print(f())\n",
    "app/uses_package.py": "from app import helpers\n\n" + GUARD + "    print(helpers.f())\n",
    "app/uses_relative_script.py": ("#!/usr/bin/env python3\nfrom . import helpers\n\n"
                                    + GUARD + "    print(helpers.f())\n"),
    "app/uses_relative_library.py": "from .helpers import f\n\nVALUE = f()\n",
    "app/json.py": 'def dumps(value):\n    return "local"\n',
    "app/show_json.py": "import json\n\n" + GUARD + "    print(json.__file__)\n",
    "app/uses_stdlib.py": "import os\n\n" + GUARD + "    print(os.sep)\n",
    "toplib.py": "y = 1\n\n" + GUARD + "    print(y)\n",
    "top_relative.py": "from .toplib import y\n\n" + GUARD + "    print(y)\n",
    "top_plain.py": "import toplib\n\n" + GUARD + "    print(toplib.y)\n",
    "scripts/util.py": "x = 5\n",
    "scripts/runner.py": "import util\n\n" + GUARD + "    print(util.x)\n",
}


@pytest.fixture
def siblings(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "ws", SIBLINGS)


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_fixture_behaves_as_described(siblings: Path, hook_dir: Path) -> None:
    """The observations the other tests rely on, spelled out for the sibling fixture."""
    def both(relative: str) -> tuple[Run, Run | None]:
        return run_script(siblings, relative, hook_dir), run_module(siblings, relative, hook_dir)

    script, module = both("app/uses_sibling.py")
    assert script.ok and module is not None and not module.ok
    assert "ModuleNotFoundError: No module named 'helpers'" in module.stderr
    script, module = both("top_relative.py")
    assert RELATIVE_ERROR in script.stderr and module and RELATIVE_ERROR in module.stderr
    script, module = both("app/uses_relative_script.py")
    assert RELATIVE_ERROR in script.stderr and module and module.ok
    script, module = both("app/show_json.py")
    assert script.ok and module and module.ok
    assert script.stdout.strip() == os.path.realpath(siblings / "app/json.py")
    assert module.stdout.strip() != script.stdout.strip()
    script, module = both("scripts/runner.py")
    assert script.ok and module and "No module named 'util'" in module.stderr


def test_sibling_fixture_findings_match_reality(siblings: Path, hook_dir: Path) -> None:
    findings = check(siblings)
    assert_findings_match_reality(siblings, hook_dir, findings)
    grouped = by_file(findings)
    # The fixture does exercise every code it is about.
    assert "DM101" in grouped.get("app/uses_sibling.py", {})
    assert "DM101" in grouped.get("app/uses_from_sibling.py", {})
    assert "DM101" in grouped.get("scripts/runner.py", {})
    assert "DM102" in grouped.get("top_relative.py", {})
    assert "DM102" in grouped.get("app/uses_relative_script.py", {})
    assert "DM105" in grouped.get("app/show_json.py", {})


def test_examples_findings_match_reality(examples: Path, hook_dir: Path) -> None:
    findings = check(examples)
    assert_findings_match_reality(examples, hook_dir, findings)
    grouped = by_file(findings)
    assert "DM101" in grouped["inventory/cli.py"] and "DM101" in grouped["inventory/storage.py"]
    assert "DM105" in grouped["inventory/exporter.py"]
    assert "DM102" in grouped["legacy.py"] and "DM102" in grouped["inventory/report.py"]
    assert "DM103" in grouped["tools/seed.py"]


def assert_fix_keeps_modules_running(workspace: Path, hook: Path,
                                     *options: str) -> tuple[dict, dict]:
    """`check --fix`: what ran as a module still runs; what only ran as a script now runs as a
    module with the script's output; a second --fix changes nothing; every file compiles."""
    files = python_files(workspace)
    findings = check(workspace, *options)
    grouped = by_file(findings)
    before = {f: (run_script(workspace, f, hook), run_module(workspace, f, hook)) for f in files}
    fixed = dashm("check", ".", "--fix", *options, cwd=workspace)
    assert fixed.returncode in (0, 1), fixed.stderr
    once = snapshot(workspace)
    problems = []
    for relative in files:
        script, module = before[relative]
        if module is None:
            continue
        after = run_module(workspace, relative, hook)
        assert after is not None, relative
        fixable = all(f["fix"] for code in ("DM101", "DM102", "DM105")
                      for f in grouped.get(relative, {}).get(code, []))
        relative_fixed = fixable and "DM102" in grouped.get(relative, {})
        if script.ok and fixable:
            want: Run | None = script  # the fixes make module mode do what the script did
        elif module.ok:
            want = module
        elif relative_fixed and RELATIVE_ERROR in module.stderr:
            want = None  # a relative import rewritten as absolute: it must now run at all
        else:
            continue
        if not (after.ok and (want is None or after.stdout == want.stdout)):
            problems.append(f"{relative}: expected {want or 'success'}\n  after --fix: {after}")
    assert not problems, "\n\n".join(problems)
    for relative in files:
        source = (workspace / relative).read_bytes()
        compile(source, relative, "exec")
    again = dashm("check", ".", "--fix", *options, cwd=workspace)
    assert again.returncode in (0, 1), again.stderr
    changed = [name for name, data in snapshot(workspace).items() if once.get(name) != data]
    assert not changed, f"a second --fix changed {changed}"
    return before, by_file(check(workspace, *options))


def test_examples_fix(examples: Path, hook_dir: Path) -> None:
    listed = run_script(examples, "inventory/cli.py", hook_dir, "list")
    assert listed.ok and listed.stdout
    broken = run_module(examples, "inventory/cli.py", hook_dir, "list")
    assert broken is not None and not broken.ok
    assert "ModuleNotFoundError" in broken.stderr
    assert_fix_keeps_modules_running(examples, hook_dir)
    fixed = run_module(examples, "inventory/cli.py", hook_dir, "list")
    assert fixed is not None and fixed.ok, str(fixed)
    assert fixed.stdout == listed.stdout
    assert fixed.argv[1:3] == ["-m", "inventory.cli"]
    legacy = run_module(examples, "legacy.py", hook_dir)
    assert legacy is not None and legacy.ok, str(legacy)
    assert legacy.stdout == "hello, inventory\n"
    # What is still reported is still true.
    assert_findings_match_reality(examples, hook_dir, check(examples))


def test_sibling_fixture_fix(siblings: Path, hook_dir: Path) -> None:
    assert_fix_keeps_modules_running(siblings, hook_dir)
    assert_findings_match_reality(siblings, hook_dir, check(siblings))


# -- DM103 -----------------------------------------------------------------------------------
HACK_PRELUDE = "import os\nimport sys\n\n"
UP = 'os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")'
HACKS = {
    "tools/insert.py": (HACK_PRELUDE + f"sys.path.insert(0, {UP})\n\n"
                        "from pkg.core import VALUE  # noqa: E402\n\n"
                        + GUARD + '    print("insert", VALUE)\n'),
    "tools/append.py": (HACK_PRELUDE + f"sys.path.append({UP})\n\n"
                        "from pkg.core import VALUE  # noqa: E402\n\n"
                        + GUARD + '    print("append", VALUE)\n'),
    "tools/slice.py": (HACK_PRELUDE + f"sys.path[0:0] = [{UP}]\n\n"
                       "from pkg.core import VALUE  # noqa: E402\n\n"
                       + GUARD + '    print("slice", VALUE)\n'),
    "tools/site_dir.py": ("import os\nimport site\n\n" + f"site.addsitedir({UP})\n\n"
                          "from pkg.core import VALUE  # noqa: E402\n\n"
                          + GUARD + '    print("site", VALUE)\n'),
    # os and sys are still needed after the hack goes.
    "tools/still_used.py": (HACK_PRELUDE + f"sys.path.insert(0, {UP})\n\n"
                            "from pkg.core import VALUE  # noqa: E402\n\n\n"
                            "def main():\n    print('still', VALUE, os.sep)\n    return 3\n\n\n"
                            + GUARD + "    sys.exit(main())\n"),
    # The hack serves an import that nothing else makes resolvable: it must stay.
    "tools/needs_it.py": (HACK_PRELUDE
                          + 'sys.path.insert(0, os.path.join(os.path.dirname('
                            'os.path.abspath(__file__)), "..", "vendor"))\n\n'
                          "import extra  # noqa: E402\n\n"
                          + GUARD + '    print("needs", extra.THING)\n'),
    "pkg/__init__.py": "",
    "pkg/core.py": "VALUE = 42\n",
    "vendor/extra.py": 'THING = "vendored"\n',
}


def test_sys_path_hacks(tmp_path: Path, hook_dir: Path) -> None:
    workspace = write_tree(tmp_path / "ws", HACKS)
    findings = by_file(check(workspace))
    hacks = [name for name in HACKS if name.startswith("tools/")]
    for relative in hacks:
        assert "DM103" in findings.get(relative, {}), (relative, findings.get(relative))
    assert findings["tools/needs_it.py"]["DM103"][0]["fix"] is None
    before = {name: run_module(workspace, name, hook_dir) for name in hacks}
    for name, run in before.items():
        assert run is not None and run.returncode == (3 if name.endswith("still_used.py")
                                                      else 0), str(run)
    fixed = dashm("check", ".", "--fix", cwd=workspace)
    assert fixed.returncode in (0, 1), fixed.stderr
    for name in hacks:
        after = run_module(workspace, name, hook_dir)
        assert after is not None, name
        assert (after.returncode, after.stdout) == (before[name].returncode,
                                                    before[name].stdout), f"{name}: {after}"
        compile((workspace / name).read_bytes(), name, "exec")
    remaining = by_file(check(workspace))
    for relative in hacks:
        fixable = findings[relative]["DM103"][0]["fix"] is not None
        assert ("DM103" in remaining.get(relative, {})) == (not fixable), relative
    assert "sys.path" not in (workspace / "tools/insert.py").read_text()


# -- clean code ------------------------------------------------------------------------------
CLEAN = {
    "pyproject.toml": ('[project]\nname = "tidy"\nversion = "1.0"\n\n'
                       '[project.scripts]\ntidy = "tidy.cli:main"\n\n'
                       '[build-system]\nrequires = ["setuptools>=61"]\n'
                       'build-backend = "setuptools.build_meta"\n\n'
                       '[tool.setuptools.packages.find]\nwhere = ["src"]\n'),
    "src/tidy/__init__.py": '"""tidy."""\n',
    "src/tidy/__main__.py": "from tidy.cli import main\n\nraise SystemExit(main())\n",
    "src/tidy/cli.py": ("import sys\n\nfrom tidy import models\nfrom .storage import load\n\n\n"
                        "def main(argv=None):\n    for item in load():\n"
                        "        print(models.describe(item))\n    return 0\n"),
    "src/tidy/models.py": "import json\n\n\ndef describe(item):\n    return json.dumps(item)\n",
    "src/tidy/storage.py": "from .models import describe\n\n\ndef load():\n"
                           "    return [{'name': 'bolts'}]\n\n\n__all__ = ['load', 'describe']\n",
    "src/tidy/sub/__init__.py": "",
    "src/tidy/sub/deep.py": "from ..models import describe\nfrom tidy.sub import helper\n",
    "src/tidy/sub/helper.py": "",
}


def test_clean_code_has_no_findings(tmp_path: Path, hook_dir: Path) -> None:
    workspace = write_tree(tmp_path / "ws", CLEAN)
    done = dashm("check", ".", "--format", "json", cwd=workspace)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert json.loads(done.stdout or "[]") == []
    text = dashm("check", ".", cwd=workspace)
    assert text.returncode == 0, text.stdout + text.stderr
    run = run_module(workspace, "src/tidy/__main__.py", hook_dir)
    assert run is not None and run.ok and run.stdout == '{"name": "bolts"}\n', str(run)


# -- the run command -------------------------------------------------------------------------
RUNNABLE = {
    "pkg/__init__.py": "",
    "pkg/exit_with.py": ("import os\nimport sys\n\n" + GUARD
                         + "    print('argv', sys.argv[1:], os.path.realpath(sys.argv[0]))\n"
                         "    print('spec', __spec__.name, os.getcwd())\n"
                         "    sys.exit(int(sys.argv[1]))\n"),
    "pkg/echo.py": ("import sys\n\n" + GUARD
                    + "    data = sys.stdin.read()\n    sys.stdout.write('echo:' + data)\n"),
    "pkg/wait.py": ("import time\n\n" + GUARD
                    + "    print('ready', flush=True)\n    time.sleep(60)\n"),
    "pkg/tool/__init__.py": "",
    "pkg/tool/__main__.py": "import sys\n\nprint('main', __spec__.name, sys.argv[1:])\n",
    "my-script.py": "print('never')\n",
    "my-tools/do_it.py": "import lib\n\nprint('never')\n",  # lib: belongs to ws/
    "lib/__init__.py": "",
}


@pytest.fixture
def runnable(tmp_path: Path) -> Path:
    return write_tree(Path(os.path.realpath(tmp_path)) / "ws", RUNNABLE)


@pytest.mark.parametrize("code", [0, 3, 42])
def test_run_forwards_arguments_and_exit_code(runnable: Path, code: int) -> None:
    done = dashm("run", "pkg/exit_with.py", str(code), "--verbose", "-x", "a b", cwd=runnable)
    assert done.returncode == code, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == (f"argv {[str(code), '--verbose', '-x', 'a b']} "
                        f"{runnable / 'pkg/exit_with.py'}")
    assert lines[1] == f"spec pkg.exit_with {runnable}"


def test_run_from_another_folder_and_package_main(runnable: Path) -> None:
    done = dashm("run", str(runnable / "pkg/exit_with.py"), "5", cwd=runnable / "pkg/tool")
    assert done.returncode == 5, done.stderr
    # The import root goes on sys.path; the working folder stays the user's.
    assert done.stdout.splitlines()[1] == f"spec pkg.exit_with {runnable / 'pkg/tool'}"
    done = dashm("run", "pkg/tool/__main__.py", "--", "--help", cwd=runnable)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "main pkg.tool.__main__ ['--help']\n"


def test_run_forwards_stdin(runnable: Path) -> None:
    done = dashm("run", "pkg/echo.py", cwd=runnable, input="one\ntwo\n")
    assert (done.returncode, done.stdout) == (0, "echo:one\ntwo\n"), done.stderr


def test_run_forwards_ctrl_c(runnable: Path) -> None:
    def default_sigint() -> None:  # as in a terminal, even if this test runs in the background
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    process = subprocess.Popen(
        [sys.executable, "-m", "dashm", "run", "pkg/wait.py"], cwd=runnable, env=base_env(),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=default_sigint)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode in (-signal.SIGINT, 130) or "KeyboardInterrupt" in stderr, (
        process.returncode, stderr)
    assert process.returncode != 0


@pytest.mark.parametrize("relative, words", [
    ("my-script.py", ["my-script", "rename", "my_script"]),
    ("my-tools/do_it.py", ["my-tools", "rename", "my_tools"]),
    ("lib/__init__.py", ["__main__.py"]),
])
def test_run_refuses_what_cannot_run_as_a_module(runnable: Path, relative: str,
                                                 words: list[str]) -> None:
    done = dashm("run", relative, "arg", cwd=runnable)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "never" not in done.stdout
    assert "cannot be run as a module" in done.stderr
    for word in words:
        assert word in done.stderr, (word, done.stderr)


def test_run_missing_file_is_an_error(runnable: Path) -> None:
    done = dashm("run", "pkg/nope.py", cwd=runnable)
    assert done.returncode == 2 and "not a file" in done.stderr


# -- harder cases ----------------------------------------------------------------------------
TRICKY = {
    "app/__init__.py": "",
    "app/helpers.py": 'def f():\n    return "helped"\n',
    # A sibling sub-package and a sibling namespace folder.
    "app/sub/__init__.py": "X = 'sub'\n",
    "app/uses_subpackage.py": "import sub\n\n" + GUARD + "    print(sub.X)\n",
    "app/data/table.py": "ROWS = 2\n",
    "app/uses_namespace.py": "from data import table\n\n" + GUARD + "    print(table.ROWS)\n",
    # Covered both ways by a fallback: nothing breaks.
    "app/fallback.py": ("try:\n    from . import helpers\nexcept ImportError:\n"
                        "    import helpers\n\n" + GUARD + "    print(helpers.f())\n"),
    # An installed distribution's name, and a name the workspace root also has.
    "app/lsprotocol.py": "",
    "app/uses_installed.py": "import lsprotocol\n\n" + GUARD + "    print(lsprotocol.__file__)\n",
    "app/shared.py": "",
    "shared.py": "",
    "app/uses_shared.py": "import shared\n\n" + GUARD + "    print(shared.__file__)\n",
    # A sibling named like a module the interpreter loads before any user code.
    "app/os.py": "",
    "app/uses_os.py": "import os\n\n" + GUARD + "    print(os.__file__)\n",
    # An import inside the guard only.
    "app/late.py": GUARD + "    import helpers\n    print(helpers.f())\n",
    # Two levels down: the file's own folder is the sub-package.
    "app/sub/leaf.py": "import helpers\n\n" + GUARD + "    print(helpers.f())\n",
    "app/sub/helpers.py": 'def f():\n    return "sub-helped"\n',
    # A namespace folder: relative imports work under -m, not by path.
    "scripts/util.py": "x = 5\n",
    "scripts/rel.py": ("#!/usr/bin/env python3\nfrom . import util\n\n" + GUARD
                       + "    print(util.x)\n"),
    # A package's __main__.py that imports a sibling.
    "tool/__init__.py": "",
    "tool/cli.py": "def main():\n    print('cli ran')\n",
    "tool/__main__.py": "import cli\n\ncli.main()\n",
}


@pytest.fixture
def tricky(tmp_path: Path) -> Path:
    workspace = write_tree(tmp_path / "ws", TRICKY)
    # Run by a symlink from the workspace root: script mode resolves it, module mode cannot.
    (workspace / "run_link.py").symlink_to(workspace / "app/late.py")
    return workspace


def test_tricky_findings_match_reality(tricky: Path, hook_dir: Path) -> None:
    findings = check(tricky)
    runs = assert_findings_match_reality(tricky, hook_dir, findings)
    script, module = runs["app/uses_installed.py"]
    assert script.ok and module and module.ok and script.stdout != module.stdout
    script, module = runs["run_link.py"]
    assert script.ok and module and not module.ok


def test_dm105_calls_an_installed_package_installed(tricky: Path, hook_dir: Path) -> None:
    # Module mode loads the installed distribution (site-packages), and the message says so.
    module = run_module(tricky, "app/uses_installed.py", hook_dir)
    assert module is not None and module.ok and "site-packages" in module.stdout
    message = by_file(check(tricky))["app/uses_installed.py"]["DM105"][0]["explanation"]
    assert "installed" in message and "standard library" not in message, message


def test_tricky_fix(tricky: Path, hook_dir: Path) -> None:
    assert_fix_keeps_modules_running(tricky, hook_dir)
    assert_findings_match_reality(tricky, hook_dir, check(tricky))


def test_fix_of_a_module_named_like_its_package(tmp_path: Path, hook_dir: Path) -> None:
    workspace = write_tree(tmp_path / "ws", {
        "pkgx/__init__.py": "",
        "pkgx/pkgx.py": "thing = 1\n",
        "pkgx/uses_self.py": "import pkgx\n\n" + GUARD + "    print(pkgx.__file__)\n",
        "pkgx/uses_from.py": "from pkgx import thing\n\n" + GUARD + "    print(thing)\n",
    })
    assert_findings_match_reality(workspace, hook_dir, check(workspace))
    assert_fix_keeps_modules_running(workspace, hook_dir)


IMPORT_SHAPES = {
    "app/__init__.py": "",
    "app/helpers.py": 'def f():\n    return "helped"\n\n\ndef g():\n    return "g"\n',
    "app/hp/__init__.py": "",
    "app/hp/deep.py": "X = 'deep'\n",
    "app/a_alias.py": "import helpers as h\n\n" + GUARD + "    print(h.f())\n",
    "app/a_two.py": "import helpers, os\n\n" + GUARD + "    print(helpers.f(), os.sep)\n",
    "app/a_two_rev.py": "import os, helpers\n\n" + GUARD + "    print(helpers.f(), os.sep)\n",
    "app/a_paren.py": ("from helpers import (\n    f,  # first\n    g,\n)\n\n"
                       + GUARD + "    print(f(), g())\n"),
    "app/a_star.py": "from helpers import *\n\n" + GUARD + "    print(f(), g())\n",
    "app/a_as.py": "from helpers import f as other\n\n" + GUARD + "    print(other())\n",
    "app/a_comment.py": "import helpers  # the helpers\n\n" + GUARD + "    print(helpers.f())\n",
    "app/a_nested.py": ("import sys\n\nif sys.version_info >= (3,):\n    import helpers\n\n"
                        + GUARD + "    print(helpers.f())\n"),
    "app/a_in_function.py": ("def main():\n    import helpers\n    return helpers.f()\n\n\n"
                             + GUARD + "    print(main())\n"),
    "app/a_dotted.py": "import hp.deep\n\n" + GUARD + "    print(hp.deep.X)\n",
    "app/a_dotted_as.py": "import hp.deep as d\n\n" + GUARD + "    print(d.X)\n",
    "app/a_from_dotted.py": "from hp.deep import X\n\n" + GUARD + "    print(X)\n",
    "app/a_from_pkg.py": "from hp import deep\n\n" + GUARD + "    print(deep.X)\n",
    "app/a_semicolon.py": "import os; import helpers\n\n" + GUARD + "    print(helpers.f())\n",
    "top_rel_alias.py": "from .toplib import y as z\n\n" + GUARD + "    print(z)\n",
    "toplib.py": "y = 1\n",
}


@pytest.mark.parametrize("style", [[], ["--import-style", "relative"]], ids=["absolute",
                                                                             "relative"])
def test_fixes_of_every_import_shape_run(tmp_path: Path, hook_dir: Path,
                                         style: list[str]) -> None:
    workspace = write_tree(tmp_path / "ws", IMPORT_SHAPES)
    findings = check(workspace, *style)
    assert_findings_match_reality(workspace, hook_dir, findings)
    assert_fix_keeps_modules_running(workspace, hook_dir, *style)
    assert_findings_match_reality(workspace, hook_dir, check(workspace, *style))


def test_run_works_in_safe_path_mode(runnable: Path) -> None:
    # PYTHONSAFEPATH would keep the import root off sys.path; `run` must not inherit it.
    env = {**base_env(), "PYTHONSAFEPATH": "1"}
    done = subprocess.run([sys.executable, "-m", "dashm", "run", "pkg/exit_with.py", "0"],
                          cwd=runnable, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == f"spec pkg.exit_with {runnable}"

"""`--fix` converges in one run (issue 12, class 9).

- its summary is the final state: the findings it prints are those a fresh `check` reports;
- a second `--fix` changes nothing;
- the order of files and arguments does not matter: identical sub-projects are fixed alike;
- every file it creates is listed;
- a fix that would break a by-path command the project documents is not applied.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from dashm.batch.checker import check_paths
from dashm.batch.report import render, shown_path
from dashm.findings import Finding, Fix, Range, Severity, TextEdit
from dashm.rules.edits import fix_one_at_a_time
from dashm.workspace import Workspace
from dashm.workspace.evidence import documented_runs
from test_modes_truth import snapshot
from trees import dashm, write_tree

GUARD = 'if __name__ == "__main__":\n'

# Folders without __init__.py in a chain (app/, app/web/, app/web/adapters/) imported with
# dotted names, a chain inside a package whose top folder holds no module (pkg/sub/), and a
# package README says to run with -m that has no __main__.py: creations that change the
# module names (and so the findings) of other files.
PROJECT = {
    # Not a distribution: in one, a new top-level package is the user's call (DM201 asks).
    "pyproject.toml": "[tool.dashm]\n",
    "README.md": "Run it with `python -m cli`.\n",
    "main.py": "from app.web.views import page\nfrom app.web.adapters.http import get\n\n"
               "print(page(), get())\n",
    "app/web/views.py": "def page():\n    return 'page'\n",
    "app/web/adapters/http.py": "def get():\n    return 'get'\n",
    "pkg/__init__.py": "",
    "pkg/sub/deeper/leaf.py": "X = 1\n",
    "cli/__init__.py": "",
    "cli/main.py": "def main():\n    print('cli')\n\n\n" + GUARD + "    main()\n",
}


def fixed_and_fresh(root: Path, *paths: str) -> tuple[str, list[dict], list[dict]]:
    fixing = dashm("check", *(paths or (".",)), "--fix", "--format", "json", cwd=root)
    assert fixing.returncode in (0, 1), fixing.stderr
    fresh = dashm("check", *(paths or (".",)), "--format", "json", cwd=root)
    assert fresh.returncode in (0, 1), fresh.stderr
    return fixing.stderr, json.loads(fixing.stdout or "[]"), json.loads(fresh.stdout or "[]")


def test_fix_summary_is_a_fresh_check_and_a_second_fix_changes_nothing(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", PROJECT)
    before = snapshot(root)
    _, after_fix, fresh = fixed_and_fresh(root)
    assert after_fix == fresh
    assert not [f for f in fresh if f["code"] in ("DM201", "DM202")], fresh
    made = set(snapshot(root)) - set(before)
    assert made == {"app/__init__.py", "app/web/__init__.py", "app/web/adapters/__init__.py",
                    "pkg/sub/__init__.py", "pkg/sub/deeper/__init__.py", "cli/__main__.py"}
    state = snapshot(root)
    again = dashm("check", "--fix", cwd=root)
    assert snapshot(root) == state and "Fixed" not in again.stdout, again.stdout


def test_every_created_file_is_listed(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", PROJECT)
    before = set(snapshot(root))
    result = check_paths(lambda _: Workspace(root, sys.executable), [root], fix=True)
    made = set(snapshot(root)) - before
    assert sorted(p.relative_to(root).as_posix() for p in result.created) == sorted(made)
    assert len(result.created) == len(set(result.created))  # each once
    text = render(result.findings, result.problems, result.fixed, result.files, "text",
                  result.created)
    for name in made:
        assert f"created {shown_path(root / name)}\n" in text
    assert f"created {len(made)} files" in text


def test_identical_sub_projects_are_fixed_alike_in_any_order(tmp_path: Path) -> None:
    template = write_tree(tmp_path / "template", {
        f"projects/{name}/{path}": text for name in ("p1", "p2") for path, text in
        PROJECT.items()})
    runs = {}
    for order in (("projects/p1", "projects/p2"), ("projects/p2", "projects/p1")):
        root = tmp_path / "-".join(p[-2:] for p in order)
        shutil.copytree(template, root)
        _, after_fix, fresh = fixed_and_fresh(root, *order)
        assert sorted(map(json.dumps, after_fix)) == sorted(map(json.dumps, fresh))
        runs[order] = snapshot(root)
    first, second = runs.values()
    assert first == second
    one = {k.split("/", 2)[2]: v for k, v in first.items() if k.startswith("projects/p1/")}
    two = {k.split("/", 2)[2]: v for k, v in first.items() if k.startswith("projects/p2/")}
    assert one == two


def test_a_fix_that_breaks_a_documented_run_is_not_applied(tmp_path: Path) -> None:
    path = tmp_path / "tools/train.py"
    unsafe = Fix("Rewrite as `from tools import util`",
                 (TextEdit(path, Range.of(0, 0, 0, 11), "from tools import util"),),
                 breaks_documented_run="`python tools/train.py` in README.md:3")
    finding = Finding(path, Range.of(0, 0, 0, 11), "DM101", "m", Severity.WARNING, unsafe)
    applied: list[Fix] = []
    left, fixed, _ = fix_one_at_a_time([finding], lambda fix: applied.append(fix) or [])
    assert (applied, fixed, left) == ([], 0, [finding])
    assert not unsafe.safe and Fix("t").safe
    text = render([finding], [], 0, 1, "text")
    assert "[*]" not in text and "fixable" not in text
    (shown,) = json.loads(render([finding], [], 0, 1, "json"))
    assert shown["fix"]["safe"] is False
    assert "README.md:3" in shown["fix"]["breaks_documented_run"]


def test_documented_runs_finds_the_commands_that_run_a_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "README.md": "Train:\n\n    python tools/train_net.py --config x\n",
        "Makefile": "train:\n\tcd tools && python3 train_net.py\n",
        "tools/README.md": "python train_net.py\n",
        ".github/workflows/ci.yml": "steps:\n  - run: python -m pytest\n"
                                   "  - run: python tools/other.py\n",
        "tools/train_net.py": "", "tools/other.py": "", "train_net.py": "",
    })
    found = {(e.path.relative_to(root).as_posix(), e.line + 1)
             for e in documented_runs(root / "tools/train_net.py", [root])}
    assert found == {("README.md", 3), ("Makefile", 2), ("tools/README.md", 1)}
    other = documented_runs(root / "tools/other.py", [root])
    assert [(e.path.name, e.cite) for e in other] == [("ci.yml", "`python tools/other.py`")]
    assert documented_runs(root / "train_net.py", [root]) == []

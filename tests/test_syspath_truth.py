"""Proof for DM103: it is reported exactly where the real interpreter changes `sys.path` at
module level, in every spelling, and its fix keeps `python -m` loading the same files.

`sys.path` is observed, not inferred: a `sitecustomize` (test_modes_truth's HOOK plus a
recorder) replaces it with a list that notes the file, line and code object of every call that
changes it (`insert`, `append`, `extend`, `+=`, item and slice assignment, `[x] + sys.path`;
`site.addsitedir` calls `append`). Each file is run by path and with `python -m`; a change
noted in a `<module>` code object is one made at module level.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashm.rules.context import FileContext
from dashm.rules.syspath import (
    init_remedy,
    module_remedy,
    own_folder_remedy,
    pytest_remedy,
)
from dashm.rules.syspath_target import WORKING_FOLDER, Target, targets
from dashm.workspace import Workspace
from dashm.workspace.facts import extract_facts
from test_modes_truth import HOOK, by_file, check, dashm, observe, run_module, write_tree

RECORDER = HOOK + '''
import sys as _dashm_sys

_dashm_changes = []


def _dashm_note():
    frame = _dashm_sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__") == "site":
        frame = frame.f_back  # site.addsitedir: the line that called it
    if frame is not None:
        _dashm_changes.append((os.path.realpath(frame.f_code.co_filename), frame.f_lineno,
                               frame.f_code.co_name))


class _DashmPath(list):
    def insert(self, *args):
        _dashm_note()
        return list.insert(self, *args)

    def append(self, *args):
        _dashm_note()
        return list.append(self, *args)

    def extend(self, *args):
        _dashm_note()
        return list.extend(self, *args)

    def __iadd__(self, other):
        _dashm_note()
        return list.__iadd__(self, other)

    def __setitem__(self, *args):
        _dashm_note()
        return list.__setitem__(self, *args)

    def __radd__(self, other):  # [x] + sys.path, assigned back to sys.path
        _dashm_note()
        return _DashmPath(list(other) + list(self))

    def __add__(self, other):
        _dashm_note()
        return _DashmPath(list(self) + list(other))


def _dashm_dump_changes():
    out = os.environ.get("DASHM_TRUTH_OUT")
    if out:
        with open(out + ".changes", "w", encoding="utf-8") as handle:
            handle.write(repr(_dashm_changes))


_dashm_sys.path = _DashmPath(_dashm_sys.path)
atexit.register(_dashm_dump_changes)
'''


@pytest.fixture(scope="module")
def recorder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("recorder")
    (folder / "sitecustomize.py").write_text(RECORDER, encoding="utf-8")
    return folder


@dataclass
class Seen:
    ok: bool
    stdout: str
    files: frozenset[str]  # workspace files the run loaded
    changes: frozenset[tuple[str, int]]  # (file, line) of module-level sys.path changes


def _seen(run, hook: Path, workspace: Path) -> Seen:  # type: ignore[no-untyped-def]
    import ast

    changes: set[tuple[str, int]] = set()
    for dump in hook.glob("*.changes"):
        for path, line, code in ast.literal_eval(dump.read_text(encoding="utf-8")):
            if code == "<module>":
                changes.add((path, line))
        dump.unlink()
    root = os.path.realpath(workspace) + os.sep
    files = frozenset(p for p in run.modules.values() if p.startswith(root))
    return Seen(run.ok, run.stdout, files, frozenset(changes))


def by_path(workspace: Path, relative: str, hook: Path) -> Seen:
    for stale in hook.glob("*.changes"):
        stale.unlink()
    return _seen(observe([sys.executable, relative], workspace, hook), hook, workspace)


def as_module(workspace: Path, relative: str, hook: Path) -> Seen | None:
    for stale in hook.glob("*.changes"):
        stale.unlink()
    run = run_module(workspace, relative, hook)
    return None if run is None else _seen(run, hook, workspace)


# -- the spellings ---------------------------------------------------------------------------
# (imports that bind the name, the statement; {} is the folder added)
SPELLINGS = {
    "insert": ("import sys", "sys.path.insert(0, {})"),
    "append": ("import sys", "sys.path.append({})"),
    "extend": ("import sys", "sys.path.extend([{}])"),
    "iadd": ("import sys", "sys.path += [{}]"),
    "slice": ("import sys", "sys.path[:0] = [{}]"),
    "concat": ("import sys", "sys.path = [{}] + sys.path"),
    "alias": ("import sys as _s", "_s.path.insert(0, {})"),
    "from": ("from sys import path", "path.insert(0, {})"),
    "from_as": ("from sys import path as _p", "_p.append({})"),
    "from_iadd": ("from sys import path", "path += [{}]"),
    "from_slice": ("from sys import path", "path[:0] = [{}]"),
    "site": ("import site", "site.addsitedir({})"),
    "from_site": ("from site import addsitedir as _add", "_add({})"),
}
# What is added: the folder above (the usual hack), the file's own folder, the working folder.
FOLDERS = {
    "up": 'os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")',
    "own": "os.path.dirname(os.path.abspath(__file__))",
    "own_path": "str(Path(__file__).resolve().parent)",
    "cwd": "os.getcwd()",
}
# Where the change sits; {} is the statement. Module-level placements run it on import.
PLACES = {
    "module": ("{}\n", True),
    "if": ("if True:\n    {}\n", True),
    "try": ("try:\n    {}\nexcept ImportError:\n    pass\n", True),
    "guard": ('if __name__ == "__main__":\n    {}\n', True),
    "called": ("def setup():\n    {}\n\n\nsetup()\n", False),  # runs, but inside a function
    "unused": ("def unused():\n    {}\n", False),
}


def hack_file(spelling: str, folder: str, place: str, imports: str = "pkg") -> str:
    """A file whose change comes first and whose imports come after it, so the change runs
    whether or not they resolve. `imports`: pkg (resolves from the import root), sibling (only
    through the file's own folder), none."""
    binding, statement = SPELLINGS[spelling]
    body = PLACES[place][0].format(statement.format(FOLDERS[folder]))
    uses = {"pkg": "from pkg.core import VALUE  # noqa: E402\n",
            "sibling": "from helper import VALUE  # noqa: E402\n",
            "none": "VALUE = 0\n"}[imports]
    return (f"import os\n{binding}\nfrom pathlib import Path\n\n{body}\n{uses}\nprint(Path and "
            f"os.sep and VALUE)\n")


BASE = {"pkg/__init__.py": "", "pkg/core.py": "VALUE = 42\n", "pkg/helper.py": "VALUE = 7\n",
        "tools/helper.py": "VALUE = 8\n", "helper.py": "VALUE = 9\n"}


def dm103_lines(findings: dict, relative: str) -> set[int]:
    return {f["line"] for f in findings.get(relative, {}).get("DM103", [])}


def changed_lines(seen: list[Seen | None], workspace: Path, relative: str) -> set[int]:
    path = os.path.realpath(workspace / relative)
    return {line for s in seen if s is not None for file, line in s.changes if file == path}


def expected_dm103(workspace: Path, relative: str, seen: list[Seen | None],
                   folder: str, place: str) -> set[int]:
    """Lines changed at module level, less the deliberate one: the working folder added in a
    main block."""
    lines = changed_lines(seen, workspace, relative)
    return set() if folder == "cwd" and place == "guard" else lines


def assert_dm103_where_changed(workspace: Path, hook: Path, cases: dict[str, tuple[str, str]],
                               findings: dict) -> dict[str, tuple[Seen, Seen | None]]:
    runs = {}
    problems = []
    for relative, (folder, place) in cases.items():
        runs[relative] = (by_path(workspace, relative, hook), as_module(workspace, relative, hook))
        want = expected_dm103(workspace, relative, list(runs[relative]), folder, place)
        if PLACES[place][1] and not (folder == "cwd" and place == "guard"):
            assert want, f"{relative}: the change did not run at module level\n{runs[relative]}"
        got = dm103_lines(findings, relative)
        if got != want:
            problems.append(f"{relative}: DM103 on {sorted(got)}, changed on {sorted(want)}\n"
                            f"  {findings.get(relative)}")
    assert not problems, "\n".join(problems)
    return runs


def assert_fix_keeps_module_mode(workspace: Path, hook: Path, cases: dict[str, tuple[str, str]],
                                 findings: dict, runs: dict) -> list[str]:
    """`--fix --select DM103`: every file whose DM103 had a fix still runs under `python -m`
    with the same output and the same workspace files loaded; the others are untouched."""
    fixable = [r for r in cases if any(f["fix"] for f in findings.get(r, {}).get("DM103", []))]
    before = {r: (workspace / r).read_text(encoding="utf-8") for r in cases}
    done = dashm("check", ".", "--fix", "--select", "DM103", cwd=workspace)
    assert done.returncode in (0, 1), done.stderr
    problems = []
    for relative in cases:
        text = (workspace / relative).read_text(encoding="utf-8")
        if relative not in fixable:
            assert text == before[relative], f"{relative} changed without a fix"
            continue
        assert text != before[relative], f"{relative}: the fix was not applied"
        compile(text, relative, "exec")
        old, new = runs[relative][1], as_module(workspace, relative, hook)
        if old is None or not old.ok:
            continue
        if new is None or (new.ok, new.stdout, new.files) != (old.ok, old.stdout, old.files):
            problems.append(f"{relative}: python -m before {old}\n  after {new}\n{text}")
    assert not problems, "\n".join(problems)
    return fixable


# -- every spelling, at every place ----------------------------------------------------------
def test_every_spelling_is_reported_where_it_runs(tmp_path: Path, recorder: Path) -> None:
    files = dict(BASE)
    cases: dict[str, tuple[str, str]] = {}
    for spelling in SPELLINGS:
        relative = f"tools/uses_{spelling}.py"  # no __init__ in tools/: the usual home
        files[relative] = hack_file(spelling, "up", "module")
        cases[relative] = ("up", "module")
    for place in PLACES:
        for folder in ("up", "cwd"):
            relative = f"tools/{place}_{folder}.py"
            files[relative] = hack_file("insert", folder, place)
            cases[relative] = (folder, place)
    workspace = write_tree(tmp_path / "ws", files)
    findings = by_file(check(workspace))
    runs = assert_dm103_where_changed(workspace, recorder, cases, findings)
    # Each spelling's usual hack serves `pkg`, which python -m finds anyway: fixed, and then
    # the file runs as before.
    fixable = assert_fix_keeps_module_mode(workspace, recorder, cases, findings, runs)
    assert {f"tools/uses_{s}.py" for s in SPELLINGS} <= set(fixable)
    assert "sys.path" not in (workspace / "tools/uses_from_as.py").read_text()
    assert by_file(check(workspace, "--select", "DM103")).keys() == {
        r for r in cases if dm103_lines(findings, r) and r not in fixable}


def test_the_own_folder_is_dead_code_by_path(tmp_path: Path, recorder: Path) -> None:
    files = dict(BASE)
    cases = {}
    for folder in ("own", "own_path"):
        for location in ("top", "tools", "pkg"):
            for imports in ("pkg", "sibling", "none"):
                relative = (f"{location}_{folder}_{imports}.py" if location == "top"
                            else f"{location}/{folder}_{imports}.py")
                files[relative] = hack_file("insert", folder, "module", imports)
                cases[relative] = (folder, "module")
    workspace = write_tree(tmp_path / "ws", files)
    findings = by_file(check(workspace))
    runs = assert_dm103_where_changed(workspace, recorder, cases, findings)
    for relative in cases:
        (finding,) = findings[relative]["DM103"]
        assert finding["explanation"].startswith("Delete `sys.path.insert()`"), finding
    # A top-level file: its folder is the import root, first on sys.path both ways.
    assert findings["top_own_pkg.py"]["DM103"][0]["fix"]
    # Under python -m the change is what makes `from helper import VALUE` work in a package.
    assert not findings["pkg/own_sibling.py"]["DM103"][0]["fix"]
    (own_sibling,) = findings["pkg/own_sibling.py"]["DM103"]
    assert "`helper` is a package import" in own_sibling["explanation"]
    fixed = assert_fix_keeps_module_mode(workspace, recorder, cases, findings, runs)
    assert fixed
    for relative in fixed:  # dead code by path: running it by path is as before
        before, after = runs[relative][0], by_path(workspace, relative, recorder)
        assert (after.ok, after.stdout, after.files) == (before.ok, before.stdout, before.files)


def test_files_tools_run_and_init_files(tmp_path: Path, recorder: Path) -> None:
    """Test files, conftest.py and an __init__.py: reported where they change sys.path, with
    their own remedy and no fix; importing the package runs its __init__'s change."""
    up = FOLDERS["up"]
    files = {**BASE,
             "tests/test_x.py": f"import os\nimport sys\nsys.path.insert(0, {up})\n"
                                "from pkg.core import VALUE\n",
             "tests/conftest.py": f"import os\nimport sys\nsys.path.insert(0, {up})\n",
             "lib/__init__.py": "import os\nimport sys\n"
                                "sys.path.insert(0, os.path.dirname(__file__))\n",
             "use_lib.py": "import lib\n"}
    workspace = write_tree(tmp_path / "ws", files)
    findings = by_file(check(workspace))
    seen = [by_path(workspace, "use_lib.py", recorder),
            by_path(workspace, "tests/test_x.py", recorder),
            by_path(workspace, "tests/conftest.py", recorder)]
    for relative in ("lib/__init__.py", "tests/test_x.py", "tests/conftest.py"):
        assert dm103_lines(findings, relative) == changed_lines(seen, workspace, relative) == {3}
        (finding,) = findings[relative]["DM103"]
        assert finding["fix"] is None
    assert "every importer" in findings["lib/__init__.py"]["DM103"][0]["explanation"]
    for relative in ("tests/test_x.py", "tests/conftest.py"):
        message = findings[relative]["DM103"][0]["explanation"]
        assert message.startswith("Set pytest's `pythonpath = [\".\"]`"), message
        assert "python -m tests" not in message


# -- random shapes ---------------------------------------------------------------------------
LOCATIONS = ["tools/{}.py", "pkg/{}.py", "{}.py", "scripts/sub/{}.py"]


@st.composite
def hack_cases(draw) -> dict[str, tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    """1-3 files: location, spelling, folder added, place, what it imports."""
    cases = {}
    for number in range(draw(st.integers(1, 3))):
        location = draw(st.sampled_from(LOCATIONS)).format(f"hack{number}")
        spelling = draw(st.sampled_from(sorted(SPELLINGS)))
        folder = draw(st.sampled_from(sorted(FOLDERS)))
        place = draw(st.sampled_from(sorted(PLACES)))
        imports = draw(st.sampled_from(["pkg", "sibling", "none"]))
        cases[location] = (spelling, folder, place, imports)
    return cases


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(hack_cases())
def test_random_shapes_report_what_runs_and_fix_safely(tmp_path_factory: pytest.TempPathFactory,
                                                        recorder: Path, shapes: dict) -> None:
    files = {**BASE, "scripts/sub/helper.py": "VALUE = 6\n"}
    for relative, (spelling, folder, place, imports) in shapes.items():
        files[relative] = hack_file(spelling, folder, place, imports)
    workspace = write_tree(tmp_path_factory.mktemp("shape") / "ws", files)
    cases = {r: (folder, place) for r, (_, folder, place, _) in shapes.items()}
    findings = by_file(check(workspace))
    runs = assert_dm103_where_changed(workspace, recorder, cases, findings)
    assert_fix_keeps_module_mode(workspace, recorder, cases, findings, runs)


# -- the wording of each remedy --------------------------------------------------------------
def _context(tmp_path: Path, files: dict[str, str], relative: str) -> FileContext:
    workspace = Workspace(write_tree(tmp_path, files))
    path = tmp_path / relative
    source = workspace.parsed(path)
    return FileContext(workspace, source, workspace.locate(path), workspace.project_for(path))


def _target(ctx: FileContext) -> Target:
    facts = extract_facts(ctx.source.text)
    return targets(ctx.source.text, ctx.path, list(facts.sys_path_mutations))[
        facts.sys_path_mutations[0].range]


HACK = "`sys.path.insert()`"


def test_wording_own_folder() -> None:
    assert own_folder_remedy(HACK) == ("Delete `sys.path.insert()`: run by path, the file's "
                                       "own folder is already first on sys.path")
    assert own_folder_remedy(HACK, ["helpers"]).startswith(
        "Delete `sys.path.insert()` once `helpers` is a package import")


def test_wording_run_as_module() -> None:
    run = "`python -m tools.seed` (from .)"
    assert module_remedy(HACK, run, []) == ("Delete `sys.path.insert()` and run `python -m "
                                            "tools.seed` (from .): imports resolve without it")
    assert module_remedy(HACK, run, ["extra"]).startswith(
        "Package or install `extra` instead of `sys.path.insert()`; run `python -m")


def test_wording_init() -> None:
    assert init_remedy(HACK).startswith("Import through the package, not `sys.path.insert()`")
    assert "every importer" in init_remedy(HACK)


def test_wording_tests(tmp_path: Path) -> None:
    src = "import os, sys\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', " \
          "'src'))\n"
    ctx = _context(tmp_path / "a", {"tests/test_a.py": src}, "tests/test_a.py")
    assert pytest_remedy(ctx, _target(ctx), HACK) == (
        "Set pytest's `pythonpath = [\"src\"]` ([tool.pytest.ini_options]) instead of "
        "`sys.path.insert()`")
    own = "import os, sys\nsys.path.insert(0, os.path.dirname(__file__))\n"
    ctx = _context(tmp_path / "b", {"tests/test_b.py": own}, "tests/test_b.py")
    assert pytest_remedy(ctx, _target(ctx), HACK).startswith(
        "Delete `sys.path.insert()`: pytest puts a test's folder on sys.path itself")
    unknown = "import sys\nsys.path.insert(0, where())\n"
    ctx = _context(tmp_path / "c", {"test_c.py": unknown}, "test_c.py")
    assert pytest_remedy(ctx, _target(ctx), HACK) == (
        "Use pytest's `pythonpath` setting or `python -m pytest` instead of "
        "`sys.path.insert()`")
    assert ctx.tool_remedy == "pytest"


def test_removal_that_breaks_a_documented_run_is_not_applied_by_fix(tmp_path: Path) -> None:
    """The own folder's removal never breaks a by-path run; any other removal does, so where
    the project documents `python tools/seed.py` the fix is offered but not applied."""
    up = FOLDERS["up"]
    workspace = write_tree(tmp_path / "ws", {
        **BASE, "README.md": "Run `python tools/seed.py` to seed.\n",
        "tools/seed.py": f"import os\nimport sys\nsys.path.insert(0, {up})\n"
                         "from pkg.core import VALUE\n"})
    (finding,) = by_file(check(workspace))["tools/seed.py"]["DM103"]
    assert finding["fix"] is not None
    before = (workspace / "tools/seed.py").read_text()
    done = dashm("check", ".", "--fix", "--select", "DM103", cwd=workspace)
    assert done.returncode in (0, 1), done.stderr
    assert (workspace / "tools/seed.py").read_text() == before


@pytest.mark.parametrize("relative, is_test", [
    ("test_x.py", True), ("pkg/x_test.py", True), ("tests/helpers.py", True),
    ("src/pkg/tests/data/make.py", True), ("pkg/testing_tools.py", False),
    ("tools/seed.py", False)])
def test_test_files(tmp_path: Path, relative: str, is_test: bool) -> None:
    ctx = _context(tmp_path, {relative: ""}, relative)
    assert ctx.is_test_file == is_test


def test_every_message_fits_a_problems_row(tmp_path: Path) -> None:
    run = "`python -m package.subpackage.module` (from .)"
    long_hack = "`sys.path.extend()`"
    for message in (own_folder_remedy(long_hack), own_folder_remedy(long_hack, ["helpers"]),
                    module_remedy(long_hack, run, []), module_remedy(long_hack, run, ["extra"]),
                    init_remedy(long_hack)):
        assert len(message) <= 110, message


@pytest.mark.parametrize("statement, folder, first", [
    ("sys.path.insert(0, os.path.dirname(__file__))", "own", True),
    ("sys.path.append(os.path.dirname(os.path.abspath(__file__)))", "own", False),
    ("sys.path.insert(0, str(Path(__file__).parent))", "own", True),
    ("sys.path.insert(0, str(Path(__file__).resolve().parent))", "own", True),
    ("sys.path[:0] = [HERE]", "own", True),
    ("sys.path = [str(ROOT)] + sys.path", "own", True),
    ("site.addsitedir(os.path.split(os.path.realpath(__file__))[0])", "own", False),
    ("sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))", "up", True),
    ("sys.path.append(str(Path(__file__).parents[1]))", "up", False),
    ("sys.path.append(os.getcwd())", "cwd", False),
    ("sys.path.append('.')", "cwd", False),
    ("sys.path.append(os.path.abspath(os.curdir))", "cwd", False),
    ("sys.path.append(str(Path.cwd()))", "cwd", False),
    ("sys.path.extend([HERE, 'x'])", None, False),
    ("sys.path.append(where())", None, False),
])
def test_the_folder_a_change_adds(statement: str, folder: str | None, first: bool) -> None:
    text = ("import os, sys, site\nfrom pathlib import Path\n"
            "HERE = os.path.dirname(os.path.abspath(__file__))\n"
            "ROOT = Path(__file__).resolve().parent\n" + statement + "\n")
    facts = extract_facts(text)
    file = Path("/ws/tools/x.py")
    found = targets(text, file, list(facts.sys_path_mutations))
    want = {"own": Path("/ws/tools"), "up": Path("/ws"), "cwd": WORKING_FOLDER, None: None}
    assert found[facts.sys_path_mutations[0].range] == Target(want[folder], first)


def test_targets_of_text_that_does_not_parse_are_unknown() -> None:
    assert targets("import sys\nsys.path.append(x)\n)(", Path("/x.py"), []) == {}
    deep = "import sys\nsys.path.append(" + "(" * 5000 + ")" * 5000 + ")\n"
    assert targets(deep, Path("/x.py"), list(extract_facts(deep).sys_path_mutations)) == {}


def test_a_missing_third_party_module_is_not_what_the_change_serves(tmp_path: Path) -> None:
    """detr's d2/train_net.py: the change adds the project root (for `lib`), computed in a way
    dashm cannot follow; `torch` is merely not installed where dashm looks. The message must
    not tell the user to package torch; no fix, since the unknown folder might hold it."""
    workspace = write_tree(tmp_path, {
        "lib/__init__.py": "", "lib/core.py": "VALUE = 1\n",
        "tools/train.py": "import os\nimport sys\n\n"
                          "sys.path.insert(1, os.path.join(sys.path[0], '..'))\n\n"
                          "import not_installed_anywhere  # noqa: E402\n\n"
                          "from lib.core import VALUE  # noqa: E402\n",
    })
    (finding,) = by_file(check(workspace))["tools/train.py"]["DM103"]
    assert finding["message"] == ("Delete `sys.path.insert()` and run `python -m tools.train` "
                                  "(from .), once `not_installed_anywhere` is installed (found "
                                  "nowhere here)")
    assert finding["fix"] is None


def test_a_start_up_hook_is_left_alone(tmp_path: Path) -> None:
    """sitecustomize.py is imported by `site` at start-up to set sys.path up: deleting its
    change (the old "safe" fix) breaks every program that relies on it."""
    import subprocess

    write_tree(tmp_path, {
        "boot/sitecustomize.py": "import os, sys\n\nsys.path.append(os.path.join("
                                 "os.path.dirname(__file__), '..', 'lib'))\n",
        "lib/helper.py": "X = 1\n",
        "app.py": "import helper\n\nprint(helper.X)\n",
    })
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "boot")}
    done = subprocess.run([sys.executable, "app.py"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout == "1\n", done.stderr  # the hook is how it runs
    assert not [f for f in check(tmp_path) if f["path"] == "boot/sitecustomize.py"]


def test_a_change_an_imported_helper_needs_keeps_its_fix_away(tmp_path: Path) -> None:
    """scripts/run.py adds the project folder, then `import helpers`, whose `from pkg.core
    import V` needs it: removed, `python scripts/run.py` breaks, and `python -m scripts.run`
    (the remedy) fails on `import helpers` anyway."""
    import subprocess

    write_tree(tmp_path, {
        "pkg/__init__.py": "", "pkg/core.py": "V = 1\n",
        "scripts/helpers.py": "from pkg.core import V\n",
        "scripts/run.py": "import os, sys\nsys.path.append(os.path.dirname(os.path.dirname("
                          "os.path.abspath(__file__))))\nimport helpers\nprint(helpers.V)\n",
    })
    done = subprocess.run([sys.executable, "scripts/run.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout == "1\n", done.stderr
    assert not [f for f in check(tmp_path) if f["code"] == "DM103" and f["fix"]]

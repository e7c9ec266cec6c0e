"""Noise controls in the core and on the command line: `exclude` globs (`[tool.dashm] exclude`
and `--exclude`, the editor's `dashm.exclude` is the same setting), and the fixes behind the
editor's "Ignore DMxxx on this line" / "... in this project" actions."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dashm.findings import Finding, Position, Range, Severity
from dashm.rules.edits import apply_edits
from dashm.rules.suppressions import noqa_fix, project_ignore_fix
from dashm.workspace.project import excluded
from trees import check_json, write_tree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TREE = {
    "pyproject.toml": '[project]\nname = "x"\nversion = "0"\n',
    "pkg/__init__.py": "",
    "pkg/__main__.py": "",
    "pkg/util.py": "VALUE = 1\n",
    "pkg/app.py": "import util\n\nif __name__ == '__main__':\n    print(util.VALUE)\n",
    "pkg/gen/__init__.py": "",
    "pkg/gen/util.py": "VALUE = 2\n",
    "pkg/gen/made.py": "import util\n",
}


@pytest.mark.parametrize(("path", "patterns", "expected"), [
    ("pkg/gen/made.py", ("gen",), True),              # a name anywhere on the way
    ("pkg/gen/made.py", ("pkg/gen",), True),          # a folder from the project folder
    ("pkg/gen/made.py", ("pkg/gen/",), True),
    ("pkg/gen/made.py", ("pkg/gen/**",), True),
    ("pkg/gen/made.py", ("./pkg/*/made.py",), True),
    ("pkg/gen/made.py", ("*_pb2.py",), False),
    ("pkg/gen/made_pb2.py", ("*_pb2.py",), True),
    ("pkg/app.py", ("gen", "pkg/gen"), False),
    ("pkg/app.py", ("",), False),
])
def test_exclude_globs(path: str, patterns: tuple[str, ...], expected: bool) -> None:
    assert excluded(path, patterns) is expected


def test_exclude_on_the_command_line_and_in_pyproject(tmp_path: Path) -> None:
    write_tree(tmp_path, TREE)
    everything = {f["path"] for f in check_json(tmp_path)}
    assert everything == {"pkg/app.py", "pkg/gen/made.py"}
    assert {f["path"] for f in check_json(tmp_path, "--exclude", "gen")} == {"pkg/app.py"}
    assert check_json(tmp_path, "--exclude", "pkg/gen/*.py,pkg/app.py") == []
    assert check_json(tmp_path, "--exclude", "pkg/gen", "--exclude", "app.py") == []
    (tmp_path / "pyproject.toml").write_text(TREE["pyproject.toml"] + '\n[tool.dashm]\n'
                                             'exclude = ["pkg/gen"]\n', encoding="utf-8")
    assert {f["path"] for f in check_json(tmp_path)} == {"pkg/app.py"}
    # An excluded module still exists for the imports of others: nothing else changes.
    assert check_json(tmp_path, "--exclude", "app.py") == []


def finding(path: Path, line: int, end_line: int | None = None, code: str = "DM101") -> Finding:
    end = line if end_line is None else end_line
    return Finding(path, Range(Position(line, 0), Position(end, 3)), code, "m",
                   Severity.WARNING)


@pytest.mark.parametrize(("text", "line", "expected"), [
    ("import util\n", 0, "import util  # noqa: DM101\n"),
    ("import util  # noqa: DM104\n", 0, "import util  # noqa: DM104, DM101\n"),
    ("import util  # the helper\n", 0, "import util  # the helper  # noqa: DM101\n"),
    ("import util\r\n", 0, "import util  # noqa: DM101\r\n"),
    ("x = 1\nimport util", 1, "x = 1\nimport util  # noqa: DM101"),
])
def test_noqa_fix(tmp_path: Path, text: str, line: int, expected: str) -> None:
    path = tmp_path / "a.py"
    fix = noqa_fix(finding(path, line), text)
    assert fix is not None and fix.title == "Ignore DM101 on this line"
    assert apply_edits(text, fix.edits) == expected


def test_noqa_fix_after_a_continuation_and_where_one_is_not_needed(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    text = "import os, \\\n    util\n"
    fix = noqa_fix(finding(path, 0, 1), text)
    assert fix is not None
    assert apply_edits(text, fix.edits) == "import os, \\\n    util  # noqa: DM101\n"
    assert noqa_fix(finding(path, 0), "import util  # noqa\n") is None  # silenced already
    json_path = tmp_path / ".vscode" / "launch.json"
    fix = noqa_fix(finding(json_path, 0, code="DM205"), '"program": "a.py",\n')
    assert fix is not None
    assert apply_edits('"program": "a.py",\n', fix.edits) == \
        '"program": "a.py",  // noqa: DM205\n'


@pytest.mark.parametrize(("text", "expected"), [
    ("", '[tool.dashm]\nignore = ["DM101"]\n'),
    ('[project]\nname = "x"\n', '[project]\nname = "x"\n\n[tool.dashm]\nignore = ["DM101"]\n'),
    ('[project]\nname = "x"', '[project]\nname = "x"\n\n[tool.dashm]\nignore = ["DM101"]\n'),
    ('[tool.dashm]\nroots = ["src"]\n', '[tool.dashm]\nignore = ["DM101"]\nroots = ["src"]\n'),
    ('[tool.dashm]  # ours\nignore = ["DM104"]  # noisy\n[x]\n',
     '[tool.dashm]  # ours\nignore = ["DM104", "DM101"]  # noisy\n[x]\n'),
    ('[tool.dashm]\nignore = [\n    "DM104",\n]\n',
     '[tool.dashm]\nignore = [\n    "DM104", "DM101",\n]\n'),
    ('tool.dashm.ignore = ["DM104"]\n', 'tool.dashm.ignore = ["DM104", "DM101"]\n'),
    ('[tool]\ndashm = { ignore = ["DM104"] }\n',
     '[tool]\ndashm = { ignore = ["DM104", "DM101"] }\n'),
])
def test_project_ignore_fix(tmp_path: Path, text: str, expected: str) -> None:
    pyproject = tmp_path / "pyproject.toml"
    fix = project_ignore_fix(pyproject, text, "DM101")
    assert fix is not None and fix.title == "Ignore DM101 in this project (pyproject.toml)"
    after = apply_edits(text, fix.edits)
    assert after == expected
    assert "DM101" in tomllib.loads(after)["tool"]["dashm"]["ignore"]


@pytest.mark.parametrize("text", [
    '[tool.dashm]\nignore = ["DM101"]\n',                  # there already
    'tool.dashm.roots = ["src"]\n',                        # a table of dotted keys
    '[tool.dashm]\nignore = "DM104"\n',                    # a string
    '[tool.dashm]\nignore = []\n',
    "[project\n",                                          # does not parse
])
def test_project_ignore_fix_refuses_what_it_cannot_extend_exactly(tmp_path: Path, text: str
                                                                 ) -> None:
    assert project_ignore_fix(tmp_path / "pyproject.toml", text, "DM101") is None


def test_project_ignore_fix_creates_the_file(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    fix = project_ignore_fix(pyproject, None, "DM101")
    assert fix is not None and not fix.edits
    (creation,) = fix.creations
    assert creation.path == pyproject
    assert tomllib.loads(creation.content) == {"tool": {"dashm": {"ignore": ["DM101"]}}}

"""append_string: the smallest edit that adds one string to a TOML array setting, read back so
that nothing else changes; no edit for shapes it cannot extend exactly."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dashm.rules.edits import apply_edits
from dashm.rules.toml_edit import append_string

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TABLE = ("tool", "pytest", "ini_options")


@pytest.mark.parametrize(("before", "after"), [
    ("", '[tool.pytest.ini_options]\npythonpath = ["src"]\n'),
    ('[project]\nname = "x"', '[project]\nname = "x"\n\n[tool.pytest.ini_options]\n'
                              'pythonpath = ["src"]\n'),
    ('[project]\nname = "x"\n', '[project]\nname = "x"\n\n[tool.pytest.ini_options]\n'
                                'pythonpath = ["src"]\n'),
    ('[tool.pytest.ini_options]  # pytest\naddopts = "-q"\n',
     '[tool.pytest.ini_options]  # pytest\npythonpath = ["src"]\naddopts = "-q"\n'),
    ('[tool.pytest.ini_options]\npythonpath = [\n  "a",  # a\n]\n',
     '[tool.pytest.ini_options]\npythonpath = [\n  "a", "src",  # a\n]\n'),
    ('[tool.pytest.ini_options]\r\npythonpath = ["a"]\r\n',
     '[tool.pytest.ini_options]\r\npythonpath = ["a", "src"]\r\n'),
])
def test_the_edit_adds_exactly_the_string(before: str, after: str) -> None:
    edit = append_string(Path("pyproject.toml"), before, TABLE, "pythonpath", "src")
    assert edit is not None
    text = apply_edits(before, [edit])
    assert text == after
    assert tomllib.loads(text)["tool"]["pytest"]["ini_options"]["pythonpath"][-1] == "src"


@pytest.mark.parametrize("before", [
    '[tool.pytest.ini_options]\npythonpath = ["src"]\n',  # already there
    '[tool.pytest.ini_options]\npythonpath = []\n',  # empty: no string to follow
    'tool.pytest.ini_options.addopts = "-q"\n',  # dotted keys, no header
    '[tool.pytest]\nini_options = { addopts = "-q" }\n',  # inline table
    '[tool]\npytest = 1\n',  # not a table
    '[tool.pytest.ini_options\n',  # does not parse
])
def test_no_edit_for_shapes_it_cannot_extend(before: str) -> None:
    assert append_string(Path("pyproject.toml"), before, TABLE, "pythonpath", "src") is None

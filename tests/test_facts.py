"""Fact extraction: ranges, contexts and robustness, checked against `ast` itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashm.workspace.facts import extract_facts, split_lines


def text_at(source: str, r) -> str:  # type: ignore[no-untyped-def]
    lines = split_lines(source)
    if r.start.line == r.end.line:
        return lines[r.start.line][r.start.column:r.end.column]
    return lines[r.start.line][r.start.column:] + "".join(
        lines[r.start.line + 1:r.end.line]) + lines[r.end.line][:r.end.column]


def test_import_ranges_cover_the_name_as_written() -> None:
    source = ("import os, util as u\n"
              "from  ..pkg . sub import (a,\n    b)\n"
              "from . import x\n"
              "x = 'é'; import ünï\n")
    facts = extract_facts(source)
    first, second, third, fourth = facts.imports
    assert [text_at(source, n.range) for n in first.names] == ["os", "util as u"]
    assert text_at(source, second.module_range) == "pkg . sub"
    assert text_at(source, second.target_range) == "..pkg . sub"
    assert second.level == 2 and second.module == "pkg.sub"
    assert text_at(source, third.target_range) == "."
    assert text_at(source, fourth.names[0].range) == "ünï"  # code points, not UTF-8 bytes
    assert first.own_lines and not fourth.own_lines


def test_contexts() -> None:
    source = """
from __future__ import annotations
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    import checked
try:
    from .util import x
except ImportError:
    from util import x
def f():
    import inner
if __name__ == "__main__":
    import guarded
"""
    facts = extract_facts(source)
    by_name = {(i.module or i.names[0].name): i.context for i in facts.imports}
    assert "__future__" not in by_name
    assert by_name["checked"].type_checking
    assert by_name["inner"].in_function
    assert by_name["guarded"].main_guard
    body = [i for i in facts.imports if i.module == "util"]
    assert {i.context.guard[1] for i in body} == {"body", "handler"}
    assert len(facts.main_guards) == 1


@pytest.mark.parametrize("statement, description", [
    ("sys.path.insert(0, p)", "sys.path.insert()"),
    ("sys.path.append(p)", "sys.path.append()"),
    ("sys.path.extend([p])", "sys.path.extend()"),
    ("sys.path = [p] + sys.path", "sys.path = ..."),
    ("sys.path[:0] = [p]", "sys.path[...] = ..."),
    ("sys.path += [p]", "sys.path += ..."),
    ("site.addsitedir(p)", "site.addsitedir()"),
])
def test_sys_path_mutations(statement: str, description: str) -> None:
    facts = extract_facts(f"import sys, site\np = '.'\n{statement}\n")
    assert [m.description for m in facts.sys_path_mutations] == [description]
    assert facts.sys_path_mutations[0].removal is not None


@pytest.mark.parametrize("source, description", [
    ("from sys import path\npath.insert(0, p)\n", "sys.path.insert()"),
    ("from sys import path as _p\n_p.append(p)\n", "sys.path.append()"),
    ("from sys import (argv,\n    path as _p)\n_p.extend([p])\n", "sys.path.extend()"),
    ("from sys import path\npath += [p]\n", "sys.path += ..."),
    ("from sys import path\npath[:0] = [p]\n", "sys.path[...] = ..."),
    ("import sys as _s\n_s.path.insert(0, p)\n", "sys.path.insert()"),
    ("from site import addsitedir\naddsitedir(p)\n", "site.addsitedir()"),
    ("from site import addsitedir as add\nadd(p)\n", "site.addsitedir()"),
])
def test_other_spellings_of_sys_path_mutations(source: str, description: str) -> None:
    facts = extract_facts("p = '.'\n" + source + "print(p)\n")
    assert [m.description for m in facts.sys_path_mutations] == [description]
    assert facts.sys_path_mutations[0].removal is not None


@pytest.mark.parametrize("source", [
    "import os\nos.path.insert(0, 'x')\n",          # not sys.path
    "from os import path\npath.append('x')\n",      # os.path, not sys.path
    "from sys import argv as path\npath.append('x')\n",
    "from .sys import path\npath.append('x')\n",    # a local module named sys
    "x = sys.path[:]\n",                            # read, not changed
])
def test_lookalikes_are_not_sys_path_mutations(source: str) -> None:
    assert extract_facts("import sys\n" + source).sys_path_mutations == ()


def test_renamed_path_lines_are_never_plain() -> None:
    """incremental.py reuses facts across edits of plain lines that lack the words path and
    addsitedir; with `from sys import path as p`, `x = 1` -> `p.append(1)` would be missed."""
    plain: set[int] = set()
    extract_facts("from sys import path as p\ndef f():\n    x = 1\n", plain_lines=plain)
    assert plain == set()
    extract_facts("from sys import path\ndef f():\n    x = 1\n", plain_lines=plain)
    assert plain == {2}


def test_aliased_sys_and_guarded_mutation_removal_takes_the_if() -> None:
    source = "import sys as _s\nif p not in _s.path:\n    _s.path.insert(0, p)\nprint(1)\n"
    (mutation,) = extract_facts(source).sys_path_mutations
    assert (mutation.removal.start.line, mutation.removal.end.line) == (1, 3)


def test_noqa_comments() -> None:
    facts = extract_facts("import a  # noqa: DM101, dm105\nimport b  # noqa\nimport c\n")
    assert facts.noqa == {0: frozenset({"DM101", "DM105"}), 1: None}


def test_form_feed_is_not_a_line_break() -> None:
    source = "import a\n\x0c\nimport b\n"
    facts = extract_facts(source)
    assert [i.statement.start.line for i in facts.imports] == [0, 2]


@pytest.mark.parametrize("source", [
    "import (", "def f(:\n", "\x00import os", "x = " + "(" * 300 + ")" * 300,
    "if True:\n\timport a\n        import b\n", "import a \\\n  , b\n", "",
])
def test_bad_source_never_raises(source: str) -> None:
    extract_facts(source)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_random_text_never_raises(source: str) -> None:
    extract_facts(source)


@settings(max_examples=200, deadline=None)
@given(st.binary())
def test_random_bytes_through_decoding_never_raise(data: bytes) -> None:
    from dashm.workspace.source import decode_source

    try:
        text = decode_source(data)
    except ValueError:
        return
    extract_facts(text)


def _ast_imports(source: str) -> list[tuple[str | None, int, tuple[str, ...]]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.append((None, 0, tuple(a.name for a in node.names)))
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            found.append((node.module, node.level, tuple(a.name for a in node.names)))
    return sorted(found, key=repr)


def test_agrees_with_ast_on_the_standard_library() -> None:
    import os
    import sysconfig

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    checked = 0
    for path in sorted(stdlib.glob("*.py"))[:200]:
        try:
            source = path.read_text(encoding="utf-8")
            _ast_imports(source)
        except (UnicodeDecodeError, SyntaxError):
            continue
        facts = extract_facts(source)
        ours = sorted(((i.module, i.level, tuple(n.name for n in i.names))
                       for i in facts.imports), key=repr)
        assert ours == _ast_imports(source), path
        for fact in facts.imports:
            for name in fact.names:
                assert text_at(source, name.range).split(" as ")[0].replace(" ", "") == \
                    name.name, (path, name)
        checked += 1
    assert checked > 100, os.listdir(stdlib)[:5]


def test_skipping_quiet_function_bodies_changes_no_fact() -> None:
    # A cold scan does not walk function bodies without `import`, `__main__` or a sys/site
    # name; the facts must be exactly those of the full walk (which the editor uses).
    import sysconfig

    tricky = ("import sys as s\nimport site as t\n\ndef a():\n    s.path.insert(0, 'x')\n\n"
              "def b():\n    t.addsitedir('y')\n\ndef c():\n    if __name__ == '__main__':\n"
              "        pass\n\ndef d():\n    return 1\n")
    sources = [tricky]
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for path in sorted(stdlib.glob("*.py"))[:300]:
        try:
            sources.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue
    for source in sources:
        assert extract_facts(source) == extract_facts(source, plain_lines=set())
    facts = extract_facts(tricky)
    assert [m.description for m in facts.sys_path_mutations] == ["sys.path.insert()",
                                                                 "site.addsitedir()"]
    assert len(facts.main_guards) == 1

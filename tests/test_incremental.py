"""Edits recognised as unable to change facts (incremental.py) must really not change them.

The property: whenever `same_facts(old, new, plain)` says yes, a full extraction of the new text
either gives exactly the old facts or fails to parse (and then the editor keeps the old
results anyway). Checked on random edits of the standard library and of generated code.
"""

from __future__ import annotations

import random
import sysconfig
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dashm.workspace import Workspace
from dashm.workspace.facts import extract_facts
from dashm.workspace.incremental import same_facts

ALPHABET = "abcxyz_019 +-*/()[]{}.,=<>:;'\"#\\\tifromimportsyspath"


def _mutate(line: str, rng: random.Random) -> str:
    kind = rng.randrange(5)
    position = rng.randrange(len(line) + 1)
    if kind == 0 and line:
        return line[:position] + line[position + 1:]
    if kind == 1:
        return line[:position] + rng.choice(ALPHABET) + line[position:]
    if kind == 2:
        word = rng.choice(["import os", "from x import y", "sys.path", " if x:", "'", "#",
                           "(", ")", " + 1", "value", ":", ";", "\\"])
        return line[:position] + word + line[position:]
    if kind == 3:
        return line.replace("1", "2").replace("a", "b")
    return line + rng.choice(["", " ", "x", ")"])


def _assert_property(old_text: str, new_text: str, plain: set[int]) -> bool:
    if not same_facts(old_text, new_text, plain):
        return False
    new = extract_facts(new_text)
    assert new.syntax_error is not None or new == extract_facts(old_text), new_text
    return True


def test_random_edits_of_the_standard_library() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    rng = random.Random(6)
    files = sorted(p for p in stdlib.glob("*.py"))
    reused = 0
    for path in rng.sample(files, 25):
        text = path.read_text(encoding="utf-8", errors="replace")
        plain: set[int] = set()
        if extract_facts(text, plain).syntax_error is not None or not plain:
            continue
        lines = text.split("\n")
        for number in rng.sample(sorted(plain), min(15, len(plain))):
            for _ in range(4):
                edited = list(lines)
                edited[number] = _mutate(lines[number], rng)
                reused += _assert_property(text, "\n".join(edited), plain)
    assert reused > 100  # the shortcut is really taken on ordinary code


BODY = st.lists(st.sampled_from([
    "x = 1", "y = x + 2", "total += item", "call(a, b)", "return x", "pass", "z = [1, 2]",
    "import os", "from . import m", "sys.path.insert(0, p)", "if x:", "    w = 3", "s = 'a'",
]), min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(BODY, st.integers(0, 7), st.text(ALPHABET, max_size=12))
def test_random_edits_of_generated_functions(body: list[str], which: int, new: str) -> None:
    lines = ["import util", "", "def f(a, b):"]
    for statement in body:
        lines.append("    " + statement)
        if statement.endswith(":"):
            lines.append("        pass")
    text = "\n".join(lines) + "\n"
    plain: set[int] = set()
    if extract_facts(text, plain).syntax_error is not None:
        return
    target = 3 + which % len(body)
    edited = text.split("\n")
    edited[target] = "    " + new
    _assert_property(text, "\n".join(edited), plain)


def test_workspace_reuses_facts_only_when_safe(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("")
    workspace = Workspace(tmp_path)
    path = tmp_path / "m.py"
    text = "import os\n\ndef f(x):\n    y = x + 1\n    return y\n"
    first = workspace.source(path, text)
    typed = workspace.source(path, text.replace("x + 1", "x + 12"))
    assert typed.facts is first.facts  # reused, not re-extracted
    imported = workspace.source(path, text.replace("x + 1", "x + 12").replace(
        "    return y", "    import sys"))
    assert imported.facts is not first.facts
    assert [i.names[0].name for i in imported.facts.imports] == ["os", "sys"]


IMPORT_EDITS = ["import os", "import json as j", "from . import x", "from .. import (a,\n b)",
                "import sys", "from __future__ import annotations", "import a.b.c as d, e",
                "from x import *", "import util  # noqa: DM101", "import os; import re",
                "if x: import y", "import", "from import x", "  import os", "x = 1",
                "import ünï", "from   .pkg . sub   import  name as other", "import os\\"]


def _check_import_edit(text: str, number: int, new_line: str) -> bool:
    from dashm.workspace.incremental import import_line_facts

    counts: dict[str, int] = {}
    old = extract_facts(text, set(), counts)
    lines = text.split("\n")
    lines[number] = new_line
    new_text = "\n".join(lines)
    result = import_line_facts(text, new_text, old, counts)
    if result is None:
        return False
    full_counts: dict[str, int] = {}
    full = extract_facts(new_text, set(), full_counts)
    assert full.syntax_error is None, new_text
    assert result[0] == full, new_text
    assert {k for k, v in result[1].items() if v} == {k for k, v in full_counts.items() if v}
    return True


def test_import_line_edits_of_the_standard_library() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    rng = random.Random(7)
    used = 0
    for path in rng.sample(sorted(stdlib.glob("*.py")), 25):
        text = path.read_text(encoding="utf-8", errors="replace")
        facts = extract_facts(text)
        if facts.syntax_error is not None:
            continue
        lines = text.split("\n")
        for fact in facts.imports[:10]:
            number = fact.statement.start.line
            for new_line in rng.sample(IMPORT_EDITS, 5) + [_mutate(lines[number], rng)]:
                used += _check_import_edit(text, number, new_line)
    assert used > 50


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(IMPORT_EDITS + ["x = 1", "def f():\n    import os",
                                                "try:\n    import a\nexcept ImportError:\n"
                                                "    a = None"]), min_size=1, max_size=6),
       st.integers(0, 20), st.sampled_from(IMPORT_EDITS))
def test_import_line_edits_of_generated_modules(body: list[str], which: int, new: str) -> None:
    text = "\n".join(body) + "\n"
    if extract_facts(text).syntax_error is not None:
        return
    _check_import_edit(text, which % len(text.split("\n")), new)

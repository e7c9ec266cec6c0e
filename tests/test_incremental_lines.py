"""Lines inserted or removed in a buffer: the moved facts equal a full parse's, every time.

Every line of a module that holds every kind of fact gets each of a few insertions after it,
and every line is removed once; wherever `lines_moved` takes the shortcut, the facts it gives
(and the plain lines it passes on) must be exactly those of `extract_facts` on the new text.
"""

from __future__ import annotations

from dashm.workspace.facts import extract_facts
from dashm.workspace.incremental import lines_moved, shift_facts

MODULE = '''"""Doc."""
import os
import sys
from . import sibling  # noqa: DM201

sys.path.insert(0, os.path.dirname(__file__))
try:
    import json
except ImportError:
    json = None


def work(items):
    total = 0
    for item in items:
        total += item

    text = """
    a string
    """
    value = (1 +
             2)
    import helper  # noqa
    return total + value


class Thing:
    def method(self):
        count = 1
        return count


if __name__ == "__main__":
    print(work([1, 2]))
'''

INSERTIONS = ["", "    ", "        ", "    extra = 1", "        extra = 1", "extra = 1",
              "    import late", "    x = 'quoted'", "    y = (", "\t"]


def full(text: str) -> tuple[object, frozenset[int]]:
    plain: set[int] = set()
    facts = extract_facts(text, plain)
    return facts, frozenset(plain)


def assert_moves_like_a_parse(old: str, new: str, old_plain: frozenset[int],
                              old_facts: object) -> bool:
    moved = lines_moved(old, new, old_plain)
    if moved is None:
        return False
    first, delta, plain = moved
    facts, new_plain = full(new)
    assert facts.syntax_error is None, new
    assert shift_facts(old_facts, first, delta) == facts, new
    assert plain <= new_plain, (sorted(plain - new_plain), new)
    return True


def test_inserted_lines_move_the_facts_exactly() -> None:
    facts, plain = full(MODULE)
    assert plain and facts.imports and facts.sys_path_mutations and facts.main_guards
    lines = MODULE.split("\n")
    taken = 0
    for at in range(1, len(lines)):
        for inserted in INSERTIONS:
            for count in (1, 2):
                new = "\n".join([*lines[:at], *([inserted] * count), *lines[at:]])
                taken += assert_moves_like_a_parse(MODULE, new, plain, facts)
    assert taken >= 20  # the shortcut is taken where it can be (Enter in a body)


def test_removed_lines_move_the_facts_exactly() -> None:
    facts, plain = full(MODULE)
    lines = MODULE.split("\n")
    taken = 0
    for at in range(len(lines)):
        for count in (1, 2):
            new = "\n".join([*lines[:at], *lines[at + count:]])
            taken += assert_moves_like_a_parse(MODULE, new, plain, facts)
    assert taken >= 3


def test_what_may_change_the_facts_takes_no_shortcut() -> None:
    facts, plain = full(MODULE)
    lines = MODULE.split("\n")
    after = lines.index("    total = 0") + 1
    for inserted in ("    import late", "    x = 'quoted'", "    y = (", "extra = 1", "\t",
                     "    sys.path.append('x')", "  odd = 1"):
        new = "\n".join([*lines[:after], inserted, *lines[after:]])
        assert lines_moved(MODULE, new, plain) is None, inserted
    assert lines_moved(MODULE, MODULE.replace("\n", "\r", 1) + "\n", plain) is None


def test_typing_a_new_line_in_a_buffer_gives_a_full_parse_s_facts(tmp_path) -> None:
    """Enter after a body statement, then a statement typed key by key, then deleted key by
    key and the line removed: the buffer's facts at every step equal a full parse's."""
    from dashm.workspace import Workspace

    path = tmp_path / "pkg" / "mod.py"
    path.parent.mkdir()
    path.write_text(MODULE, encoding="utf-8")
    workspace = Workspace(tmp_path)
    lines = MODULE.split("\n")
    workspace.source(path, MODULE)
    at = lines.index("    total = 0") + 1
    typed = "    count = total + 1"
    steps = [[*lines[:at], "", *lines[at:]]]
    steps += [[*lines[:at], typed[:n], *lines[at:]] for n in range(1, len(typed) + 1)]
    steps += [[*lines[:at], typed[:n], *lines[at:]] for n in range(len(typed) - 1, -1, -1)]
    steps.append(lines)
    for step in steps:
        text = "\n".join(step)
        facts = workspace.source(path, text).facts
        expected = extract_facts(text)
        assert expected.syntax_error is not None or facts == expected, text

"""Edits whose facts follow from the previous facts, recognised without parsing the file again.

While someone types inside a function body, most edits change one line of one simple statement
(`total += item` becomes `total += items`). If that line held exactly such a statement before
(the full parse said so) and still looks like one afterwards, nothing facts are made of can
have changed: no import, no `sys.path`, no header, no string or comment that could swallow
other lines, the same indentation, the same number of lines. So the previous facts hold for the
new text, and positions elsewhere are unchanged.

If the new line is in fact a syntax error (`x = = 1`), a full parse would fail, and the editor
keeps showing the last good results: the same results this shortcut gives. Either way the
diagnostics are what a full analysis would publish, at a fraction of the cost.

Edits of a module-level import line (`import json` becomes `import json as j`) are the other
common case: only that statement's facts, the names it binds and the line's `# noqa` can
change, so they are computed from the line alone (`import_line_facts`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from dashm.workspace.facts import FileFacts, ImportContext, ImportFact, extract_facts

# A line that may be reused: no quotes, comments, continuations, `;`, `:` (so no header, no
# lambda, no slice), and no name facts depend on.
_UNSAFE_CHARS = re.compile(r"['\"#\\;:\t\f\v\r\0]")
_UNSAFE_WORDS = re.compile(
    r"\b(?:import|from|sys|site|path|addsitedir|__name__|__main__|TYPE_CHECKING|__import__)\b")
_BRACKETS = ("()", "[]", "{}")


def _self_contained(line: str) -> bool:
    if not line.strip() or _UNSAFE_CHARS.search(line) or _UNSAFE_WORDS.search(line):
        return False
    return all(line.count(open_) == line.count(close) for open_, close in _BRACKETS)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def same_facts(old_text: str, new_text: str, plain_lines: frozenset[int] | set[int]) -> bool:
    """True when `new_text` differs from `old_text` only inside one plain line, in a way that
    cannot change the facts (see the module docstring)."""
    if not plain_lines or len(old_text) == 0:
        return False
    old_lines = old_text.split("\n")
    new_lines = new_text.split("\n")
    if len(old_lines) != len(new_lines):
        return False
    changed = -1
    for number, (old, new) in enumerate(zip(old_lines, new_lines)):  # noqa: B905
        if old != new:
            if changed >= 0:
                return False
            changed = number
    if changed < 0:
        return True
    old, new = old_lines[changed], new_lines[changed]
    return (changed in plain_lines and _indent(old) == _indent(new)
            and _self_contained(old) and _self_contained(new))


def changed_line(old_text: str, new_text: str) -> tuple[int, str, str] | None:
    """(line, old, new) when the texts differ in exactly one line, else None."""
    old_lines = old_text.split("\n")
    new_lines = new_text.split("\n")
    if len(old_lines) != len(new_lines):
        return None
    found = None
    for number, (old, new) in enumerate(zip(old_lines, new_lines)):  # noqa: B905
        if old != new:
            if found is not None:
                return None
            found = (number, old, new)
    return found


def import_line_facts(old_text: str, new_text: str, facts: FileFacts,
                      name_counts: dict[str, int]) -> tuple[FileFacts, dict[str, int]] | None:
    """New facts when the edit is inside one module-level import statement on its own line
    and leaves one (still on its own line, not `sys`/`site`/`__future__`): only that import's
    fact, the names it binds and the line's `# noqa` can change, and they are computed from
    the line alone. None when the edit is anything else."""
    change = changed_line(old_text, new_text)
    if change is None:
        return None
    number, old_line, new_line = change
    if old_line.startswith((" ", "\t", "\f")) or new_line.startswith((" ", "\t", "\f")) \
            or ";" in old_line or ";" in new_line or "\\" in new_line or "\r" in new_line:
        return None
    index = [n for n, fact in enumerate(facts.imports)
             if fact.statement.start.line <= number <= fact.statement.end.line]
    if len(index) != 1:
        return None
    old_fact = facts.imports[index[0]]
    if (old_fact.statement.start.line != number or old_fact.statement.end.line != number
            or old_fact.context != ImportContext() or not old_fact.own_lines
            or _touches_sys(old_fact)):
        return None
    parsed = extract_facts("\n" * number + new_line + "\n")
    if parsed.syntax_error is not None or len(parsed.imports) != 1:
        return None
    new_fact = parsed.imports[0]
    if (new_fact.statement.end.line != number or not new_fact.own_lines
            or new_fact.context != ImportContext() or _touches_sys(new_fact)
            or parsed.sys_path_mutations or parsed.main_guards
            or parsed.top_level_names != frozenset(_bound(new_fact))):
        return None  # something else is on the line (or it is `from __future__`)
    counts = dict(name_counts)
    for name in _bound(old_fact):
        counts[name] -= 1
    for name in _bound(new_fact):
        counts[name] = counts.get(name, 0) + 1
    noqa = {line: codes for line, codes in facts.noqa.items() if line != number}
    noqa.update(parsed.noqa)
    imports = (*facts.imports[:index[0]], new_fact, *facts.imports[index[0] + 1:])
    return replace(facts, imports=imports, noqa=noqa,
                   top_level_names=frozenset(n for n, c in counts.items() if c > 0)), counts


def _bound(fact: ImportFact) -> set[str]:
    return {alias.asname or alias.name.split(".")[0] for alias in fact.names}


def _touches_sys(fact: ImportFact) -> bool:
    """Imports that change how later `sys.path` lines are recognised (aliases of sys, site)."""
    names = [fact.module or ""] + [alias.name for alias in fact.names]
    return any(n.split(".")[0] in ("sys", "site", "__future__") for n in names) or \
        fact.module == "__future__"

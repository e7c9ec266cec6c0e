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

from dashm.findings import Position, Range
from dashm.workspace.facts import (
    FileFacts,
    ImportContext,
    ImportedName,
    ImportFact,
    SysPathMutation,
    extract_facts,
)

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
    return plain_after_edit(old_text, new_text, plain_lines) is not None


def plain_after_edit(old_text: str, new_text: str, plain_lines: frozenset[int] | set[int]
                     ) -> frozenset[int] | None:
    """The plain lines of `new_text` when it has the same facts as `old_text` (same_facts),
    else None."""
    if not plain_lines or len(old_text) == 0:
        return None
    old_lines = old_text.split("\n")
    new_lines = new_text.split("\n")
    if len(old_lines) != len(new_lines):
        return None
    changed = -1
    for number, (old, new) in enumerate(zip(old_lines, new_lines)):  # noqa: B905
        if old != new:
            if changed >= 0:
                return None
            changed = number
    plain = frozenset(plain_lines)
    if changed < 0:
        return plain
    old, new = old_lines[changed], new_lines[changed]
    if changed in plain:
        same = _indent(old) == _indent(new) and _self_contained(old) and _self_contained(new)
        return plain if same else None
    # A blank line right after a plain line (just made with Enter) that becomes a simple
    # statement at that line's indentation (a plain line from now on), or stays blank.
    if changed - 1 not in plain or not _blank(old):
        return None
    if _blank(new):
        return plain
    if _indent(new) == _indent(old_lines[changed - 1]) and _self_contained(new):
        return plain | {changed}
    return None


def _blank(line: str) -> bool:
    return not line.strip(" ")


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


def lines_moved(old_text: str, new_text: str, plain_lines: frozenset[int] | set[int]
                ) -> tuple[int, int, frozenset[int]] | None:
    """(first moved line of the old text, lines added (negative: removed), the plain lines of
    the new text) when `new_text` is `old_text` with whole lines inserted or removed right after
    a plain line, each blank or a simple statement at that line's indentation; else None."""
    if not plain_lines or new_text.count("\r") != new_text.count("\r\n"):
        return None  # (a lone CR breaks lines for the parser, not for split)
    old_lines = old_text.split("\n")
    new_lines = new_text.split("\n")
    delta = len(new_lines) - len(old_lines)
    if delta == 0:
        return None
    longer, shorter = (new_lines, old_lines) if delta > 0 else (old_lines, new_lines)
    head = 0
    limit = len(shorter)
    while head < limit and longer[head] == shorter[head]:
        head += 1
    # The stretch that differs is longer[head:head + |delta|]; the rest must be equal.
    size = abs(delta)
    if longer[head + size:] != shorter[head:]:
        return None
    # The same lines could be matched earlier (a blank line typed after blank lines): slide
    # the stretch up while that holds, until it follows a plain line.
    while head > 0 and head - 1 not in plain_lines and longer[head - 1] == longer[head - 1 + size]:
        head -= 1
    anchor = head - 1
    if anchor < 0 or anchor not in plain_lines:
        return None
    indent = _indent(old_lines[anchor])
    for number in range(head, head + size):
        line = longer[number]
        if not line.strip():
            if line and (line.strip(" ") or "\r" in line):
                return None  # tabs, form feeds, lone CRs: not plain blank lines
            continue
        if _indent(line) != indent or not _self_contained(line):
            return None
        if delta < 0 and number not in plain_lines:
            return None  # a removed statement must have been a plain one
    moved = {n if n < head else n + delta for n in plain_lines
             if n < head or n >= head + (size if delta < 0 else 0)}
    if delta > 0:
        moved.update(n for n in range(head, head + size) if new_lines[n].strip())
    return head, delta, frozenset(moved)


def shift_facts(facts: FileFacts, first: int, delta: int) -> FileFacts:
    """`facts` with every position on line `first` or below moved down by `delta` lines."""
    def line(n: int) -> int:
        return n + delta if n >= first else n

    def position(p: Position) -> Position:
        return Position(line(p.line), p.column) if p.line >= first else p

    def span(r: Range | None) -> Range | None:
        if r is None or r.end.line < first:
            return r
        return Range(position(r.start), position(r.end))

    def fact(f: ImportFact) -> ImportFact:
        if f.statement.end.line < first and (f.context.guard is None
                                              or f.context.guard[0] < first):
            return f
        guard = f.context.guard
        context = f.context if guard is None or guard[0] < first else \
            replace(f.context, guard=(line(guard[0]), guard[1]))
        return replace(f, statement=span(f.statement), module_range=span(f.module_range),
                       target_range=span(f.target_range), context=context,
                       names=tuple(ImportedName(n.name, n.asname, span(n.range))  # type: ignore[arg-type]
                                   for n in f.names))

    def mutation(m: SysPathMutation) -> SysPathMutation:
        return replace(m, range=span(m.range), removal=span(m.removal))

    return replace(
        facts, imports=tuple(fact(f) for f in facts.imports),
        sys_path_mutations=tuple(mutation(m) for m in facts.sys_path_mutations),
        main_guards=tuple(span(r) for r in facts.main_guards),  # type: ignore[misc]
        noqa={line(n): codes for n, codes in facts.noqa.items()})

"""A buffer that does not parse: the facts its other lines still hold, and where old lines went.

While someone types, a buffer is often broken for a moment (`def f(:`, a half-typed import).
The imports elsewhere are still there and still worth checking:

- `partial_facts` first tries the skeleton (skeleton.py), which parses only the lines that can
  hold a fact and the blocks around them, so an error on any other line does not stop it.
  When the error is on such a line, that line is set aside (then the next one the parser trips
  over, a few times) and the skeleton is tried again. A line set aside keeps its line break, a
  block header becomes `if 1:` at its indentation, so every other line keeps its number and
  columns: the facts' positions are the buffer's, and nothing set aside holds a fact.
- `line_map` says where each line of the previous text is in the new one, for results kept
  from before the error: only lines outside the edited stretch keep a place.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dashm.workspace.facts import FileFacts, extract_facts, split_lines
from dashm.workspace.skeleton import skeleton_facts

MAX_SET_ASIDE = 4
# A line whose quotes or continuation could change how the lines after it read.
_UNSURE = re.compile(r"['\"\\]")
_INDENT = re.compile(r"[ \t]*")


def partial_facts(text: str, error_line: int) -> FileFacts | None:
    """The facts of `text` but for the lines around its syntax error (at 0-based
    `error_line`), or None when setting a few lines aside does not make the rest parse."""
    facts = skeleton_facts(text)
    if facts is not None:
        return facts
    lines = split_lines(text)
    line = error_line
    set_aside: set[int] = set()
    for _ in range(MAX_SET_ASIDE):
        if not 0 <= line < len(lines) or line in set_aside or _UNSURE.search(lines[line]):
            return None
        lines[line] = _stand_in(lines[line])
        set_aside.add(line)
        candidate = "".join(lines)
        facts = skeleton_facts(candidate)
        if facts is not None:
            return facts
        full = extract_facts(candidate)
        if full.syntax_error is None:
            return full
        line = full.syntax_error.position.line
    return None


def _stand_in(line: str) -> str:
    """What replaces a broken line: nothing, or `if 1:` for a block header, so the block
    under it still has one."""
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    if body.rstrip().endswith(":"):
        indent = _INDENT.match(body).group()  # type: ignore[union-attr]
        return f"{indent}if 1:{ending}"
    return ending


def line_map(old: str, new: str) -> Callable[[int], int | None]:
    """Where line n of `old` is in `new`: lines before and after the edited stretch (the
    longest common head and tail) move with the edit; lines inside it have no place (None)."""
    a, b = split_lines(old), split_lines(new)
    head = 0
    limit = min(len(a), len(b))
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    delta = len(b) - len(a)

    def where(line: int) -> int | None:
        if line < head:
            return line
        if line >= len(a) - tail:
            return line + delta
        return None

    return where

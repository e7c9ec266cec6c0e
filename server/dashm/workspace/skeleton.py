"""Facts without a full parse: a skeleton of the file that keeps only what can hold a fact.

`ast.parse` is nearly all of a cold scan (about 5 s of CPU for the standard library, where ruff
needs 0.4 s in all), yet most of a file cannot hold a fact: function bodies without imports,
docstrings, data tables. `skeleton_facts(text)`:

1. masks strings and comments (one regular expression), so nothing inside them reads as code;
2. finds the logical lines that can hold a fact: every `import`, every line naming `sys.path`
   (or an alias of `sys`), `addsitedir` or a name imported as `from sys import path [as p]`
   / `from site import addsitedir [as a]`, every `if`/`elif` line naming `__name__`;
3. adds the block headers around them (a def, a class, an `if TYPE_CHECKING:`, a `try` with all
   its clauses), found by indentation, and a `pass` where a kept block would otherwise be empty
   or look shorter than it is;
4. blanks every other line, so kept lines keep their line numbers and columns, parses what is
   left with `ast` and hands the tree to the collector a full parse uses.

So the facts are those of a full parse by construction; tests/test_skeleton.py compares both on
the standard library and on generated code. What a skeleton cannot give: syntax errors elsewhere
in the file and the file's top-level names. Its facts say so (`scanned=True`), and
`Workspace.parsed()` parses in full where a rule needs either. Whatever the masking cannot be
sure of (tab or form-feed indentation, lone CR line ends, non-ASCII identifiers, an unterminated
string, unbalanced brackets, a skeleton that does not parse) gives None: parse in full then.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from itertools import accumulate

from dashm.workspace.facts import FileFacts, extract_facts, facts_of_skeleton

# Strings and comments as the tokenizer meets them reading left to right. A string's prefix
# letters stay outside the match: they never change where it ends. (One flat alternation: its
# first characters are then searched for fast.)
_STRING_OR_COMMENT = re.compile(
    r'#[^\n]*'
    r'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'", re.S)
# Characters that make lines or indentation differ from what a regular expression sees (each
# looked for with `in`: much faster than one regular expression over the whole text).
_AWKWARD = ("\x00", "\f", "\v", "\x1c", "\x1d", "\x1e")
_AWKWARD_UNICODE = re.compile("[\x85\u2028\u2029\ud800-\udfff]")
_LONE_CR = re.compile("\r(?!\n)")
_TAB_INDENT = re.compile(r"^ *\t", re.M)
# The line structure: brackets and multi-line strings (\x02 ... \x03) are all "(" and ")".
_CHANNEL = bytes.maketrans(b"([{\x02)]}\x03", b"(((())))")
_NOT_CHANNEL = bytes(c for c in range(256) if c not in b"()[]{}\x02\x03\n")
_PAREN = re.compile(rb"[()]")

# No leading \b: a pattern that starts with letters is searched for fast; word boundaries are
# checked on each match (_is_word).
_CANDIDATES = tuple(re.compile(p) for p in (
    r"import\b", r"addsitedir\b", r"__name__\b", r"sys\s*\.\s*path\b"))
_SYS_ALIAS = re.compile(r"sys\s+as\s+(\w+)")
# `from sys import path [as p]`, `from site import addsitedir [as a]`: later lines can change
# sys.path through the bare name. Rare, so the names are looked for only after this matched.
_FROM_SYS_OR_SITE = re.compile(r"from\s+s(?:ys|ite)\s+import\b")
_HOOK_NAME = re.compile(r"\b(?:path|addsitedir)\b(?:\s+as\s+(\w+))?")
_SPACES = re.compile(r" *")
_KEYWORD = re.compile(r"(?:async\s+)?(if|elif|else|try|except|finally|for|while|with|def|class"
                      r"|match|case)\b")
_IF = re.compile(r"(?:el)?if\b")
_PATTERNS: dict[tuple[bool, int], re.Pattern[str]] = {}
MAX_NESTING = 200  # brackets: the parser's own limit
MAX_INDENT = 64  # columns; deeper code is parsed in full
CLAUSES = frozenset({"elif", "else", "except", "finally"})
WITH_CLAUSES = frozenset({"if", "try", "for", "while"})


class _Unsure(Exception):
    """The text is not what the skeleton expects: parse it in full."""


def quick_facts(text: str) -> FileFacts:
    """The skeleton's facts where it can be sure, else those of a full parse."""
    found = skeleton_facts(text)
    return found if found is not None else extract_facts(text)


def skeleton_facts(text: str) -> FileFacts | None:
    """The facts of `text` from a skeleton, or None where a full parse must answer. A case the
    skeleton did not foresee (an IndexError, say) also gives None, never a crash; the tests
    call `strict_skeleton_facts`, which lets such errors out, to find them."""
    try:
        return strict_skeleton_facts(text)
    except (IndexError, RecursionError):
        return None


def strict_skeleton_facts(text: str) -> FileFacts | None:
    """`skeleton_facts`, letting out any error the skeleton did not foresee."""
    if any(c in text for c in _AWKWARD) or (
            not text.isascii() and _AWKWARD_UNICODE.search(text)):
        return None
    source = text
    if "\r" in text:
        if _LONE_CR.search(text):
            return None
        source = text.replace("\r\n", "\n")
    masked = _mask(source)
    if "'" in masked or '"' in masked or not masked.isascii() or (
            "\t" in masked and _TAB_INDENT.search(masked)):
        return None
    try:
        return _Skeleton(source, masked).facts(text)
    except _Unsure:
        return None


def _mask(source: str) -> str:
    """The code alone: comments dropped, a string on one line becomes `0`, a string over
    several lines becomes \x02, its line breaks, \x03. Lines keep their number and their
    indentation (columns after it move; the skeleton copies lines from the source)."""
    return _STRING_OR_COMMENT.sub(_masked_token, source)


def _masked_token(match: re.Match[str]) -> str:
    token = match.group()
    if token[0] == "#":
        return ""
    if "\n" not in token:
        return "0"
    return "\x02" + "\n" * token.count("\n") + "\x03"


class _Skeleton:
    """One file: its lines, its masked text and line structure, the logical lines kept."""

    def __init__(self, source: str, masked: str) -> None:
        self.masked = masked
        self.lines = source.splitlines(True)
        masked_lines = masked.splitlines(True)
        if len(masked_lines) != len(self.lines):
            raise _Unsure
        self.offsets = list(accumulate(map(len, masked_lines), initial=0))  # in `masked`
        self.first_joined, self.last_joined = _joined_lines(masked)
        if self.last_joined and self.last_joined[-1] >= len(self.lines):
            raise _Unsure  # a backslash on the last line continues it past the end of file
        self.kept: dict[int, int] = {}  # first line of a kept logical line -> its last line
        self.mutations: set[int] = set()
        self.padding: dict[int, int] = {}  # line -> indentation of a `pass` put there
        self._reversed: str | None = None

    # -- lines -------------------------------------------------------------------------
    def line_of(self, offset: int) -> int:
        return bisect_right(self.offsets, offset) - 1

    def _joined(self, line: int) -> int:
        """Index of the joined-lines span holding `line` (-1 if none): a line inside brackets,
        a multi-line string or after a backslash continues the line before it."""
        i = bisect_right(self.first_joined, line) - 1
        return i if i >= 0 and line <= self.last_joined[i] else -1

    def start_of(self, line: int) -> int:
        while (i := self._joined(line)) >= 0:
            line = self.first_joined[i] - 1
        return line

    def end_of(self, line: int) -> int:
        while (i := self._joined(line + 1)) >= 0:
            line = self.last_joined[i]
        return line

    def indent(self, line: int) -> int:
        start = self.offsets[line]
        return _SPACES.match(self.masked, start).end() - start  # type: ignore[union-attr]

    def keyword(self, line: int) -> str | None:
        start = self.offsets[line]
        found = _KEYWORD.match(self.masked, start + self.indent(line))
        return found.group(1) if found else None

    def opens_block(self, line: int) -> bool:
        end = self.offsets[self.end_of(line) + 1]
        return self.masked[self.offsets[line]:end].rstrip().endswith(":")

    def next_statement(self, after: int, max_indent: int | None = None) -> int | None:
        """The first line of the next statement after line `after` indented at most
        `max_indent` (any indentation if None)."""
        pattern = self._pattern(False, max_indent)
        if after + 1 >= len(self.lines):
            return None
        position = self.offsets[after + 1] - 1  # the line break before the next line
        while (found := pattern.search(self.masked, position)) is not None:
            line = self.line_of(found.start() + 1)
            i = self._joined(line)
            if i < 0:
                return line
            position = self.offsets[self.last_joined[i] + 1] - 1
        return None

    def previous_statement(self, before: int, max_indent: int) -> int | None:
        """The first line of the nearest statement before line `before` indented at most
        `max_indent`, searched for in the reversed text."""
        if max_indent < 0 or before == 0:
            return None
        if self._reversed is None:
            self._reversed = self.masked[::-1]
        size = len(self.masked)
        pattern = self._pattern(True, max_indent)
        position = size - self.offsets[before] + 1  # just past the line break before `before`
        while (found := pattern.search(self._reversed, position)) is not None:
            # The match is the line break before the statement's line.
            line = self.line_of(size - found.start())
            i = self._joined(line)
            if i < 0:
                return line
            position = size - self.offsets[self.first_joined[i]] + 1
        # The first line has no line break before it.
        first = self.masked[:self.offsets[1]] if len(self.lines) > 1 else self.masked
        if first.strip() and self.indent(0) <= max_indent:
            return 0
        return None

    def _pattern(self, backwards: bool, max_indent: int | None) -> re.Pattern[str]:
        """A line break, then a line indented at most `max_indent` (in the reversed text: a
        line break that comes after such a line). Both start with a line break: searched for
        fast."""
        key = (backwards, -1 if max_indent is None else max_indent)
        found = _PATTERNS.get(key)
        if found is None:
            if not backwards:
                spaces = " *" if max_indent is None else f" {{0,{max_indent}}}"
                found = re.compile(f"\\n{spaces}(?=[^ \\n])")
            else:
                behind = "|".join(f"(?<=[^ \\n]{' ' * n}\\n)" for n in range(max_indent + 1))
                found = re.compile(f"\\n(?:{behind})")
            _PATTERNS[key] = found
        return found

    # -- what to keep ------------------------------------------------------------------
    def facts(self, text: str) -> FileFacts | None:
        self._find_candidates()
        if not self.kept:
            return facts_of_skeleton(ast.Module(body=[], type_ignores=[]), self.lines, text)
        pending = list(self.kept)
        done: set[int] = set()
        while pending:
            line = pending.pop()
            if line not in done:
                done.add(line)
                pending.extend(self._surround(line))
        skeleton = ["\n"] * len(self.lines)
        for line, indent in self.padding.items():
            skeleton[line] = " " * indent + "pass\n"
        for first, last in self.kept.items():
            skeleton[first:last + 1] = self.lines[first:last + 1]
        try:
            tree = ast.parse("".join(skeleton))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        return facts_of_skeleton(tree, skeleton, text)

    def _find_candidates(self) -> None:
        masked = self.masked
        patterns = list(_CANDIDATES)
        aliases = {m.group(1) for m in _SYS_ALIAS.finditer(masked) if _is_word(masked, m)}
        if aliases - {"sys"}:
            names = "|".join(sorted(aliases - {"sys"}))
            patterns.append(re.compile(rf"(?:{names})\s*\.\s*path\b"))
        hooks = self._hook_names() - {"addsitedir"}  # addsitedir is a candidate already
        if hooks:
            # Not after a dot: `os.path` is not sys.path.
            patterns.append(re.compile(rf"(?<![\w.])(?:{'|'.join(sorted(hooks))})\b"))
        for pattern in patterns:
            for found in pattern.finditer(masked):
                if not _is_word(masked, found):
                    continue
                first = self.start_of(self.line_of(found.start()))
                word = found.group()
                if word == "__name__":
                    start = self.offsets[first]
                    if not _IF.match(self.masked, start + self.indent(first)):
                        continue
                elif word != "import":
                    self.mutations.add(first)
                self.keep(first)

    def _hook_names(self) -> set[str]:
        """Names bound by `from sys import path` / `from site import addsitedir` (aliases
        included), read from each such statement's logical line."""
        names: set[str] = set()
        for found in _FROM_SYS_OR_SITE.finditer(self.masked):
            if not _is_word(self.masked, found):
                continue
            first = self.start_of(self.line_of(found.start()))
            statement = self.masked[found.end():self.offsets[self.end_of(first) + 1]]
            for hook in _HOOK_NAME.finditer(statement):
                names.add(hook.group(1) or hook.group().split()[0])
        return names

    def keep(self, first: int) -> bool:
        """Keep the logical line starting at `first`; True if it was not kept yet."""
        if first in self.kept:
            return False
        self.kept[first] = self.end_of(first)
        return True

    def _surround(self, first: int) -> list[int]:
        """Keep what the logical line at `first` needs to parse as it does in the file: its
        compound statement's other clauses, a body, the blocks around it. Returns the lines
        newly kept."""
        added: list[int] = []
        indent = self.indent(first)
        if indent > MAX_INDENT:
            raise _Unsure  # the backward search's pattern grows with the indentation
        keyword = self.keyword(first)
        if keyword in CLAUSES:
            main = self._compound_start(first, indent)
            if self.keep(main):
                added.append(main)
        elif keyword in WITH_CLAUSES:
            added.extend(self._keep_clauses(first, indent))
        if keyword is not None and self.opens_block(first):
            body = self.next_statement(self.kept[first])
            if body is None or self.indent(body) <= indent:
                raise _Unsure  # an empty block: a syntax error
            self.padding.setdefault(body, self.indent(body))
        elif first in self.mutations:
            self._pad_siblings(first, indent)
        if indent:
            parent = self.previous_statement(first, indent - 1)
            if parent is None or self.keyword(parent) is None or not self.opens_block(parent):
                raise _Unsure
            if self.keep(parent):
                added.append(parent)
        return added

    def _compound_start(self, clause: int, indent: int) -> int:
        line = clause
        while True:
            found = self.previous_statement(line, indent)
            if found is None or self.indent(found) != indent:
                raise _Unsure  # a clause with no statement to belong to
            keyword = self.keyword(found)
            if keyword in WITH_CLAUSES:
                return found
            if keyword not in CLAUSES:
                raise _Unsure
            line = found

    def _keep_clauses(self, first: int, indent: int) -> list[int]:
        added = []
        line = first
        while (found := self.next_statement(self.end_of(line), indent)) is not None:
            if self.indent(found) != indent or self.keyword(found) not in CLAUSES:
                break
            if self.keep(found):
                added.append(found)
            line = found
        return added

    def _pad_siblings(self, first: int, indent: int) -> None:
        """A `sys.path` change is removed whole only if it is not alone in its block: keep
        that the block has other statements, before and after it."""
        before = self.previous_statement(first, indent)
        if before is not None and self.indent(before) == indent:
            self.padding.setdefault(before, indent)
        after = self.next_statement(self.kept[first], indent)
        if after is not None and self.indent(after) == indent \
                and self.keyword(after) not in CLAUSES:
            self.padding.setdefault(after, indent)


def _is_word(text: str, found: re.Match[str]) -> bool:
    """The match starts a word (what a leading \\b would have checked)."""
    at = found.start()
    return at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_")


def _joined_lines(masked: str) -> tuple[list[int], list[int]]:
    """Spans of lines that continue the line before them (inside brackets or a multi-line
    string, or after a backslash), as first and last lines. Unbalanced brackets: _Unsure."""
    channel = masked.encode("ascii").replace(b"\\\n", b"\x02\n\x03")
    channel = channel.translate(_CHANNEL, _NOT_CHANNEL)
    for _ in range(MAX_NESTING + 1):  # each pass removes one level of pairs
        if b"()" not in channel:
            break
        channel = channel.replace(b"()", b"")
    else:
        raise _Unsure  # deeper than the parser allows: let it say so
    firsts: list[int] = []
    lasts: list[int] = []
    depth = line = position = opened = 0
    for found in _PAREN.finditer(channel):
        at = found.start()
        line += channel.count(b"\n", position, at)
        position = at
        if channel[at] == 40:  # (
            if depth == 0:
                opened = line
            depth += 1
        else:
            depth -= 1
            if depth < 0:
                raise _Unsure
            if depth == 0 and line > opened:
                firsts.append(opened + 1)
                lasts.append(line)
    if depth:
        raise _Unsure
    return firsts, lasts

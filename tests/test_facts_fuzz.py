"""Fuzzing the fact extractor: it never raises, and every import it reports agrees with `ast`
(names, levels, contexts) with ranges that cover the text as written, whatever the line
endings (LF, CRLF, CR), tabs, form feeds, `\\` continuations, NULs or truncation."""

from __future__ import annotations

import ast
import random
import re
import sysconfig
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dashm.workspace.facts import extract_facts, split_lines
from dashm.workspace.source import decode_source

BLANK = st.sampled_from([" ", "  ", "\t", " \f ", " \\\n ", " \\\r\n", "\t\\\n\t"])
NAME = st.sampled_from(["os", "a", "pkg", "sub", "util", "ünï", "x_1", "Mod"])


def _text_at(source: str, r) -> str:  # type: ignore[no-untyped-def]
    lines = split_lines(source)
    if r.start.line == r.end.line:
        return lines[r.start.line][r.start.column:r.end.column]
    return lines[r.start.line][r.start.column:] + "".join(
        lines[r.start.line + 1:r.end.line]) + lines[r.end.line][:r.end.column]


def _squash(text: str) -> str:
    return re.sub(r"[ \t\f]|\\\r\n|\\\n|\\\r", "", text)


def _ast_imports(source: str) -> list[tuple[str | None, int, tuple[tuple[str, str | None], ...]]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.append((None, 0, tuple((a.name, a.asname) for a in node.names)))
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            found.append((node.module, node.level,
                          tuple((a.name, a.asname) for a in node.names)))
    return sorted(found, key=repr)


@st.composite
def import_statement(draw) -> str:  # type: ignore[no-untyped-def]
    blank = draw(BLANK)
    dotted = f"{blank}.{blank}".join(draw(st.lists(NAME, min_size=1, max_size=3)))
    alias = draw(st.one_of(st.just(""), NAME.map(lambda n: f"{blank}as{blank}{n}")))
    if draw(st.booleans()):
        return f"import{blank}{dotted}{alias}"
    dots = "." * draw(st.integers(0, 3))
    module = draw(st.one_of(st.just(""), st.just(dotted))) if dots else dotted
    names = draw(st.lists(NAME, min_size=1, max_size=3))
    listed = f",{blank}".join(names)
    if draw(st.booleans()):
        listed = f"({blank}{listed}{alias},{blank})"
    return f"from{blank}{dots}{blank if module else ''}{module}{blank}import{blank}{listed}"


@st.composite
def module_text(draw) -> str:  # type: ignore[no-untyped-def]
    statements = draw(st.lists(import_statement(), min_size=1, max_size=5))
    wrap = draw(st.sampled_from(["{}", "if x:\n    {}", "def f():\n    {}",
                                 "try:\n    {}\nexcept ImportError:\n    pass"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    body = "\n".join(wrap.format(s.replace("\n", "\n    ") if "\\\n" not in s else s)
                     for s in statements)
    return body.replace("\r\n", "\n").replace("\n", newline) + newline


@settings(max_examples=400, deadline=None)
@given(module_text())
def test_generated_imports_agree_with_ast(source: str) -> None:
    facts = extract_facts(source)
    try:
        expected = _ast_imports(source)
    except (SyntaxError, ValueError):
        assert facts.syntax_error is not None
        return
    assert facts.syntax_error is None
    ours = sorted(((f.module, f.level, tuple((n.name, n.asname) for n in f.names))
                   for f in facts.imports), key=repr)
    assert ours == expected
    for fact in facts.imports:
        for name in fact.names:
            written = _squash(_text_at(source, name.range))
            assert written == name.name + (f"as{name.asname}" if name.asname else ""), (
                source, written)
        if fact.module_range is not None and fact.module:
            assert _squash(_text_at(source, fact.module_range)) == fact.module


# -- sys.path changes in every spelling --------------------------------------------------
# (import that binds the name, how the statement reaches sys.path, description)
HOOKS = [("import sys", "sys.path", "sys"), ("import sys as _s", "_s.path", "sys"),
         ("from sys import path", "path", "sys"), ("from sys import path as _p", "_p", "sys"),
         ("from sys import (argv,\n    path as _p)", "_p", "sys"),
         ("import site", "site.addsitedir", "site"),
         ("from site import addsitedir as _add", "_add", "site")]
CHANGES = [("{}.insert(0, {})", "sys.path.insert()"), ("{}.append({})", "sys.path.append()"),
           ("{}.extend([{}])", "sys.path.extend()"), ("{} += [{}]", "sys.path += ..."),
           ("{}[:0] = [{}]", "sys.path[...] = ..."), ("{} = [{}] + sys.path", "sys.path = ...")]
FOLDERS = st.sampled_from(["'lib'", "os.path.dirname(__file__)", "str(Path(__file__).parent)",
                           "os.getcwd()", "(\n    'split')"])


@st.composite
def sys_path_change(draw) -> tuple[str, str, bool]:  # type: ignore[no-untyped-def]
    """A module with one sys.path change: its text, the description, whether in a function."""
    binding, reach, kind = draw(st.sampled_from(HOOKS))
    folder = draw(FOLDERS)
    if kind == "site":
        statement, description = f"{reach}({folder})", "site.addsitedir()"
    else:
        template, description = draw(st.sampled_from(CHANGES))
        statement = template.format(reach, folder)
    wrap = draw(st.sampled_from(["{}", "if x:\n    {}", "def f():\n    {}",
                                 "if __name__ == '__main__':\n    {}",
                                 "try:\n    {}\nexcept ImportError:\n    pass"]))
    body = wrap.format(statement.replace("\n", "\n    "))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = f"import os\n{binding}\n{body}\nprint(1)\n".replace("\n", newline)
    return text, description, wrap.startswith("def")


@settings(max_examples=300, deadline=None)
@given(sys_path_change())
def test_generated_sys_path_changes_are_found_in_every_spelling(
        case: tuple[str, str, bool]) -> None:
    from dashm.workspace.skeleton import strict_skeleton_facts

    text, description, in_function = case
    facts = extract_facts(text)
    assert [(m.description, m.in_function) for m in facts.sys_path_mutations] == [
        (description, in_function)], text
    (mutation,) = facts.sys_path_mutations
    written = _squash(_text_at(text, mutation.range))
    assert written.startswith(("sys.", "_s.", "path", "_p", "site.", "_add")), written
    # Removable alone in its block only where the block goes with it (`if x:`).
    alone = "def f" in text or "__main__" in text or "try" in text
    assert (mutation.removal is not None) == (not alone), text
    skeleton = strict_skeleton_facts(text)  # the cold path finds the same change
    assert skeleton is not None and skeleton.sys_path_mutations == facts.sys_path_mutations


def _stdlib_texts(count: int, seed: int) -> list[str]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(stdlib.glob("*.py"))
    texts = []
    for path in random.Random(seed).sample(files, count):
        try:
            texts.append(decode_source(path.read_bytes()))
        except ValueError:
            continue
    return texts


def test_line_endings_of_real_files_keep_the_same_imports() -> None:
    for text in _stdlib_texts(25, 1):
        base = extract_facts(text)
        if base.syntax_error is not None:
            continue
        for newline in ("\r\n", "\r"):
            other = extract_facts(text.replace("\n", newline))
            assert [(f.module, f.level, f.names[0].name, f.statement.start) for f in
                    other.imports] == [(f.module, f.level, f.names[0].name, f.statement.start)
                                       for f in base.imports]


def test_truncated_and_damaged_real_files_never_raise() -> None:
    rng = random.Random(2)
    for text in _stdlib_texts(30, 3):
        for _ in range(8):
            cut = rng.randrange(len(text) + 1)
            damaged = rng.choice([
                text[:cut], text[:cut] + "\0" + text[cut:], text[:cut] + "\\",
                text[:cut] + "(" * 300 + text[cut:], text[:cut] + '"""' + text[cut:],
                text[:cut] + "\f\t\r" + text[cut:], text.replace("    ", "\t", 5)])
            facts = extract_facts(damaged)
            try:
                expected = _ast_imports(damaged)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                assert facts.syntax_error is not None
                continue
            if facts.syntax_error is None:
                assert sorted(((f.module, f.level, tuple((n.name, n.asname) for n in f.names))
                               for f in facts.imports), key=repr) == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    try:
        text = decode_source(data)
    except ValueError:
        return
    extract_facts(text)


def test_deep_nesting_never_raises() -> None:
    for depth in (100, 1_000, 10_000, 100_000):
        for text in ("x = " + "(" * depth + ")" * depth + "\n",
                     "x = " + "[" * depth + "\n",
                     "".join(" " * i + "if x:\n" for i in range(min(depth, 200))) + " " * 200
                     + "import os\n",
                     "x = " + "-" * depth + "1\n"):
            extract_facts(text)  # a syntax error or facts, never an exception

"""Facts from a skeleton (skeleton.py) are the facts of a full parse: on every file of the
standard library, on generated programs built to trip it (imports in strings, blocks inside
brackets, clauses, one-line bodies, siblings of sys.path changes), and on hand-picked cases.
Where it cannot be sure it says so (None), and the full parse is used."""

from __future__ import annotations

import dataclasses
import random
import sysconfig
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashm.workspace import Workspace, skeleton
from dashm.workspace.facts import FileFacts, extract_facts
from dashm.workspace.skeleton import quick_facts, skeleton_facts, strict_skeleton_facts
from dashm.workspace.source import read_source


def _as_scanned(full: FileFacts) -> FileFacts:
    """What a skeleton must give for a file that parses: the same, minus the names."""
    return dataclasses.replace(full, top_level_names=frozenset(), scanned=True)


def _agrees(text: str) -> bool:
    """The skeleton's facts equal the full parse's; False if the skeleton declined."""
    full = extract_facts(text)
    assert full.syntax_error is None, (full.syntax_error, text)
    found = strict_skeleton_facts(text)
    if found is None:
        return False
    assert found == _as_scanned(full), text
    return True


def test_every_file_of_the_standard_library() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in stdlib.rglob("*.py") if "site-packages" not in p.parts)
    declined = checked = 0
    warnings.simplefilter("ignore", DeprecationWarning)  # invalid escapes in test data
    for path in files:
        text = read_source(path)
        if not isinstance(text, str):
            continue
        full = extract_facts(text)
        found = strict_skeleton_facts(text)
        if found is None:
            declined += 1
            continue
        if full.syntax_error is None:
            checked += 1
            assert found == _as_scanned(full), path
    assert checked > 1000
    # The skeleton is the rule, the full parse the exception (tabs, form feeds, non-ASCII
    # names, strings it cannot close).
    assert declined < checked / 100, declined


# -- generated programs ------------------------------------------------------------------
NAMES = st.sampled_from(["os", "util", "pkg.sub", "a", "sys", "site", "json"])
SIMPLE = [
    lambda n: f"import {n}",
    lambda n: f"import {n} as alias_{n.replace('.', '_')}",
    lambda n: f"from {n} import (x,\n    y)  # trailing",
    lambda n: f"from . import {n.split('.')[0]}",
    lambda n: f"from ..{n} import z as w",
    lambda n: "sys.path.insert(0, 'lib')",
    lambda n: "sys.path += ['lib']",
    lambda n: "sys.path[0] = 'x'",
    lambda n: "import sys as s; s.path.append('y')",
    lambda n: "site.addsitedir('z')",
    # Other spellings of the same changes (the names bound here are used by later lines).
    lambda n: "from sys import path as _p; _p.append('x')",
    lambda n: "from sys import path\npath += ['lib']",
    lambda n: "from sys import (argv,\n    path as _q)",
    lambda n: "path[:0] = ['lib']",
    lambda n: "_q.insert(0, os.path.dirname(__file__))",
    lambda n: "_p.extend([\n    'a'])",
    lambda n: "sys.path[:0] = ['a']",
    lambda n: "sys.path = ['a'] + sys.path",
    lambda n: "from site import addsitedir as _ads\n_ads('x')",
    lambda n: "x = os.path.join(path, 'a')",
    lambda n: "x = sys.path[:]",
    lambda n: f"text = 'import {n}'",
    lambda n: f'doc = """\nimport {n}\n  def f(:\n"""',
    lambda n: f"# import {n}\npass  # from {n} import x",
    lambda n: "value = (1,\nimport_me, [2,\n  3])",
    lambda n: "call(a, \\\n    b)",
    lambda n: f"y = 1; import {n}",
    lambda n: "print(__name__)",
    lambda n: "pass",
    lambda n: "total = {'k': 'v:',\n'w': '#'}",
    lambda n: "return_value = f'{x!r:>10}'",
]
HEADERS = [
    "if __name__ == '__main__':",
    "if TYPE_CHECKING:",
    "if x:",
    "def f(a,\n        b=1):",
    "async def g():",
    "class C(Base):",
    "for i in range(3):",
    "while cond:",
    "with open(p) as f:",
    "match value:",
]


@st.composite
def block(draw, depth: int = 0) -> list[str]:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 9)) if depth < 3 else 0
        if kind < 5:
            lines.extend(draw(st.sampled_from(SIMPLE))(draw(NAMES)).split("\n"))
        elif kind == 5:
            name = draw(NAMES)
            lines.append(f"if x: import {name}")
            if draw(st.booleans()):
                lines.append(f"else: sys.path.insert(0, '{name}')")
        elif kind in (6, 7):
            lines.append("try:")
            lines.extend("    " + line for line in draw(block(depth + 1)))
            handler = draw(st.sampled_from(
                ["except ImportError:", "except (ValueError, ModuleNotFoundError) as e:",
                 "except Exception:", "except:"]))
            lines.append(handler)
            lines.extend("    " + line for line in draw(block(depth + 1)))
            for clause in sorted(draw(st.lists(st.sampled_from(["else:", "finally:"]),
                                               unique=True, max_size=2))):
                lines.append(clause)
                lines.extend("    " + line for line in draw(block(depth + 1)))
        else:
            header = draw(st.sampled_from(HEADERS))
            if draw(st.booleans()):
                lines.append("@decorator(\n  1)".split("\n")[0])
                lines.append("  1)")
                if not header.startswith(("def", "async", "class")):
                    lines[-2:] = []
            lines.extend(header.split("\n"))
            if header.startswith("match"):
                lines.append("    case 1:")
                lines.extend("        " + line for line in draw(block(depth + 1)))
                lines.append("    case _:")
                lines.append("        pass")
            else:
                lines.extend("    " + line for line in draw(block(depth + 1)))
            if header.startswith("if x") and draw(st.booleans()):
                lines.append("elif __name__ == \"__main__\":")
                lines.extend("    " + line for line in draw(block(depth + 1)))
            if header.startswith(("if", "for", "while")) and draw(st.booleans()):
                lines.append("else:")
                lines.extend("    " + line for line in draw(block(depth + 1)))
    return lines


@settings(max_examples=400, deadline=None)
@given(block(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_generated_programs_agree_with_a_full_parse(lines: list[str], newline: str,
                                                     docstring: bool) -> None:
    text = newline.join(lines) + newline
    if docstring:
        text = '"""Module doc.\n\nimport nothing\n"""' + newline + text
    # Generated code has nothing the skeleton must decline (tabs, form feeds, non-ASCII
    # names), so it never falls back: the comparison is always made.
    assert _agrees(text)


# -- hand-picked ---------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    # An import inside a docstring, a comment and strings is not an import.
    'def f():\n    """\n    import os\n    """\n    return 1\n',
    # sys.path changes: alone in an `if` (removable with it), with siblings before and after.
    "import sys\nif p not in sys.path:\n    sys.path.insert(0, p)\n",
    "import sys\ndef f():\n    x = 1\n    sys.path.append('a')\n    y = 2\n",
    "import sys\ndef f():\n    sys.path.append('a')\n",
    "import sys\nif p:\n    sys.path.insert(0, p)\nelse:\n    pass\n",
    # try/except ImportError, with the fallback on one line.
    "try:\n    import json\nexcept ImportError: json = None\n",
    "try: import simplejson as json\nexcept ImportError:\n    import json\n",
    # `elif` main guard, guards in functions, a guard on one line.
    "if a:\n    pass\nelif __name__ == '__main__':\n    import runner\n",
    "def main():\n    if __name__ == \"__main__\":\n        import x\n",
    "if __name__ == '__main__': main()\n",
    # Lines that start with keywords inside brackets are not statements.
    "values = [x\nfor x in y\nif x]\ndef f():\n    import a\n",
    "result = (yield_value\n   if cond else\n   other)\nimport b\n",
    # A block whose first statement sits below a decorator, a class docstring.
    "class C:\n    '''Doc.'''\n    @property\n    def p(self):\n        import c\n",
    # Backslash continuations and from-imports spread over lines.
    "from \\\n  pkg \\\n  import (a,  # one\n     b)\n",
    "import sys\nsys.path \\\n  .insert(0, 'x')\n",
    # `from sys import path` / `from site import addsitedir`, aliased, in brackets.
    "from sys import path\npath.insert(0, 'x')\n",
    "from sys import (argv,\n    path as _p)\nx = 1\n_p.append('a')\ny = 2\n",
    "from sys import path as _p\ndef f():\n    _p.extend(['a'])\n",
    "from sys import path\nimport os\nif os.path.isdir('x'):\n    path[:0] = ['x']\n",
    "from site import addsitedir as add\nadd('lib')\n",
    "s = 'from sys import path as p'\np.append(1)\n",
    # match / case.
    "match cmd:\n    case 'a':\n        import a\n    case _:\n        pass\n",
])
def test_hand_picked_cases_agree(text: str) -> None:
    assert _agrees(text)


@pytest.mark.parametrize("text", [
    "def f():\n\timport os\n",                     # tab indentation
    "import os\n\x0cimport sys\n",                 # form feed
    "import os\rimport sys\r",                     # lone CR line ends
    "x = 'unterminated\nimport os\n",               # a string that never closes
    "x = (1,\nimport os\n",                        # a bracket that never closes
    "ñame = 1\nimport os\n",                       # a non-ASCII identifier
    "if sys.path\\\n",                              # a backslash continuing past the end
    "import os\\\n",
])
def test_what_it_cannot_be_sure_of_goes_to_a_full_parse(text: str) -> None:
    assert strict_skeleton_facts(text) is None
    assert quick_facts(text) == extract_facts(text)


def test_an_error_the_skeleton_did_not_foresee_means_a_full_parse(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Not a crash: the server and `dashm check` get a full parse's facts instead."""
    def unforeseen(self, text):  # type: ignore[no-untyped-def]
        raise IndexError("a case nobody thought of")

    monkeypatch.setattr(skeleton._Skeleton, "facts", unforeseen)
    text = "import os\nif __name__ == '__main__':\n    pass\n"
    assert skeleton_facts(text) is None
    assert quick_facts(text) == extract_facts(text)
    with pytest.raises(IndexError):
        strict_skeleton_facts(text)


def test_damaged_real_files_never_raise_and_still_agree() -> None:
    """The skeleton is the default path now: truncated and damaged files must not crash it,
    and where the damaged text still parses, its facts are the full parse's."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    warnings.simplefilter("ignore", DeprecationWarning)  # invalid escapes in cut-up strings
    rng = random.Random(5)
    texts = [t for p in sorted(stdlib.glob("*.py"))[:60:2]
             if isinstance(t := read_source(p), str)]
    for text in texts:
        for _ in range(6):
            cut = rng.randrange(len(text) + 1)
            damaged = rng.choice([
                text[:cut], text[:cut] + "\\" + text[cut:], text[:cut] + '"""' + text[cut:],
                text[:cut] + "(" * 300 + text[cut:], text[:cut] + "'" + text[cut:],
                text[:cut] + "\n    import late\n" + text[cut:], text[:cut] + ":" + text[cut:]])
            strict_skeleton_facts(damaged)  # an error the skeleton did not foresee fails here
            found = quick_facts(damaged)
            full = extract_facts(damaged)
            if full.syntax_error is None:
                assert found in (full, _as_scanned(full))


CODEISH = st.lists(st.sampled_from(
    [*"ab _:.,;()[]{}#'\"\\=", "\n", "\n    ", "\t", "import ", "from ", "if ", "def f():",
     "try:", "except:", "sys.path", "__name__", '"""', "\\\n"]), max_size=60).map("".join)


@settings(max_examples=500, deadline=None)
@given(CODEISH)
def test_random_code_like_text_never_raises(text: str) -> None:
    warnings.simplefilter("ignore", DeprecationWarning)  # the parser on `"\["` and the like
    strict_skeleton_facts(text)  # an error the skeleton did not foresee fails here
    found = quick_facts(text)
    full = extract_facts(text)
    if full.syntax_error is None:
        assert found in (full, _as_scanned(full)), text


def test_deep_nesting_and_indentation_never_raise() -> None:
    for depth in (100, 1_000, 100_000):
        for text in ("x = " + "(" * depth + ")" * depth + "\nimport os\n",
                     "x = " + "[" * depth + "\nimport os\n",
                     "".join(" " * i + "if x:\n" for i in range(min(depth, 150)))
                     + " " * 150 + "import os\n"):
            strict_skeleton_facts(text)  # None or facts, never an exception
            quick_facts(text)  # a syntax error or facts, never an exception


def test_names_and_syntax_errors_come_from_a_full_parse(tmp_path: Path) -> None:
    """A skeleton leaves out top-level names and syntax errors outside what it keeps; a
    rule that needs them asks Workspace.parsed()."""
    (tmp_path / "mod.py").write_text("import os\ndef helper():\n    return 1\nVALUE = 2\n")
    (tmp_path / "broken.py").write_text("import os\nx = = 1\n")
    workspace = Workspace(tmp_path)
    scanned = workspace.source(tmp_path / "mod.py")
    assert scanned.facts.scanned and scanned.facts.top_level_names == frozenset()
    full = workspace.parsed(tmp_path / "mod.py")
    assert full.facts.top_level_names == {"os", "helper", "VALUE"}
    assert not full.facts.scanned
    assert workspace.source(tmp_path / "mod.py") is full  # kept: asked once
    assert workspace.source(tmp_path / "broken.py").facts.syntax_error is None
    assert workspace.parsed(tmp_path / "broken.py").facts.syntax_error is not None

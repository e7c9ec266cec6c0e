"""A deterministic monorepo generator: the same arguments always write the same bytes.

The tree looks like a real company monorepo written partly the scripty way:
- `libs/lib_NNN/src/lib_NNN/...` installable packages (src layout, pyproject.toml each);
- `services/svc_NNN/svc_NNN/...` flat-layout packages with `__init__.py` chains;
- `services/svc_NNN/scripts/*.py` loose scripts that import their siblings and patch sys.path
  (what dashm reports), with `__main__` guards;
- one large module (`services/svc_000/svc_000/big_module.py`, `big_lines` lines) for the
  editor latency benchmark.
Files mix docstrings, comments, f-strings, nested functions with local imports, try/except
ImportError fallbacks and `if TYPE_CHECKING:` blocks, so the scanner meets realistic text.
"""

from __future__ import annotations

import random
from pathlib import Path

STDLIB = ("os", "sys", "json", "re", "typing", "logging", "pathlib", "collections",
          "itertools", "functools", "dataclasses", "subprocess", "datetime", "hashlib")
FILES_PER_GROUP = 200
BIG_MODULE = Path("services/svc_000/svc_000/big_module.py")


def generate(root: Path, files: int, big_lines: int = 5000, seed: int = 6) -> Path:
    """Write about `files` Python files under `root`; returns the big module's path."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "monorepo"\nversion = "0"\n')
    written = 0
    group = 0
    big = root / BIG_MODULE
    while written < files:
        budget = min(FILES_PER_GROUP, files - written)
        if group % 3 == 2:
            written += _library(root, group, budget, rng)
        else:
            written += _service(root, group, budget, rng, big if group == 0 else None,
                                big_lines)
        group += 1
    return big


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _library(root: Path, group: int, budget: int, rng: random.Random) -> int:
    name = f"lib_{group:03d}"
    base = root / "libs" / name
    _write(base / "pyproject.toml", f'[project]\nname = "{name}"\nversion = "1.0"\n\n'
           '[tool.setuptools.packages.find]\nwhere = ["src"]\n')
    package = base / "src" / name
    return _package_tree(package, name, budget, rng)


def _service(root: Path, group: int, budget: int, rng: random.Random, big: Path | None,
             big_lines: int) -> int:
    name = f"svc_{group:03d}"
    base = root / "services" / name
    scripts = max(1, budget // 10)
    written = 0
    for number in range(scripts):
        _write(base / "scripts" / f"tool_{number:02d}.py", _script(number, scripts, rng))
        written += 1
    if big is not None and written < budget:
        _write(big, big_module(big_lines, name))
        written += 1
    return written + _package_tree(base / name, name, budget - written, rng)


def _package_tree(package: Path, name: str, budget: int, rng: random.Random) -> int:
    """`budget` files in `package`: __init__ files plus modules in sub-packages of 20."""
    written = 0
    sub = 0
    if budget <= 0:
        return 0
    _write(package / "__init__.py", f'"""The {name} package."""\n')
    written += 1
    while written < budget:
        folder = package / f"part_{sub:02d}"
        _write(folder / "__init__.py", f"from {name}.part_{sub:02d}.mod_00 import run\n"
               if written + 1 < budget else "")
        written += 1
        for number in range(min(19, budget - written)):
            _write(folder / f"mod_{number:02d}.py", _module(name, sub, number, rng))
            written += 1
        sub += 1
    return written


def _module(package: str, sub: int, number: int, rng: random.Random) -> str:
    lines = [f'"""Module {number} of {package}.part_{sub:02d}.', "",
             "Usage::", "", "    import os  # an example in a docstring, not an import",
             '"""', "", "from __future__ import annotations", ""]
    for module in sorted(rng.sample(STDLIB, 4)):
        lines.append(f"import {module}")
    lines.append("from typing import TYPE_CHECKING")
    if number:
        lines.append(f"from {package}.part_{sub:02d} import mod_{rng.randrange(number):02d}")
        lines.append(f"from . import mod_{rng.randrange(number):02d} as sibling")
    if sub:
        lines.append(f"from ..part_{rng.randrange(sub):02d} import mod_00 as other")
    lines += ["", "if TYPE_CHECKING:", "    from collections.abc import Iterator", "",
              "try:", "    import tomllib", "except ImportError:  # Python < 3.11",
              "    tomllib = None", ""]
    for index in range(rng.randrange(3, 7)):
        lines += _function(index, rng)
    lines += [f"class Thing{number}:", '    """A class with a method."""', "",
              "    def method(self, value: int) -> str:",
              "        text = f\"{value!r} and {{braces}} and {self}\"",
              "        return text.replace('\\'', \"\\\"\")", ""]
    if number % 5 == 0:
        lines += ["", 'if __name__ == "__main__":', "    print(run([1, 2, 3]))"]
    lines.append("")
    return "\n".join(lines)


def _function(index: int, rng: random.Random) -> list[str]:
    name = "run" if index == 0 else f"helper_{index}"
    body = [f"def {name}(items: list[int]) -> int:",
            f'    """Add things ({index}); see `import this` in the docs."""',
            "    total = 0  # a comment with 'quotes' and \"more\"",
            "    for item in items:",
            "        if item % 2:",
            "            total += item",
            "        else:",
            "            total -= (item",
            "                      * 2)"]
    if rng.random() < 0.3:
        body += ["    import math", "    total += int(math.sqrt(abs(total)))"]
    body += ["    return total", "", ""]
    return body


def _script(number: int, count: int, rng: random.Random) -> str:
    """A loose script the scripty way: a sys.path hack and an import of a sibling."""
    lines = ["#!/usr/bin/env python3",
             f'"""Tool {number}: run me as python tool_{number:02d}.py"""',
             "import os", "import sys", "",
             "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))", ""]
    if number:
        lines.append(f"import tool_{rng.randrange(number):02d}")
    lines += ["", "", "def main() -> int:", "    return len(sys.argv)", "", "",
              'if __name__ == "__main__":', "    sys.exit(main())", ""]
    return "\n".join(lines)


def big_module(line_count: int, package: str) -> str:
    """A module of about `line_count` lines: imports at the top, then many functions."""
    lines = ['"""A big module, for the editor latency benchmark."""', "",
             "from __future__ import annotations", ""]
    lines += [f"import {m}" for m in STDLIB]
    lines += [f"from {package}.part_00 import mod_0{n}" for n in range(5)]
    lines += ["from . import part_00", "", "EDITED = 0", ""]
    index = 0
    while len(lines) < line_count - 3:
        lines += [f"def function_{index}(value: int) -> int:",
                  f'    """Function {index}: returns the value plus {index}."""',
                  "    if value > 10:  # a comment",
                  f"        return value + {index}",
                  f"    return int('{index}')", "", ""]
        index += 1
    lines += ['if __name__ == "__main__":', "    print(function_0(1))", ""]
    return "\n".join(lines)


def count_lines(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("\n")

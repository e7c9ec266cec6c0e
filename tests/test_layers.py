"""dashm's layers are one-way: a module imports only from its own layer or lower ones.

Lowest first: base (`dashm/__init__.py`, `findings.py`, `cachedir.py`) -> model
(`dashm/workspace/`) -> rules (`dashm/rules/`) -> batch (`dashm/batch/`, `dashm check`) and lsp
(`dashm/lsp/`, the language server), siblings that never import each other -> cli (`cli.py`,
`__main__.py`). Every import counts: at module level, inside functions, under
`if TYPE_CHECKING:`, relative ones, and `importlib.import_module("dashm...")` with a literal name.
The files are parsed, not imported, so a violation is found even on a path no test runs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

SERVER = Path(__file__).resolve().parents[1] / "server"
# A module's layer is decided by its first name below `dashm`: `dashm.workspace.walk` is model.
LAYER_OF = {
    "dashm.findings": "base", "dashm.cachedir": "base",
    "dashm.workspace": "model",
    "dashm.rules": "rules",
    "dashm.batch": "batch", "dashm.lsp": "lsp",
    "dashm.cli": "cli", "dashm.__main__": "cli",
}
RANK = {"base": 0, "model": 1, "rules": 2, "batch": 3, "lsp": 3, "cli": 4}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "dashm":
        return None
    if len(parts) == 1:
        return "base"  # dashm/__init__.py: the version
    return LAYER_OF.get(".".join(parts[:2]))


def module_name(relative: str) -> tuple[str, bool]:
    """`dashm/workspace/walk.py` -> ("dashm.workspace.walk", False); an `__init__.py` names
    its package (True: relative imports in it start from the package itself)."""
    parts = relative.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def imported(module: str, is_package: bool, tree: ast.AST,
             known: set[str]) -> Iterator[tuple[int, str]]:
    """(line, module) for every dashm module the source imports, wherever the import is."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "dashm" or alias.name.startswith("dashm."):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            if not (source == "dashm" or source.startswith("dashm.")):
                continue
            for alias in node.names:  # `from dashm.workspace import cache` imports a module
                inner = f"{source}.{alias.name}"
                yield node.lineno, inner if inner in known else source
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and node.args[0].value.startswith("dashm")
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name)
                       and node.func.id in ("import_module", "__import__")))):
            yield node.lineno, node.args[0].value


def violations(sources: Mapping[str, str]) -> list[str]:
    """Every import that goes up a layer or sideways (batch <-> lsp), and every module in no
    layer; `sources` maps `dashm/...py` paths to their text."""
    names = {relative: module_name(relative) for relative in sources}
    known = {name for name, _ in names.values()}
    found = []
    for relative, text in sorted(sources.items()):
        module, is_package = names[relative]
        own = layer_of(module)
        if own is None:
            found.append(f"{relative} is in no layer: give {module} one in LAYER_OF "
                         "(tests/test_layers.py)")
            continue
        tree = ast.parse(text, relative)
        for line, target in sorted(set(imported(module, is_package, tree, known))):
            layer = layer_of(target)
            if layer is None:
                why = "which is in no layer"
            elif RANK[layer] > RANK[own]:
                why = f"{layer} above {own}"
            elif layer != own and RANK[layer] == RANK[own]:
                why = f"{layer} beside {own}: siblings never import each other"
            else:
                continue
            found.append(f"{relative} imports {target} ({why}) at line {line}")
    return found


def test_no_import_goes_up_or_sideways() -> None:
    sources = {path.relative_to(SERVER).as_posix(): path.read_text(encoding="utf-8")
               for path in sorted((SERVER / "dashm").rglob("*.py"))}
    assert "dashm/workspace/walk.py" in sources and "dashm/batch/runcache.py" in sources
    found = violations(sources)
    assert not found, "imports against the layering (lowest first: base -> model -> rules -> " \
        "batch | lsp -> cli):\n" + "\n".join(found)


def test_the_check_sees_every_kind_of_import() -> None:
    found = violations({
        "dashm/__init__.py": "",
        "dashm/findings.py": "import importlib\nimportlib.import_module('dashm.cli')\n",
        "dashm/workspace/__init__.py": "from dashm.workspace.walk import walk\n",
        "dashm/workspace/walk.py": "import os\n\ndef walk():\n"
                                   "    from dashm.rules.entrypoints import is_entry_file\n",
        "dashm/workspace/relative.py": "from ..batch import runcache\nfrom . import walk\n",
        "dashm/rules/__init__.py": "import dashm.lsp.server\nfrom dashm import findings\n",
        "dashm/batch/__init__.py": "",
        "dashm/batch/runcache.py": "from dashm import lsp, __version__\n",
        "dashm/lsp/__init__.py": "TYPE_CHECKING = False\nif TYPE_CHECKING:\n"
                                 "    from dashm.batch.results import CheckResult\n",
        "dashm/lsp/server.py": "from dashm.workspace import walk\nfrom dashm.rules import x\n"
                               "from . import actions\nimport dashm.nowhere\n",
        "dashm/cli.py": "from dashm.batch import runcache\nfrom dashm.lsp.server import serve\n",
        "dashm/extra/__init__.py": "",
    })
    assert found == [
        "dashm/batch/runcache.py imports dashm.lsp (lsp beside batch: siblings never import "
        "each other) at line 1",
        "dashm/extra/__init__.py is in no layer: give dashm.extra one in LAYER_OF "
        "(tests/test_layers.py)",
        "dashm/findings.py imports dashm.cli (cli above base) at line 2",
        "dashm/lsp/__init__.py imports dashm.batch.results (batch beside lsp: siblings never "
        "import each other) at line 3",
        "dashm/lsp/server.py imports dashm.nowhere (which is in no layer) at line 4",
        "dashm/rules/__init__.py imports dashm.lsp.server (lsp above rules) at line 1",
        "dashm/workspace/relative.py imports dashm.batch.runcache (batch above model) at line 1",
        "dashm/workspace/walk.py imports dashm.rules.entrypoints (rules above model) at line 4",
    ]

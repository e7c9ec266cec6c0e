"""Which of two modules an import means, decided from what the code takes from it.

When `import json` finds a local `json.py` in script mode and the standard library's in
module mode, the import statement alone cannot say which one the author meant. What the file
uses can: `json.dumps` present in the standard library's and absent from the local one means
the standard library; `from util import helper` with `helper` defined only in the local module
means the local one. Optional imports (`try: import wandb / except ImportError: wandb = None`)
and declared dependencies mean a third-party package, whatever is installed here.
A fix is offered only when the intent is clear.
"""

from __future__ import annotations

import ast
from typing import Literal

from dashm.rules.context import FileContext
from dashm.workspace.dependencies import normalize
from dashm.workspace.facts import ImportedName, ImportFact
from dashm.workspace.finder import Resolved

Meant = Literal["script", "module"]

# Attributes every module has: using them says nothing about which module is meant.
MODULE_ATTRIBUTES = frozenset({
    "__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__", "__path__",
    "__dict__", "__builtins__", "__cached__", "__class__",
})


def meant_target(ctx: FileContext, fact: ImportFact, alias: ImportedName | None,
                 in_script: Resolved, in_module: Resolved | None) -> Meant | None:
    """"script" when the file's use fits only the script-mode module (or module mode finds
    nothing and the use fits it), "module" when it fits only the module-mode one; None when
    the use does not tell them apart."""
    used = used_names(ctx, fact, alias)
    if in_module is None:
        # Module mode finds nothing, so the rewrite breaks no working import; only a use
        # that the local module cannot serve says it is not the one meant.
        if used is None or defines(ctx, in_script, used) is not False:
            return "script"
        return None
    if used is None:
        return None
    local = defines(ctx, in_script, used)
    other = defines(ctx, in_module, used)
    if local is True and other is False:
        return "script"
    if other is True and local is False:
        return "module"
    return None


def third_party_reason(ctx: FileContext, fact: ImportFact, top: str) -> str | None:
    """Why the import means a third-party distribution, or None: it is declared as a
    dependency, or imported optionally (a try whose ImportError handler has no import of it
    that would replace it)."""
    if normalize(top) in ctx.project.dependencies:
        return "a declared dependency"
    if fact.context.guard is not None and fact.context.guard[1] == "body":
        return "imported optionally"
    return None


def used_names(ctx: FileContext, fact: ImportFact,
               alias: ImportedName | None) -> frozenset[str] | None:
    """The names the file takes from the imported module; None when that cannot be read."""
    if alias is None:
        names = frozenset(a.name for a in fact.names)
        return None if "*" in names else names
    if "." in alias.name and not alias.asname:
        return None  # `import a.b` binds `a`: uses of `a.b.x` are not worth untangling
    tree = _tree(ctx)
    if tree is None:
        return None
    bound = alias.asname or alias.name
    return frozenset(_attributes_of(tree, bound) - MODULE_ATTRIBUTES)


def defines(ctx: FileContext, module: Resolved, names: frozenset[str]) -> bool | None:
    """Every name is defined at the top of `module` or is its submodule; None when the
    module cannot be read precisely (compiled, builtin, star imports, `__getattr__`)."""
    defined = _top_level_names(ctx, module)
    for name in names:
        if defined is not None and name in defined:
            continue
        if module.search_locations and ctx.workspace.folders.find(name,
                                                                  module.search_locations):
            continue
        if defined is None:
            return None
        return False
    return True


def _top_level_names(ctx: FileContext, module: Resolved) -> frozenset[str] | None:
    if module.kind == "namespace":
        return frozenset()  # a namespace package has nothing but its submodules
    if module.kind not in ("module", "package") or module.path is None \
            or module.path.suffix != ".py":
        return None
    source = ctx.workspace.parsed(module.path)
    facts = getattr(source, "facts", None)
    if facts is None or facts.syntax_error is not None:
        return None
    if "__getattr__" in facts.top_level_names or any(
            a.name == "*" for i in facts.imports for a in i.names):
        return None
    return facts.top_level_names


_TREES: dict[int, tuple[str, ast.Module | None]] = {}


def _tree(ctx: FileContext) -> ast.Module | None:
    """The file's syntax tree, parsed once per text (only files with a DM101/DM105
    candidate get here, so the cold path stays a skeleton scan)."""
    text = ctx.source.text
    cached = _TREES.get(id(ctx.source))
    if cached is not None and cached[0] is text:
        return cached[1]
    try:
        tree: ast.Module | None = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    if len(_TREES) > 64:
        _TREES.clear()
    _TREES[id(ctx.source)] = (text, tree)
    return tree


def _attributes_of(tree: ast.Module, bound: str) -> set[str]:
    """`bound.x` and `hasattr(bound, "x")` / `getattr(bound, "x", ...)` anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == bound:
            found.add(node.attr)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("hasattr", "getattr") and len(node.args) >= 2:
            target, attribute = node.args[0], node.args[1]
            if isinstance(target, ast.Name) and target.id == bound \
                    and isinstance(attribute, ast.Constant) \
                    and isinstance(attribute.value, str):
                found.add(attribute.value)
    return found

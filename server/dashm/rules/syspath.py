"""DM103: `sys.path` mutated so imports work when a file is run by path.

The fix deletes the mutation (and the imports only it used) when every import of the file
already resolves in module mode without it; otherwise the finding stands without a fix.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from dashm.findings import Finding, Fix, Position, Range, Severity, TextEdit
from dashm.rules.context import FileContext
from dashm.rules.edits import apply_edits
from dashm.workspace.facts import LineIndex, SysPathMutation


def check_sys_path(ctx: FileContext) -> Iterator[Finding]:
    for mutation in ctx.source.facts.sys_path_mutations:
        if mutation.in_function:
            continue  # run-time path management (plugins, tests), not an import hack
        remedy = ctx.tool_remedy
        if remedy:
            yield Finding(ctx.path, mutation.range, "DM103",
                          f"`{mutation.description}` changes where imports are found; "
                          f"{remedy}", Severity.INFORMATION)
            continue
        run = ctx.run_hint()
        how = (f"run it as {run}" if run else "run it as a module from its import root")
        fix = _removal_fix(ctx, mutation)
        outcome = ("every import here resolves that way without it" if fix else
                   "then the imports it serves resolve through the package")
        yield Finding(ctx.path, mutation.range, "DM103",
                      f"`{mutation.description}` patches sys.path so imports work when the file "
                      f"is run by path; {how}: {outcome}", Severity.WARNING, fix)


def _removal_fix(ctx: FileContext, mutation: SysPathMutation) -> Fix | None:
    if mutation.removal is None or mutation.in_function or ctx.location.module is None:
        return None
    if not all(_resolves_in_module_mode(ctx, fact) for fact in ctx.imports()):
        return None
    text = ctx.source.text
    removal = TextEdit(ctx.path, mutation.removal, "")
    removed_text = _slice(text, mutation.removal)
    after = apply_edits(text, [removal])
    edits = [removal, *_unused_import_edits(ctx.path, mutation.removal, after, removed_text)]
    try:
        ast.parse(apply_edits(text, edits))
    except SyntaxError:
        return None
    return Fix(f"Remove `{mutation.description}`", tuple(edits))


def _resolves_in_module_mode(ctx: FileContext, fact) -> bool:  # type: ignore[no-untyped-def]
    if fact.level:
        package = ctx.location.package
        return bool(package) and fact.level <= len(package.split("."))
    names = [fact.module] if fact.is_from else [a.name for a in fact.names]
    return all(name and ctx.in_module_mode(name) is not None for name in names)


def _slice(text: str, r: Range) -> str:
    index = LineIndex(text)
    return text[index.offset(r.start): index.offset(r.end)]


def _unused_import_edits(path: Path, removal: Range, after: str,
                         removed: str) -> list[TextEdit]:
    """Delete top-level imports that only the removed statement used."""
    try:
        removed_names = _loaded_names(ast.parse(removed.strip() or "pass"))
    except SyntaxError:  # an `if` header without its body cannot happen: whole statements
        return []
    try:
        tree = ast.parse(after)
    except SyntaxError:
        return []
    still_used = _loaded_names(tree)
    edits = []
    # The removal deletes whole lines [first, last): map `after` lines back to `original`.
    first, last = removal.start.line, removal.end.line
    for node in tree.body:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if len(node.names) != 1 or node.end_lineno != node.lineno:
            continue
        alias = node.names[0]
        bound = alias.asname or alias.name.split(".")[0]
        if bound in removed_names and bound not in still_used:
            line = node.lineno - 1
            line = line if line < first else line + (last - first)
            edits.append(TextEdit(path, Range(Position(line, 0), Position(line + 1, 0)), ""))
    return edits


def _loaded_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
    # `__all__` entries count as uses.
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__"
                                                 for t in node.targets)):
            for element in ast.walk(node.value):
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    names.add(element.value)
    return names

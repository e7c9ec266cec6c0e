"""Where one file uses a name an import binds: the text ranges a module rename must change.

`import json` binds `json`; after `json.py` becomes `json_utils.py` the file's `json.dumps(x)`
must read `json_utils.dumps(x)`. `import a.json` binds `a`, and `a.json.f()` must become
`a.json_utils.f()`. Only names the file binds nowhere else are followed: a parameter, an
assignment or a `global` of the same name means scopes dashm does not model, and the caller
then keeps the old name as an alias (`import json_utils as json`) or refuses.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from dashm.findings import Range
from dashm.workspace.facts import LineIndex


class Uses:
    """The uses of names bound by imports in one file's text (parsed once)."""

    def __init__(self, text: str) -> None:
        tree = ast.parse(text)
        self.index = LineIndex(text)
        self._bound_elsewhere = _non_import_bindings(tree)
        # (one walk of the tree: a file is asked about each name it imports)
        nodes = list(ast.walk(tree))
        self._names = [n for n in nodes if isinstance(n, ast.Name)]
        self._attributes = [n for n in nodes if isinstance(n, ast.Attribute)]

    def followable(self, name: str) -> bool:
        """Whether every binding of `name` in the file is an import statement."""
        return name not in self._bound_elsewhere

    def names(self, name: str) -> list[Range] | None:
        """The ranges of every use of the bare name; None if one cannot be placed exactly."""
        found = []
        for node in self._names:
            if node.id == name:
                where = self._exact(node.lineno, node.col_offset, node.end_lineno,
                                    node.end_col_offset, name)
                if where is None:
                    return None
                found.append(where)
        return found

    def attributes(self, name: str, chain: list[str]) -> list[Range] | None:
        """The ranges of the last attribute of every `name.chain[0]...chain[-1]`; None if one
        cannot be placed exactly (an attribute split over lines)."""
        found = []
        for node in self._attributes:
            if _is_chain(node, name, chain):
                assert node.end_lineno is not None and node.end_col_offset is not None
                attr = chain[-1]
                end = self.index.column(node.end_lineno, node.end_col_offset)
                line = self.index.lines[node.end_lineno - 1]
                if line[end - len(attr):end] != attr:
                    return None
                found.append(Range.of(node.end_lineno - 1, end - len(attr),
                                      node.end_lineno - 1, end))
        return found

    def attribute_names(self, name: str) -> set[str]:
        """The attributes read through the bare name: {`dumps`} for `json.dumps(x)`."""
        return {node.attr for node in self._attributes
                if isinstance(node.value, ast.Name) and node.value.id == name}

    def _exact(self, line: int, column: int, end_line: int | None, end_column: int | None,
               text: str) -> Range | None:
        if end_line != line or end_column is None:
            return None
        start, end = self.index.column(line, column), self.index.column(line, end_column)
        if self.index.lines[line - 1][start:end] != text:
            return None  # (a name inside an f-string whose position Python does not keep)
        return Range.of(line - 1, start, line - 1, end)


def _is_chain(node: ast.Attribute, name: str, chain: list[str]) -> bool:
    current: ast.expr = node
    for attr in reversed(chain):
        if not isinstance(current, ast.Attribute) or current.attr != attr:
            return False
        current = current.value
    return isinstance(current, ast.Name) and current.id == name


def _non_import_bindings(tree: ast.Module) -> set[str]:
    """Every name the file binds other than by an import (or declares global/nonlocal)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        found.update(_bound_by(node))
    return found


def _bound_by(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
        yield node.id
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name
    elif isinstance(node, ast.arg):
        yield node.arg
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        yield from node.names
    elif isinstance(node, ast.ExceptHandler) and node.name:
        yield node.name
    elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        yield node.name
    elif isinstance(node, ast.MatchMapping) and node.rest:
        yield node.rest

"""What folder a `sys.path` change adds, read from the statement without running it.

DM103's advice depends on it: the file's own folder is already `sys.path[0]` when the file is
run by path (dead code), the working folder in a main block is deliberate, and a folder that can
be worked out (`os.path.join(os.path.dirname(__file__), "..")`) lets the fix check exactly which
imports would land elsewhere without it. Anything else is `Target(None, ...)`: unknown.

Names are followed through module-level assignments in source order (`HERE =
os.path.dirname(os.path.abspath(__file__))`, `ROOT = Path(__file__).resolve().parent`), and
functions are recognised by their last name (`os.path.dirname`, `dirname`, `osp.dirname`), so
import aliases do not matter. Only the text is read: nothing is imported or executed.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

from dashm.findings import Range
from dashm.workspace.facts import LineIndex, SysPathMutation

WORKING_FOLDER = "working folder"  # os.getcwd(), ".", "": whatever folder python runs in
# Calls that keep the folder their one argument names (absolute or not, str or Path).
_SAME_FOLDER_CALLS = frozenset({"str", "fspath", "abspath", "realpath", "normpath", "Path",
                                "PurePath", "PosixPath", "WindowsPath"})
_SAME_FOLDER_METHODS = frozenset({"resolve", "absolute", "as_posix", "__fspath__"})
_CWD_CALLS = frozenset({"getcwd", "getcwdb", "cwd"})


@dataclass(frozen=True)
class Target:
    """The folder a change adds (None if unknown, WORKING_FOLDER for the current folder) and
    whether it goes first (`insert(0, ...)`, `[x] + sys.path`, `[:0] = `) or last."""

    folder: Path | str | None
    first: bool


def targets(text: str, path: Path, mutations: list[SysPathMutation],
            working: Path | None = None) -> dict[Range, Target]:
    """The target of each module-level mutation, keyed by its range; {} if the text does not
    parse (a skeleton's facts do not promise that it does) or nests too deep. With `working`
    (a notebook's kernel folder) the working folder is known: relative paths ('..',
    '../src') and `os.getcwd()` name folders from there."""
    try:
        tree = ast.parse(text)
        return _Reader(LineIndex(text), path, {m.range for m in mutations},
                       working).read(tree.body)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}


class _Reader:
    def __init__(self, index: LineIndex, path: Path, wanted: set[Range],
                 working: Path | None = None) -> None:
        self.index = index
        self.working: Path | str = working if working is not None else WORKING_FOLDER
        self.file = Path(os.path.abspath(path))
        self.wanted = wanted
        self.names: dict[str, Path | str | None] = {}
        self.found: dict[Range, Target] = {}

    def read(self, body: list[ast.stmt]) -> dict[Range, Target]:
        for stmt in _module_level(body):
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.names[target.id] = self.value(stmt.value)
            if isinstance(stmt, (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)):
                where = self.index.node_range(stmt)
                if where in self.wanted:
                    self.found[where] = self.target(stmt)
        return self.found

    def target(self, stmt: ast.stmt) -> Target:
        """What one sys.path statement adds: known only if everything it adds is the same
        known folder."""
        added, first = _added(stmt)
        folders = {self.folder(expr) for expr in added}
        folder = folders.pop() if len(folders) == 1 else None
        return Target(folder, first)

    def folder(self, expr: ast.expr) -> Path | str | None:
        """The folder an expression names, normalised (no `..`), if it can be told."""
        value = self.value(expr)
        return None if value == self.file else value  # the file itself is not a folder

    def value(self, expr: ast.expr) -> Path | str | None:
        """The path an expression evaluates to: this file, a folder, the working folder."""
        expr = self._unwrapped(expr)
        if isinstance(expr, ast.Name):
            return self.file if expr.id == "__file__" else self.names.get(expr.id)
        if isinstance(expr, ast.Constant) and expr.value in (".", ""):
            return self.working
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str) and \
                isinstance(self.working, Path):
            return Path(os.path.normpath(self.working / expr.value))
        if isinstance(expr, ast.Attribute):
            if expr.attr == "curdir":
                return self.working
            if expr.attr == "parent":
                return _parent(self.value(expr.value))
        if isinstance(expr, ast.Subscript):
            return self._subscript(expr)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            return _joined(self.value(expr.left), [expr.right])
        if isinstance(expr, ast.Call):
            return self._call(expr)
        return None

    def _call(self, call: ast.Call) -> Path | str | None:
        name = _called_name(call.func)
        if name in _CWD_CALLS and not call.args:
            return self.working
        if name in ("Path", "PurePath") and not call.args:
            return self.working  # Path() is "."
        if name == "dirname" and len(call.args) == 1:
            return _parent(self.value(call.args[0]))
        if name in ("join", "joinpath") and call.args:
            if name == "joinpath" and isinstance(call.func, ast.Attribute):
                return _joined(self.value(call.func.value), call.args)
            return _joined(self.value(call.args[0]), call.args[1:])
        return None

    def _subscript(self, expr: ast.Subscript) -> Path | str | None:
        """`Path(__file__).parents[1]`, `os.path.split(__file__)[0]`."""
        index = expr.slice
        if not (isinstance(index, ast.Constant) and isinstance(index.value, int)):
            return None
        inner = expr.value
        if isinstance(inner, ast.Attribute) and inner.attr == "parents":
            value = self.value(inner.value)
            for _ in range(index.value + 1):
                value = _parent(value)
            return value
        if isinstance(inner, ast.Call) and _called_name(inner.func) == "split" \
                and len(inner.args) == 1 and index.value == 0:
            return _parent(self.value(inner.args[0]))
        return None

    @staticmethod
    def _unwrapped(expr: ast.expr) -> ast.expr:
        """`str(x)`, `os.path.abspath(x)`, `x.resolve()`...: the folder of `x` itself."""
        while isinstance(expr, ast.Call):
            name = _called_name(expr.func)
            method = isinstance(expr.func, ast.Attribute) and name in _SAME_FOLDER_METHODS
            if method and not expr.args:
                expr = expr.func.value  # type: ignore[union-attr]
            elif not method and name in _SAME_FOLDER_CALLS and len(expr.args) == 1:
                expr = expr.args[0]
            else:
                break
        return expr


def _module_level(body: list[ast.stmt]):  # type: ignore[no-untyped-def]
    """Statements that run when the module runs, in source order (not function or class
    bodies)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _module_level(getattr(stmt, field, []) or [])
        for handler in getattr(stmt, "handlers", []) or []:
            yield from _module_level(handler.body)
        for case in getattr(stmt, "cases", []) or []:
            yield from _module_level(case.body)


def _added(stmt: ast.stmt) -> tuple[list[ast.expr], bool]:
    """The expressions a sys.path statement adds, and whether they go first."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        call = stmt.value
        method = call.func.attr if isinstance(call.func, ast.Attribute) else "addsitedir"
        if method == "insert":
            first = bool(call.args) and isinstance(call.args[0], ast.Constant) \
                and call.args[0].value == 0
            return list(call.args[1:2]), first
        if method == "extend":
            return (_elements(call.args[0]) if call.args else []), False
        return list(call.args[:1]), False
    if isinstance(stmt, ast.AugAssign):
        return _elements(stmt.value), False
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        if isinstance(target, ast.Subscript):  # path[:0] = [...], path[0] = x
            value = stmt.value
            return (_elements(value) if isinstance(target.slice, ast.Slice) else [value]), True
        value = stmt.value
        first = not (isinstance(value, ast.BinOp) and _is_path(value.left))
        return _elements(value), first
    return [], False


def _elements(expr: ast.expr) -> list[ast.expr]:
    """Items of `[a, b]`, `[a] + sys.path + [b]` (sys.path itself left out); an expression
    that is not a literal list stands for itself (and is unknown)."""
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        return list(expr.elts)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return [e for side in (expr.left, expr.right) if not _is_path(side)
                for e in _elements(side)]
    return [expr]


def _is_path(expr: ast.expr) -> bool:
    """`sys.path`, `path`, `sys.path[1:]`: the old list, kept."""
    if isinstance(expr, ast.Subscript):
        expr = expr.value
    return (isinstance(expr, ast.Attribute) and expr.attr == "path") or (
        isinstance(expr, ast.Name) and expr.id == "path")


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _parent(value: Path | str | None) -> Path | str | None:
    return value.parent if isinstance(value, Path) else None


def _joined(base: Path | str | None, parts: list[ast.expr]) -> Path | str | None:
    if not isinstance(base, Path):
        return None
    for part in parts:
        if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
            return None
        if os.path.isabs(part.value):
            return None
        base = base / part.value
    return Path(os.path.normpath(base))

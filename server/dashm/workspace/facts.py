"""Facts: what one Python file says about imports and running, extracted without executing it.

`extract_facts(text)` parses once with `ast` and records every import (with the exact range of
the name as written), every `sys.path` / `site.addsitedir` mutation, `__main__` guards and
top-level definitions, each with the context that decides how a rule must treat it: inside a
function, under `if TYPE_CHECKING:`, in a `try/except ImportError` fallback, conditional.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TypeVar

from dashm.findings import Position, Range

IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.I)
SYS_PATH_METHODS = frozenset({"insert", "append", "extend"})


@dataclass(frozen=True)
class ImportContext:
    in_function: bool = False
    type_checking: bool = False
    conditional: bool = False
    main_guard: bool = False
    # (line of the `try` statement, "body" or "handler") for try/except ImportError fallbacks
    # (a line holds at most one `try`, and the number is the same in every parse).
    guard: tuple[int, str] | None = None


@dataclass(frozen=True)
class ImportedName:
    name: str
    asname: str | None
    range: Range


@dataclass(frozen=True)
class ImportFact:
    """`import a.b as c` (module None) or `from ..a.b import c` (module "a.b", level 2)."""

    module: str | None
    level: int
    names: tuple[ImportedName, ...]
    statement: Range
    context: ImportContext
    # For `from` imports: the module name as written, and the dots plus name (what a rewrite
    # replaces). None for `import` statements.
    module_range: Range | None = None
    target_range: Range | None = None
    # True when no other statement shares the statement's lines, so it can be rewritten whole.
    own_lines: bool = True
    indent: str = ""

    @property
    def is_from(self) -> bool:
        return self.module is not None or self.level > 0


@dataclass(frozen=True)
class SysPathMutation:
    """A statement that changes `sys.path`; `removal` is what a fix would delete, if safe."""

    range: Range
    description: str
    removal: Range | None
    in_function: bool = False
    main_guard: bool = False


@dataclass(frozen=True)
class SyntaxProblem:
    message: str
    position: Position


@dataclass(frozen=True)
class FileFacts:
    imports: tuple[ImportFact, ...] = ()
    sys_path_mutations: tuple[SysPathMutation, ...] = ()
    main_guards: tuple[Range, ...] = ()
    top_level_names: frozenset[str] = frozenset()
    noqa: dict[int, frozenset[str] | None] = field(default_factory=dict)
    syntax_error: SyntaxProblem | None = None
    shebang: bool = False
    # True for facts read from a skeleton (skeleton.py): the imports, sys.path changes and
    # guards are those of a full parse, but the syntax was not checked and top_level_names
    # is empty. Workspace.parsed() gives the full facts where those matter.
    scanned: bool = False

    @property
    def runnable_by_path(self) -> bool:
        """A `__main__` guard and no module-level relative import: `python file.py` can work."""
        return bool(self.main_guards) and not any(
            i.level and not i.context.in_function for i in self.imports)

    def imports_name(self, top: str) -> bool:
        """Some absolute import here names the top-level module `top`."""
        for fact in self.imports:
            if fact.level:
                continue
            names = [fact.module] if fact.is_from else [a.name for a in fact.names]
            if any(n and n.split(".")[0] == top for n in names):
                return True
        return False


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, broken only where the tokenizer breaks them (not at \\f)."""
    return _LINE.findall(text) or [""]


class LineIndex:
    """Converts between ast's (1-based line, UTF-8 byte column) and code-point positions."""

    def __init__(self, text: str, lines: list[str] | None = None) -> None:
        self.lines = split_lines(text) if lines is None else lines
        self._text: str | None = text if lines is None else None
        self._starts: list[int] | None = None

    @classmethod
    def of_lines(cls, lines: list[str]) -> LineIndex:
        """An index over lines already split (the text is joined only if someone asks)."""
        return cls("", lines)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self.lines)
        return self._text

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = list(accumulate(map(len, self.lines), initial=0))
        return self._starts

    def column(self, lineno: int, byte_col: int) -> int:
        """The code-point column of ast's UTF-8 byte column on (1-based) line `lineno`."""
        line = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        if not line.isascii():
            byte_col = len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))
        return byte_col

    def offset(self, position: Position) -> int:
        return self.starts[min(position.line, len(self.lines))] + position.column

    def position_at(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset) - 1
        line = min(line, len(self.lines) - 1)
        return _position(line, offset - self.starts[line])

    def node_range(self, node: ast.AST) -> Range:
        line, end_line = node.lineno, node.end_lineno  # type: ignore[attr-defined]
        return _range_of(line - 1, self.column(line, node.col_offset),  # type: ignore[attr-defined]
                         end_line - 1, self.column(end_line, node.end_col_offset))  # type: ignore[attr-defined]


def extract_facts(text: str, plain_lines: set[int] | None = None,
                  name_counts: dict[str, int] | None = None) -> FileFacts:
    """All facts of one file's text; a file that does not parse yields only `syntax_error`.

    `plain_lines`, if given, receives the (0-based) lines that hold one simple statement of a
    function body on one line: an edit inside such a line cannot change the facts (see
    incremental.py). `name_counts`, if given, receives how many module-level statements bind
    each top-level name."""
    noqa = _noqa_comments(text)
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        line = max((error.lineno or 1) - 1, 0)
        column = max((error.offset or 1) - 1, 0)
        return FileFacts(noqa=noqa, syntax_error=SyntaxProblem(error.msg, Position(line, column)))
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, absurd nesting
        return FileFacts(noqa=noqa, syntax_error=SyntaxProblem(str(error), Position(0, 0)))
    if name_counts is not None:
        for node in tree.body:
            bound: set[str] = set()
            _names_bound_by(node, bound)
            for name in bound:
                name_counts[name] = name_counts.get(name, 0) + 1
    collector = _collected(tree, LineIndex(text), plain_lines)
    if collector is None:
        return FileFacts(noqa=noqa, syntax_error=SyntaxProblem("nesting too deep to analyse",
                                                               Position(0, 0)))
    if plain_lines is not None and collector.renames_hooks:
        plain_lines.clear()  # `p.append(x)` would look plain: no edit is known to be safe
    return FileFacts(
        imports=tuple(collector.imports),
        sys_path_mutations=tuple(collector.mutations),
        main_guards=tuple(collector.main_guards),
        top_level_names=_intern(frozenset(_top_level_names(tree))),
        noqa=noqa,
        shebang=text.startswith("#!"),
    )


def facts_of_skeleton(tree: ast.Module, lines: list[str], text: str) -> FileFacts | None:
    """The facts a skeleton's tree holds (see skeleton.py): `lines` are the skeleton's lines,
    `text` the whole file's text (for `# noqa` and the shebang). None if it nests too deep."""
    collector = _collected(tree, LineIndex.of_lines(lines))
    if collector is None:
        return None
    return FileFacts(
        imports=tuple(collector.imports),
        sys_path_mutations=tuple(collector.mutations),
        main_guards=tuple(collector.main_guards),
        noqa=_noqa_comments(text),
        shebang=text.startswith("#!"),
        scanned=True,
    )


def _collected(tree: ast.Module, index: LineIndex,
               plain_lines: set[int] | None = None) -> _Collector | None:
    """A collector that has read `tree` (a full parse or a skeleton); None if it nests too
    deep to walk."""
    collector = _Collector(index)
    collector.plain = plain_lines
    try:
        collector.visit_body(tree.body, ImportContext())
    except RecursionError:
        return None
    return collector


def _noqa_comments(text: str) -> dict[int, frozenset[str] | None]:
    """Line -> codes silenced there; None means a bare `# noqa` (everything)."""
    found: dict[int, frozenset[str] | None] = {}
    if "noqa" not in text.lower():
        return found
    for number, line in enumerate(split_lines(text)):
        match = NOQA.search(line)
        if match:
            codes = match.group("codes")
            found[number] = (frozenset(c.strip().upper() for c in codes.split(","))
                             if codes else None)
    return found


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        _names_bound_by(node, names)
    return names


def _names_bound_by(node: ast.stmt, names: set[str]) -> None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.add(node.name)
    elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name):
                    names.add(sub.id)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            names.add(alias.asname or alias.name.split(".")[0])
    elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                _names_bound_by(child, names)
            elif isinstance(child, ast.ExceptHandler):
                for stmt in child.body:
                    _names_bound_by(stmt, names)
    elif hasattr(ast, "TryStar") and isinstance(node, ast.TryStar):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                _names_bound_by(child, names)


def is_main_guard(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _catches_import_error(handlers: list[ast.ExceptHandler]) -> bool:
    for handler in handlers:
        if handler.type is None:
            return True
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for kind in kinds:
            name = kind.id if isinstance(kind, ast.Name) else getattr(kind, "attr", None)
            if name in IMPORT_ERRORS:
                return True
    return False


class _Collector:
    def __init__(self, index: LineIndex) -> None:
        self.index = index
        self.imports: list[ImportFact] = []
        self.mutations: list[SysPathMutation] = []
        self.main_guards: list[Range] = []
        self.sys_names = {"sys"}
        self.site_names = {"site"}
        # Names bound by `from sys import path [as p]` and `from site import addsitedir [as a]`.
        self.path_names: set[str] = set()
        self.addsitedir_names: set[str] = set()
        self.plain: set[int] | None = None

    @property
    def renames_hooks(self) -> bool:
        """`from sys import path as p` (or addsitedir as a): an edit that looks plain to
        incremental.py (which looks for the words path and addsitedir) could add a change."""
        return bool(self.path_names - {"path"} or self.addsitedir_names - {"addsitedir"})

    def visit_body(self, body: list[ast.stmt], context: ImportContext,
                   parent_removable: ast.stmt | None = None) -> None:
        for stmt in body:
            self.visit(stmt, context, body, parent_removable)

    def _may_hold_facts(self, stmt: ast.stmt) -> bool:
        """Whether a function's text has what any fact needs: `import`, `__main__`, or a name
        bound to `sys` or `site` (for sys.path changes). Most bodies have none, and walking
        them is a third of a cold scan."""
        text = "".join(self.index.lines[stmt.lineno - 1:stmt.end_lineno])
        return "import" in text or "__main__" in text or any(
            name in text for name in (*self.sys_names, *self.site_names, *self.path_names,
                                      *self.addsitedir_names))

    def _owns_lines(self, stmt: ast.stmt) -> bool:
        """No other statement shares the lines: only blanks before it, a comment after."""
        index, end = self.index, stmt.end_lineno or stmt.lineno
        before = index.lines[stmt.lineno - 1][:index.column(stmt.lineno, stmt.col_offset)]
        after = index.lines[end - 1][index.column(end, stmt.end_col_offset or 0):].strip()
        return before.strip() == "" and (after == "" or after.startswith("#"))

    def visit(self, stmt: ast.stmt, context: ImportContext, body: list[ast.stmt],
              parent_removable: ast.stmt | None) -> None:
        if isinstance(stmt, ast.Import):
            self._import(stmt, context)
        elif isinstance(stmt, ast.ImportFrom):
            if stmt.module != "__future__":
                self._import(stmt, context)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if self.plain is None and not self._may_hold_facts(stmt):
                return  # a cold scan skips bodies that cannot hold an import or a guard
            self.visit_body(stmt.body, _replace(context, in_function=True))
        elif isinstance(stmt, ast.ClassDef):
            self.visit_body(stmt.body, context)
        elif isinstance(stmt, ast.If):
            self._if(stmt, context, body)
        elif isinstance(stmt, ast.Try) or (hasattr(ast, "TryStar")
                                            and isinstance(stmt, ast.TryStar)):
            self._try(stmt, context)
        elif isinstance(stmt, (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)):
            inner = _replace(context, conditional=context.conditional
                             or not isinstance(stmt, (ast.With, ast.AsyncWith)))
            self.visit_body(stmt.body, inner)
            self.visit_body(getattr(stmt, "orelse", []), inner)
        elif hasattr(ast, "Match") and isinstance(stmt, ast.Match):
            for case in stmt.cases:
                self.visit_body(case.body, _replace(context, conditional=True))
        else:
            if self.plain is not None and context.in_function \
                    and stmt.lineno == stmt.end_lineno:
                self.plain.add(stmt.lineno - 1)
            self._maybe_mutation(stmt, context, body, parent_removable)

    def _if(self, stmt: ast.If, context: ImportContext, body: list[ast.stmt]) -> None:
        if is_main_guard(stmt.test):
            self.main_guards.append(self.index.node_range(stmt.test))
            self.visit_body(stmt.body, _replace(context, main_guard=True))
            self.visit_body(stmt.orelse, _replace(context, conditional=True))
        elif _is_type_checking(stmt.test):
            self.visit_body(stmt.body, _replace(context, type_checking=True))
            self.visit_body(stmt.orelse, _replace(context, conditional=True))
        else:
            # `if path not in sys.path: sys.path.insert(...)` is removed whole.
            wrapper = stmt if not stmt.orelse and self._owns_lines(stmt) else None
            self.visit_body(stmt.body, _replace(context, conditional=True), wrapper)
            self.visit_body(stmt.orelse, _replace(context, conditional=True))

    def _try(self, stmt: ast.Try, context: ImportContext) -> None:
        if _catches_import_error(stmt.handlers):
            self.visit_body(stmt.body, _replace(context, guard=(stmt.lineno, "body")))
            for handler in stmt.handlers:
                self.visit_body(handler.body, _replace(context, guard=(stmt.lineno, "handler")))
        else:
            self.visit_body(stmt.body, context)
            for handler in stmt.handlers:
                self.visit_body(handler.body, _replace(context, conditional=True))
        self.visit_body(stmt.orelse, context)
        self.visit_body(stmt.finalbody, context)

    def _import(self, stmt: ast.Import | ast.ImportFrom, context: ImportContext) -> None:
        names = tuple(
            _intern(ImportedName(alias.name, alias.asname, self._alias_range(stmt, alias)))
            for alias in stmt.names
        )
        self._note_hook_names(stmt)
        statement = self.index.node_range(stmt)
        indent = self.index.lines[stmt.lineno - 1][: statement.start.column]
        if isinstance(stmt, ast.Import):
            self.imports.append(_intern(ImportFact(None, 0, names, statement, context,
                                                   own_lines=self._owns_lines(stmt),
                                                   indent=indent)))
            return
        module_range, target_range = self._from_target(statement, stmt.module)
        self.imports.append(_intern(ImportFact(stmt.module, stmt.level, names, statement,
                                               context, module_range, target_range,
                                               self._owns_lines(stmt), indent)))

    def _note_hook_names(self, stmt: ast.Import | ast.ImportFrom) -> None:
        """Remember the names later statements can change sys.path through."""
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "sys":
                    self.sys_names.add(alias.asname or "sys")
                elif alias.name == "site":
                    self.site_names.add(alias.asname or "site")
            return
        hooks = {"sys": ("path", self.path_names),
                 "site": ("addsitedir", self.addsitedir_names)}.get(stmt.module or "")
        if hooks is None or stmt.level:
            return
        for alias in stmt.names:
            if alias.name == hooks[0]:
                hooks[1].add(alias.asname or alias.name)

    def _alias_range(self, stmt: ast.stmt, alias: ast.alias) -> Range:
        if getattr(alias, "lineno", None) is not None:  # Python 3.10+
            return self.index.node_range(alias)
        return self.index.node_range(stmt)

    def _from_target(self, statement: Range, module: str | None) -> tuple[Range, Range]:
        """Ranges of `a.b` and of `..a.b` in `from ..a.b import c`, read from the text of the
        statement's own lines."""
        lines = self.index.lines[statement.start.line:statement.end.line + 1]
        text = "".join(lines)
        offset = self._skip_blank(text, statement.start.column + len("from"))
        target_start = offset
        while text.startswith(".", offset):
            offset = self._skip_blank(text, offset + 1)
        module_start = module_end = offset
        for number, part in enumerate((module or "").split(".") if module else []):
            if number:
                offset = self._skip_blank(text, offset)
                if not text.startswith(".", offset):
                    break
                offset = self._skip_blank(text, offset + 1)
            if not text.startswith(part, offset):  # NFKC-normalised name: keep what we have
                break
            offset += len(part)
            module_end = offset
        if module is None:  # `from . import x`: the target is the dots alone
            module_end = module_start = max(target_start, module_start)
            dots_end = target_start
            while dots_end < len(text) and text[dots_end] in ". \t":
                dots_end += 1
            target_end = len(text[:dots_end].rstrip(" \t"))
        else:
            target_end = module_end
        starts = list(accumulate(map(len, lines), initial=0))

        def at(offset: int) -> tuple[int, int]:
            line = min(bisect.bisect_right(starts, offset) - 1, len(lines) - 1)
            return statement.start.line + line, offset - starts[line]

        return (_range_of(*at(module_start), *at(module_end)),
                _range_of(*at(target_start), *at(target_end)))

    @staticmethod
    def _skip_blank(text: str, offset: int) -> int:
        return skip_blank(text, offset)

    def _maybe_mutation(self, stmt: ast.stmt, context: ImportContext, body: list[ast.stmt],
                        parent_removable: ast.stmt | None) -> None:
        description = self._mutation_description(stmt)
        if description is None:
            return
        removal: Range | None = None
        if len(body) > 1 and self._owns_lines(stmt):
            removal = self._line_range(stmt)
        elif len(body) == 1 and parent_removable is not None:
            removal = self._line_range(parent_removable)
        self.mutations.append(SysPathMutation(self.index.node_range(stmt), description, removal,
                                              context.in_function, context.main_guard))

    def _line_range(self, stmt: ast.stmt) -> Range:
        """Whole lines of a statement, including the line break, for clean deletion."""
        end_line = stmt.end_lineno or stmt.lineno
        return Range(Position(stmt.lineno - 1, 0), Position(end_line, 0))

    def _mutation_description(self, stmt: ast.stmt) -> str | None:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            if isinstance(func, ast.Attribute):
                if func.attr in SYS_PATH_METHODS and self._is_sys_path(func.value):
                    return f"sys.path.{func.attr}()"
                if (func.attr == "addsitedir" and isinstance(func.value, ast.Name)
                        and func.value.id in self.site_names):
                    return "site.addsitedir()"
            elif isinstance(func, ast.Name) and func.id in self.addsitedir_names:
                return "site.addsitedir()"
        elif isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if self._is_sys_path(target):
                    return "sys.path += ..." if isinstance(stmt, ast.AugAssign) else (
                        "sys.path = ...")
                if isinstance(target, ast.Subscript) and self._is_sys_path(target.value):
                    return "sys.path[...] = ..."
        return None

    def _is_sys_path(self, node: ast.expr) -> bool:
        """`sys.path`, `<alias of sys>.path`, or a name bound by `from sys import path`."""
        if isinstance(node, ast.Name):
            return node.id in self.path_names
        return (isinstance(node, ast.Attribute) and node.attr == "path"
                and isinstance(node.value, ast.Name) and node.value.id in self.sys_names)


def skip_blank(text: str, offset: int) -> int:
    """The offset of the next character that is not a blank or a line continuation."""
    while offset < len(text):
        if text[offset] in " \t\f":
            offset += 1
        elif text[offset] == "\\" and text[offset + 1:offset + 2] in ("\n", "\r"):
            offset += 2 + (text[offset + 1:offset + 3] == "\r\n")
        else:
            break
    return offset


def _replace(context: ImportContext, **changes: object) -> ImportContext:
    key = (context, tuple(sorted(changes.items())))
    found = _CONTEXTS.get(key)
    if found is None:
        from dataclasses import replace

        found = _CONTEXTS[key] = _intern(replace(context, **changes))  # type: ignore[arg-type]
    return found


# Interning: a language server holds the facts of every file of a workspace, and across files
# most values repeat (`import os` on line 3, column 7; the same contexts; position (0, 0)).
# One shared object per distinct value keeps 20,000 files' facts small. The tables only grow
# with distinct values. A worker process's facts share objects within the chunk it sends
# (pickling keeps that); they are not merged again with this process's (prefetch.py).
_INTERNED: dict[object, object] = {}
_CONTEXTS: dict[object, ImportContext] = {}
_POSITIONS: dict[tuple[int, int], Position] = {}
_RANGES: dict[tuple[int, int, int, int], Range] = {}
_T = TypeVar("_T")


_sharing = [True]


def _intern(value: _T) -> _T:
    if not _sharing[0]:
        return value
    return _INTERNED.setdefault(value, value)  # type: ignore[return-value]


@contextmanager
def unshared() -> Iterator[None]:
    """Facts made inside are not interned: for facts that leave the process anyway (a pool
    worker's: they are copies once unpickled) or live briefly (a command line run). Hashing
    nested frozen dataclasses costs more than the rest of the collector on import-heavy code."""
    before = _sharing[0]
    _sharing[0] = False
    try:
        yield
    finally:
        _sharing[0] = before


def _position(line: int, column: int) -> Position:
    key = (line, column)
    found = _POSITIONS.get(key)
    if found is None:
        found = _POSITIONS[key] = Position(line, column)
    return found


def _range_of(line: int, column: int, end_line: int, end_column: int) -> Range:
    # Keyed by plain numbers: hashing two Positions (dataclasses) costs more than the rest.
    key = (line, column, end_line, end_column)
    found = _RANGES.get(key)
    if found is None:
        found = _RANGES[key] = Range(_position(line, column), _position(end_line, end_column))
    return found

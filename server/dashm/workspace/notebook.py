"""Notebooks (`.ipynb`) as one module, the way a kernel runs their code cells one after another.

A notebook's code cells become one synthetic module text: cell after cell, each ending in a
newline, line for line as written, so a position in the module maps to one cell and a line in
it. IPython syntax (`%magic`, `!shell`, `x = !ls`, `?help`, `x?`) is masked to `pass` (or a
blank line) of the same numbering, with the line kept in a comment; a cell magic that is not
Python (`%%bash`, `%%html`) blanks its whole cell, and a cell that still does not compile is
blanked too: a kernel runs each cell on its own, so one broken cell hides nothing in the
others.

Writing back (`rewrite_sources`) replaces only the `source` values of the edited cells in the
notebook's JSON text: outputs, metadata, key order, indentation and every other byte stay.

The kernel's working folder, `sys.path[0]` for the notebook's imports, is the notebook's own
folder unless `notebook-root` says otherwise (`kernel_folder`). Nothing here knows the rules.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dashm.findings import Position, Range
from dashm.workspace.facts import split_lines
from dashm.workspace.jsonc import JsoncError, Node, parse_jsonc

NOTEBOOK_SUFFIX = ".ipynb"
# Outputs (images) make notebooks large; the code in them is small.
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
# Cell magics whose body is Python run in the kernel itself (the first line is masked).
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
# A line IPython rewrites before Python sees it: `%magic`, `!cmd`, `?x`, `x?`, `x = !cmd`.
_IPYTHON_LINE = re.compile(r"\s*(?:[%!?]|[\w.]+\s*=\s*[%!])|[^#'\"]*[\w)\]]\?\??\s*$")
# What a masked line becomes: `pass  # IPython: %cd ..` (the comment keeps what it was).
MASKED_MARK = "# IPython: "
_TOP_LEVEL_AWAIT = ast.PyCF_ONLY_AST | getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)


class NotebookError(ValueError):
    """Not a notebook dashm can read; the message says why, remedy first where there is one."""


@dataclass(frozen=True)
class Cell:
    index: int  # among all the notebook's cells, 0-based (`cell 3` is index 2)
    source: str  # as written
    start: int  # its first line in the module text
    lines: int  # how many lines it takes there
    python: bool  # False: blanked (a `%%bash` cell, or one that does not compile)
    masked: frozenset[int] = frozenset()  # its lines (0-based) masked in the module text

    @property
    def number(self) -> int:
        """1-based, as editors and `nb.ipynb:cell 3:2:5` count cells."""
        return self.index + 1


@dataclass(frozen=True)
class Notebook:
    text: str  # the code cells as one module
    cells: tuple[Cell, ...]  # the code cells in order

    def cell_at(self, line: int) -> Cell | None:
        for cell in self.cells:
            if cell.start <= line < cell.start + cell.lines:
                return cell
        return None

    def in_cell(self, position: Position) -> tuple[Cell, Position] | None:
        """Where a module position is: its cell, and the 0-based line and column there."""
        cell = self.cell_at(position.line)
        if cell is None:  # the end of the module: the end of the last cell
            if not self.cells or position.line < self.cells[-1].start:
                return None
            cell = self.cells[-1]
            return cell, _end_of(cell.source)
        return cell, Position(position.line - cell.start, position.column)

    def shown_range(self, rng: Range) -> tuple[Cell, Range] | None:
        """Where a finding's module range is shown: in the cell it starts in, ending there
        (at its start when the range runs on into another cell)."""
        start = self.in_cell(rng.start)
        if start is None:
            return None
        cell, begin = start
        end = self.in_cell(rng.end)
        return cell, Range(begin, end[1] if end is not None and end[0] == cell else begin)

    def cell_range(self, rng: Range) -> tuple[Cell, Range] | None:
        """A module range as a range of one cell's source; None when it spans cells or
        touches a masked line (no edit may land there)."""
        start = self.in_cell(rng.start)
        if start is None:
            return None
        cell, begin = start
        if rng.end.line == cell.start + cell.lines and rng.end.column == 0:
            end = _end_of(cell.source)  # up to the newline that ends the cell
        elif cell.start <= rng.end.line < cell.start + cell.lines:
            end = Position(rng.end.line - cell.start, rng.end.column)
        else:
            return None
        if not cell.python or any(line in cell.masked for line in range(begin.line,
                                                                        end.line + 1)):
            return None
        return cell, Range(begin, end)


def _end_of(source: str) -> Position:
    lines = split_lines(source) if source else [""]
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return Position(len(lines), 0)
    return Position(len(lines) - 1, len(last))


def build(cells: Sequence[tuple[int, str]]) -> Notebook:
    """The module of code cells given as (index among all cells, source)."""
    parts: list[str] = []
    built: list[Cell] = []
    line = 0
    for index, source in cells:
        masked_text, masked, python = mask_ipython(source)
        if not masked_text.endswith(("\n", "\r")):
            masked_text += "\n"
        count = len(split_lines(masked_text))
        built.append(Cell(index, source, line, count, python, frozenset(masked)))
        parts.append(masked_text)
        line += count
    return Notebook("".join(parts), tuple(built))


def mask_ipython(source: str) -> tuple[str, set[int], bool]:
    """(the cell as Python, the lines masked, whether it is Python at all). Line numbering
    and every unmasked line stay as written."""
    lines = split_lines(source) if source else []
    masked: set[int] = set()
    if _compiles(source):
        return source, masked, True  # plain Python: `%` may continue an expression
    first = next((n for n, text in enumerate(lines) if text.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].strip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in PYTHON_CELL_MAGICS:
            return _blank(lines), set(range(len(lines))), False
    out: list[str] = []
    continued = False
    for number, text in enumerate(lines):
        body = text.rstrip("\r\n")
        ending = text[len(body):]
        if continued or _IPYTHON_LINE.match(body) and not body.lstrip().startswith("#"):
            indent = body[: len(body) - len(body.lstrip())]
            # The line stays readable in a comment: a rule can see a `%cd` or a `!git clone`.
            kept = "" if continued else f"{indent}pass  {MASKED_MARK}{body.strip()}"
            out.append(kept + ending)
            masked.add(number)
            continued = body.endswith("\\")
        else:
            out.append(text)
    text = "".join(out)
    if not _compiles(text):
        return _blank(lines), set(range(len(lines))), False
    return text, masked, True


def _compiles(text: str) -> bool:
    try:
        compile(text, "<cell>", "exec", _TOP_LEVEL_AWAIT)
    except (SyntaxError, ValueError):
        return False
    return True


def _blank(lines: list[str]) -> str:
    return "".join(text[len(text.rstrip("\r\n")):] for text in lines)


# -- reading -----------------------------------------------------------------------------------
def read_notebook(data: bytes) -> Notebook:
    """The notebook in `data` (nbformat 4 JSON); raises NotebookError saying why not."""
    return build(code_cells(load(data)))


def load(data: bytes) -> dict[str, object]:
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise NotebookError(f"not UTF-8 JSON ({error.reason} at byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise NotebookError(f"not valid notebook JSON: {error.msg} at line {error.lineno}, "
                            f"column {error.colno}") from None
    if not isinstance(notebook, dict):
        raise NotebookError("not a notebook: the JSON is not an object")
    major = notebook.get("nbformat")
    if isinstance(major, int) and major < 4:
        raise NotebookError(f"nbformat {major} notebook; upgrade it to nbformat 4 "
                            "(`jupyter nbconvert --to notebook --inplace`) to check it")
    if not isinstance(notebook.get("cells"), list):
        raise NotebookError("not an nbformat 4 notebook: no `cells` list")
    language = kernel_language(notebook)
    if language is not None and language != "python":
        raise NotebookError(f"not a Python notebook (kernel language {language!r})")
    return notebook


def kernel_language(notebook: dict[str, object]) -> str | None:
    metadata = notebook.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str):
            return str(section[field]).strip().lower() or None
    return None


def code_cells(notebook: dict[str, object]) -> list[tuple[int, str]]:
    """(index, source) of each Python code cell."""
    found = []
    cells = notebook.get("cells")
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata")
        vscode = metadata.get("vscode") if isinstance(metadata, dict) else None
        language = vscode.get("languageId") if isinstance(vscode, dict) else None
        if isinstance(language, str) and language != "python":
            continue
        found.append((index, joined_source(cell.get("source"))))
    return found


def joined_source(source: object) -> str:
    """nbformat allows a cell's `source` as one string or a list of lines."""
    if isinstance(source, str):
        return source
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return ""


# -- the kernel's folder -----------------------------------------------------------------------
def kernel_folder(notebook: Path, root: str | None, workspace: Path, project: Path) -> Path:
    """`sys.path[0]` and the working folder of the notebook's kernel: `root` (the setting,
    as VS Code's `jupyter.notebookFileRoot`: `${fileDirname}`, `${workspaceFolder}`, or a path
    relative to the project folder), else the notebook's own folder."""
    if not root or not root.strip():
        return notebook.parent
    value = root.strip().replace("${fileDirname}", str(notebook.parent)) \
        .replace("${workspaceFolder}", str(workspace))
    path = Path(value).expanduser()
    return path if path.is_absolute() else project / path


# -- writing back ------------------------------------------------------------------------------
def rewrite_sources(raw: str, sources: dict[int, str]) -> str:
    """The notebook JSON text `raw` with the `source` of cell `index` replaced by `sources`;
    every other character stays. The new value keeps the old one's form (a list of lines or one
    string) and its line breaks and indentation; unchanged lines keep their exact spelling."""
    try:
        root = parse_jsonc(raw)
    except JsoncError as error:
        raise NotebookError(f"not valid notebook JSON at offset {error.offset}") from None
    cells = root.get("cells") if root.kind == "object" else None
    if cells is None or cells.value.kind != "array":
        raise NotebookError("not an nbformat 4 notebook: no `cells` list")
    spans: list[tuple[int, int, str]] = []
    for index, new in sources.items():
        cell = cells.value.items[index] if index < len(cells.value.items) else None
        member = cell.get("source") if cell is not None and cell.kind == "object" else None
        if member is None:
            raise NotebookError(f"cell {index + 1} has no source to edit")
        spans.append((member.value.start, member.value.end,
                      _source_json(raw, member.value, new)))
    for start, end, text in sorted(spans, reverse=True):
        raw = raw[:start] + text + raw[end:]
    return raw


def _source_json(raw: str, node: Node, new: str) -> str:
    ascii_only = "\\u" in raw[node.start:node.end]  # nbformat writes characters as they are
    if node.kind == "string":
        return json.dumps(new, ensure_ascii=ascii_only)
    old_items = [raw[item.start:item.end] for item in node.items]
    old_lines = [item.value if isinstance(item.value, str) else "" for item in node.items]
    new_lines = new.splitlines(keepends=True)
    # Lines before and after the edit keep their spelling (escapes included).
    head = 0
    while head < min(len(old_lines), len(new_lines)) and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while tail < min(len(old_lines), len(new_lines)) - head and \
            old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    middle = [json.dumps(line, ensure_ascii=ascii_only)
              for line in new_lines[head:len(new_lines) - tail]]
    items = old_items[:head] + middle + (old_items[len(old_items) - tail:] if tail else [])
    if not items:
        return "[]"
    opening, separator, closing = _list_layout(raw, node)
    return "[" + opening + separator.join(items) + closing + "]"


def _list_layout(raw: str, node: Node) -> tuple[str, str, str]:
    """The blanks after `[`, between items (with the comma) and before `]` of a JSON list."""
    if not node.items:
        return "", ", ", ""
    opening = raw[node.start + 1:node.items[0].start]
    closing = raw[node.items[-1].end:node.end - 1]
    if len(node.items) > 1:
        separator = raw[node.items[0].end:node.items[1].start]
    else:
        separator = "," + opening if opening.strip() == "" and opening else ", "
    return opening, separator, closing


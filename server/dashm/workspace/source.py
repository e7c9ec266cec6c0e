"""Reading a Python file's text the way the interpreter would, without ever failing loudly.

PEP 263 coding cookies and UTF-8 BOMs are honoured; files that cannot be decoded, are too large
or cannot be read become a `SourceProblem` with a reason a person can act on.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

from dashm.workspace import overlay
from dashm.workspace.notebook import (
    MAX_NOTEBOOK_BYTES,
    NOTEBOOK_SUFFIX,
    NotebookError,
    read_notebook,
)

# Larger files are skipped: nobody writes imports in a 10 MB generated table.
MAX_SOURCE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class SourceProblem:
    path: Path
    reason: str


def decode_source(data: bytes) -> str:
    """Decode bytes as the interpreter would (coding cookie, BOM); raise ValueError if not."""
    second_line_end = data.find(b"\n", data.find(b"\n") + 1)
    head = data if second_line_end < 0 else data[:second_line_end]
    if b"coding" not in head and not data.startswith(b"\xef\xbb\xbf"):
        try:  # no cookie, no BOM: UTF-8, the common case, without tokenize's line reading
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass  # tokenize words the problem the way the interpreter does
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise ValueError(str(error)) from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise ValueError(f"cannot be decoded as {encoding}: {error}") from None
    # utf-8-sig strips the BOM; a cookie naming plain utf-8 leaves it.
    return text.removeprefix("\ufeff")


def read_source(path: Path) -> str | SourceProblem:
    """The file's text; for a notebook, its code cells as one module (notebook.py)."""
    notebook = path.suffix == NOTEBOOK_SUFFIX
    limit = MAX_NOTEBOOK_BYTES if notebook else MAX_SOURCE_BYTES
    try:
        size = overlay.size(path)
        if size > limit:
            return SourceProblem(path, f"skipped: {size:,} bytes is over the "
                                       f"{limit:,}-byte limit for analysis")
        data = overlay.read_bytes(path)
    except OSError as error:
        return SourceProblem(path, f"cannot be read: {error.strerror or error}")
    if notebook:
        try:
            return read_notebook(data).text
        except NotebookError as error:
            return SourceProblem(path, f"skipped: {error}")
    try:
        return decode_source(data)
    except ValueError as error:
        return SourceProblem(path, f"skipped: {error}")

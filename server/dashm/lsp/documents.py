"""Open documents whose lines break where LSP and Python break them: at `\\r\\n`, `\\r`, `\\n`.

pygls's `TextDocument.lines` uses `str.splitlines`, which also breaks at form feeds, `\\v`,
`\\x1c`-`\\x1e`, `\\x85` and U+2028/9. Editors do not, so an incremental edit after such a
character would land on the wrong line and the buffer would drift from the editor's.

pygls also splits the whole buffer and writes it out again line by line for every keystroke
(3 ms on a 5,000-line file, most of an edit's round trip). Here the lines are kept between
edits and an edit re-splits only the lines it touches.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

from dashm.workspace.facts import split_lines

_Change = types.TextDocumentContentChangePartial


class LspTextDocument(TextDocument):
    _kept_lines: list[str] | None = None
    _kept_for: str | None = None  # the source `_kept_lines` splits
    _shown_lines: tuple[str, ...] | None = None

    @property
    def lines(self) -> Sequence[str]:
        if self._shown_lines is None or self._kept_for is not self.source:
            self._shown_lines = tuple(self._line_list())
        return self._shown_lines

    def _line_list(self) -> list[str]:
        source = self.source
        if self._kept_lines is None or self._kept_for is not source:
            self._kept_lines = split_lines(source) if source else []
            self._kept_for, self._shown_lines = source, None
        return self._kept_lines

    def _apply_incremental_change(self, change: _Change) -> None:
        lines = self._line_list()
        if not lines:
            super()._apply_incremental_change(change)
            return
        edit = self._position_codec.range_from_client_units(lines, change.range)
        start, end = edit.start, edit.end
        if (end.line, end.character) < (start.line, start.character):
            super()._apply_incremental_change(change)  # a reversed range: pygls's reading
            return
        # One unchanged line either side joins the re-split lines, so that a `\r` and a `\n`
        # the edit brings together (or apart) break as they would in the whole text.
        first, last = max(start.line - 1, 0), min(end.line + 1, len(lines) - 1)
        touched = "".join((*lines[first:start.line], lines[start.line][:start.character],
                           change.text, lines[end.line][end.character:],
                           *lines[end.line + 1:last + 1]))
        lines[first:last + 1] = split_lines(touched) if touched else []
        self._source = "".join(lines)
        self._kept_for, self._shown_lines = self._source, None


class LspWorkspace(Workspace):
    """pygls's workspace, holding `LspTextDocument`s."""

    def _create_text_document(self, doc_uri: str, source: str | None = None,
                              version: int | None = None,
                              language_id: str | None = None) -> TextDocument:
        return LspTextDocument(doc_uri, source=source, version=version,
                               language_id=language_id, sync_kind=self._sync_kind,
                               position_codec=self._position_codec)

"""Open documents whose lines break where LSP and Python break them: at `\\r\\n`, `\\r`, `\\n`.

pygls's `TextDocument.lines` uses `str.splitlines`, which also breaks at form feeds, `\\v`,
`\\x1c`-`\\x1e`, `\\x85` and U+2028/9. Editors do not, so an incremental edit after such a
character would land on the wrong line and the buffer would drift from the editor's.
"""

from __future__ import annotations

from collections.abc import Sequence

from pygls.workspace import TextDocument, Workspace

from dashm.workspace.facts import split_lines


class LspTextDocument(TextDocument):
    @property
    def lines(self) -> Sequence[str]:
        return tuple(split_lines(self.source)) if self.source else ()


class LspWorkspace(Workspace):
    """pygls's workspace, holding `LspTextDocument`s."""

    def _create_text_document(self, doc_uri: str, source: str | None = None,
                              version: int | None = None,
                              language_id: str | None = None) -> TextDocument:
        return LspTextDocument(doc_uri, source=source, version=version,
                               language_id=language_id, sync_kind=self._sync_kind,
                               position_codec=self._position_codec)

"""The server's incremental edit (lines kept between edits, only the touched ones re-split)
gives exactly the buffer that pygls's full rebuild gives over dashm's line breaks, for any
text, range and encoding, one edit after another."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec

from dashm.lsp.documents import LspTextDocument
from dashm.workspace.facts import split_lines


class Reference(TextDocument):
    """pygls's own edit: the whole buffer split, then written out line by line."""

    @property
    def lines(self):  # type: ignore[no-untyped-def]
        return tuple(split_lines(self.source)) if self.source else ()


# Line breaks of every kind, characters that are 2 UTF-16 units or 4 UTF-8 bytes, and the
# characters str.splitlines breaks at but editors do not.
PIECES = ["a", "bc", " ", "é", "😋", "\r", "\n", "\r\n", "\f", "\x85", "\u2028", ""]
texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
positions = st.builds(types.Position, line=st.integers(0, 8), character=st.integers(0, 6))
changes = st.lists(st.tuples(positions, positions, texts), min_size=1, max_size=6)
encodings = st.sampled_from(list(types.PositionEncodingKind))


@given(text=texts, edits=changes, encoding=encodings)
def test_an_edit_gives_the_buffer_the_full_rebuild_gives(text, edits, encoding):
    codec = PositionCodec(encoding)
    kept = LspTextDocument("file:///k.py", source=text, version=1, position_codec=codec)
    reference = Reference("file:///r.py", source=text, version=1, position_codec=codec)
    for start, end, new in edits:
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=start, end=end), text=new)
        kept.apply_change(change)
        reference.apply_change(change)
        assert kept.source == reference.source
        assert list(kept.lines) == split_lines(kept.source) if kept.source else not kept.lines


@pytest.mark.parametrize(("text", "start", "end", "new", "after"), [
    ("a\r\nb\n", (0, 1), (0, 2), "", "a\nb\n"),     # the \r of a \r\n deleted
    ("a\r\nb\n", (0, 1), (1, 0), "\r", "a\rb\n"),
    ("a\r\n\nb", (1, 0), (1, 1), "", "a\r\nb"),
    ("a\r\nb", (0, 2), (0, 2), "x", "a\rx\nb"),     # text typed between \r and \n
    ("a\rb", (1, 0), (1, 0), "\n", "a\r\nb"),       # a \n that joins the \r before it
    ("a\nb\r", (2, 0), (2, 0), "\nc", "a\nb\r\nc"),  # at the very end
    ("", (0, 0), (0, 0), "x\r", "x\r"),
    ("x\ny\n", (0, 0), (5, 0), "", ""),              # everything deleted
])
def test_edits_that_join_or_part_line_breaks(text, start, end, new, after):
    document = LspTextDocument("file:///k.py", source=text, version=1)
    document.apply_change(types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(*start), end=types.Position(*end)), text=new))
    assert document.source == after
    assert list(document.lines) == (split_lines(after) if after else [])

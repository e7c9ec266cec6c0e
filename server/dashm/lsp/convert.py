"""Core findings and fixes -> lsprotocol types, and positions between code points and the client.

The core counts columns in code points on lines broken at \\n, \\r\\n and \\r (as LSP does);
the client counts in its negotiated encoding (UTF-16 by default, UTF-8 for some editors).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from lsprotocol import types
from pygls import uris
from pygls.workspace.position_codec import PositionCodec

from dashm.findings import Finding, Fix, Position, Range, Severity, docs_url
from dashm.workspace.facts import split_lines

SOURCE = "dashm"

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFORMATION: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def lines_of(text: str) -> list[str]:
    return split_lines(text)


def to_client_range(codec: PositionCodec, lines: Sequence[str], rng: Range) -> types.Range:
    return types.Range(start=to_client_position(codec, lines, rng.start),
                       end=to_client_position(codec, lines, rng.end))


def to_client_position(codec: PositionCodec, lines: Sequence[str],
                       position: Position) -> types.Position:
    if position.line >= len(lines):  # the end of a file without a final newline
        last = lines[-1] if lines else ""
        if position.line == len(lines) and last.endswith(("\n", "\r")):
            return types.Position(line=position.line, character=0)
        return types.Position(line=max(len(lines) - 1, 0),
                              character=codec.client_num_units(last.rstrip("\r\n")))
    line = lines[position.line]
    return types.Position(line=position.line,
                          character=codec.client_num_units(line[: position.column]))


def from_client_position(codec: PositionCodec, lines: Sequence[str],
                         position: types.Position) -> Position:
    if position.line >= len(lines):
        return Position(position.line, position.character)
    line = lines[position.line].rstrip("\r\n")
    units = 0
    for column, char in enumerate(line):
        if units >= position.character:
            return Position(position.line, column)
        units += codec.client_num_units(char)
    return Position(position.line, len(line))


def uri_of(path: Path) -> str:
    return uris.from_fs_path(str(path)) or path.as_uri()


def diagnostic(finding: Finding, codec: PositionCodec, lines: Sequence[str]) -> types.Diagnostic:
    related = [types.DiagnosticRelatedInformation(
        location=types.Location(uri=uri_of(r.path), range=types.Range(
            start=types.Position(line=r.line, character=0),
            end=types.Position(line=r.line, character=0))),
        message=f"{finding.code}: see {r.path.name}:{r.line + 1}")
        for r in finding.related if r.line is not None and r.path.is_file()]
    return types.Diagnostic(
        range=to_client_range(codec, lines, finding.range),
        message=finding.message,
        severity=SEVERITIES[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=docs_url(finding.code)),
        source=SOURCE,
        related_information=related or None,
        data={"fixable": finding.fix is not None, "runAsModule": finding.run_as_module,
              "explanation": finding.details},
    )


def problem_diagnostic(message: str) -> types.Diagnostic:
    """A file-level problem (unreadable pyproject.toml, bad setting) at the file's start."""
    zero = types.Position(line=0, character=0)
    return types.Diagnostic(range=types.Range(start=zero, end=zero), message=message,
                            severity=types.DiagnosticSeverity.Warning, source=SOURCE)


def workspace_edit(fixes: Sequence[Fix], codec: PositionCodec,
                   document: Callable[[Path], tuple[str, int | None]],
                   document_changes: bool, create_files: bool,
                   annotation: tuple[str, types.ChangeAnnotation] | None = None,
                   rename_files: bool = False) -> types.WorkspaceEdit | None:
    """One WorkspaceEdit for `fixes`; `document(path)` gives the text the fixes refer to and
    the open buffer's version (None if not open). None when the client cannot apply it (a file
    creation or rename without resource-operation support). `annotation` (id, annotation):
    every change carries it (a client shows a preview when it needs confirmation); needs
    documentChanges. Renames (DM104) come last: the text edits refer to the files as they are."""
    note = annotation[0] if annotation and document_changes else None
    creations = [c for fix in fixes for c in fix.creations]
    if creations and not create_files:
        return None
    renames = [r for fix in fixes for r in fix.renames]
    if renames and not (document_changes and rename_files):
        return None
    by_path: dict[Path, list[types.TextEdit]] = {}
    versions: dict[Path, int | None] = {}
    for fix in fixes:
        for edit in fix.edits:
            text, version = document(edit.path)
            lines = lines_of(text)
            versions[edit.path] = version
            by_path.setdefault(edit.path, []).append(_text_edit(
                to_client_range(codec, lines, edit.range), edit.new_text, note))
    if not document_changes:
        return types.WorkspaceEdit(changes={uri_of(p): e for p, e in by_path.items()})
    changes: list[types.TextDocumentEdit | types.CreateFile | types.RenameFile] = []
    for creation in creations:
        uri = uri_of(creation.path)
        changes.append(types.CreateFile(
            uri=uri, options=types.CreateFileOptions(ignore_if_exists=True), annotation_id=note))
        if creation.content:
            zero = types.Position(line=0, character=0)
            changes.append(types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                edits=[_text_edit(types.Range(start=zero, end=zero), creation.content, note)]))
    for path, edits in by_path.items():
        changes.append(types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(
                uri=uri_of(path), version=versions[path]),
            edits=edits))  # type: ignore[arg-type]
    changes.extend(types.RenameFile(
        old_uri=uri_of(rename.old), new_uri=uri_of(rename.new),
        options=types.RenameFileOptions(overwrite=False, ignore_if_exists=False),
        annotation_id=note) for rename in renames)
    if note is None or annotation is None:
        return types.WorkspaceEdit(document_changes=changes)
    return types.WorkspaceEdit(document_changes=changes,
                               change_annotations={note: annotation[1]})


def _text_edit(rng: types.Range, new_text: str, note: str | None) -> types.TextEdit:
    if note is None:
        return types.TextEdit(range=rng, new_text=new_text)
    return types.AnnotatedTextEdit(range=rng, new_text=new_text, annotation_id=note)

"""Code actions: a quickfix per fixable finding, `source.fixAll.dashm`, and "Run as module".

Fix-all applies one fix at a time to the buffer text and re-checks after each, exactly as
`dashm check --fix` does on disk, refusing any fix whose result would not compile.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from dashm.findings import Finding, Fix
from dashm.lsp import analysis, convert, notebooks
from dashm.rules import check_source
from dashm.rules.edits import OverlappingEdits, apply_edits, fix_one_at_a_time, minimal_edit
from dashm.rules.suppressions import noqa_fix, project_ignore_fix
from dashm.workspace import SourceFile, SourceProblem, Workspace
from dashm.workspace.paths import first_outside

if TYPE_CHECKING:
    from dashm.lsp.server import DashmServer

FIX_ALL_KIND = "source.fixAll.dashm"
# Carried out by the editor (the same command the CodeLens uses); the server only answers
# with the command line when an editor sends it back.
RUN_MODULE = "dashm.runModule"
DEBUG_MODULE = "dashm.debugModule"
# "Ignore DMxxx on this line / in this project": quick fixes of their own kind, so a client
# (or a test) can tell them from the fixes that change the code.
IGNORE_KIND = "quickfix.dashm.ignore"
# Run after a fix's edit is applied: the server asks the editor to show a created file.
SHOW_DOCUMENT = "dashm.showDocument"


@dataclass
class FixAll:
    """The whole-buffer result of fixing everything fixable."""

    text: str
    fixed: int
    creations: list[Fix] = field(default_factory=list)


def fix_all(workspace: Workspace, source: SourceFile) -> FixAll:
    """Apply every safe fix to the buffer text, re-checking after each (worker thread)."""
    text = source.text
    creations: list[Fix] = []

    def without_created(findings: list[Finding]) -> list[Finding]:
        # A file a fix creates appears only once the editor applies the edit: until then its
        # findings stay, and must not be fixed twice.
        titles = {c.title for c in creations}
        return [replace(f, fix=None) if f.fix and f.fix.title in titles else f
                for f in findings]

    def apply(fix: Fix) -> list[Finding] | str | None:
        nonlocal text
        own = [e for e in fix.edits if e.path == source.path]
        if len(own) != len(fix.edits) or any(c.path.exists() for c in fix.creations):
            return "the fix edits another file or overwrites one"
        try:
            new_text = apply_edits(text, own)
            ast.parse(new_text)
        except (OverlappingEdits, SyntaxError) as error:
            return str(error)
        if fix.creations:
            creations.append(Fix(fix.title, (), fix.creations))
        text = new_text
        reread = workspace.source(source.path, text)
        if isinstance(reread, SourceProblem) or reread.facts.syntax_error is not None:
            return None
        return without_created(check_source(workspace, reread))

    _, fixed, _ = fix_one_at_a_time(check_source(workspace, source), apply)
    return FixAll(text, fixed, creations)


def capabilities(ls: DashmServer) -> tuple[bool, bool]:
    """(documentChanges, CreateFile) support for workspace edits."""
    workspace = ls.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    document_changes = bool(edit and edit.document_changes)
    create = bool(document_changes and edit and edit.resource_operations
                  and types.ResourceOperationKind.Create in edit.resource_operations)
    return document_changes, create


def annotations_supported(ls: DashmServer) -> bool:
    """Whether the client takes change annotations (VS Code shows those that need
    confirmation in its Refactor Preview)."""
    workspace = ls.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    return bool(edit and edit.change_annotation_support is not None)


def edit_for(ls: DashmServer, fixes: list[Fix], text_of: dict[Path, tuple[str, int | None]]
             ) -> types.WorkspaceEdit | None:
    document_changes, create = capabilities(ls)
    inside = [f for f in fixes if stays_inside(ls, f)]
    if len(inside) != len(fixes):
        analysis.log_message(ls, "dashm: a fix that would write outside the workspace folders "
                             "(or through a link out of them) was not offered",
                             types.MessageType.Warning)
    # Edits of another file (pytest's configuration) were made against its text on disk: not
    # offered while that file has unsaved changes in the editor.
    fixes = [f for f in inside if all(e.path in text_of or _saved(ls, e.path) for e in f.edits)]
    if not fixes:
        return None

    def document(path: Path) -> tuple[str, int | None]:
        if path in text_of:
            return text_of[path]
        doc = analysis.open_document(ls, path)
        if doc is not None:
            return doc.source, doc.version
        try:
            return path.read_text(encoding="utf-8"), None
        except (OSError, ValueError):
            return "", None

    return convert.workspace_edit(fixes, ls.workspace.position_codec, document,
                                  document_changes, create)


def _saved(ls: DashmServer, path: Path) -> bool:
    """Whether `path` is not open, or open with the text it has on disk."""
    doc = analysis.open_document(ls, path)
    if doc is None:
        return True
    try:
        return path.read_bytes().decode("utf-8") == doc.source
    except (OSError, UnicodeDecodeError):
        return False


def stays_inside(ls: DashmServer, fix: Fix) -> bool:
    """Whether every file the fix edits or creates lies in a workspace folder, symlinks
    resolved: a fix never writes outside the folders the user opened. A file opened outside
    every folder (a loose file) was opened by the user too: its own text may be edited."""
    edited = {e.path for e in fix.edits}
    targets = [*edited, *(c.path.parent for c in fix.creations)]
    loose_open = None
    for target in targets:
        folder = analysis.folder_for(ls, target)
        if not folder.in_workspace:
            loose_open = analysis.open_paths(ls) if loose_open is None else loose_open
            if target in edited and target in loose_open:
                continue
            return False
        if first_outside(folder.path, [target]) is not None:
            return False
    return True


def _wanted(kind: str, only: list[str] | None) -> bool:
    return not only or any(kind == o or kind.startswith(o + ".") or o == "" for o in only)


async def code_actions(ls: DashmServer, params: types.CodeActionParams
                       ) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    notebook = notebooks.notebook_of_cell(ls, uri)
    if notebook is not None:
        return await cell_actions(ls, notebook, params)
    path = analysis.path_of(uri)
    if path is None or not (analysis.is_python(uri) or analysis.is_entry_file(uri)):
        return None
    outcome = await analysis.complete(ls, uri)
    if outcome is None or outcome.source is None:
        return None
    source = outcome.source
    only = [str(k) for k in params.context.only] if params.context.only else None
    lines = convert.lines_of(source.text)
    codec = ls.workspace.position_codec
    start = convert.from_client_position(codec, lines, params.range.start)
    end = convert.from_client_position(codec, lines, params.range.end)
    text_of = {path: (source.text, outcome.version)}
    actions: list[types.CodeAction] = []
    # Findings' diagnostics come first; file-level problems (pyproject.toml) follow, unpaired.
    here = [(f, d) for f, d in zip(outcome.findings, outcome.diagnostics, strict=False)
            if f.range.start <= end and start <= f.range.end]
    fixable_here = [f for f, _ in here if f.fix]
    if _wanted(types.CodeActionKind.QuickFix, only):
        for finding, diag in here:
            if finding.fix is not None and not outcome.kept:
                edit = edit_for(ls, [finding.fix], text_of)
                if edit is not None:
                    fix = finding.fix
                    # A fix that breaks something the project relies on says so, and is
                    # never the one an editor applies on its own (preferred, or fix-all).
                    caveat = "" if fix.safe else f"; breaks {fix.breaks_documented_run}"
                    actions.append(types.CodeAction(
                        title=f"{fix.title} ({finding.code}{caveat})",
                        kind=types.CodeActionKind.QuickFix, diagnostics=[diag], edit=edit,
                        is_preferred=len(fixable_here) == 1 and fix.safe,
                        command=show_created(fix)))
            if finding.run_as_module:
                invocation = await ls.session.run(
                    analysis.folder_for(ls, path).workspace.invocation, path)
                if invocation.module:
                    actions.append(types.CodeAction(
                        title=f"Run as module: python -m {invocation.module}",
                        kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                        command=types.Command(title="Run as module", command=RUN_MODULE,
                                              arguments=[invocation.as_dict()])))
        if not outcome.kept:  # DM104: rename the module and every import of it
            from dashm.lsp.rename import rename_actions  # (it imports this module)

            actions.extend(await rename_actions(ls, here))
    if _wanted(IGNORE_KIND, only):
        actions.extend(await suppression_actions(ls, path, source.text, here, text_of))
    if _wanted(FIX_ALL_KIND, only) and any(f.fix for f in outcome.findings) and \
            analysis.is_python(uri) and not outcome.kept:
        edit = await fix_all_edit(ls, uri)
        if edit is not None:
            actions.append(types.CodeAction(title="Fix all dashm problems", kind=FIX_ALL_KIND,
                                            edit=edit))
    return actions


async def cell_actions(ls: DashmServer, notebook_uri: str, params: types.CodeActionParams
                       ) -> list[types.CodeAction]:
    """For a notebook cell: the quick fixes of its findings in the range, and "Ignore DMxxx
    on this line", as edits of the cell documents (notebooks.py)."""
    only = [str(k) for k in params.context.only] if params.context.only else None
    checked = await notebooks.check(ls, notebook_uri, complete=True)
    if checked is None:
        return []
    codec = ls.workspace.position_codec
    here = [(f, d) for f, d in checked.diagnostics.get(params.text_document.uri, [])
            if _overlaps(d.range, params.range)]
    fixable = [f for f, _ in here if f.fix is not None]
    actions: list[types.CodeAction] = []
    for finding, diagnostic in here:
        fix = finding.fix
        edit = notebooks.cell_edit(checked, fix, codec) if fix else None
        if fix and edit and _wanted(types.CodeActionKind.QuickFix, only):
            caveat = "" if fix.safe else f"; breaks {fix.breaks_documented_run}"
            actions.append(types.CodeAction(
                title=f"{fix.title} ({finding.code}{caveat})",
                kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic], edit=edit,
                is_preferred=len(fixable) == 1 and fix.safe))
    for finding, diagnostic in here:
        noqa = noqa_fix(finding, checked.notebook.text)
        edit = notebooks.cell_edit(checked, noqa, codec) if noqa else None
        if noqa and edit and _wanted(IGNORE_KIND, only):
            actions.append(types.CodeAction(title=noqa.title, kind=IGNORE_KIND,
                                            diagnostics=[diagnostic], edit=edit))
    return actions


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and \
        (b.start.line, b.start.character) <= (a.end.line, a.end.character)


async def suppression_actions(ls: DashmServer, path: Path, text: str,
                              here: list[tuple[Finding, types.Diagnostic]],
                              text_of: dict[Path, tuple[str, int | None]]
                              ) -> list[types.CodeAction]:
    """"Ignore DMxxx on this line" per finding under the cursor, and "Ignore DMxxx in this
    project" per code (`[tool.dashm] ignore`), after the real fixes."""
    actions: list[types.CodeAction] = []
    for finding, diag in here:
        fix = noqa_fix(finding, text)
        edit = edit_for(ls, [fix], text_of) if fix and stays_inside(ls, fix) else None
        if fix and edit:
            actions.append(types.CodeAction(title=fix.title, kind=IGNORE_KIND,
                                            diagnostics=[diag], edit=edit))
    codes = {f.code: d for f, d in reversed(here)}
    if codes:
        workspace = analysis.folder_for(ls, path).workspace
        pyproject = (await ls.session.run(workspace.project_for, path)).folder / "pyproject.toml"
        try:
            current = text_of[pyproject][0] if pyproject in text_of else _disk_text(pyproject)
        except (OSError, ValueError):  # there, but unreadable: not edited
            return actions
        for code, diag in codes.items():
            fix = project_ignore_fix(pyproject, current, code)
            edit = edit_for(ls, [fix], text_of) if fix and stays_inside(ls, fix) else None
            if fix and edit:
                actions.append(types.CodeAction(title=fix.title, kind=IGNORE_KIND,
                                                diagnostics=[diag], edit=edit))
    return actions


def _disk_text(path: Path) -> str | None:
    """The file's text, None if there is no such file (OSError if it cannot be read)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def show_created(fix: Fix) -> types.Command | None:
    """Open the file a fix creates with content (DM202's `__main__.py`), once it exists."""
    created = [c for c in fix.creations if c.content]
    if not created:
        return None
    return types.Command(title="Open the created file", command=SHOW_DOCUMENT,
                         arguments=[{"uri": convert.uri_of(created[0].path)}])


async def fix_all_edit(ls: DashmServer, uri: str) -> types.WorkspaceEdit | None:
    """The edit that fixes everything fixable in the buffer, or None if nothing is."""
    result = await fix_all_for(ls, uri)
    return result[0] if result else None


async def fix_all_for(ls: DashmServer, uri: str) -> tuple[types.WorkspaceEdit, int] | None:
    path = analysis.path_of(uri)
    outcome = await analysis.complete(ls, uri)
    if path is None or outcome is None or outcome.kept or outcome.source is None:
        return None
    workspace = analysis.folder_for(ls, path).workspace
    result = await ls.session.run(fix_all, workspace, outcome.source)
    edit = minimal_edit(path, outcome.source.text, result.text)
    if edit is None and not result.creations:
        return None
    fixes = [*result.creations, *([Fix("fix all", (edit,))] if edit else [])]
    workspace_edit = edit_for(ls, fixes, {path: (outcome.source.text, outcome.version)})
    if workspace_edit is None and result.creations:  # the client cannot create files
        workspace_edit = edit_for(ls, fixes[len(result.creations):],
                                  {path: (outcome.source.text, outcome.version)})
    return (workspace_edit, result.fixed) if workspace_edit is not None else None

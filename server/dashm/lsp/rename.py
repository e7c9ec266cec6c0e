"""The DM104 quick fix: "Rename json.py to json_utils.py and update N imports".

The plan (rules/rename.py) is computed when the editor asks for the actions of a DM104
diagnostic, never while checking: it reads every file of the workspace. It becomes one
WorkspaceEdit (text edits, then a RenameFile) shown as a preview where the client supports
change annotations. A client that cannot rename files gets no edit; a refused rename is a
disabled action that says why, where the client shows those.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from dashm.findings import Finding
from dashm.lsp import actions, analysis, convert
from dashm.rules.rename import RenamePlan, default_new_name, plan_suggested_rename

if TYPE_CHECKING:
    from dashm.lsp.server import DashmServer

RENAME_ANNOTATION = "dashm.rename"


def rename_support(ls: DashmServer) -> tuple[bool, bool]:
    """(the client can rename files in a workspace edit, it shows change annotations)."""
    workspace = ls.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    renames = bool(edit and edit.document_changes and edit.resource_operations
                   and types.ResourceOperationKind.Rename in edit.resource_operations)
    return renames, renames and actions.annotations_supported(ls)


def _shows_disabled(ls: DashmServer) -> bool:
    document = ls.client_capabilities.text_document
    code_action = document.code_action if document else None
    return bool(code_action and code_action.disabled_support)


async def rename_actions(ls: DashmServer, here: list[tuple[Finding, types.Diagnostic]]
                         ) -> list[types.CodeAction]:
    """A rename quick fix per DM104 diagnostic under the cursor."""
    found = []
    for finding, diagnostic in here:
        if finding.code != "DM104":
            continue
        action = await _rename_action(ls, finding.path, diagnostic)
        if action is not None:
            found.append(action)
    return found


async def _rename_action(ls: DashmServer, module_file: Path, diagnostic: types.Diagnostic
                         ) -> types.CodeAction | None:
    name = module_file.parent.name if module_file.name == "__init__.py" else module_file.stem
    title = f"Rename `{name}` to `{default_new_name(name)}` and update its imports"
    renames, annotate = rename_support(ls)
    if not renames:
        return _refused(ls, title, diagnostic, "the editor cannot rename files")
    workspace = analysis.folder_for(ls, module_file).workspace
    try:
        plan = await ls.session.run(plan_suggested_rename, workspace, module_file)
    except Exception as error:  # a bug in dashm must not fail the editor's whole request
        analysis.log_message(ls, f"dashm: no rename offered for {module_file}: {error!r}",
                             types.MessageType.Error)
        return None
    if isinstance(plan, str):
        return _refused(ls, title, diagnostic, plan)
    unsaved = _unsaved(ls, plan)
    if unsaved is not None:
        return _refused(ls, plan.fix.title, diagnostic, unsaved)
    if not actions.stays_inside(ls, plan.fix) or not all(
            analysis.folder_for(ls, r.new.parent).in_workspace for r in plan.fix.renames):
        return _refused(ls, plan.fix.title, diagnostic, "it would write outside the "
                        "workspace folders")
    preview = (RENAME_ANNOTATION, types.ChangeAnnotation(
        label=plan.fix.title, needs_confirmation=True,
        description="; ".join(plan.notes) or "dashm: rename a module and every import of it"))
    edit = convert.workspace_edit([plan.fix], ls.workspace.position_codec,
                                  lambda path: _document(ls, plan, path), True, False,
                                  preview if annotate else None, rename_files=True)
    if edit is None:
        return None
    return types.CodeAction(title=f"{plan.fix.title} (DM104)",
                            kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                            edit=edit, is_preferred=False)


def _refused(ls: DashmServer, title: str, diagnostic: types.Diagnostic, reason: str
             ) -> types.CodeAction | None:
    if not _shows_disabled(ls):
        return None
    return types.CodeAction(title=f"{title} (DM104)", kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic],
                            disabled=types.CodeActionDisabled(reason=f"not renamed: {reason}"))


def _unsaved(ls: DashmServer, plan: RenamePlan) -> str | None:
    """What to do first when an open file the rename edits or moves has a buffer that differs
    from what was planned, or an open notebook would be edited behind its editor's back."""
    for uri in list(getattr(ls.workspace, "notebook_documents", {})):
        path = analysis.path_of(uri)
        if path is not None and path in plan.texts:
            return f"close {path.name} first: the rename edits its cells"
    for uri, doc in ls.workspace.text_documents.items():
        path = analysis.path_of(uri)
        if path is None:
            continue
        if path in plan.texts and doc.source != plan.texts[path]:
            return f"save {path.name} first"
        if (path == plan.old or plan.old in path.parents) and path not in plan.texts:
            try:
                if path.read_bytes().decode("utf-8") != doc.source:
                    return f"save {path.name} first"
            except (OSError, UnicodeDecodeError):
                return f"save {path.name} first"
    return None


def _document(ls: DashmServer, plan: RenamePlan, path: Path) -> tuple[str, int | None]:
    """The planned text of an edited file, with its buffer's version when it is open."""
    doc = analysis.open_document(ls, path)
    return plan.texts[path], doc.version if doc is not None else None

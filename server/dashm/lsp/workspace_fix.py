"""`dashm.fixWorkspace`: every safe fix of the workspace as one WorkspaceEdit, with a preview.

The fixes are exactly `dashm check --fix`'s: a subprocess runs its engine over an overlay of
the files (batch/preview.py), starting from the editor's unsaved buffers, and says what each
file would become. The server's own state is untouched (the overlay is process-wide), and the
analysis thread stays free for diagnostics meanwhile. The edit carries a change annotation
that needs confirmation, so an editor that supports them (VS Code) shows the refactoring
preview first; the editor applies it, or nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from dashm.findings import FileCreation, Fix
from dashm.lsp import actions, analysis, convert
from dashm.rules.edits import minimal_edit
from dashm.workspace.notebook import NOTEBOOK_SUFFIX
from dashm.workspace.paths import is_within

if TYPE_CHECKING:
    from dashm.lsp.server import DashmServer

FIX_WORKSPACE = "dashm.fixWorkspace"
ANNOTATION = "dashm.fixWorkspace"
PREVIEW_SECONDS = 600  # a 20,000-file monorepo's cold --fix takes well under a minute


class PreviewFailed(Exception):
    pass


async def fix_workspace(ls: DashmServer, *args: Any) -> dict[str, object]:
    """Arguments: none (every workspace folder), or `{"uri": folder-or-file}` (its folder)
    and `"confirm"`: "preview" (the default: the edit needs confirmation where the client
    supports change annotations), "apply" (no confirmation) or "ask" (the user chooses Apply or
    Preview, told how many fixes; VS Code's Refactor Preview shows every change unchecked, for
    picking, which a whole workspace's worth of fixes makes the slow way).
    Returns `{"applied", "fixed", "files"}`."""
    folders = _folders(ls, args)
    confirm = _confirm(args)
    document_changes, create = actions.capabilities(ls)
    if not folders:
        return _refuse(ls, "cannot fix the workspace: no workspace folder is open; run "
                           "`dashm check --fix`")
    fixes: list[Fix] = []
    texts: dict[Path, tuple[str, int | None]] = {}
    fixed = 0
    open_notebooks = _open_notebooks(ls)
    left: list[Path] = []
    for folder in folders:
        buffers = _buffers(ls, folder.path)
        try:
            async with _progress(ls, f"dashm: finding the fixes of {folder.path.name}"):
                answer = await asyncio.to_thread(_preview, folder, buffers)
        except PreviewFailed as error:
            return _refuse(ls, f"cannot fix {folder.path}: {error}")
        fixed += int(answer.get("fixed", 0))
        for problem in answer.get("problems", []):  # fixes refused, and why
            analysis.log_message(ls, f"dashm: {problem}")
        for change in answer["changes"]:
            path = Path(change["path"])
            before, after = change["before"], change["after"]
            if path in open_notebooks:
                # The editor holds an open notebook as cell documents, which an edit of the
                # file's text would bypass: its cells' quick fixes fix it. (Nothing imports a
                # notebook: leaving its fixes out changes no other file's.)
                left.append(path)
                fixed -= int(change.get("writes", 1))
                continue
            if before is None:
                fixes.append(Fix("create", creations=(FileCreation(path, after),)))
                continue
            edit = minimal_edit(path, before, after)
            if edit is not None:
                fixes.append(Fix("fix", (edit,)))
                texts[path] = (before, buffers[path][1] if path in buffers else None)
    if left:
        analysis.log_message(ls, "dashm: Fix All in Workspace leaves the open notebooks to the "
                             "quick fixes of their cells: " + ", ".join(p.name for p in left))
    if not fixes:
        more = " outside the open notebooks (their cells have quick fixes)" if left else ""
        ls.window_show_message(types.ShowMessageParams(
            type=types.MessageType.Info, message=f"dashm: nothing to fix in the workspace{more}"))
        return {"applied": False, "fixed": 0, "files": 0}
    if not all(actions.stays_inside(ls, f) for f in fixes):
        return _refuse(ls, "cannot fix the workspace: a fix would write outside the "
                           "workspace folders (or through a link out of them)")
    if any(f.creations for f in fixes) and not create:
        return _refuse(ls, "cannot fix the workspace: some fixes create files, which this "
                           "editor cannot do; run `dashm check --fix`")
    files = len({e.path for f in fixes for e in f.edits} | {c.path for f in fixes
                                                              for c in f.creations})
    title = f"dashm: fix {fixed} problem{'s' if fixed != 1 else ''} in {files} " \
            f"file{'s' if files != 1 else ''}"
    if confirm == "ask":
        confirm = await _ask(ls, f"{title}? This is what `dashm check --fix` would do.")
        if confirm is None:
            return {"applied": False, "fixed": 0, "files": 0}
    annotation = types.ChangeAnnotation(
        label=title, needs_confirmation=True, description="what `dashm check --fix` would do"
    ) if confirm == "preview" and actions.annotations_supported(ls) else None
    edit = convert.workspace_edit(fixes, ls.workspace.position_codec,
                                  lambda p: texts.get(p, ("", None)), document_changes, create,
                                  annotation=(ANNOTATION, annotation) if annotation else None)
    assert edit is not None  # creations are supported, checked above
    response = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
        edit=edit, label="dashm: Fix All in Workspace"))
    if not response.applied:
        analysis.log_message(ls, "dashm: the workspace fixes were not applied: "
                             f"{response.failure_reason or 'declined'}")
    return {"applied": response.applied, "fixed": fixed if response.applied else 0,
            "files": files if response.applied else 0}


CONFIRM = ("preview", "apply", "ask")


def _confirm(args: tuple[Any, ...]) -> str:
    value = args[0] if args else None
    confirm = value.get("confirm", "preview") if isinstance(value, dict) else "preview"
    if confirm not in CONFIRM:
        raise JsonRpcInvalidParams(f"{FIX_WORKSPACE}: confirm must be one of "
                                   f"{', '.join(CONFIRM)}, not {confirm!r}")
    return str(confirm)


async def _ask(ls: DashmServer, question: str) -> str | None:
    """"apply", "preview", or None when the user dismissed the question."""
    answer = await ls.window_show_message_request_async(types.ShowMessageRequestParams(
        type=types.MessageType.Info, message=question,
        actions=[types.MessageActionItem(title="Apply"),
                 types.MessageActionItem(title="Preview")]))
    title = answer.title if answer else None
    return {"Apply": "apply", "Preview": "preview"}.get(title or "")


def _folders(ls: DashmServer, args: tuple[Any, ...]) -> list[analysis.Folder]:
    value = args[0] if args else None
    uri = value.get("uri") if isinstance(value, dict) else value
    if isinstance(uri, str) and uri:
        path = analysis.path_of(uri)
        return [analysis.folder_for(ls, path)] if path is not None else []
    return [f for f in ls.session.folders.values() if f.in_workspace]


def _open_notebooks(ls: DashmServer) -> set[Path]:
    found = set()
    for uri in list(getattr(ls.workspace, "notebook_documents", {})):
        path = analysis.path_of(uri)
        if path is not None and path.suffix == NOTEBOOK_SUFFIX:
            found.add(path)
    return found


def _buffers(ls: DashmServer, folder: Path) -> dict[Path, tuple[str, int | None]]:
    """The open documents in `folder`: the fixes start from their text, not the disk's."""
    found = {}
    for uri, document in list(ls.workspace.text_documents.items()):
        path = analysis.path_of(uri)
        if path is not None and is_within(path, folder):
            found[path] = (document.source, document.version)
    return found


def _preview(folder: analysis.Folder, buffers: dict[Path, tuple[str, int | None]]
             ) -> dict[str, Any]:
    request = {
        "folder": str(folder.path), "python": folder.workspace.interpreter,
        "settings": dataclasses.asdict(folder.settings.core()),
        "buffers": {str(p): text for p, (text, _) in buffers.items()},
    }
    try:
        # The server's own interpreter and environment (the extension's bundled libraries on
        # PYTHONPATH), and like the server, the working folder kept off sys.path (-P).
        safe_path = ["-P"] if getattr(sys.flags, "safe_path", False) else []
        done = subprocess.run([sys.executable, *safe_path, "-m", "dashm.batch.preview"],
                              input=json.dumps(request), capture_output=True, text=True,
                              encoding="utf-8", timeout=PREVIEW_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PreviewFailed(str(error)) from None
    if done.returncode != 0:
        lines = (done.stderr or "").strip().splitlines()
        raise PreviewFailed(lines[-1] if lines else f"exit code {done.returncode}")
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        raise PreviewFailed("the preview's answer is not JSON") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("changes"), list):
        raise PreviewFailed("the preview's answer has no changes")
    return answer


@contextlib.asynccontextmanager
async def _progress(ls: DashmServer, title: str) -> AsyncIterator[None]:
    """A progress notification while the fixes are computed, if the editor shows them."""
    window = ls.client_capabilities.window
    if not (window and window.work_done_progress):
        yield
        return
    token = str(uuid.uuid4())  # pygls never releases a token: a fresh one each time
    await ls.work_done_progress.create_async(token)
    ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=title))
    try:
        yield
    finally:
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd())


def _refuse(ls: DashmServer, message: str) -> dict[str, object]:
    analysis.log_message(ls, f"dashm: {message}", types.MessageType.Warning)
    ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                   message=f"dashm: {message}"))
    return {"applied": False, "fixed": 0, "files": 0, "reason": message}


"""`workspace/executeCommand`: `dashm.moduleInvocation`, `dashm.fixAll`, and the fallbacks for
`dashm.runModule` / `dashm.debugModule` (normally carried out by the editor itself).

Arguments are `{"uri": ...}` (or the URI string itself). URIs must be `file:` URIs; a file
outside every workspace folder (a loose file) is answered for its own project, as the command
line would; anything else is refused with an InvalidParams error saying why.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from dashm.lsp import actions, analysis

if TYPE_CHECKING:
    from dashm.lsp.server import DashmServer

MODULE_INVOCATION = "dashm.moduleInvocation"
FIX_ALL = "dashm.fixAll"
RUN_MODULE = actions.RUN_MODULE
DEBUG_MODULE = actions.DEBUG_MODULE
SHOW_DOCUMENT = actions.SHOW_DOCUMENT


def uri_argument(command: str, args: tuple[Any, ...]) -> str:
    value = args[0] if args else None
    if isinstance(value, dict):
        value = value.get("uri")
    if not isinstance(value, str) or not value:
        raise JsonRpcInvalidParams(f"{command} expects one argument {{\"uri\": \"file:///...\"}}")
    return value


def file_path(command: str, uri: str) -> Path:
    path = analysis.path_of(uri)
    if path is None:
        raise JsonRpcInvalidParams(f"{command}: {uri} is not a file: URI; dashm only works on "
                                   "files on disk")
    return path


async def module_invocation(ls: DashmServer, *args: Any) -> dict[str, object]:
    """How to run the file: `{module, cwd, argv, reason}`, plus `name`, its dotted name even
    when it cannot be run (a package's `__init__.py` without `__main__.py`)."""
    uri = uri_argument(MODULE_INVOCATION, args)
    path = file_path(MODULE_INVOCATION, uri)
    folder = analysis.folder_for(ls, path)

    def answer() -> dict[str, object]:
        # A .venv made since the last question is the interpreter the next run uses.
        analysis.refresh_interpreter(ls, folder)
        result = folder.workspace.invocation(path)
        return {**result.as_dict(), "name": folder.workspace.locate(path).module}

    return await ls.session.run(answer)


async def fix_all(ls: DashmServer, *args: Any) -> dict[str, object]:
    uri = uri_argument(FIX_ALL, args)
    file_path(FIX_ALL, uri)
    if uri not in ls.workspace.text_documents:
        raise JsonRpcInvalidParams(f"{FIX_ALL}: {uri} is not open in the editor")
    result = await actions.fix_all_for(ls, uri)
    if result is None:
        return {"applied": False, "fixed": 0}
    edit, fixed = result
    response = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
        edit=edit, label="dashm: fix all"))
    if not response.applied:
        analysis.log_message(ls, f"dashm: the editor did not apply the fixes to {uri}: "
                             f"{response.failure_reason or 'no reason given'}",
                             types.MessageType.Warning)
    return {"applied": response.applied, "fixed": fixed if response.applied else 0}


async def say_how_to_run(ls: DashmServer, command: str, *args: Any) -> dict[str, object]:
    """Editors without a client-side handler get the command line to run, as a message."""
    invocation = args[0] if args else None
    if not isinstance(invocation, dict) or not invocation.get("argv"):
        raise JsonRpcInvalidParams(f"{command} expects the invocation "
                                   "{module, cwd, argv, reason}")
    line = " ".join(shlex.quote(str(a)) for a in invocation["argv"])
    verb = "debug" if command == DEBUG_MODULE else "run"
    ls.window_show_message(types.ShowMessageParams(
        type=types.MessageType.Info,
        message=f"dashm: {verb} it as `cd {shlex.quote(str(invocation.get('cwd')))} && {line}`"))
    return invocation


async def show_document(ls: DashmServer, *args: Any) -> dict[str, object]:
    """Asks the editor to show a file (one a fix just created), when it can be asked."""
    uri = uri_argument(SHOW_DOCUMENT, args)
    file_path(SHOW_DOCUMENT, uri)
    window = ls.client_capabilities.window
    if not (window and window.show_document and window.show_document.support):
        return {"shown": False}
    result = await ls.window_show_document_async(types.ShowDocumentParams(
        uri=uri, take_focus=True))
    return {"shown": bool(result and result.success)}

"""CodeLens: "Run as module" / "Debug as module" over `__main__` guards and `__main__.py`.

The commands (`dashm.runModule`, `dashm.debugModule`) are carried out by the editor (the VS
Code extension intercepts them, other editors register a client-side handler); their argument
is the invocation `{module, cwd, argv, reason}`. Editors that send them back to the server get
the command line as a message. Files that cannot be run as a module get no lens: the
diagnostics say why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from dashm.findings import Position, Range
from dashm.lsp import actions, analysis, convert

if TYPE_CHECKING:
    from dashm.lsp.server import DashmServer

RUN_MODULE = actions.RUN_MODULE
DEBUG_MODULE = actions.DEBUG_MODULE


async def code_lenses(ls: DashmServer, uri: str) -> list[types.CodeLens] | None:
    path = analysis.path_of(uri)
    if path is None or not analysis.is_python(uri):
        return None
    if not analysis.folder_for(ls, path).settings.code_lens:
        return []  # `dashm.codeLens` false
    outcome = await analysis.fresh(ls, uri)
    if outcome is None or outcome.source is None:
        return None
    source = outcome.source
    ranges = list(source.facts.main_guards)
    if path.name == "__main__.py":
        ranges.insert(0, Range(Position(0, 0), Position(0, 0)))
    if not ranges:
        return []
    workspace = analysis.folder_for(ls, path).workspace
    invocation = await ls.session.run(workspace.invocation, path)
    if invocation.module is None:
        return []
    arguments = [invocation.as_dict()]
    lines = convert.lines_of(source.text)
    lenses = []
    for rng in ranges:
        client_range = convert.to_client_range(ls.workspace.position_codec, lines, rng)
        lenses.append(types.CodeLens(range=client_range, command=types.Command(
            title=f"Run as module (python -m {invocation.module})", command=RUN_MODULE,
            arguments=arguments)))
        lenses.append(types.CodeLens(range=client_range, command=types.Command(
            title="Debug as module", command=DEBUG_MODULE, arguments=arguments)))
    return lenses

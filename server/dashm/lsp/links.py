"""Document links in pyproject.toml: each `[project.scripts]` (and gui-scripts, poetry scripts)
entry `name = "pkg.mod:func"` links to the module file it names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from dashm.findings import Position, Range
from dashm.lsp import analysis, convert
from dashm.workspace import Workspace
from dashm.workspace.paths import is_within

if TYPE_CHECKING:
    from dashm.lsp.server import DashmServer

SCRIPT_TABLES = ("project.scripts", "project.gui-scripts", "tool.poetry.scripts")
_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_ENTRY = re.compile(r"""^\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=\s*(["'])(?P<value>[^"']*)\1""")


@dataclass(frozen=True)
class ScriptEntry:
    module: str
    range: Range  # of the module part of the value


def script_entries(text: str) -> list[ScriptEntry]:
    """Entry points in the script tables, by scanning lines (works on unsaved, broken TOML)."""
    entries: list[ScriptEntry] = []
    table = ""
    for number, line in enumerate(convert.lines_of(text)):
        header = _TABLE.match(line)
        if header:
            table = header.group(1).replace('"', "").replace(" ", "")
            continue
        if table not in SCRIPT_TABLES:
            continue
        entry = _ENTRY.match(line)
        if not entry:
            continue
        value = entry.group("value")
        module = value.split(":")[0].strip()
        if not module:
            continue
        start = entry.start("value") + (len(value) - len(value.lstrip()))
        entries.append(ScriptEntry(module, Range(Position(number, start),
                                                 Position(number, start + len(module)))))
    return entries


def resolve_entry(workspace: Workspace, pyproject: Path, module: str) -> Path | None:
    """The file of an entry point's module, looked up from the project's source roots."""
    project = workspace.project_for(pyproject)
    for first in (*project.roots, *project.source_roots, project.folder, project.folder / "src"):
        try:
            resolved = workspace.resolve(module, first)
        except Exception:  # an unusable interpreter: the project folders still count
            resolved = workspace.folders.resolve(module, (first,))
        if resolved is not None and resolved.path is not None and \
                is_within(resolved.path, project.folder):
            return resolved.path
    return None


async def document_links(ls: DashmServer, uri: str) -> list[types.DocumentLink] | None:
    path = analysis.path_of(uri)
    document = ls.workspace.text_documents.get(uri)
    if path is None or not analysis.is_pyproject(uri):
        return None
    text = document.source if document else await ls.session.run(path.read_text)
    workspace = analysis.folder_for(ls, path).workspace
    lines = convert.lines_of(text)
    document_caps = ls.client_capabilities.text_document
    link_caps = document_caps.document_link if document_caps else None
    tooltips = bool(link_caps and link_caps.tooltip_support)
    links = []
    for entry in script_entries(text):
        target = await ls.session.run(resolve_entry, workspace, path, entry.module)
        if target is None:
            continue
        links.append(types.DocumentLink(
            range=convert.to_client_range(ls.workspace.position_codec, lines, entry.range),
            target=convert.uri_of(target),
            tooltip=f"Open {entry.module} ({target.name})" if tooltips else None))
    return links

"""Hover on an import: the file it reaches in module mode and in script mode, and whether the
two differ (which is what DM101/DM105 are about)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.workspace import PositionCodec

from dashm.findings import Finding, Position, Range, docs_url
from dashm.lsp import analysis, convert
from dashm.workspace import Workspace
from dashm.workspace.facts import ImportFact
from dashm.workspace.finder import Resolved

if TYPE_CHECKING:
    from dashm.lsp.server import DashmServer


@dataclass(frozen=True)
class Target:
    """Where one import goes in one mode: a resolution, or the error it raises."""

    dotted: str | None
    resolved: Resolved | None
    error: str | None = None


def _contains(rng: Range, position: Position) -> bool:
    return rng.start <= position <= rng.end


def find_import(imports: tuple[ImportFact, ...], position: Position
                ) -> tuple[ImportFact, str | None, Range] | None:
    """The import statement under `position`, the imported name hovered (if any), its range."""
    for fact in imports:
        if not _contains(fact.statement, position):
            continue
        for name in fact.names:
            if _contains(name.range, position):
                return fact, name.name, name.range
        if fact.target_range is not None and _contains(fact.target_range, position):
            return fact, None, fact.target_range
        first = fact.names[0] if fact.names else None
        return fact, first.name if first and not fact.is_from else None, (
            first.range if first and not fact.is_from else fact.target_range or fact.statement)
    return None


def targets(workspace: Workspace, path: Path, fact: ImportFact, name: str | None
            ) -> tuple[Target, Target]:
    """(module mode, script mode) targets of an import (runs on the analysis thread)."""
    location = workspace.locate(path)
    if fact.is_from:
        module_mode = _from_target(workspace, fact, name, location.root, location.package,
                                   location.module is not None)
        script_mode = _from_target(workspace, fact, name, workspace.script_dir(path), "", False)
    else:
        dotted = name or ""
        module_mode = Target(dotted, workspace.resolve(dotted, location.root))
        script_mode = Target(dotted, workspace.resolve(dotted, workspace.script_dir(path)))
    return module_mode, script_mode


def _from_target(workspace: Workspace, fact: ImportFact, name: str | None, first: Path,
                 package: str, in_package: bool) -> Target:
    if fact.level:
        if not in_package or not package:
            return Target(None, None, "ImportError: attempted relative import with no known "
                          "parent package")
        parts = package.split(".")
        if fact.level - 1 >= len(parts):
            return Target(None, None, "ImportError: attempted relative import beyond "
                          "top-level package")
        base = ".".join(parts[: len(parts) - (fact.level - 1)])
        dotted = f"{base}.{fact.module}" if fact.module else base
    else:
        dotted = fact.module or ""
    if name and name != "*":
        sub = workspace.resolve(f"{dotted}.{name}", first)
        if sub is not None:
            return Target(f"{dotted}.{name}", sub)
    return Target(dotted, workspace.resolve(dotted, first))


def describe(target: Target, folder: Path) -> str:
    if target.error:
        return f"fails: `{target.error}`"
    resolved = target.resolved
    if resolved is None:
        return f"not found: `ModuleNotFoundError: No module named '{target.dotted}'`"
    if resolved.kind == "builtin" or resolved.path is None:
        return f"the built-in module `{resolved.name}`"
    where = _show(resolved.path, folder)
    if resolved.kind == "namespace":
        return "namespace package: " + ", ".join(f"`{_show(p, folder)}`"
                                                 for p in resolved.portions or (resolved.path,))
    return f"`{where}`"


def _show(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def same(a: Target, b: Target) -> bool:
    if a.resolved is None or b.resolved is None:
        return a.resolved is None and b.resolved is None and a.error == b.error
    return a.resolved.same_target(b.resolved)


async def hover(ls: DashmServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    path = analysis.path_of(uri)
    if path is None or not analysis.is_python(uri):
        return None
    outcome = await analysis.fresh(ls, uri)
    if outcome is None or outcome.source is None or outcome.kept:
        return None
    source = outcome.source
    lines = convert.lines_of(source.text)
    codec = ls.workspace.position_codec
    position = convert.from_client_position(codec, lines, params.position)
    explained = [f for f in outcome.findings
                 if f.explanation and f.range.start <= position <= f.range.end]
    found = find_import(source.facts.imports, position)
    if found is None:
        if not explained:
            return None
        return _hover(ls, _explanations(explained), explained[0].range, codec, lines)
    fact, name, rng = found
    folder = analysis.folder_for(ls, path)
    workspace = folder.workspace
    module_mode, script_mode = await ls.session.run(targets, workspace, path, fact, name)
    invocation = await ls.session.run(workspace.invocation, path)
    relative = _show(path, invocation.cwd or folder.path)
    run_module = (f"`python -m {invocation.module}` from `{_show(invocation.cwd, folder.path)}`"
                  if invocation.module and invocation.cwd else "imported as a module")
    statement = source.text[_offset(lines, fact.statement.start):
                            _offset(lines, fact.statement.end)].strip()
    parts = [f"**dashm** · `{statement.splitlines()[0] if statement else ''}`", "",
             f"- module mode ({run_module}): {describe(module_mode, folder.path)}",
             f"- script mode (`python {relative}`): {describe(script_mode, folder.path)}", ""]
    if same(module_mode, script_mode):
        parts.append("Both ways reach the same module.")
    else:
        parts.append("**These differ**: the file behaves differently depending on how it "
                     "is run.")
    about = [f for f in explained if f.code in IMPORT_CODES]
    if about:
        parts += ["", *_explanations(about)]
    return _hover(ls, parts, rng, codec, lines)


# The findings about where an import lands; the others on the same line (DM201 at the top of
# a file) have their own hover: the import table would contradict them.
IMPORT_CODES = ("DM101", "DM102", "DM105", "DM106")


def _explanations(findings: list[Finding]) -> list[str]:
    """Each finding's whole story, with its rule's page: the Problems row shows one line."""
    parts: list[str] = []
    for finding in findings:
        parts += [f"**{finding.code}** {finding.explanation} "
                  f"([{finding.name}]({docs_url(finding.code)}))", ""]
    return parts[:-1]


def _hover(ls: DashmServer, parts: list[str], rng: Range, codec: PositionCodec,
           lines: list[str]) -> types.Hover:
    markdown = _supports_markdown(ls)
    text = "\n".join(parts)
    if not markdown:
        text = text.replace("**", "").replace("`", "")
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
            value=text),
        range=convert.to_client_range(codec, lines, rng))


def _offset(lines: list[str], position: Position) -> int:
    return sum(len(line) for line in lines[: position.line]) + position.column


def _supports_markdown(ls: DashmServer) -> bool:
    document = ls.client_capabilities.text_document
    formats = document.hover.content_format if document and document.hover else None
    return bool(formats and types.MarkupKind.Markdown in formats)




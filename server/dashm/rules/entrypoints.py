"""DM204 and DM205: entry points and launch configurations that do not run what they name.

Files checked here are not Python: `pyproject.toml` (DM204: `[project.scripts]`,
`[project.gui-scripts]`, `[project.entry-points.*]`, `[tool.poetry.scripts]` and
`[tool.setuptools] packages / py-modules` naming a module or attribute that does not exist; a TOML
syntax error is reported too), `.vscode/launch.json` (DM205: `"program": ".../pkg/mod.py"`, fixed
to `"module": "pkg.mod"` with the right `cwd`), and `.vscode/tasks.json` and Makefiles (DM205,
report-only: `python path/to/pkg/mod.py`). `check_entry_text` is pure: text in, findings out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from dashm.findings import Finding, Fix, Range, Related, Severity, TextEdit
from dashm.workspace import InterpreterError, Invocation, SourceFile, Workspace
from dashm.workspace.entry_files import MAKEFILES
from dashm.workspace.evidence import PYTHON_FILE, SCRIPT_TABLES, entry_declarations
from dashm.workspace.facts import LineIndex
from dashm.workspace.jsonc import JsoncError, Member, Node, parse_jsonc
from dashm.workspace.paths import is_within
from dashm.workspace.project import ProjectConfig
from dashm.workspace.toml_locate import locate_strings, toml_error, tomllib

NOQA = re.compile(r"(?:#|//)\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?",
                  re.I)
OBJECT_REFERENCE = re.compile(
    r"^\s*(?P<module>[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*"
    r"(?::\s*(?P<attr>[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*))?\s*(?:\[[^\]]*\])?\s*$")
WORKSPACE_VARIABLES = ("${workspaceFolder}", "${workspaceRoot}")


def check_entry_text(workspace: Workspace, path: Path, text: str,
                     select: Sequence[str] = (), ignore: Sequence[str] = ()) -> list[Finding]:
    """Findings for one non-Python file's text, suppressions applied, in file order."""
    if path.name == "pyproject.toml":
        findings = list(_check_pyproject(workspace, path, text))
    elif path.name == "launch.json":
        findings = list(_check_launch(workspace, path, text))
    elif path.name == "tasks.json":
        findings = list(_check_tasks(workspace, path, text))
    elif path.name in MAKEFILES:
        findings = list(_check_makefile(workspace, path, text))
    else:
        return []
    project = workspace.project_for(path)
    selected = tuple(select) or project.select or ("DM",)
    ignored = (*ignore, *project.ignore, *project.ignored_for(path))
    lines = LineIndex(text).lines
    kept = [f for f in findings if _matches(f.code, selected) and not _matches(f.code, ignored)
            and not _silenced(f, lines)]
    return sorted(kept, key=lambda f: (f.range, f.code))


def _matches(code: str, prefixes: Sequence[str]) -> bool:
    return any(code.startswith(p.strip().upper()) for p in prefixes if p.strip())


def _silenced(finding: Finding, lines: list[str]) -> bool:
    for number in range(finding.range.start.line, finding.range.end.line + 1):
        if number < len(lines) and "noqa" in lines[number].lower():
            match = NOQA.search(lines[number])
            if match and (match.group("codes") is None or finding.code in
                          {c.strip().upper() for c in match.group("codes").split(",")}):
                return True
    return False


# -- DM204: pyproject.toml ------------------------------------------------------------------
def _check_pyproject(workspace: Workspace, path: Path, text: str) -> Iterator[Finding]:
    error = toml_error(text)
    if error is not None:
        position = error.position
        yield Finding(path, Range(position, position), "DM204",
                      f"fix the TOML here: {error.message}", Severity.ERROR, explanation=(
                          f"pyproject.toml is not valid TOML: {error.message} (line "
                          f"{position.line + 1}, column {position.column + 1}); pip, build "
                          "backends and dashm cannot read any entry point in it"))
        return
    project = workspace.project_for(path)
    for declaration in entry_declarations(text):
        finding = _check_reference(workspace, project, path, declaration.table,
                                   declaration.name, declaration.value,
                                   declaration.string.range)
        if finding is not None:
            yield finding
    yield from _check_setuptools_lists(project, path, text)


def search_roots(project: ProjectConfig) -> tuple[Path, ...]:
    roots = [*project.roots, *project.source_roots]
    if (project.folder / "src").is_dir():
        roots.append(project.folder / "src")
    roots.append(project.folder)
    return tuple(dict.fromkeys(roots))


def _check_reference(workspace: Workspace, project: ProjectConfig, path: Path, table: str,
                     name: str, value: str, where: Range) -> Finding | None:
    script = table in SCRIPT_TABLES
    what = (f"the `{name}` command" if script else
            f"the `{name}` entry point of group `{table.split('.', 2)[-1]}`")
    match = OBJECT_REFERENCE.match(value)
    if match is None or (script and not match.group("attr")):
        shape = "module.path:function" if script else "module.path or module.path:object"
        return Finding(path, where, "DM204",
                       f"write it as `{shape}`: {what} cannot be installed or loaded",
                       Severity.ERROR, explanation=(
                           f"{value!r} is not an object reference ({shape}): {what} cannot "
                           "be installed or loaded"))
    module = re.sub(r"\s+", "", match.group("module"))
    attr = re.sub(r"\s+", "", match.group("attr") or "")
    roots = search_roots(project)
    found = workspace.folders.resolve(module, roots)
    if found is None:
        if _installed_elsewhere(workspace, module, project):
            return None
        missing = _first_missing(workspace, module, roots)
        shown = ", ".join(_display(workspace, r) + "/" for r in roots)
        return Finding(path, where, "DM204",
                       f"no module `{module}` in this project: {what} fails",
                       Severity.ERROR, explanation=(
                           f"`{module}` is not a module of this project (looked in {shown}): "
                           f"{what} fails with ModuleNotFoundError: No module named "
                           f"'{missing}'"))
    if not attr or found.path is None or found.path.suffix != ".py":
        return None
    head = attr.split(".")[0]
    source = workspace.parsed(found.path)
    if not isinstance(source, SourceFile) or source.facts.syntax_error is not None:
        return None
    facts = source.facts
    if head in facts.top_level_names or "__getattr__" in facts.top_level_names or any(
            a.name == "*" for i in facts.imports for a in i.names):
        return None
    if found.search_locations and workspace.folders.find(head, found.search_locations):
        return None  # a submodule of the package
    failure = (f"ImportError: cannot import name '{head}' from '{module}'" if script else
               f"AttributeError: module '{module}' has no attribute '{head}'")
    return Finding(path, where, "DM204",
                   f"`{module}` defines no `{head}`: {what} fails", Severity.ERROR,
                   related=(Related(found.path),), explanation=(
                       f"`{module}` ({_display(workspace, found.path)}) defines no `{head}` "
                       f"(no top-level def, class, assignment or import of it): {what} fails "
                       f"with {failure}"))


def _installed_elsewhere(workspace: Workspace, module: str, project: ProjectConfig) -> bool:
    """The module comes from another installed distribution (not from this project)."""
    try:
        found = workspace.resolve_installed(module)
    except InterpreterError:
        return False
    return found is not None and found.path is not None and \
        not is_within(found.path, project.folder)


def _first_missing(workspace: Workspace, module: str, roots: tuple[Path, ...]) -> str:
    parts = module.split(".")
    for number in range(1, len(parts) + 1):
        prefix = ".".join(parts[:number])
        if workspace.folders.resolve(prefix, roots) is None:
            return prefix
    return module


def _check_setuptools_lists(project: ProjectConfig, path: Path, text: str
                            ) -> Iterator[Finding]:
    try:
        data = tomllib.loads(text)  # the buffer, which may differ from the file on disk
    except tomllib.TOMLDecodeError:
        return
    tool = data.get("tool", {})
    setuptools = tool.get("setuptools", {}) if isinstance(tool, dict) else {}
    if not isinstance(setuptools, dict):
        return
    package_dir = setuptools.get("package-dir", {})
    if not isinstance(package_dir, dict):
        package_dir = {}
    for string in locate_strings(text):
        key = string.key
        if len(key) != 4 or key[:2] != ("tool", "setuptools") or not isinstance(key[3], int):
            continue
        if key[2] not in ("packages", "py-modules"):
            continue
        name = string.value.strip()
        if not re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*", name):
            yield Finding(path, string.range, "DM204",
                          f"{name!r} is not a dotted module name: setuptools cannot build it",
                          Severity.ERROR)
            continue
        folder = _setuptools_folder(project.folder, package_dir, name)
        if key[2] == "packages":
            if folder.is_dir():
                continue
            yield Finding(path, string.range, "DM204",
                          f"no folder {_relative(folder, project.folder)}/ for package "
                          f"`{name}`: building the wheel fails", Severity.ERROR, explanation=(
                              f"[tool.setuptools] packages names `{name}`, but there is no "
                              f"folder {_relative(folder, project.folder)}/: building the wheel "
                              f"fails with \"error: package directory "
                              f"'{_relative(folder, project.folder)}' does not exist\""))
        else:
            file = folder.with_name(folder.name + ".py")
            if file.is_file():
                continue
            listed = setuptools.get("packages")
            if (folder / "__init__.py").is_file() and (
                    not isinstance(listed, list) or name in listed):
                continue  # whisper: the package of that name is in the wheel, and imports
            shown = _relative(file, project.folder)
            yield Finding(path, string.range, "DM204",
                          f"no {shown} for py-module `{name}`: the wheel will lack it",
                          Severity.ERROR, explanation=(
                              f"[tool.setuptools] py-modules names `{name}`, but there is no "
                              f"{shown}: the build only warns \"file {shown} (for module "
                              f"{name}) not found\" and the wheel lacks it, so `import "
                              f"{name}` fails once installed"))


def _setuptools_folder(base: Path, package_dir: dict[str, object], name: str) -> Path:
    """Where setuptools looks for the package (or module stem) `name`, per `package-dir`."""
    parts = name.split(".")
    for number in range(len(parts), -1, -1):
        prefix = ".".join(parts[:number])
        mapped = package_dir.get(prefix)
        if isinstance(mapped, str):
            return base.joinpath(*Path(mapped).parts, *parts[number:])
    return base.joinpath(*parts)


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _display(workspace: Workspace, path: Path) -> str:
    try:
        return path.relative_to(workspace.folder).as_posix() or "."
    except ValueError:
        return str(path)


# -- DM205: launch.json, tasks.json, Makefiles ------------------------------------------------
def package_invocation(workspace: Workspace, file: Path) -> Invocation | None:
    """How to run `file` with `python -m`, if it is a module of a package (so running it by
    path loses its package) and `python -m` really reaches it; else None."""
    if not file.is_file() or file.suffix != ".py" or file.name in ("__init__.py",):
        return None
    location = workspace.locate(file)
    module = location.run_module
    if module is None or "." not in module:
        return None
    if workspace.folders.package_init(file.parent) is None and \
            location.rule not in ("roots", "source-root"):
        return None
    invocation = workspace.invocation(file)
    return invocation if invocation.module and invocation.cwd else None


def _substitute(value: str, folder: Path, base: Path) -> Path | None:
    """A launch/task path with `${workspaceFolder}` replaced; None if other variables remain."""
    for variable in WORKSPACE_VARIABLES:
        value = value.replace(variable, str(folder))
    value = re.sub(r"\$\{workspaceFolder:[^}]*\}", str(folder), value)
    if "${" in value:
        return None
    path = Path(value)
    return Path(_normalise(path if path.is_absolute() else base / path))


def _normalise(path: Path) -> str:
    import os

    return os.path.normpath(path)


def _cwd_text(cwd: Path, folder: Path) -> str:
    if cwd == folder:
        return "${workspaceFolder}"
    if is_within(cwd, folder):
        return "${workspaceFolder}/" + cwd.relative_to(folder).as_posix()
    return str(cwd)


def _top_level_array(text: str, key: str) -> list[Node]:
    """The items of the array under `key` in a JSONC object (launch.json's "configurations",
    tasks.json's "tasks"); none when the text is not such an object: the editor reports JSON
    errors itself."""
    try:
        root = parse_jsonc(text)
    except JsoncError:
        return []
    member = root.get(key) if root.kind == "object" else None
    if member is None or member.value.kind != "array":
        return []
    return member.value.items


def _check_launch(workspace: Workspace, path: Path, text: str) -> Iterator[Finding]:
    folder = path.parent.parent
    index = LineIndex(text)
    for config in _top_level_array(text, "configurations"):
        if config.kind != "object" or config.string("type") not in ("python", "debugpy"):
            continue
        if config.string("request") not in (None, "launch") or config.get("module"):
            continue
        program = config.get("program")
        if program is None or program.value.kind != "string":
            continue
        cwd_member = config.get("cwd")
        cwd_value = cwd_member.value.value if cwd_member and \
            cwd_member.value.kind == "string" else None
        base = _substitute(str(cwd_value), folder, folder) if cwd_value else folder
        file = _substitute(str(program.value.value), folder, base or folder)
        if file is None:
            continue
        invocation = package_invocation(workspace, file)
        if invocation is None or invocation.cwd is None:
            continue
        module = str(invocation.module)
        cwd = _cwd_text(Path(_normalise(invocation.cwd)), Path(_normalise(folder)))
        span = _inner(index, program.value)
        name = config.string("name") or "this configuration"
        message = (f"\"{name}\" runs {_relative(file, folder)} by path, so it runs without its "
                   f"package ({file.parent.name}/ first on sys.path, relative imports fail); "
                   f"launch it as a module: \"module\": \"{module}\" with \"cwd\": \"{cwd}\"")
        fix = None
        if base is not None:  # a cwd with variables dashm cannot read is left to you
            edits = _launch_edits(path, text, index, config, program, cwd_member, cwd, module,
                                  base, invocation.cwd)
            fix = Fix(f"Launch as module {module}", tuple(edits))
        yield Finding(path, span, "DM205",
                      f"launch as module: \"module\": \"{module}\" (by path it runs without "
                      "its package)", Severity.WARNING, fix, run_as_module=False,
                      related=(Related(file),), explanation=message)


def _inner(index: LineIndex, node: Node) -> Range:
    """The range of a string node's content (inside its quotes)."""
    return Range(index.position_at(node.start + 1), index.position_at(node.end - 1))


def _span(index: LineIndex, start: int, end: int) -> Range:
    return Range(index.position_at(start), index.position_at(end))


def _launch_edits(path: Path, text: str, index: LineIndex, config: Node, program: Member,
                  cwd_member: Member | None, cwd: str, module: str, base: Path | None,
                  wanted: Path) -> list[TextEdit]:
    edits = [TextEdit(path, _span(index, program.key_node.start, program.key_node.end),
                      '"module"'),
             TextEdit(path, _span(index, program.value.start, program.value.end),
                      json.dumps(module))]
    if cwd_member is not None:
        if base is None or _normalise(base) != _normalise(wanted):
            edits.append(TextEdit(path, _span(index, cwd_member.value.start,
                                              cwd_member.value.end), json.dumps(cwd)))
        return edits
    if cwd == "${workspaceFolder}":
        return edits  # the debugger's default working folder
    line_start = text.rfind("\n", 0, program.key_node.start) + 1
    indent = text[line_start:program.key_node.start]
    if indent.strip():  # the member shares its line: keep it on one line
        separator = ", "
    else:
        newline = "\r\n" if "\r\n" in text else "\n"
        separator = "," + newline + indent
    edits.append(TextEdit(path, _span(index, program.value.end, program.value.end),
                          f'{separator}"cwd": {json.dumps(cwd)}'))
    return edits


def _check_tasks(workspace: Workspace, path: Path, text: str) -> Iterator[Finding]:
    folder = path.parent.parent
    index = LineIndex(text)
    for task in _top_level_array(text, "tasks"):
        if task.kind != "object":
            continue
        options = task.get("options")
        cwd_value = options.value.string("cwd") if options and \
            options.value.kind == "object" else None
        base = _substitute(cwd_value, folder, folder) if cwd_value else folder
        if base is None:
            continue
        command = task.get("command")
        if command is None or command.value.kind != "string":
            continue
        command_text = str(command.value.value)
        candidates: list[tuple[str, Node, int]] = []
        match = PYTHON_FILE.search(command_text)
        if match:
            candidates.append((match.group("file"), command.value, match.start("file")))
        elif re.fullmatch(r"(?:.*[/\\])?python[0-9.]*(?:\.exe)?|py|\$\{command:python\."
                          r"interpreterPath\}", command_text.strip()):
            args = task.get("args")
            if args is not None and args.value.kind == "array":
                for item in args.value.items:
                    if item.kind != "string":
                        break
                    value = str(item.value)
                    if value.startswith("-"):
                        if value in ("-m", "-c"):
                            break
                        continue
                    if value.endswith(".py"):
                        candidates.append((value, item, -1))
                    break
        for written, node, offset in candidates:
            file = _substitute(written, folder, base)
            if file is None:
                continue
            invocation = package_invocation(workspace, file)
            if invocation is None or invocation.cwd is None:
                continue
            raw = text[node.start + 1:node.end - 1]
            at = raw.find(written) if offset >= 0 else -1
            span = (_span(index, node.start + 1 + at, node.start + 1 + at + len(written))
                    if at >= 0 else _inner(index, node))
            label = task.string("label") or "this task"
            cwd = _cwd_text(Path(_normalise(invocation.cwd)), Path(_normalise(folder)))
            yield Finding(path, span, "DM205",
                          f"run it as `python -m {invocation.module}`: by path it runs "
                          "without its package", Severity.WARNING, related=(Related(file),),
                          explanation=(
                              f"\"{label}\" runs {_relative(file, folder)} by path, so it "
                              f"runs without its package ({file.parent.name}/ first on "
                              f"sys.path, relative imports fail); run it as a module: "
                              f"`python -m {invocation.module}` with \"options\": "
                              f"{{\"cwd\": \"{cwd}\"}}"))


def _check_makefile(workspace: Workspace, path: Path, text: str) -> Iterator[Finding]:
    folder = path.parent
    index = LineIndex(text)
    for number, line in enumerate(index.lines):
        if ".py" not in line or line.lstrip().startswith("#"):
            continue
        for match in PYTHON_FILE.finditer(line):
            written = match.group("file")
            if "$" in written:
                continue
            file = Path(_normalise(folder / written))
            invocation = package_invocation(workspace, file)
            if invocation is None or invocation.cwd is None:
                continue
            cwd = Path(_normalise(invocation.cwd))
            run = f"python -m {invocation.module}"
            if cwd != Path(_normalise(folder)):
                run = f"cd {_relative(cwd, folder)} && {run}"
            span = Range.of(number, match.start("file"), number, match.end("file"))
            yield Finding(path, span, "DM205",
                          f"run it as a module: `{run}` (by path it runs without its "
                          "package)", Severity.WARNING, related=(Related(file),),
                          explanation=(
                              f"`{match.group(0).strip()}` runs {written} by path, so it runs "
                              f"without its package ({file.parent.name}/ first on sys.path, "
                              f"relative imports fail); run it as a module: `{run}`"))

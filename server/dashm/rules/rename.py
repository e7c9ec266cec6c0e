"""DM104's remedy: rename a module or package that hides another, and update every importer.

`plan_rename(workspace, target, new_name)` returns the plan as plain data (a `Fix` with one
`FileRename` and the text edits of every importer, of `pyproject.toml`'s entry points and
module lists, and of `launch.json`'s `"module"`), or the reason it is refused.

The safety point: an import is rewritten only if it loads the renamed file today. A file runs
with its import root first on sys.path (`python -m`), and also with its own folder first when it
is a script run by path or a script beside it imports it by its bare name. An import that loads
the renamed file in every run that reaches it is rewritten; one that loads it in one run and
another module in another (`import json` in a script: the local json.py by path, the standard
library's under `python -m`) is ambiguous, and the rename is refused rather than guessed.
Names found in strings (`importlib.import_module("json")`, `mock.patch("json.x")`) refuse it too.
"""

from __future__ import annotations

import functools
import keyword
import os
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dashm.findings import FileRename, Fix, Position, Range, TextEdit
from dashm.rules.context import LOOKUP_BY_NAME, FileContext
from dashm.rules.edits import minimal_edit
from dashm.rules.entrypoints import search_roots
from dashm.rules.notebook_edits import notebook_with_edits
from dashm.rules.pytest_config import pythonpath_folders, sets_import_mode
from dashm.rules.rename_uses import Uses
from dashm.workspace import SourceFile, SourceProblem, Workspace
from dashm.workspace.evidence import documented_runs, run_evidence
from dashm.workspace.facts import ImportFact, LineIndex, skip_blank
from dashm.workspace.finder import Resolved
from dashm.workspace.jsonc import JsoncError, Node, parse_jsonc
from dashm.workspace.notebook import NOTEBOOK_SUFFIX, read_notebook
from dashm.workspace.paths import is_within, package_tree_folder
from dashm.workspace.source import read_source
from dashm.workspace.toml_locate import locate_strings
from dashm.workspace.walk import walk_python_files

IDENTIFIER = re.compile(r"[^\W\d]\w*")
SETUPTOOLS_LISTS = ("py-modules", "packages")


def default_new_name(name: str) -> str:
    """The name DM104's message suggests."""
    return f"{name}_utils"


@dataclass(frozen=True)
class RenamePlan:
    """What renaming `old` to `new` changes: `fix` holds the rename and the text edits (which
    refer to `texts`, the files as they were read), `notes` the imports left as they are."""

    fix: Fix
    old: Path
    new: Path
    imports: int
    references: int
    texts: dict[Path, str]
    notes: tuple[str, ...] = ()


class _Refused(Exception):
    pass


def plan_rename(workspace: Workspace, target: Path, new_name: str) -> RenamePlan | str:
    """The plan to rename the module file or package `target` (its folder or `__init__.py`)
    to `new_name` in the same folder, or why it is refused."""
    try:
        return _Planner(workspace, _target(target, new_name)).plan()
    except _Refused as refused:
        return str(refused)


@dataclass(frozen=True)
class _Target:
    moved: Path  # the module file, or the package's folder
    module_file: Path  # the module file, or the package's __init__.py
    name: str
    new_name: str

    @property
    def new(self) -> Path:
        suffix = "" if self.moved != self.module_file else self.moved.suffix
        return self.moved.with_name(self.new_name + suffix)

    def is_itself(self, found: Resolved | None) -> bool:
        return found is not None and found.path is not None and found.kind != "namespace" \
            and _same_file(found.path, self.module_file)

    def contains(self, path: Path) -> bool:
        return path == self.moved or (self.moved != self.module_file
                                      and is_within(path, self.moved))


def _target(path: Path, new_name: str) -> _Target:
    path = Path(os.path.abspath(path))
    if path.is_dir():
        if not (path / "__init__.py").is_file():
            raise _Refused(f"{path.name}/ has no __init__.py: only a module or a regular "
                           "package can be renamed")
        moved, module_file = path, path / "__init__.py"
    elif path.name == "__init__.py" and path.is_file():
        moved, module_file = path.parent, path
    elif path.suffix == ".py" and path.is_file():
        moved, module_file = path, path
    else:
        raise _Refused(f"{path} is not a Python module (.py) or a package folder")
    name = moved.stem if moved == module_file else moved.name
    if not new_name.isidentifier() or keyword.iskeyword(new_name):
        raise _Refused(f"`{new_name}` is not a valid module name (an identifier, not a "
                       "keyword)")
    if new_name == name:
        raise _Refused(f"it is already called `{name}`")
    return _Target(moved, module_file, name, new_name)


@dataclass(frozen=True)
class _Run:
    """One way a file runs: `first` is sys.path[0]; `package` is what relative imports are
    resolved against (None: they fail in this run)."""

    how: str
    first: Path
    package: str | None
    # Folders on sys.path right after `first` (pytest's `pythonpath`), before the rest.
    then: tuple[Path, ...] = ()


@dataclass
class _Planner:
    workspace: Workspace
    target: _Target
    edits: list[TextEdit] = field(default_factory=list)
    texts: dict[Path, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    imports: int = 0
    references: int = 0
    # (file, name) for `from mod import json` in any file: a binding others import by name
    _imported_from: set[tuple[str, str]] = field(default_factory=set)

    def plan(self) -> RenamePlan:
        self._check_new_name_is_free()
        files = list(self._python_files())
        for path in files:
            self._note_imported_from(path)
        for path in files:
            self._plan_file(path)
        self._refuse_setuptools_files()
        self._plan_pyproject()
        self._plan_launch()
        self._note_documented_runs()
        target = self.target
        shown = f"{self._display(target.moved)}{'/' if target.moved.is_dir() else ''}"
        new_shown = f"{target.new.name}{'/' if target.moved.is_dir() else ''}"
        counted = f"{self.imports} import{'' if self.imports == 1 else 's'}"
        if self.references:
            counted += (f" and {self.references} reference"
                        f"{'' if self.references == 1 else 's'}")
        fix = Fix(f"Rename {shown} to {new_shown} and update {counted}",
                  tuple(self.edits), renames=(FileRename(target.moved, target.new),))
        return RenamePlan(fix, target.moved, target.new, self.imports, self.references,
                          self.texts, tuple(self.notes))

    # -- the new name ---------------------------------------------------------------------
    def _check_new_name_is_free(self) -> None:
        target, workspace = self.target, self.workspace
        folder = target.moved.parent
        listing = workspace.folders.listing(folder)
        taken = listing.modules.get(target.new_name) or listing.folders.get(target.new_name)
        if taken is not None or os.path.lexists(target.new):
            raise _Refused(f"{self._display(taken or target.new)} exists: dashm never "
                           "overwrites a module")
        source = workspace.source(target.module_file)
        if isinstance(source, SourceProblem):
            raise _Refused(f"{self._display(target.module_file)} {source.reason}")
        ctx = FileContext(workspace, source, workspace.locate(target.module_file),
                          workspace.project_for(target.module_file))
        hidden = ctx.taken_name(target.new_name)
        if hidden is not None:
            raise _Refused(f"`{target.new_name}` would hide {hidden} too")

    # -- Python files ---------------------------------------------------------------------
    def _python_files(self) -> Iterator[Path]:
        for item in walk_python_files(self.workspace.folder):
            if isinstance(item, Path):
                yield item

    def _note_imported_from(self, path: Path) -> None:
        """Remember which files others import the target's name from (`from main import
        json`, `from .main import json`), resolved as under `python -m`."""
        source = self.workspace.source(path)
        if isinstance(source, SourceProblem) or (self.target.name not in source.text
                                                 and "import *" not in source.text):
            return
        location = self.workspace.locate(path)
        run = _Run("", location.root, location.package if location.module else None)
        uses: Uses | None = None
        for fact in source.facts.imports:
            if fact.is_from:
                # `from main import json`, and `from main import *` (json comes along)
                if all(a.name not in (self.target.name, "*") for a in fact.names):
                    continue
                parts = _FilePlan.absolute(
                    fact, fact.module.split(".") if fact.module else [], run)
                self._note_exporter(".".join(parts) if parts else "", run)
                continue
            if uses is None:
                try:
                    uses = Uses(source.text)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    return  # (a file that does not parse is refused when it is planned)
            for alias in fact.names:  # `import main` then `main.json.A`
                bound = alias.asname or alias.name.split(".")[0]
                chain = [] if alias.asname else alias.name.split(".")[1:]
                reached = uses.attributes(bound, [*chain, self.target.name]) \
                    if uses.followable(bound) else None
                if reached is None or reached:  # (not followable: it may)
                    self._note_exporter(alias.name, run)

    def _note_exporter(self, dotted: str, run: _Run) -> None:
        found = self.resolve(dotted, run) if dotted else None
        if found is not None and found.path is not None:
            self._imported_from.add((os.path.realpath(found.path), self.target.name))

    def resolve(self, dotted: str, run: _Run) -> Resolved | None:
        """Where `import dotted` lands in `run`."""
        if not run.then:
            return self.workspace.resolve(dotted, run.first)
        plain = self.workspace.search_path(run.first)
        return self.workspace.folders.resolve(dotted, (plain[0], *run.then, *plain[1:]),
                                              self.workspace.environment.unshadowable)

    def exports(self, path: Path, name: str) -> bool:
        """Whether some file imports `name` from the module `path`."""
        return (os.path.realpath(path), name) in self._imported_from

    def _plan_file(self, path: Path) -> None:
        target = self.target
        source = self.workspace.source(path)
        if isinstance(source, SourceProblem):
            try:
                mentions = target.name.encode() in path.read_bytes()
            except OSError:
                mentions = True
            if mentions:
                raise _Refused(f"{self._display(path)} {source.reason}: dashm cannot tell "
                               f"whether it imports `{target.name}`")
            return
        text = source.text
        if target.name not in text and target.new_name not in text:
            return
        source = self.workspace.parsed(path)  # (the syntax checked, top-level names read)
        if isinstance(source, SourceProblem):
            raise _Refused(f"{self._display(path)} {source.reason}")
        if source.facts.syntax_error is not None:
            line = source.facts.syntax_error.position.line + 1
            raise _Refused(f"{self._display(path)} has a syntax error (line {line}): fix "
                           "it first, so its imports can be read")
        self._refuse_lookups_by_name(path, text)
        runs = self._runs(source)
        file = _FilePlan(self, source, runs)
        for fact in source.facts.imports:
            file.statement(fact)
        if not file.edits:
            return
        if path.suffix == NOTEBOOK_SUFFIX:
            self._plan_notebook(path, file.edits)
        else:
            self.texts[path] = text
            self.edits.extend(file.edits)
        self.imports += file.rewritten

    def _plan_notebook(self, path: Path, edits: list[TextEdit]) -> None:
        """A notebook's edits are made in its cells' sources: the plan edits its JSON text
        (one edit over what changes; outputs and formatting stay)."""
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise _Refused(f"{self._display(path)} cannot be read: {error.strerror}") from None
        made = notebook_with_edits(raw, edits)
        if isinstance(made, str):
            raise _Refused(f"{self._display(path)}: {made}; rename by hand")
        old, new = raw.decode("utf-8"), made.decode("utf-8")
        edit = minimal_edit(path, old, new)
        if edit is not None:
            self.texts[path] = old
            self.edits.append(edit)

    def _runs(self, source: SourceFile) -> list[_Run]:
        workspace, path = self.workspace, source.path
        if path.suffix == NOTEBOOK_SUFFIX:  # run by a kernel, never with -m nor imported
            kernel = workspace.kernel_folder(path)
            return [_Run(f"the kernel of {self._display(path)} (in {self._display(kernel)}/)",
                         workspace.script_dir(path), None)]
        location = workspace.locate(path)
        module = location.run_module or location.module
        runs = [_Run(f"`python -m {module}`" if module else "module mode", location.root,
                     location.package if location.module is not None else None)]
        ctx = FileContext(workspace, source, location, workspace.project_for(path))
        scripts = ctx.scripts_beside
        by_path = ctx.by_path_command()  # documented, or an executable `#!` script
        pytest = self._pytest_runs(ctx)
        if pytest:
            if path not in scripts and not by_path:
                return pytest  # a test file runs under pytest, not as `python -m tests.x`
            runs.extend(pytest)
        if path in scripts or by_path:
            runs.append(_Run(by_path or f"`python {self._display(path)}`",
                             workspace.script_dir(path), None))
            return runs
        for script in scripts:
            if path in ctx.imported_bare_from(script):
                runs.append(_Run(f"`python {self._display(script)}`",
                                 workspace.script_dir(script), None))
                break
        return runs

    def _pytest_runs(self, ctx: FileContext) -> list[_Run]:
        """A test file as pytest imports it (its default `prepend` mode): the first folder
        above its package chain goes first on sys.path, then those of the conftest.py files
        above it and the configured `pythonpath`; and as `python -m pytest` runs it, with the
        project folder (the working folder) on sys.path too. An import both reach alike is
        judged; one they do not is refused (`_hit`)."""
        if not (ctx.is_test_file and ctx.path.suffix == ".py") or \
                sets_import_mode(ctx.project.folder):
            return []
        base = package_tree_folder(ctx.path.parent)
        package = None
        if base != ctx.path.parent:
            relative = ctx.path.parent.relative_to(base).parts
            package = ".".join(relative)
        project = ctx.project.folder
        then = [package_tree_folder(c.parent) for c in self._conftests(ctx.path.parent, project)]
        then += pythonpath_folders(project)
        shown = self._display(ctx.path)
        runs = [_Run(f"pytest ({shown})", base, package, tuple(then))]
        if project != base and project not in then:
            runs.append(_Run(f"`python -m pytest` ({shown})", base, package,
                             (*then, project)))
        return runs

    @staticmethod
    def _conftests(folder: Path, project: Path) -> list[Path]:
        found = []
        while is_within(folder, project):
            if (folder / "conftest.py").is_file():
                found.append(folder / "conftest.py")
            if folder == project or folder.parent == folder:
                break
            folder = folder.parent
        return found

    @functools.cached_property
    def _lookups(self) -> list[tuple[str, re.Pattern[str]]]:
        """Each name of the target, with what finds it by name in a string (made once per
        plan, searched in every file that mentions the name)."""
        found = []
        for name in sorted({self.target.name, *self._dotted_names}):
            found.append((name, re.compile(
                r"(?:" + LOOKUP_BY_NAME + r"""(?P<q>["'])""" + re.escape(name) +
                r"""(?:[.:][\w.:]*)?(?P=q)|pytest_plugins\s*=[^\n]*["']""" +
                re.escape(name) + r"""["']|>>>\s*(?:import|from)\s+""" + re.escape(name) +
                r"\b)")))
        return found

    def _refuse_lookups_by_name(self, path: Path, text: str) -> None:
        for name, quoted in self._lookups:
            match = quoted.search(text)
            if match:
                line = text.count("\n", 0, match.start())
                code = text.splitlines()[line].strip()[:60]
                raise _Refused(f"{self.place(path, line)} finds `{name}` by its name in a "
                               f"string (`{code}`): rename it by hand")

    def place(self, path: Path, line: int) -> str:
        """`x.py:3` for a 0-based line of a file; `nb.ipynb:cell 2:1` for a notebook's."""
        if path.suffix == NOTEBOOK_SUFFIX:
            try:
                found = read_notebook(path.read_bytes()).in_cell(Position(line, 0))
            except (OSError, ValueError):
                found = None
            if found is not None:
                return f"{self._display(path)}:cell {found[0].number}:{found[1].line + 1}"
        return f"{self._display(path)}:{line + 1}"

    def _refuse_setuptools_files(self) -> None:
        """setup.py and setup.cfg name packages, modules and entry points in code and INI
        text dashm does not rewrite: a rename that leaves them naming the old module breaks
        `pip install` (`package directory 'types' does not exist`), so it is refused."""
        config = self.workspace.project_for(self.target.module_file)
        project = config.folder
        names = sorted({self.target.name, *self._dotted_names}, key=len, reverse=True)
        tool = config.data.get("tool")
        setuptools = tool.get("setuptools") if isinstance(tool, dict) else None
        packages = setuptools.get("packages") if isinstance(setuptools, dict) else None
        find = packages.get("find") if isinstance(packages, dict) else None
        for key in ("include", "exclude"):
            patterns = find.get(key) if isinstance(find, dict) else None
            for pattern in patterns if isinstance(patterns, list) else []:
                if isinstance(pattern, str) and any(
                        pattern == n or pattern.startswith((f"{n}.", f"{n}*")) for n in names):
                    raise _Refused(f"{self._display(project / 'pyproject.toml')}: "
                                   f"[tool.setuptools.packages.find] {key} names `{pattern}`, "
                                   "which dashm does not rewrite: rename by hand")
        for file, pattern in (
                ("setup.py", r"""(?P<q>["'])(?:{n})(?:[.:][\w.:]*)?(?P=q)"""),
                ("setup.cfg", r"(?<![\w.-])(?:{n})(?:[.:][\w.:]*)?(?![\w-])")):
            text = _utf8(project / file)
            if not text:
                continue
            found = re.compile(pattern.format(n="|".join(map(re.escape, names))))
            for number, line in enumerate(text.splitlines()):
                code = line.split("#", 1)[0]
                if file == "setup.cfg" and (code.lstrip().startswith((";", "[")) or
                                            code.split("=", 1)[0].strip() in ("name",)):
                    continue
                if found.search(code):
                    raise _Refused(f"{self._display(project / file)}:{number + 1} names "
                                   f"`{self.target.name}` (`{line.strip()[:60]}`), which "
                                   "dashm does not rewrite there: rename by hand")

    @functools.cached_property
    def _dotted_names(self) -> set[str]:
        module = self.workspace.locate(self.target.module_file).module
        return {module} if module else set()

    # -- what people read ---------------------------------------------------------------
    def _note_documented_runs(self) -> None:
        """Commands the project documents (README, Makefile, CI) that the rename changes:
        said, not rewritten (they are prose, and may name another interpreter's module)."""
        target, workspace = self.target, self.workspace
        folders = [workspace.project_for(target.module_file).folder, workspace.folder]
        module = workspace.locate(target.module_file).module
        if module:
            parts = module.split(".")
            for evidence in run_evidence(folders):
                named = evidence.module.split(".")
                if evidence.kind == "command" and named[:len(parts)] == parts:
                    new = ".".join([*parts[:-1], target.new_name, *named[len(parts):]])
                    self.notes.append(f"{evidence.where(workspace.folder)} documents "
                                      f"{evidence.cite}: write `{new}` there")
        files = [target.moved] if target.moved == target.module_file else sorted(
            target.moved.rglob("*.py"))
        for file in files:
            for evidence in documented_runs(file, folders):
                self.notes.append(f"{evidence.where(workspace.folder)} runs {evidence.cite}: "
                                  "update the path there")

    # -- the text files that name modules ----------------------------------------------
    def _plan_pyproject(self) -> None:
        project = self.workspace.project_for(self.target.module_file)
        path = project.folder / "pyproject.toml"
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return
        if self.target.name not in text:
            return
        index = LineIndex(text)
        roots = search_roots(project)
        edits = []
        for string in locate_strings(text):
            key = string.key
            is_entry = (len(key) >= 3 and key[0] == "project" and key[1] in
                        ("scripts", "gui-scripts", "entry-points")) or \
                key[:3] == ("tool", "poetry", "scripts")
            is_list = key[:2] == ("tool", "setuptools") and len(key) == 4 and \
                key[2] in SETUPTOOLS_LISTS
            if not (is_entry or is_list):
                continue
            module = string.value.split(":", 1)[0] if is_entry else string.value
            edit = self._reference_edit(path, text, index, string.range, module,
                                        lambda dotted: self.workspace.folders.resolve(
                                            dotted, roots))
            if edit is not None:
                edits.append(edit)
        self._add_references(path, text, edits)

    def _plan_launch(self) -> None:
        """`"module"` in the launch.json of the editor's folder and of the project's (a
        folder opened above the project)."""
        project = self.workspace.project_for(self.target.module_file).folder
        for folder in dict.fromkeys([self.workspace.folder, project]):
            self._plan_launch_file(folder)

    def _plan_launch_file(self, folder: Path) -> None:
        path = folder / ".vscode" / "launch.json"
        try:
            text = path.read_bytes().decode("utf-8")
            root = parse_jsonc(text)
        except (OSError, UnicodeDecodeError, JsoncError):
            return
        configurations = root.get("configurations") if root.kind == "object" else None
        if configurations is None or configurations.value.kind != "array":
            return
        index = LineIndex(text)
        edits = []
        for config in configurations.value.items:
            module = config.get("module") if config.kind == "object" else None
            if module is None or module.value.kind != "string":
                continue
            cwd = _launch_cwd(config, folder)
            if cwd is None:
                continue
            span = Range(index.position_at(module.value.start + 1),
                         index.position_at(module.value.end - 1))
            edit = self._reference_edit(
                path, text, index, span, str(module.value.value),
                lambda dotted, cwd=cwd: self.workspace.resolve(dotted, cwd))
            if edit is not None:
                edits.append(edit)
        self._add_references(path, text, edits)

    def _reference_edit(self, path: Path, text: str, index: LineIndex, span: Range,
                        module: str, resolve) -> TextEdit | None:  # type: ignore[no-untyped-def]
        """The edit of the target's part of a dotted module name written in a string (from
        the string's start), when that name reaches the target."""
        start = index.offset(span.start)
        parts = module.strip().split(".")
        for number, part in enumerate(parts):
            if part == self.target.name and self.target.is_itself(
                    resolve(".".join(parts[:number + 1]))):
                offset = start + len(".".join(parts[:number]))
                offset += 1 if number else 0
                if text[offset:offset + len(part)] != part:
                    raise _Refused(f"{self._display(path)}: `{module}` is written in a way "
                                   "dashm cannot edit exactly; rename by hand")
                return TextEdit(path, Range(index.position_at(offset),
                                            index.position_at(offset + len(part))),
                                self.target.new_name)
        return None

    def _add_references(self, path: Path, text: str, edits: list[TextEdit]) -> None:
        if edits:
            self.texts[path] = text
            self.edits.extend(edits)
            self.references += len(edits)

    def _display(self, path: Path) -> str:
        try:
            return path.relative_to(self.workspace.folder).as_posix() or "."
        except ValueError:
            return str(path)


class _FilePlan:
    """The edits of one Python file: its import statements that reach the target, and the
    uses of the names they bind."""

    def __init__(self, planner: _Planner, source: SourceFile, runs: list[_Run]) -> None:
        self.planner = planner
        self.target = planner.target
        self.source = source
        self.runs = runs
        self.edits: list[TextEdit] = []
        self.rewritten = 0
        self._uses: Uses | None = None
        self._index = LineIndex(source.text)
        self._renamed_bindings: set[str] = set()

    @property
    def uses(self) -> Uses:
        if self._uses is None:
            self._uses = Uses(self.source.text)
        return self._uses

    def statement(self, fact: ImportFact) -> None:
        before = len(self.edits)
        if fact.is_from:
            self._from_import(fact)
        else:
            for alias in fact.names:
                parts = alias.name.split(".")
                self._check_new_name(fact, parts, [parts] * len(self.runs))
                hit = self._hit(fact, parts, [parts] * len(self.runs))
                start = self._index.offset(alias.range.start)
                if hit is not None:
                    k = hit[0]
                    bound = alias.asname or parts[0]
                    # (`import a.json` binds `a`: its attributes say nothing of json's)
                    binds_module = alias.asname is not None or k == 0
                    if (binds_module or self.target.contains(self.source.path)) and \
                            self._self_import_meant_hidden(fact, parts, k, bound):
                        continue
                    binds_target = k == 0 and alias.asname is None
                    self._component(fact, start, k, binds_target, bound,
                                    dotted_after=len(parts) > k + 1)
                    if k > 0 and alias.asname is None:
                        self._chain(fact, parts[0], parts[1:k + 1])
                elif alias.asname is None:
                    self._through_parent(fact, parts[0], parts[1:], parts)
                else:
                    self._through_parent(fact, alias.asname, [], parts)
        if len(self.edits) > before:
            self.rewritten += 1

    # -- from imports ------------------------------------------------------------------
    def _from_import(self, fact: ImportFact) -> None:
        spelled = fact.module.split(".") if fact.module else []
        absolute = [self.absolute(fact, spelled, run) for run in self.runs]
        self._check_new_name(fact, spelled, absolute)
        hit = self._hit(fact, spelled, absolute)
        if hit is not None:
            k, run = hit
            prefix = len(absolute[run] or ()) - len(spelled)
            if k < prefix:
                return  # reached through the dots alone: nothing names it
            used = [n.name for n in fact.names]
            if self._self_import_meant_hidden(fact, spelled[k - prefix:], 0, "", used):
                return
            assert fact.module_range is not None
            self._component(fact, self._index.offset(fact.module_range.start), k - prefix,
                            False, "")
            return
        for alias in fact.names:
            if alias.name == "*":
                continue
            names = [a + [alias.name] if a is not None else None for a in absolute]
            spelled_name = [*spelled, alias.name]
            self._check_new_name(fact, spelled_name, names)
            hit = self._hit(fact, spelled_name, names)
            bound = alias.asname or alias.name
            if hit is None:
                self._through_parent(fact, bound, [], spelled_name, names)
                continue
            if hit[0] != len(names[hit[1]] or ()) - 1:
                continue  # (the target is the module part: handled above)
            if self._self_import_meant_hidden(fact, [alias.name], 0, bound):
                continue
            self._component(fact, self._index.offset(alias.range.start), 0,
                            alias.asname is None, bound)

    @staticmethod
    def absolute(fact: ImportFact, spelled: list[str], run: _Run) -> list[str] | None:
        """The absolute dotted name a `from` import's module has in `run` (None: fails)."""
        if not fact.level:
            return spelled
        if run.package is None:
            return None
        base = run.package.split(".") if run.package else []
        if fact.level - 1 >= len(base):
            return None  # beyond the top-level package
        return base[:len(base) - (fact.level - 1)] + spelled

    # -- which runs reach the target -------------------------------------------------
    def _hit(self, fact: ImportFact, spelled: list[str],
             absolute: list[list[str] | None]) -> tuple[int, int] | None:
        """(the index in `absolute`'s names of the part that is the target, the run that
        reaches it), when the name reaches it in some run; refused when it reaches
        something else in another run."""
        hits: dict[int, int] = {}
        for number, (run, parts) in enumerate(zip(self.runs, absolute, strict=True)):
            if parts is None:
                continue
            for k, part in enumerate(parts):
                if part == self.target.name and self.target.is_itself(
                        self.planner.resolve(".".join(parts[:k + 1]), run)):
                    hits[number] = k
                    break
        if not hits:
            return None
        hitting, k = next(iter(hits.items()))
        for number, (run, parts) in enumerate(zip(self.runs, absolute, strict=True)):
            if number in hits or parts is None or len(parts) <= k:
                continue
            other = self.planner.resolve(".".join(parts[:k + 1]), run)
            if other is not None:
                hit_run = self.runs[hitting]
                elsewhere = other.path if other.path is not None else other.name
                shown = self.planner._display(Path(elsewhere)) if other.path else elsewhere
                raise _Refused(
                    f"{self._where(fact)} `{'.'.join(spelled)}` loads "
                    f"{self.planner._display(self.target.module_file)} under {hit_run.how} "
                    f"but {shown} under {run.how}: rename by hand")
        return k, hitting

    def _check_new_name(self, fact: ImportFact, spelled: list[str],
                        absolute: list[list[str] | None]) -> None:
        """Refused when this import already names the new module (`import json_utils`):
        after the rename it would load the renamed file instead of what it loads today."""
        new = self.target.new_name
        if new not in spelled:
            return
        for run, parts in zip(self.runs, absolute, strict=True):
            if parts is None or new not in parts:
                continue
            k = parts.index(new)
            sibling = ".".join([*parts[:k], self.target.name])
            if self.target.is_itself(self.planner.resolve(sibling, run)):
                raise _Refused(f"{self._where(fact)} already imports `{'.'.join(parts)}`: "
                               f"`{new}` is taken; choose another name")

    # -- edits -------------------------------------------------------------------------
    def _component(self, fact: ImportFact, start: int, k: int, binds_target: bool, bound: str,
                   dotted_after: bool = False) -> None:
        """Rewrite the k-th part of the dotted name written from `start`; when the import
        binds the target's own name (`import json`, `from a import json`), its uses too, or
        keep the old name as an alias where they cannot all be followed (or other files
        import that name from this one)."""
        text = self.source.text
        spans = list(_dotted_parts(text, start))
        if k >= len(spans) or text[spans[k][0]:spans[k][1]] != self.target.name:
            raise _Refused(f"{self.planner._display(self.source.path)}: an import of "
                           f"`{self.target.name}` dashm cannot edit exactly; rename by hand")
        begin, end = spans[k]
        new = self.target.new_name
        if binds_target:
            uses = self.uses.names(bound) if self.uses.followable(bound) else None
            if uses is None or self.planner.exports(self.source.path, bound):
                if dotted_after:  # `import json_utils.sub as json` would bind the submodule
                    raise _Refused(f"{self._where(fact)} binds `{bound}`, which the file also "
                                   "binds otherwise (or others import from it): rename by "
                                   "hand")
                new = f"{new} as {bound}"
            elif bound not in self._renamed_bindings:
                self._renamed_bindings.add(bound)
                self.edits.extend(TextEdit(self.source.path, r, self.target.new_name)
                                  for r in uses)
        self.edits.append(TextEdit(self.source.path, Range(self._index.position_at(begin),
                                                           self._index.position_at(end)), new))

    def _chain(self, fact: ImportFact, bound: str, chain: list[str]) -> None:
        """`import a.json` binds `a`: rewrite `a.json` in the file's code."""
        if not chain or bound in self._renamed_bindings:
            return
        ranges = self.uses.attributes(bound, chain) if self.uses.followable(bound) else None
        if ranges is None:
            raise _Refused(f"{self._where(fact)} binds `{bound}`, which the file also binds "
                           f"otherwise: dashm cannot follow `{bound}.{'.'.join(chain)}`; "
                           "rename by hand")
        self._renamed_bindings.add(bound)
        self.edits.extend(TextEdit(self.source.path, r, self.target.new_name) for r in ranges)

    def _through_parent(self, fact: ImportFact, bound: str, after: list[str],
                        spelled: list[str], absolute: list[list[str] | None] | None = None
                        ) -> None:
        """`import a` (or `from x import a`) where `a.json` is the target: the code may
        reach it as an attribute, `a.json.f()`, once something imported it."""
        names = absolute if absolute is not None else [spelled] * len(self.runs)
        parents = [p + [self.target.name] if p is not None else None for p in names]
        chain = [*after, self.target.name]
        if f"{bound}." not in self.source.text or not self.uses.attributes(bound, chain):
            return
        if self._hit(fact, [*spelled, self.target.name], parents) is not None:
            self._chain(fact, bound, chain)

    def _self_import_meant_hidden(self, fact: ImportFact, spelled: list[str], k: int,
                                  bound: str, used: list[str] | None = None) -> bool:
        """An import of the target's own name inside the renamed module itself (json.py's
        `import json`) loads that module itself today, but it is written to reach what the
        name hides: kept (the rename makes it reach that) unless the code uses only names
        the module defines."""
        if k != len(spelled) - 1:
            return False
        if used is None:
            used = sorted(self.uses.attribute_names(bound))
        own = self._own_names()
        if not self.target.contains(self.source.path):
            return self._importer_meant_hidden(fact, spelled, used, own)
        if used and all(name in own for name in used):
            return False
        self.planner.notes.append(
            f"kept {self._where(fact)} `{'.'.join(spelled)}`: inside the module it means "
            f"the `{self.target.name}` it hides, which it loads once renamed")
        return True

    def _importer_meant_hidden(self, fact: ImportFact, spelled: list[str], used: list[str],
                               own: set[str]) -> bool:
        """Another file's import of the target that uses only names the target lacks
        (`random.randint` with a local random.py of other names): it was written for the
        module the target hides, fails today, and works once the target is renamed: kept.
        One that mixes the two cannot be right either way: refused."""
        if "*" in used:  # `from random import *`: whatever the file uses comes along
            return False
        missing = [name for name in used if name not in own]
        if not missing or self._own_names_unknown():
            return False
        present = [name for name in used if name in own]
        shown = self.planner._display(self.target.module_file)
        if present:
            raise _Refused(f"{self._where(fact)} uses `{present[0]}` (in {shown}) and "
                           f"`{missing[0]}` (not in it): rename by hand")
        self.planner.notes.append(
            f"kept {self._where(fact)} `{'.'.join(spelled)}`: it uses `{missing[0]}`, which "
            f"{shown} lacks; once renamed it loads the `{self.target.name}` that has it")
        return True

    def _own_names_unknown(self) -> bool:
        """A star import (or `__getattr__`) in the target: its names are not all known."""
        parsed = self.planner.workspace.parsed(self.target.module_file)
        if not isinstance(parsed, SourceFile):
            return True
        return "__getattr__" in parsed.facts.top_level_names or any(
            a.name == "*" for fact in parsed.facts.imports for a in fact.names)

    def _own_names(self) -> set[str]:
        parsed = self.planner.workspace.parsed(self.target.module_file)
        names = set(parsed.facts.top_level_names) if isinstance(parsed, SourceFile) else set()
        if self.target.moved != self.target.module_file:
            listing = self.planner.workspace.folders.listing(self.target.moved)
            names |= set(listing.modules) | set(listing.folders)
        return names

    def _where(self, fact: ImportFact) -> str:
        return self.planner.place(self.source.path, fact.statement.start.line)


def _dotted_parts(text: str, start: int) -> Iterator[tuple[int, int]]:
    """The (start, end) offsets of each part of the dotted name written from `start`
    (`a . b` and `a.\\` line continuations included)."""
    offset = start
    while True:
        match = IDENTIFIER.match(text, offset)
        if match is None:
            return
        yield match.start(), match.end()
        offset = skip_blank(text, match.end())
        if not text.startswith(".", offset):
            return
        offset = skip_blank(text, offset + 1)


def _launch_cwd(config: Node, folder: Path) -> Path | None:
    """The working folder (sys.path[0] of `python -m`) of a launch configuration; None when
    it names variables other than the workspace folder."""
    member = config.get("cwd")
    if member is None:
        return folder
    if member.value.kind != "string":
        return None
    value = str(member.value.value)
    for variable in ("${workspaceFolder}", "${workspaceRoot}"):
        value = value.replace(variable, str(folder))
    if "${" in value:
        return None
    path = Path(value)
    return Path(os.path.normpath(path if path.is_absolute() else folder / path))


def _same_file(a: Path, b: Path) -> bool:
    return a == b or os.path.realpath(a) == os.path.realpath(b)


# Suggested plans per workspace, until a file changes: an editor asks for the actions of a
# diagnostic each time the cursor comes by, and a plan reads every file of the workspace.
_suggested: weakref.WeakKeyDictionary[Workspace, dict[Path, tuple[object, RenamePlan | str]]] \
    = weakref.WeakKeyDictionary()


def plan_suggested_rename(workspace: Workspace, module_file: Path) -> RenamePlan | str:
    """The rename DM104's message suggests for the module file (or `__init__.py`) it is on:
    `json.py` to `json_utils.py` (kept until a file of the workspace changes)."""
    stamp = (workspace.generation, workspace.settings, workspace.interpreter)
    plans = _suggested.setdefault(workspace, {})
    cached = plans.get(module_file)
    if cached is not None and cached[0] == stamp and _still_on_disk(cached[1]):
        return cached[1]
    name = module_file.parent.name if module_file.name == "__init__.py" else module_file.stem
    plan = plan_rename(workspace, module_file, default_new_name(name))
    plans[module_file] = (stamp, plan)
    return plan


def _still_on_disk(plan: RenamePlan | str) -> bool:
    """Whether the files a plan edits still hold the text it was made from (a change the
    editor did not report must not turn its edits into garbage)."""
    if isinstance(plan, str):
        return True
    for path, text in plan.texts.items():
        read = read_source(path) if path.suffix == ".py" else _utf8(path)
        if read != text:
            return False
    return plan.old.exists() and not os.path.lexists(plan.new)


def _utf8(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None

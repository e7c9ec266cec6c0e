"""What a rule sees of one file: its text and facts, its place in the layout, the workspace."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from dashm.findings import Range
from dashm.workspace import Location, SourceFile, Workspace
from dashm.workspace.dependencies import declared_dependencies, normalize
from dashm.workspace.evidence import Evidence, documented_runs
from dashm.workspace.facts import ImportedName, ImportFact
from dashm.workspace.finder import Resolved
from dashm.workspace.paths import is_within
from dashm.workspace.project import ProjectConfig

# Files that tools execute rather than people, and the tool's own remedy for path hacks, remedy
# first ({hack} is the statement, as `sys.path.insert()`). PYTEST: the remedy names the folder
# to put in pytest's `pythonpath` (rules/syspath.py).
PYTEST = "pytest"
TOOL_FILES = {
    "conftest.py": PYTEST,
    "noxfile.py": "Install the project in the session (`session.install(\"-e\", \".\")`) "
                  "instead of {hack}: nox runs noxfile.py",
    "setup.py": "Declare `package_dir` / `packages` instead of {hack}: the build backend runs "
                "setup.py",
    "manage.py": "Keep the project package beside manage.py instead of {hack}: Django runs "
                 "manage.py",
}
ALEMBIC_REMEDY = ("Set `prepend_sys_path = .` in alembic.ini (or install the project) instead "
                  "of {hack}: alembic loads env.py by path")
SPHINX_REMEDY = "Install the project in the docs environment (`pip install -e .`) instead of {hack}"
TEST_FOLDERS = frozenset({"tests", "test", "testing"})
# Code that finds a module by its name in a string: `sys.modules["util"]`,
# `sys.modules.get("util")`, `importlib.import_module("util")`, `__import__("util")`,
# `find_spec("util")`, `mock.patch("util.now")`, `monkeypatch.setattr("util.now", ...)`.
LOOKUP_BY_NAME = (r"(?:sys\.modules(?:\.(?:get|pop|setdefault))?\s*[\[(]|"
                  r"(?:import_module|__import__|find_spec|patch|setattr)\s*\(\s*)\s*")

# A string literal that starts by climbing out of the working folder: '../data/x.png'.
CLIMBING_PATH = re.compile(r"""(?<![\w.])[rRbBuU]?(["'])\.\./[^"'\n]*\1""")


@dataclass
class FileContext:
    workspace: Workspace
    source: SourceFile
    location: Location
    project: ProjectConfig
    hints: bool = True  # False when no one will show hints (DM203): skip the work

    @property
    def path(self) -> Path:
        return self.source.path

    @cached_property
    def script_dir(self) -> Path:
        return self.workspace.script_dir(self.path)

    @cached_property
    def runs_differently(self) -> bool:
        """Script mode and module mode put different folders first on sys.path."""
        return str(self.script_dir) != self.workspace.real_folder(self.location.root)

    def in_script_mode(self, dotted: str) -> Resolved | None:
        return self.workspace.resolve(dotted, self.script_dir)

    def in_module_mode(self, dotted: str) -> Resolved | None:
        return self.workspace.resolve(dotted, self.location.root)

    @cached_property
    def tool_remedy(self) -> str | None:
        """The remedy for a path hack in a file a tool runs (TOOL_FILES), PYTEST for a test
        file (`test_*.py`, `*_test.py`, anything under a `tests/` folder), else None."""
        if self.path.name == "conf.py" and "doc" in self.path.parent.name.lower():
            return SPHINX_REMEDY
        if self.path.name in TOOL_FILES:
            return TOOL_FILES[self.path.name]
        if self.path.name == "env.py" and ((self.path.parent / "script.py.mako").is_file()
                                           or self.source.facts.imports_name("alembic")):
            return ALEMBIC_REMEDY
        return PYTEST if self.is_test_file else None

    @cached_property
    def is_test_file(self) -> bool:
        name = self.path.name
        if name.startswith("test_") or name.endswith("_test.py"):
            return True
        try:  # folders above the workspace (a temporary folder's name) do not count
            folders = self.path.parent.relative_to(self.workspace.folder).parts
        except ValueError:
            folders = ()
        return any(folder in TEST_FOLDERS for folder in folders)

    @property
    def is_evidently_run(self) -> bool:
        return bool(self.source.facts.main_guards)


    @cached_property
    def documented_runs(self) -> list[Evidence]:
        """By-path commands (`python tools/train.py`) the project documents for this file."""
        return documented_runs(self.path, [self.project.folder, self.workspace.folder],
                               self.source.text)

    def documented_run(self) -> str | None:
        """The first documented by-path command for this file, with where it is written."""
        if not self.documented_runs:
            return None
        first = self.documented_runs[0]
        return f"{first.cite} ({first.where(self.workspace.folder)})"

    def by_path_command(self) -> str | None:
        """A by-path run this file is known for: documented, or an executable script with a
        `#!` line (`./tools/x.py`)."""
        documented = self.documented_run()
        if documented:
            return documented
        facts = self.source.facts
        if facts.shebang and os.access(self.path, os.X_OK):
            return f"`./{self.display(self.path)}` (#! line, executable)"
        if facts.shebang and facts.main_guards:
            return f"`python {self.display(self.path)}` (#! line and __main__ guard)"
        if facts.main_guards:
            return self._run_like_siblings()
        return None

    def run_through_importer(self) -> str | None:
        """A documented by-path run of a script beside this file that imports it, directly or
        through other modules here, by its bare name (`python app/run.py`, whose
        `from helper import x` loads helper.py, whose imports then need app/ on sys.path)."""
        for script, run in self._documented_siblings():
            if self.path in self.imported_bare_from(script):
                return (f"{run.cite} ({run.where(self.workspace.folder)}), which imports "
                        f"{self.path.name} as `{self.path.stem}`")
        return None

    def _run_like_siblings(self) -> str | None:
        """A guarded script whose neighbours are documented by-path runs is run the same way
        (llm.c's dev/data/README.md: "run any of these scripts as python dev/data/x.py")."""
        for _, run in self._documented_siblings():
            return (f"`python {self.display(self.path)}`, as {run.cite} beside it "
                    f"({run.where(self.workspace.folder)})")
        return None

    def _documented_siblings(self) -> Iterator[tuple[Path, Evidence]]:
        """The other by-path scripts of this file's folder that the project documents, each
        with its first documented run."""
        folders = [self.project.folder, self.workspace.folder]
        for script in self.scripts_beside:
            if script != self.path and (runs := documented_runs(script, folders)):
                yield script, runs[0]

    def imported_bare_from(self, script: Path) -> set[Path]:
        """The modules of the script's folder that it loads by their bare names, directly or
        through one another (with the script itself)."""
        modules = {m.stem: m for m, _ in self.sources_in(script.parent)}
        reached, todo = {script}, [script]
        while todo:
            facts = getattr(self.workspace.source(todo.pop()), "facts", None)
            for name, module in modules.items():
                if module not in reached and facts is not None and facts.imports_name(name):
                    reached.add(module)
                    todo.append(module)
        return reached

    def run_from_own_folder(self) -> str | None:
        """A by-path run from this file's own folder (`cd code && python main.py`), evident
        from a path that climbs out of the working folder (`open('../graphics/x.png')`) in
        a file here beside a by-path script; cited, or None. Imports through the package
        cannot work there: that run puts only this folder on sys.path."""
        scripts = self.scripts_beside
        if not scripts:
            return None
        for module, source in self.sources_in(self.path.parent):
            if "../" not in source.text:
                continue
            match = CLIMBING_PATH.search(source.text)
            if match:
                line = source.text.count("\n", 0, match.start())
                folder = self.display(self.path.parent)
                return (f"`cd {folder} && python {scripts[0].name}` ({self.display(module)}:"
                        f"{line + 1} names {match.group(0)[:40]}, a path from that folder)")
        return None

    @cached_property
    def scripts_beside(self) -> list[Path]:
        """`scripts_in` of this file's own folder, which the import rules ask per import."""
        return self.scripts_in(self.path.parent)

    def scripts_in(self, folder: Path) -> list[Path]:
        """Files in `folder` that can be run by path (main guard, no relative imports):
        each one puts `folder` first on sys.path when it runs. A package's `__main__.py` is
        not one: it exists for `python -m pkg`, and nobody runs it by path. This file counts
        as its buffer is."""
        found = list(self.workspace.runnable_scripts(folder))
        if folder == self.path.parent and \
                self.workspace.folders.listing(folder).modules.get(self.path.stem) == self.path:
            runnable = self.source.facts.runnable_by_path and not (
                self.path.name == "__main__.py"
                and self.workspace.folders.package_init(folder) is not None)
            if runnable and self.path not in found:
                found = sorted([*found, self.path])
            elif not runnable and self.path in found:
                found.remove(self.path)
        return found

    def sources_in(self, folder: Path) -> Iterator[tuple[Path, SourceFile]]:
        """The readable `.py` files of `folder`, in sorted order (this file as its buffer)."""
        for module in sorted(self.workspace.folders.listing(folder).modules.values()):
            if module.suffix != ".py":
                continue
            source = self.source if module == self.path else self.workspace.source(module)
            if isinstance(source, SourceFile):
                yield module, source

    def folder_imports(self, folder: Path, top: str) -> bool:
        """Some file in `folder` imports the top-level name `top` absolutely."""
        return any(source.facts.imports_name(top) for _, source in self.sources_in(folder))

    def named_in_strings(self, name: str) -> str | None:
        """Where this file or one beside it names the module `name` in a string
        (`sys.modules['name']`, `mock.patch("name.f")`, `import_module("name")`): code that
        finds the module by that name, which a rewrite giving it a longer name would break.
        The line, cited, or None."""
        quoted = re.compile(LOOKUP_BY_NAME + r"""(?P<q>["'])""" + re.escape(name) +
                            r"""(?:\.[\w.]*)?(?P=q)""")
        for module, source in self.sources_in(self.path.parent):
            if name not in source.text:
                continue
            match = quoted.search(source.text)
            if match:
                line = source.text.count("\n", 0, match.start())
                text = source.text.splitlines()[line].strip()
                return f"`{text[:60]}` ({self.display(module)}:{line + 1})"
        return None

    def taken_name(self, top: str, folder: Path | None = None) -> str | None:
        """What else answers to the top-level name `top`: the standard library's module, an
        installed distribution (not this project's own), or a declared dependency (of the
        project, or in requirement files of `folder`, the folder that would become `top`). A
        fix that makes a workspace folder the package `top` would hide it: say which, or
        None."""
        env = self.workspace.environment
        if top in env.stdlib_names or top in env.unshadowable:
            return f"the standard library's `{top}`"
        project = self.project.data.get("project")
        own = project.get("name") if isinstance(project, dict) else None
        if isinstance(own, str) and normalize(own) == normalize(top):
            return None  # `name[extra]` in its own optional dependencies: itself
        if normalize(top) in self.project.dependencies or (
                folder is not None and normalize(top) in declared_dependencies(folder, {})):
            return f"the declared dependency `{top}`"
        installed = self.workspace.resolve_installed(top)
        if installed is not None and installed.path is not None \
                and env.is_site_path(installed.path) \
                and not is_within(installed.path, self.workspace.folder):
            return f"the installed `{top}`"
        return None

    def run_hint(self) -> str:
        module = self.location.run_module
        if module is None:
            return ""
        return f"`python -m {module}` (from {self.display(self.location.root)})"

    def display(self, path: Path) -> str:
        try:
            relative = path.relative_to(self.workspace.folder)
        except ValueError:
            return str(path)
        return relative.as_posix() or "."

    def imports(self) -> tuple[ImportFact, ...]:
        return self.source.facts.imports

    def absolute_names(self) -> Iterator[tuple[ImportFact, str, Range, ImportedName | None]]:
        """Each name an absolute import reaches for: (statement, dotted name, its range, the
        alias for `import a.b [as c]`, None for the module of `from a.b import c`)."""
        for fact in self.imports():
            if fact.level:
                continue
            if fact.is_from:
                assert fact.module is not None and fact.module_range is not None
                yield fact, fact.module, fact.module_range, None
                continue
            for alias in fact.names:
                yield fact, alias.name, alias.range, alias


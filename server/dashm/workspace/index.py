"""The workspace index: one folder's projects, layout, environment and per-file facts.

Everything is computed lazily and cached; `invalidate(path)` drops exactly what a created,
changed or deleted file can affect, so the CLI and the language server share one model.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dashm.workspace import overlay
from dashm.workspace.environment import Environment, default_interpreter, load_environment
from dashm.workspace.facts import FileFacts, extract_facts
from dashm.workspace.finder import FolderCache, Resolved
from dashm.workspace.importers import imported_names, imported_names_in_steps
from dashm.workspace.incremental import (
    import_line_facts,
    lines_moved,
    plain_after_edit,
    shift_facts,
)
from dashm.workspace.layout import Location, import_root, located
from dashm.workspace.notebook import NOTEBOOK_SUFFIX, kernel_folder
from dashm.workspace.paths import PROJECT_MARKERS, absolute, is_within
from dashm.workspace.project import ProjectConfig, load_project
from dashm.workspace.skeleton import quick_facts
from dashm.workspace.source import SourceProblem, read_source

# Suffixes of the files a change event names; any other path may be a folder.
FILE_SUFFIXES = frozenset({".py", ".pyi", ".pyw", ".pyc", ".so", ".pyd", ".toml", ".cfg",
                           ".ipynb"})


@dataclass(frozen=True)
class Settings:
    """Overrides from the command line or the editor; empty values defer to pyproject.toml."""

    import_style: str | None = None
    roots: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # added to `[tool.dashm] exclude`
    notebook_root: str | None = None  # `dashm.notebookRoot`, over `[tool.dashm] notebook-root`


@dataclass(frozen=True)
class Invocation:
    """How to run a file as a module: `argv` from `cwd`, or `reason` why it cannot be."""

    module: str | None
    cwd: Path | None
    argv: tuple[str, ...]
    reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"module": self.module, "cwd": str(self.cwd) if self.cwd else None,
                "argv": list(self.argv), "reason": self.reason}


class SourceFile:
    """A file's text and facts. A file read from disk may let its text go once the server has
    checked it (`Workspace.let_texts_go`: the texts of 20,000 files are a fifth of a server's
    memory); asked for later, the text is read from the file again."""

    __slots__ = ("path", "facts", "_text")
    __hash__ = None  # type: ignore[assignment]  # (as a dataclass holding a dict would be)

    def __init__(self, path: Path, text: str | None, facts: FileFacts) -> None:
        self.path = path
        self.facts = facts
        self._text = text

    @property
    def text(self) -> str:
        text = self._text
        if text is None:
            read = read_source(self.path)
            text = self._text = read if isinstance(read, str) else ""
        return text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceFile):
            return NotImplemented
        return (self.path, self.facts, self.text) == (other.path, other.facts, other.text)

    def __repr__(self) -> str:
        return f"SourceFile({self.path!r})"


class Workspace:
    def __init__(self, folder: Path, interpreter: str | None = None,
                 settings: Settings | None = None) -> None:
        self.folder = Path(os.path.abspath(folder))
        self.interpreter = interpreter or default_interpreter(self.folder)
        self.settings = settings or Settings()
        self.folders = FolderCache()
        self._environment: Environment | None = None
        self._projects: dict[Path, ProjectConfig] = {}
        self._project_folders: dict[Path, Path] = {}
        self._facts: dict[Path, tuple[object, SourceFile]] = {}
        self._real_folders: dict[str, str] = {}  # folder -> its realpath (script_dir)
        self._script_dirs: dict[str, Path] = {}
        self._roots: dict[Path, tuple[ProjectConfig, Path, str]] = {}  # folder -> import root
        self._imported: frozenset[str] | None = None
        self._changes = 0  # invalidations so far
        self._runnable: dict[Path, tuple[Path, ...]] = {}  # folder -> its by-path scripts
        # While the language server still reads the workspace's facts (`reading`), a check
        # of an open buffer asks for a quick answer (`quick`): passes over every file are
        # then skipped, and `partial` says one was; the server checks the buffer again
        # once all are read.
        self.reading = False
        self.quick = False
        self.partial = False
        # Open buffers: the text the facts are of, its plain lines and how many module-level
        # statements bind each name (incremental.py).
        self._buffers: dict[Path, tuple[str, frozenset[int], dict[str, int]]] = {}

    # -- environment -------------------------------------------------------------------
    @property
    def environment(self) -> Environment:
        """The target interpreter's facts; raises InterpreterError if it cannot be used."""
        if self._environment is None:
            self._environment = load_environment(self.interpreter)
        return self._environment

    def set_settings(self, settings: Settings) -> None:
        """New editor or CLI overrides: projects are re-read with them on next use."""
        self.settings = settings
        self._projects.clear()
        self._project_folders.clear()

    def set_interpreter(self, interpreter: str | None) -> None:
        self.interpreter = interpreter or default_interpreter(self.folder)
        self._environment = None

    # -- projects and layout -----------------------------------------------------------
    def project_for(self, path: Path) -> ProjectConfig:
        folder = self._project_folder(path.parent)
        project = self._projects.get(folder)
        if project is None:
            project = self._projects[folder] = self._with_settings(load_project(folder))
        return project

    def _project_folder(self, start: Path) -> Path:
        cached = self._project_folders.get(start)
        if cached is not None:
            return cached
        folder = start
        found = self.folder
        while is_within(folder, self.folder):
            if any((folder / marker).is_file() for marker in PROJECT_MARKERS):
                found = folder
                break
            if folder == self.folder or folder.parent == folder:
                break
            folder = folder.parent
        self._project_folders[start] = found
        return found

    def _with_settings(self, project: ProjectConfig) -> ProjectConfig:
        from dataclasses import replace

        s = self.settings
        changes: dict[str, object] = {}
        if s.import_style:
            changes["import_style"] = s.import_style
        if s.roots:
            changes["roots"] = tuple(project.folder / r for r in s.roots)
        if s.select:
            changes["select"] = s.select
        if s.ignore:
            changes["ignore"] = (*project.ignore, *s.ignore)
        if s.exclude:
            changes["exclude"] = (*project.exclude, *s.exclude)
        if s.notebook_root:
            changes["notebook_root"] = s.notebook_root
        return replace(project, **changes) if changes else project

    def locate(self, path: Path) -> Location:
        path = absolute(path)
        project = self.project_for(path)
        folder = path.parent
        cached = self._roots.get(folder)
        if cached is None or cached[0] is not project:  # one import root per folder
            before, self.partial = self.partial, False
            root, rule = import_root(folder, project, self.folder, self.folders,
                                     self.imported_names)
            cached = (project, root, rule)
            if not self.partial:  # a quick answer without the whole workspace is not kept
                self._roots[folder] = cached
            self.partial |= before
        return located(path, cached[1], cached[2])

    @property
    def generation(self) -> int:
        """How many times a file changed so far (`invalidate`): what was computed from the
        files on disk holds while this is the same."""
        return self._changes

    def imported_names(self) -> frozenset[str]:
        """Every dotted name, with its prefixes, that a Python file of the workspace imports
        absolutely (read once, until a file changes); none while a quick answer is asked
        for during reading (see `skips_whole_passes`)."""
        if self._imported is None:
            if self.skips_whole_passes():
                return frozenset()
            self._imported = imported_names(self)
        return self._imported

    def imported_names_in_steps(self) -> Iterator[bool]:
        """`imported_names()` made a step at a time (True per step), and kept unless a file
        changed meanwhile: a server reads it before it needs it, letting edits in between."""
        if self._imported is not None:
            return
        changes = self._changes
        found: set[str] = set()
        yield from imported_names_in_steps(self, found)
        if self._changes == changes and self._imported is None:
            self._imported = frozenset(found)

    def skips_whole_passes(self) -> bool:
        """A pass over every file of the workspace is skipped (and `partial` set): a quick
        answer is asked for while the files are still being read. Reading the rest on this
        thread would cost seconds; the answer is given again once all are read."""
        if self.quick and self.reading:
            self.partial = True
            return True
        return False

    def runnable_scripts(self, folder: Path) -> tuple[Path, ...]:
        """The `.py` files of `folder`, as they are on disk, that can be run by path (a main
        guard, no module-level relative import), sorted; a package's `__main__.py` is not one:
        it exists for `python -m pkg`. Asked for by every file of the folder, so it is kept
        until a file changes (`invalidate`)."""
        cached = self._runnable.get(folder)
        if cached is None:
            in_package = self.folders.package_init(folder) is not None
            found = []
            for module in sorted(self.folders.listing(folder).modules.values()):
                if module.suffix != ".py" or (in_package and module.name == "__main__.py"):
                    continue
                source = self._disk_source(module)
                if isinstance(source, SourceFile) and source.facts.runnable_by_path:
                    found.append(module)
            cached = self._runnable[folder] = tuple(found)
        return cached

    # -- facts -------------------------------------------------------------------------
    def source(self, path: Path, text: str | None = None) -> SourceFile | SourceProblem:
        """A file's text and facts: `text` is an editor buffer, else the file on disk."""
        path = absolute(path)
        if text is None:
            try:
                key: object = _disk_key(path)
            except OSError as error:
                return SourceProblem(path, f"cannot be read: {error.strerror or error}")
        else:
            key = ("text", hash(text))
        cached = self._facts.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        if text is None:
            read = read_source(path)
            if isinstance(read, SourceProblem):
                return read
            source = SourceFile(path, read, self._disk_facts(read))
        else:
            source = self._buffer_source(path, text, cached)
        self._facts[path] = (key, source)
        return source

    def _buffer_source(self, path: Path, text: str,
                       cached: tuple[object, SourceFile] | None) -> SourceFile:
        """An editor buffer's facts: the previous ones when the edit cannot change them
        (incremental.py), else a full extraction that also notes the plain lines."""
        previous = self._buffers.get(path)
        if previous is not None and cached is not None and cached[1].text is previous[0]:
            old_text, plain, counts = previous
            still_plain = plain_after_edit(old_text, text, plain)
            if still_plain is not None:
                self._buffers[path] = (text, still_plain, counts)
                return SourceFile(path, text, cached[1].facts)
            updated = import_line_facts(old_text, text, cached[1].facts, counts)
            if updated is not None:
                self._buffers[path] = (text, plain, updated[1])
                return SourceFile(path, text, updated[0])
            moved = lines_moved(old_text, text, plain)
            if moved is not None:
                first, delta, now_plain = moved
                self._buffers[path] = (text, now_plain, counts)
                return SourceFile(path, text, shift_facts(cached[1].facts, first, delta))
        lines: set[int] = set()
        names: dict[str, int] = {}
        facts = extract_facts(text, lines, names)
        if facts.syntax_error is None:
            self._buffers[path] = (text, frozenset(lines), names)
        else:
            self._buffers.pop(path, None)
        return SourceFile(path, text, facts)

    def _disk_source(self, path: Path) -> SourceFile | SourceProblem:
        """`source(path)` as the file is on disk, without taking the place of an editor
        buffer's entry (whose facts the next edit builds on)."""
        cached = self._facts.get(path)
        if cached is None or not (isinstance(cached[0], tuple) and cached[0][0] == "text"):
            return self.source(path)
        read = read_source(path)
        if isinstance(read, SourceProblem):
            return read
        return SourceFile(path, read, self._disk_facts(read))

    def _disk_facts(self, text: str) -> FileFacts:
        """The facts of a file read from disk, from the on-disk cache; but a quick answer
        during reading makes the few it needs itself: the cache is loaded whole on its first
        use (20,000 files: 0.4 s), which the reading does anyway."""
        if self.quick and self.reading:
            return quick_facts(text)
        return cached_facts(text, self.folder)

    def let_texts_go(self, paths: list[Path] | None = None) -> None:
        """Forget the texts of the files read from disk (their facts stay), of `paths` or of
        all: the server keeps the texts of open buffers, and reads a closed file again when
        a rule asks."""
        entries = self._facts.values() if paths is None else \
            [e for p in paths if (e := self._facts.get(p)) is not None]
        for key, source in entries:
            if isinstance(key, tuple) and key[0] == "disk":
                source._text = None

    def disk_key(self, path: Path) -> object | None:
        """The key `source()` files a disk read under (None if the file cannot be stat'ed);
        a file a preview of fixes changed has its own (overlay.py)."""
        try:
            return _disk_key(path)
        except OSError:
            return None

    def parsed(self, path: Path) -> SourceFile | SourceProblem:
        """`source(path)` with the facts of a full parse: a file's top-level names and syntax
        errors, which facts read from a skeleton (skeleton.py) leave out."""
        source = self.source(path)
        if isinstance(source, SourceProblem) or not source.facts.scanned:
            return source
        full = SourceFile(source.path, source.text, parsed_facts(source.text, self.folder))
        entry = self._facts.get(source.path)
        if entry is not None and entry[1] is source:
            self._facts[source.path] = (entry[0], full)
        return full

    def remember(self, path: Path, key: object, source: SourceFile) -> None:
        """File facts computed elsewhere (a process pool, see prefetch.py) under `key`."""
        self._facts[absolute(path)] = (key, source)

    # -- resolution --------------------------------------------------------------------
    def script_dir(self, path: Path) -> Path:
        """sys.path[0] under `python path`: the file's own folder, symlinks resolved; for a
        notebook, its kernel's working folder (`kernel_folder`)."""
        if path.suffix == NOTEBOOK_SUFFIX:
            return Path(self.real_folder(self.kernel_folder(path)))
        if os.path.islink(path):
            return Path(os.path.realpath(path)).parent
        folder = os.path.dirname(os.path.abspath(path))
        found = self._script_dirs.get(folder)
        if found is None:  # one Path per folder: rules compare and hash it again and again
            found = self._script_dirs[folder] = Path(self.real_folder(folder))
        return found

    def kernel_folder(self, notebook: Path) -> Path:
        """The working folder (and sys.path[0]) of the kernel that runs `notebook`."""
        project = self.project_for(notebook)
        return kernel_folder(absolute(notebook), project.notebook_root, self.folder,
                             project.folder)

    def real_folder(self, folder: str | Path) -> str:
        """os.path.realpath(folder), once per folder (it stats every part of the path)."""
        key = str(folder)
        real = self._real_folders.get(key)
        if real is None:
            real = self._real_folders[key] = os.path.realpath(key)
        return real

    def search_path(self, first: Path) -> tuple[Path, ...]:
        return (first, *self.environment.sys_path)

    def resolve(self, dotted: str, first: Path) -> Resolved | None:
        """Where `import dotted` lands when `first` is sys.path[0]."""
        return self.folders.resolve(dotted, self.search_path(first),
                                    self.environment.unshadowable)

    def resolve_installed(self, dotted: str) -> Resolved | None:
        """Where `import dotted` lands with nothing of the workspace on sys.path."""
        return self.folders.resolve(dotted, self.environment.sys_path,
                                    self.environment.unshadowable)

    # -- running -----------------------------------------------------------------------
    def invocation(self, path: Path) -> Invocation:
        path = absolute(path)
        location = self.locate(path)
        module = location.run_module
        reason = location.problem
        if module is None and reason is None:
            if path.name == "__init__.py":
                main = path.parent / "__main__.py"
                if overlay.is_file(main):
                    module = location.module
                else:
                    reason = (f"{path.parent.name} has no __main__.py, so `python -m "
                              f"{location.module}` cannot run it; add a __main__.py that "
                              "calls the package's entry function")
            else:
                reason = (f"{path.name} sits directly in its import root {location.root}; "
                          f"run the folder instead: `python {location.root}`")
        if module is not None:
            reason = self._runs_something_else(path, module, location.root)
            if reason is None:
                return Invocation(module, location.root, (self.interpreter, "-m", module))
        return Invocation(None, location.root, (), reason)

    def _runs_something_else(self, path: Path, module: str, root: Path) -> str | None:
        """Why `python -m module` from `root` would not run `path`, or None if it would."""
        top = module.split(".")[0]
        if top in self.environment.unshadowable:
            return (f"`python -m {module}` would run the interpreter's built-in or frozen "
                    f"`{top}`, not this file; rename {top!r} to something the standard "
                    "library does not use")
        target = module + ".__main__" if path.name in ("__main__.py", "__init__.py") else module
        found = self.resolve(target, root)
        runs = path if path.name != "__init__.py" else path.parent / "__main__.py"
        if found is not None and found.path is not None and found.kind != "namespace" and (
                found.path == runs or os.path.realpath(found.path) == os.path.realpath(runs)):
            return None  # (the same path is the same file: realpath stats every part)
        first = self.resolve(top, root)
        if first is not None and first.path is not None and first.kind != "namespace" and \
                not is_within(first.path, root):
            return (f"`python -m {module}` would find `{top}` in {first.path.parent} first: "
                    f"the folder {top}/ here has no __init__.py, so it is only a namespace "
                    f"portion and loses to that {first.kind}; add {top}/__init__.py or "
                    f"rename {top!r}")
        return (f"`python -m {module}` run from {root} would not load this file "
                f"({'it finds ' + str(found.path) if found and found.path else 'not found'})")

    # -- change tracking ---------------------------------------------------------------
    def reread_projects(self) -> None:
        """Read the projects' configurations (pyproject.toml, setup.cfg) again on next use,
        and the import roots they decide; the files' facts, the folders' listings and what
        the workspace imports stay (a configuration changes none of them)."""
        self._projects.clear()
        self._project_folders.clear()
        self._roots.clear()

    def invalidate(self, path: Path) -> None:
        """Forget what `path` (created, changed or deleted) can have changed."""
        path = absolute(path)
        self._facts.pop(path, None)
        self._roots.clear()  # an __init__.py or a folder may move any folder's import root
        self._runnable.clear()
        self._imported = None  # (and so may a changed import)
        self._changes += 1
        if path.suffix not in FILE_SUFFIXES or path.is_dir():
            # A folder (or what was one): every listing cached below it is stale.
            self.folders.invalidate_tree(path)
            self._real_folders.clear()
            self._script_dirs.clear()
        # A file in a new folder also changes its ancestors' listings (a new sub-folder).
        folder = path.parent
        while True:
            self.folders.invalidate(folder)
            if folder == self.folder or folder.parent == folder \
                    or not is_within(folder, self.folder):
                break
            folder = folder.parent
        if path.name in PROJECT_MARKERS or path.suffix == "":
            self._projects.clear()
            self._project_folders.clear()


def _disk_key(path: Path) -> object:
    """The file's size and mtime; the overlay's own key for a file a preview of fixes
    changed (overlay.py). OSError if it cannot be stat'ed."""
    previewed = overlay.key(path)
    if previewed is not None:
        return previewed
    stat = path.stat()
    return ("disk", stat.st_size, stat.st_mtime_ns)


def cached_facts(text: str, folder: Path) -> FileFacts:
    """The facts of a file's text (from a skeleton where it can, see skeleton.py), from
    `folder`'s on-disk cache when this text was seen before."""
    return _cached(text, folder, quick_facts, accept_scanned=True)


def parsed_facts(text: str, folder: Path) -> FileFacts:
    """`extract_facts(text)`: a full parse, from the on-disk cache when one was made before."""
    return _cached(text, folder, extract_facts, accept_scanned=False)


def _cached(text: str, folder: Path, extract: Callable[[str], FileFacts],
            accept_scanned: bool) -> FileFacts:
    from dashm.workspace import cache

    store = cache.shared(folder)
    if store is None:
        return extract(text)
    key = cache.digest(text)
    facts = store.get(key)
    if facts is None or (facts.scanned and not accept_scanned):
        facts = extract(text)
        store.put(key, facts)  # a full parse replaces a skeleton's facts: it tells more
    return facts

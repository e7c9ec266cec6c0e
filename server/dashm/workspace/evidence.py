"""How a project says its code is run: `python -m pkg` lines, launch configurations, scripts.

Read from the files people and tools run things from: README and docs, Makefile, tox.ini,
noxfile.py, CI workflows, Dockerfile, Procfile, `.vscode/launch.json` (`"module": "pkg"`), and the
entry points `pyproject.toml` declares. Each piece of evidence keeps its file and line so a
message can cite it. Results are cached per file by (size, mtime), so edits are seen.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dashm.workspace import overlay
from dashm.workspace.jsonc import JsoncError, parse_jsonc
from dashm.workspace.looked_at import LISTED, READ
from dashm.workspace.paths import is_within
from dashm.workspace.toml_locate import TomlString, locate_strings
from dashm.workspace.walk import is_excluded_folder

# `python -m pkg`, `python3.11 -u -m pkg`, `$(PYTHON) -m pkg`, `["python", "-m", "pkg"]`.
PYTHON_M = re.compile(
    r"""(?<![\w./-])(?P<python>(?:[\w./\\-]*[/\\])?(?:python[0-9.]*(?:\.exe)?|py|\$\(PYTHON\)|"""
    r"""\$\{PYTHON\}|\$PYTHON|\{envpython\}))["']?"""
    r"""(?:[\s,]+["']?-[A-Za-z]{1,2}["']?)*?[\s,]+["']?-m["']?[\s,]+["']?"""
    r"""(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)""")
# `python path/to/file.py` (no -m, -c): the file is run by path.
PYTHON_FILE = re.compile(
    r"""(?<![\w./-])(?:[\w./\\-]*[/\\])?(?:python[0-9.]*(?:\.exe)?|py|\$\(PYTHON\)|"""
    r"""\$\{PYTHON\}|\$PYTHON)(?:\s+-[bBdEiIOqsSuvx]+)*\s+["']?"""
    r"""(?P<file>[^\s"'`;&|()<>]+\.py)(?=$|[\s"'`;&|)<])""")
# Launchers that run a file by path as `python file.py` would (its folder first on sys.path):
# `torchrun --nproc_per_node 2 train.py`, `python -m torch.distributed.run ... train.py`,
# `accelerate launch`, `deepspeed`, `uv run`, `streamlit run`, `python -m pdb` and the like.
# Only options (each with at most one value) may stand between the launcher and the file, so
# `uv run pytest tests/test_a.py` or `coverage run -m pytest x.py` is no run of that file.
LAUNCHED_FILE = re.compile(
    r"""(?<![\w./-])(?:torchrun|deepspeed|kernprof|accelerate\s+launch|"""
    r"""(?:uv|pdm|streamlit|coverage)\s+run|"""
    r"""(?:[\w./\\-]*[/\\])?(?:python[0-9.]*(?:\.exe)?|py|\$\(PYTHON\)|\$\{PYTHON\}|\$PYTHON)"""
    r"""(?:\s+-[bBdEiIOqsSuvx]+)*\s+-m\s+(?:torch\.distributed\.(?:run|launch)|pdb|cProfile|"""
    r"""profile|trace|debugpy|accelerate\.commands\.launch|(?:streamlit|coverage)\s+run))"""
    r"""(?:\s+-(?!m\s)[^\s"'`;&|()<>]+(?:\s+(?![-"'])(?![^\s]*\.py\b)[^\s"'`;&|()<>]+)?)*"""
    r"""\s+["']?(?P<file>[^\s"'`;&|()<>-][^\s"'`;&|()<>]*\.py)(?=$|[\s"'`;&|)<])""")

TEXT_NAMES = ("README", "README.md", "README.rst", "README.txt", "Makefile", "makefile",
              "GNUmakefile", "justfile", "tox.ini", "noxfile.py", "Procfile", ".gitlab-ci.yml")
DOC_SUFFIXES = (".md", ".rst", ".txt")
# Other documentation at the top of a project (USAGE.md, CONTRIBUTING.rst, INSTALL.txt, ...);
# text files that are lists rather than prose are not read.
TOP_DOC_SUFFIXES = (".md", ".markdown", ".rst", ".txt")
NOT_DOCS = ("requirements", "constraints", "license", "licence", "copying", "notice",
            "authors", "changelog", "changes", "history", "news")
# `cd tools && python train.py`: the folder a by-path command runs in.
CD = re.compile(r"""(?:^|[\s;&(])cd\s+["']?(?P<folder>[^\s"';&|()]+)["']?\s*(?:&&|;)""")
# `cd app` (or `$ cd app`) alone on a line.
CD_LINE = re.compile(r"""^\s*(?:\$\s*)?cd\s+["']?(?P<folder>[^\s"';&|()]+)["']?\s*$""")
# Markdown's backslash escapes (`main\_app.py` renders as main_app.py).
MARKDOWN_ESCAPE = re.compile(r"\\([_*\-.\[\]()#+!`])")
MAX_DOC_FILES = 300
MAX_TEXT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Evidence:
    """One sign that something is run: `module` is the dotted name after `-m` (or named by a
    launch configuration), or for kind "script" the entry point's `module:attr` value."""

    kind: str  # "command" | "launch" | "script"
    module: str
    path: Path
    line: int  # 0-based
    cite: str

    def where(self, base: Path) -> str:
        try:
            shown = self.path.relative_to(base).as_posix()
        except ValueError:
            shown = str(self.path)
        return f"{shown}:{self.line + 1}"


@dataclass(frozen=True)
class EntryDeclaration:
    """An entry point in pyproject.toml: `table` says where ("project.scripts", ...)."""

    table: str
    name: str
    value: str
    string: TomlString


_cache: dict[Path, tuple[tuple[object, object], list[Evidence]]] = {}
_listings: dict[Path, tuple[float, list[Path]]] = {}
LISTING_SECONDS = 5.0
_K = TypeVar("_K")
_V = TypeVar("_V")


def may_hold_evidence(path: Path) -> bool:
    """Whether a created, changed or deleted file can change the evidence (for watchers)."""
    name = path.name
    return name in TEXT_NAMES or name.startswith(("README.", "Dockerfile", "docker-compose",
                                                  "compose.")) or _is_top_doc(name) or \
        name.endswith(".sh") or \
        (path.parent.name in ("docs", "doc") and name.endswith(DOC_SUFFIXES)) or \
        (path.parent.name == "workflows" and path.suffix in (".yml", ".yaml")) or \
        (path.parent.name == ".vscode" and name == "launch.json")


def forget_listings() -> None:
    """Drop the reused folder listings and the commands read from them: a watcher said
    evidence files changed, or `--fix` wrote files."""
    _listings.clear()
    _folder_commands.clear()
    _near_commands.clear()


def candidate_files(folder: Path) -> list[Path]:
    """The files of `folder` that may say how code is run (the listing is reused for a few
    seconds: one `check` run, or one burst of editor requests, lists each folder once)."""
    return _reused(_listings, folder, lambda: _candidate_files(folder))


def _reused(store: dict[_K, tuple[float, _V]], key: _K, make: Callable[[], _V]) -> _V:
    """`store[key]` made by `make()` within the last LISTING_SECONDS, else made again (and
    kept): what every file of a folder asks for is listed or read once per check run or
    burst of editor requests; forget_listings() drops it all when a watcher says so."""
    cached = store.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < LISTING_SECONDS:
        return cached[1]
    value = make()
    store[key] = (now, value)
    return value


def _candidate_files(folder: Path) -> list[Path]:
    found = _find_candidate_files(folder)
    # The warm-run cache re-checks what was looked at (looked_at.py).
    LISTED.update(str(f) for f in (folder, folder / ".github" / "workflows", folder / ".vscode",
                                   folder / "docs", folder / "doc", folder / "scripts"))
    READ.update(str(f) for f in found)
    return found


def _find_candidate_files(folder: Path) -> list[Path]:
    found: list[Path] = []
    try:
        names = {e.name: e for e in os.scandir(folder)}
    except OSError:
        return found
    for name, entry in sorted(names.items()):
        if name in TEXT_NAMES or name.startswith(("Dockerfile", "README.", "docker-compose",
                                                  "compose.")) or name.endswith(".dockerfile") \
                or _is_top_doc(name):
            if _is_file(entry):
                found.append(Path(entry.path))
    # Shell scripts at the top and in scripts/ (`run.sh`: `python dev/data/prep.py`).
    found.extend(Path(e.path) for name, e in sorted(names.items())
                 if name.endswith(".sh") and _is_file(e))
    scripts = folder / "scripts"
    if "scripts" in names and scripts.is_dir():
        try:
            found.extend(sorted(p for p in scripts.iterdir()
                                if p.suffix == ".sh" and p.is_file()))
        except OSError:
            pass
    workflows = folder / ".github" / "workflows"
    if workflows.is_dir():
        found.extend(sorted(p for p in workflows.iterdir() if p.suffix in (".yml", ".yaml")))
    launch = folder / ".vscode" / "launch.json"
    if launch.is_file():
        found.append(launch)
    for docs in ("docs", "doc"):
        if (folder / docs).is_dir():
            found.extend(_doc_files(folder / docs))
    return found


def _is_top_doc(name: str) -> bool:
    """USAGE.md, CONTRIBUTING.rst, docs written beside the code; not requirements.txt."""
    lower = name.lower()
    return lower.endswith(TOP_DOC_SUFFIXES) and not lower.startswith(NOT_DOCS)


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _doc_files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for current, subfolders, files in os.walk(folder):
        LISTED.add(current)
        subfolders[:] = sorted(s for s in subfolders if not s.startswith((".", "_"))
                               and not is_excluded_folder(s))
        for name in sorted(files):
            if name.endswith(DOC_SUFFIXES):
                found.append(Path(current) / name)
                if len(found) >= MAX_DOC_FILES:
                    return found
    return found


def file_evidence(path: Path) -> list[Evidence]:
    """The evidence one file holds (cached by size and mtime)."""
    return _read_cached(_cache, path, _evidence_in)


def _evidence_in(path: Path, text: str) -> list[Evidence]:
    if path.name == "launch.json":
        return launch_modules(path, text)
    if path.name == "pyproject.toml":
        return [Evidence("script", d.value.strip(), path, d.string.range.start.line,
                         f'{d.name} = "{d.value}"')
                for d in entry_declarations(text) if d.table in SCRIPT_TABLES]
    return command_lines(path, text)


def _read_cached(cache: dict[Path, tuple[tuple[object, object], list[Evidence]]], path: Path,
                 read: Callable[[Path, str], list[Evidence]]) -> list[Evidence]:
    """`read(path, text)` of a file of at most MAX_TEXT_BYTES, kept in `cache` by the file's
    size and mtime; nothing for a file that cannot be read."""
    try:
        stat = path.stat()
    except OSError:
        return []
    key = overlay.key(path) or (stat.st_size, stat.st_mtime_ns)
    cached = cache.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    found: list[Evidence] = []
    if overlay.size(path) <= MAX_TEXT_BYTES:
        try:
            text = overlay.read_bytes(path).decode("utf-8", errors="replace")
        except OSError:
            text = ""
        found = read(path, text)
    cache[path] = (key, found)
    return found


def command_lines(path: Path, text: str) -> list[Evidence]:
    found = []
    for number, line in enumerate(text.splitlines()):
        if "-m" not in line:
            continue
        for match in PYTHON_M.finditer(line):
            module = match.group("module")
            found.append(Evidence("command", module, path, number,
                                  f"`{match.group('python')} -m {module}`"))
    return found


def launch_modules(path: Path, text: str) -> list[Evidence]:
    """`"module": "pkg"` in the configurations of a VS Code launch.json."""
    try:
        root = parse_jsonc(text)
    except JsoncError:
        return []
    configurations = root.get("configurations") if root.kind == "object" else None
    if configurations is None or configurations.value.kind != "array":
        return []
    found = []
    for config in configurations.value.items:
        if config.kind != "object":
            continue
        member = config.get("module")
        if member is not None and member.value.kind == "string":
            line = text.count("\n", 0, member.value.start)
            found.append(Evidence("launch", str(member.value.value), path, line,
                                  f'"module": "{member.value.value}"'))
    return found


def run_evidence(folders: list[Path]) -> list[Evidence]:
    """Evidence from the candidate files of each folder (the project's, the workspace's)."""
    found: list[Evidence] = []
    for folder in dict.fromkeys(folders):
        for path in candidate_files(folder):
            found.extend(file_evidence(path))
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            found.extend(file_evidence(pyproject))
    return found


# -- entry points declared in pyproject.toml ------------------------------------------------
SCRIPT_TABLES = ("project.scripts", "project.gui-scripts", "tool.poetry.scripts")


def entry_declarations(text: str) -> list[EntryDeclaration]:
    """`[project.scripts]`, `[project.gui-scripts]`, `[project.entry-points.*]` and
    `[tool.poetry.scripts]` entries, each with the exact range of its value."""
    found = []
    for string in locate_strings(text):
        key = string.key
        if len(key) == 3 and key[0] == "project" and key[1] in ("scripts", "gui-scripts"):
            found.append(EntryDeclaration(f"project.{key[1]}", str(key[2]), string.value, string))
        elif len(key) == 4 and key[:2] == ("project", "entry-points"):
            found.append(EntryDeclaration(f"project.entry-points.{key[2]}", str(key[3]),
                                          string.value, string))
        elif key[:3] == ("tool", "poetry", "scripts") and (
                len(key) == 4 or (len(key) == 5 and key[4] in ("callable", "reference"))):
            if len(key) == 5 and key[4] == "reference":
                continue  # `{ reference = "bin/x", type = "file" }`: a file, not an object
            found.append(EntryDeclaration("tool.poetry.scripts", str(key[3]), string.value,
                                          string))
    return found


# -- by-path commands: which documented `python path/to/file.py` lines run a file ------------
_path_cache: dict[Path, tuple[tuple[object, object], list[Evidence]]] = {}


def documented_runs(file: Path, folders: list[Path], text: str | None = None) -> list[Evidence]:
    """The by-path commands (`python tools/train.py`, `cd tools && python train.py`) in the
    project's documentation, Makefile, CI and the like that run `file`: evidence read from
    the candidate files of `folders` (the project's, the workspace's) and of the file's own
    folder, and from the file itself (`text`, its buffer, else read from disk). A fix that
    would make such a command fail must say so and is not applied by `--fix`
    (Fix.breaks_documented_run)."""
    file = Path(os.path.abspath(file))
    name = file.name

    def runs(commands: list[Evidence]) -> list[Evidence]:
        # Every command that runs `file` ends with its name: the cheap test comes first.
        return [e for e in commands if e.module.endswith(name) and _runs(e, file, folders)]

    found = runs(_commands_near(file.parent, folders))
    # Its own docstring or comments ("from the root: python dev/data/prep.py").
    own = path_commands(file) if text is None else _path_commands_in(file, text)
    found.extend(runs(own))
    return found


_folder_commands: dict[Path, tuple[float, list[Evidence]]] = {}
_near_commands: dict[tuple[Path, ...], tuple[float, list[Evidence]]] = {}


def _commands_near(folder: Path, folders: list[Path]) -> list[Evidence]:
    """The by-path commands that may run a file of `folder`: those of the candidate files
    of `folders` and of the folders from `folder` up to them, then of the shell scripts
    below `folder` (fairseq's scripts/x/how2/s3d.sh runs `python scripts/x/extract.py`).
    Reused as long as the listings are: every file of a folder asks for them."""
    def make() -> list[Evidence]:
        found: list[Evidence] = []
        for place in dict.fromkeys([*folders, *_folders_between(folder, folders)]):
            found.extend(_commands_of_folder(place))
        for script in shell_scripts_below(folder):
            found.extend(path_commands(script))
        return found

    return _reused(_near_commands, (folder, *folders), make)


def _commands_of_folder(folder: Path) -> list[Evidence]:
    """The by-path commands of `folder`'s candidate files, in order, reused as long as its
    listing is (every file of a folder asks for them)."""
    return _reused(_folder_commands, folder,
                   lambda: [e for path in candidate_files(folder) for e in path_commands(path)])


MAX_SHELL_DEPTH = 2
MAX_SHELL_SCRIPTS = 100


def shell_scripts_below(folder: Path) -> list[Path]:
    """The `.sh` files in the sub-folders of `folder`, two levels deep at most (the listing is
    reused for a few seconds, as candidate_files)."""
    return _reused(_listings, folder / ".sh-below", lambda: _shell_scripts_below(folder))


def _shell_scripts_below(folder: Path) -> list[Path]:
    found: list[Path] = []
    level = [folder]
    LISTED.add(str(folder))
    for _ in range(MAX_SHELL_DEPTH + 1):
        below = []
        for current in level:
            try:
                entries = sorted(os.scandir(current), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or is_excluded_folder(entry.name):
                    continue
                try:
                    is_folder = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if is_folder:
                    below.append(Path(entry.path))
                elif current != folder and entry.name.endswith(".sh"):
                    found.append(Path(entry.path))
        level = below[:MAX_SHELL_SCRIPTS]
        LISTED.update(str(f) for f in level)
    found = found[:MAX_SHELL_SCRIPTS]
    READ.update(str(f) for f in found)
    return found


def _folders_between(folder: Path, folders: list[Path]) -> list[Path]:
    """A file's own folder and those above it up to the nearest of `folders` that holds it
    (`sub/README.md` documents `python pkg/app.py` for `sub/pkg/app.py`); only the file's
    folder when none holds it."""
    found = [folder]
    tops = [f for f in folders if folder != f and is_within(folder, f)]
    if not tops:
        return found
    top = max(tops, key=lambda f: len(f.parts))
    for parent in folder.parents:
        if parent == top:
            break
        found.append(parent)
    return found


def path_commands(path: Path) -> list[Evidence]:
    """The `python some/file.py` commands one file holds, kind "path", `module` the file as
    written, joined to the folder a `cd` on the same line moves to (cached by size and
    mtime)."""
    if path.name == "launch.json":
        return []  # its "program" entries are DM205's
    return _read_cached(_path_cache, path, _path_commands_in)


def _path_commands_in(path: Path, text: str) -> list[Evidence]:
    if ".py" not in text:
        return []  # every command names a .py file (most files: no line to look at)
    found: list[Evidence] = []
    markdown = path.suffix.lower() in (".md", ".markdown")
    moved = None  # `cd app` alone on a line: the folder the next lines' commands run in
    for number, line in enumerate(text.splitlines()):
        if markdown:
            line = MARKDOWN_ESCAPE.sub(r"\1", line)  # `python main\_app.py`
        if line.lstrip().startswith(("```", "~~~")):
            moved = None  # a code block ends (or begins): so does its shell session
        elif (alone := CD_LINE.match(line)) is not None:
            moved = alone.group("folder").rstrip("/")
        elif ".py" in line:
            found.extend(_line_commands(path, number, line, moved))
    return found


def _line_commands(path: Path, number: int, line: str, moved: str | None) -> list[Evidence]:
    found = []
    matches = [*PYTHON_FILE.finditer(line), *LAUNCHED_FILE.finditer(line)]
    for match in sorted(matches, key=lambda m: m.start("file")):
        written = match.group("file").replace("\\", "/")
        moves = list(CD.finditer(line, 0, match.start()))
        cite = f"`{match.group(0).strip()}`"
        if moves:
            found.append(Evidence("path", f"{moves[-1].group('folder').rstrip('/')}/{written}",
                                  path, number, cite))
            continue
        found.append(Evidence("path", written, path, number, cite))
        if moved is not None:  # after a `cd` line; as written too, should the `cd` not hold
            found.append(Evidence("path", f"{moved}/{written}", path, number,
                                  f"`cd {moved}` then {cite}"))
    return found


def _runs(evidence: Evidence, file: Path, folders: list[Path]) -> bool:
    """Whether the command runs `file`: its path, from the folder the documenting file sits
    in or from the project's folders, is the file; or it names the file alone (`python
    train.py`) and is documented beside it, or in a page that names the file by its path
    (a tutorial that shows `docs_src/app/main.py`, then `python main.py`)."""
    written = Path(evidence.module)
    if written.is_absolute():
        return os.path.normpath(written) == str(file)
    bases = list(dict.fromkeys([evidence.path.parent, *folders]))
    for base in bases:
        if os.path.normpath(base / written) == str(file):
            return True
    if len(written.parts) != 1 or written.name != file.name:
        return False
    return evidence.path.parent == file.parent or any(
        os.path.normpath(base / mention.module) == str(file)
        for mention in mentioned_paths(evidence.path) for base in bases)


# `docs_src/app/main.py`, `tools/train.py`: a file named by a path of at least two parts.
MENTION = re.compile(r"(?<![\w./-])(?P<file>[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+\.py)\b")
_mention_cache: dict[Path, tuple[tuple[object, object], list[Evidence]]] = {}


def mentioned_paths(path: Path) -> list[Evidence]:
    """The `.py` paths a documentation page names, kind "mention" (cached by size and
    mtime); only read for pages that also hold a bare `python name.py`."""
    return _read_cached(_mention_cache, path, _mentions_in)


def _mentions_in(path: Path, text: str) -> list[Evidence]:
    found: list[Evidence] = []
    for number, line in enumerate(text.splitlines()):
        if ".py" in line and "/" in line:
            found.extend(Evidence("mention", m.group("file"), path, number, m.group("file"))
                         for m in MENTION.finditer(line))
    return found

"""What `check --fix` would do, without writing anything: the changed and created files as
unified diffs (`check --diff`) or as data (the editor's "Fix All in Workspace").

The fix engine runs as it is, rounds and re-checks included, over an overlay of the files
(workspace/overlay.py): the preview is `--fix`'s result by construction, not a re-creation of it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dashm.batch.checker import check_paths
from dashm.batch.results import CheckResult
from dashm.workspace import Workspace, overlay


@dataclass(frozen=True)
class Change:
    """A file as `--fix` would leave it: `before` is None for a file it would create."""

    path: Path
    before: bytes | None
    after: bytes
    writes: int = 1  # how many fixes wrote it (each fix writes the file it fixes once)


@dataclass
class Preview:
    changes: list[Change]
    result: CheckResult  # what `check` would say afterwards, and how many fixes


def preview_fixes(workspace_for: Callable[[Path], Workspace], paths: Sequence[Path],
                  select: Sequence[str] = (), ignore: Sequence[str] = (), hints: bool = True,
                  buffers: Mapping[Path, str] | None = None) -> Preview:
    """Run `check --fix` over an overlay. `buffers`: unsaved editor texts, taken as the
    files' current state (the changes are then relative to them)."""
    pending = overlay.Overlay()
    for path, text in (buffers or {}).items():
        pending.write(path, text.encode("utf-8"))
    baseline = dict(pending.files)
    with overlay.previewing(pending):
        result = check_paths(workspace_for, paths, select, ignore, fix=True, hints=hints)
    changes = []
    for path in sorted(pending.files):
        after = pending.files[path]
        before = None if path in pending.created else baseline.get(path)
        if before is None and path not in pending.created:
            try:
                before = path.read_bytes()
            except OSError:
                continue
        if before != after:
            writes = (pending.version(path) or 1) - (path in baseline)
            changes.append(Change(path, before, after, writes))
    return Preview(changes, result)


# -- unified diffs ---------------------------------------------------------------------------

def unified_diff(change: Change, shown: str, context: int = 3) -> bytes:
    """A git-style diff of one change that `patch -p1` (and `git apply`) apply, byte for
    byte: lines are split at "\\n" only, CRLF and odd bytes kept as they are."""
    head = [f"diff --git a/{shown} b/{shown}\n"]
    if change.before is None:
        head += ["new file mode 100644\n", "--- /dev/null\n", f"+++ b/{shown}\n"]
    else:
        head += [f"--- a/{shown}\n", f"+++ b/{shown}\n"]
    return "".join(head).encode("utf-8", "surrogateescape") + \
        hunks(change.before or b"", change.after, context)


def hunks(before: bytes, after: bytes, context: int = 3) -> bytes:
    """The `@@` hunks of a unified diff between two files' bytes, byte for byte."""
    import difflib

    # latin-1 maps every byte to one character and back: nothing is lost or re-encoded.
    old, new = _lines(before.decode("latin-1")), _lines(after.decode("latin-1"))
    body = []
    for line in list(difflib.unified_diff(old, new, n=context, lineterm="\n"))[2:]:
        body.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(body).encode("latin-1")


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    return lines + [parts[-1]] if parts[-1] else lines


def shown_for_diff(path: Path) -> str:
    """The path as a diff names it: relative to the current folder, with "/"."""
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        shown = str(path)
    return shown.replace(os.sep, "/")


# -- the editor's preview (a subprocess of the language server) -------------------------------

def main() -> int:
    """`python -m dashm.batch.preview`: a JSON request on stdin ({"folder", "python",
    "settings": Settings' fields, "buffers": {path: text}}), the changes as JSON
    on stdout ({"changes": [{"path", "before", "after"}], "fixed", "left", "problems"}; texts
    are UTF-8, `before` is null for a created file). A process of its own: the overlay and the
    listing caches it feeds are process-wide, and the server's own state stays untouched."""
    from dashm.workspace import Settings
    from dashm.workspace.environment import choose_interpreter

    request = json.load(sys.stdin)
    folder = Path(request["folder"])
    given = request.get("settings") or {}
    known = {f.name for f in dataclasses.fields(Settings)}
    settings = Settings(**{k: tuple(v) if isinstance(v, list) else v
                           for k, v in given.items() if k in known})
    choice = choose_interpreter(folder, request.get("python"), os.environ)
    workspace = Workspace(folder, choice.path, settings)
    buffers = {Path(p): t for p, t in (request.get("buffers") or {}).items()}
    preview = preview_fixes(lambda _: workspace, [folder], hints=False, buffers=buffers)
    json.dump({
        "changes": [{"path": str(c.path),
                     "before": None if c.before is None else _text(c.path, c.before),
                     "after": _text(c.path, c.after), "writes": c.writes}
                    for c in preview.changes],
        "fixed": preview.result.fixed,
        "left": sum(1 for f in preview.result.findings if f.fix is None or not f.fix.safe),
        "problems": [f"{p.path}: {p.reason}" for p in preview.result.problems
                     if p.reason.startswith("not fixed")],
    }, sys.stdout)
    return 0


def _text(path: Path, data: bytes) -> str:
    """A file's bytes as the editor shows them: a Python file in its declared encoding."""
    from dashm.workspace.source import decode_source

    if path.suffix in (".py", ".pyw", ".pyi"):
        try:
            return decode_source(data)
        except ValueError:
            pass
    return data.decode("utf-8", "replace").removeprefix("\ufeff")


if __name__ == "__main__":
    sys.exit(main())

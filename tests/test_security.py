"""Nothing is lost or widened: analysis never imports or runs workspace code, and fixes never
write outside the workspace, through a symlink, over an existing file, or over a file that
changed since it was analysed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dashm.batch.checker import apply_fix, check_paths
from dashm.findings import FileCreation, Fix, Range, TextEdit
from dashm.workspace import SourceProblem, Workspace
from trees import dashm, write_tree

# Each writes a marker file when imported or run. Names dashm itself imports lazily (json,
# tempfile, tomllib, pickle, multiprocessing) or that tools run (conftest, setup, noxfile).
HOSTILE = ("json", "tempfile", "tomllib", "pickle", "marshal", "zlib", "hashlib",
           "multiprocessing", "concurrent", "shutil", "sitecustomize", "usercustomize",
           "conftest", "setup", "noxfile", "manage", "pathlib", "typing", "lsprotocol",
           "pygls", "jedi", "dashm_plugin")


def _hostile_tree(root: Path) -> Path:
    marker = root / "MARKERS"
    marker.mkdir()
    folder = str(marker)
    body = (f"import os as _o\nopen(_o.path.join({folder!r}, __name__.replace('.', '_')), "
            "'w').close()\n")
    files = {f"{name}.py": body for name in HOSTILE}
    files.update({"pkg/__init__.py": body, "pkg/__main__.py": body,
                  "pkg/app.py": "import util\nimport sys\nsys.path.insert(0, '.')\n" + body,
                  "pkg/util.py": body, "concurrent/__init__.py": body,
                  "concurrent/futures/__init__.py": body})
    write_tree(root, files)
    return marker


def test_analysis_never_runs_workspace_code(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    markers = _hostile_tree(root)
    for args in (("check", "."), ("check", "--no-cache", "--format", "json", "."),
                 ("check", "--fix", "."), ("module", "pkg/app.py"),
                 ("module", "pkg/app.py", "--json")):
        done = dashm(*args, cwd=root)
        assert "Traceback" not in done.stderr, (args, done.stderr)
        assert list(markers.iterdir()) == [], (args, sorted(markers.iterdir()))


def _scripty(root: Path) -> None:
    write_tree(root, {"pkg/__init__.py": "", "pkg/__main__.py": "", "pkg/util.py": "X = 1\n",
                      "pkg/app.py": "import util\n\nif __name__ == '__main__':\n    pass\n"})


def test_fix_does_not_write_through_a_symlink_out_of_the_workspace(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "app.py"
    target.write_text("import util\n\nif __name__ == '__main__':\n    pass\n")
    (outside / "util.py").write_text("X = 1\n")
    root = tmp_path / "ws"
    _scripty(root)
    (root / "pkg/app.py").unlink()
    (root / "pkg/app.py").symlink_to(target)
    before = target.read_bytes()
    done = dashm("check", "--fix", cwd=root)
    assert "Traceback" not in done.stderr
    assert target.read_bytes() == before
    assert "DM101" in done.stdout  # reported, not fixed


def test_a_refused_fix_says_why(tmp_path: Path) -> None:
    # The package folder links out of the workspace: the fix is offered, and refused.
    outside = write_tree(tmp_path / "outside", {
        "pkg/__init__.py": "", "pkg/util.py": "X = 1\n",
        "pkg/app.py": "import util\n\nif __name__ == '__main__':\n    print(util.X)\n"})
    root = tmp_path / "ws"
    root.mkdir()
    (root / "pkg").symlink_to(outside / "pkg", target_is_directory=True)
    before = (outside / "pkg/app.py").read_bytes()
    done = dashm("check", "--fix", cwd=root)
    assert (outside / "pkg/app.py").read_bytes() == before
    assert "DM101" in done.stdout and "[*]" in done.stdout  # still offered, not applied
    assert "pkg/app.py: not fixed: DM101 at line 1: " in done.stderr
    assert "outside the workspace" in done.stderr


def test_apply_fix_refuses_outside_paths_existing_files_and_changed_text(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    _scripty(root)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "linked").symlink_to(outside, target_is_directory=True)
    workspace = Workspace(root, sys.executable)
    source = workspace.source(root / "pkg/app.py")
    edit = TextEdit(root / "pkg/app.py", Range.of(0, 7, 0, 11), "pkg.util")
    # A creation outside the workspace, or into a folder that links out of it.
    for place in (outside / "__init__.py", root / "linked" / "__init__.py",
                  root / ".." / "escape.py"):
        fix = Fix("t", (edit,), creations=(FileCreation(place, ""),))
        assert "outside the workspace" in (apply_fix(fix, source, root) or "")
        assert not place.exists()
    # Never over an existing file.
    (root / "pkg/new.py").write_text("keep me\n")
    fix = Fix("t", (edit,), creations=(FileCreation(root / "pkg/new.py", "x"),))
    assert "never overwrites" in (apply_fix(fix, source, root) or "")
    assert (root / "pkg/new.py").read_text() == "keep me\n"
    # Never over a file that changed since it was analysed.
    (root / "pkg/app.py").write_text("import util  # edited meanwhile\n")
    assert "changed since" in (apply_fix(Fix("t", (edit,)), source, root) or "")
    assert (root / "pkg/app.py").read_text() == "import util  # edited meanwhile\n"


def test_check_fix_stays_inside_each_workspace(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    _scripty(root)
    result = check_paths(lambda _: Workspace(root, sys.executable), [root], fix=True)
    assert result.fixed >= 1
    assert (root / "pkg/app.py").read_text().startswith("from pkg import util")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]


def test_the_server_never_runs_workspace_code(tmp_path: Path) -> None:
    """`python -m dashm serve` started in the workspace (as editors do): a short session."""
    root = tmp_path / "ws"
    root.mkdir()
    markers = _hostile_tree(root)
    session = subprocess.run(
        [sys.executable, "-c", _SESSION, str(root)], cwd=tmp_path, capture_output=True, text=True,
        timeout=300, env={**os.environ, "PYTHONPATH": str(Path(__file__).parent / "lsp")})
    assert session.returncode == 0, session.stdout + session.stderr
    assert list(markers.iterdir()) == []


_SESSION = """
import asyncio, sys
from pathlib import Path
from test_robustness import RawClient

async def main():
    folder = Path(sys.argv[1])
    client = RawClient()
    await client.start(folder)
    await client.initialize(folder)
    await client.scanned()
    await client.alive()
    await client.stop()

asyncio.run(main())
"""


def test_a_fix_that_cannot_be_written_is_refused_whole(tmp_path: Path) -> None:
    # The edit cannot be encoded in the file's declared encoding: nothing is written, and the
    # file the fix was to create first is taken back (all or nothing).
    root = write_tree(tmp_path / "ws", {
        "pkg/mod.py": "# -*- coding: latin-1 -*-\nimport util\n".encode("latin-1")})
    source = Workspace(root, sys.executable).source(root / "pkg/mod.py")
    assert not isinstance(source, SourceProblem)
    fix = Fix("test", (TextEdit(root / "pkg/mod.py", Range.of(1, 0, 1, 0), "# \u015d\n"),),
              (FileCreation(root / "pkg/__init__.py", ""),))
    before = (root / "pkg/mod.py").read_bytes()
    reason = apply_fix(fix, source, root)
    assert reason is not None and "encoding" in reason
    assert not (root / "pkg/__init__.py").exists()
    assert (root / "pkg/mod.py").read_bytes() == before

"""While the language server still reads a workspace's facts, an open buffer is answered at
once (`Workspace.quick` during `reading`): passes over every file are skipped and the answer
is marked partial, never kept, and the next answer after reading is the full one. The
server's part (checking the buffer again) is
tests/lsp/test_quick_open.py."""

from __future__ import annotations

from pathlib import Path

from tests.trees import write_tree

from dashm.rules import check_source
from dashm.workspace import SourceFile, Workspace

# typer's layout: a package in plain folders that the tests import by a longer dotted name,
# so the import root is the project only if every file's imports are known.
TYPER_LIKE = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "0"\n',
    "docs_src/subcommands/tutorial001/__init__.py": "",
    "docs_src/subcommands/tutorial001/main.py": "from .items import app\n",
    "docs_src/subcommands/tutorial001/items.py": "app = 1\n",
    "tests/test_tutorial.py": "import docs_src.subcommands.tutorial001.main\n",
}


def test_a_quick_answer_skips_whole_passes_and_is_not_kept(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", TYPER_LIKE)
    main = root / "docs_src/subcommands/tutorial001/main.py"
    workspace = Workspace(root)
    workspace.reading = workspace.quick = True
    quick = workspace.locate(main)
    assert workspace.partial
    assert quick.root == root / "docs_src/subcommands"  # without the tests' import
    workspace.quick = workspace.partial = False
    full = workspace.locate(main)  # still reading, but a full answer is asked for
    assert not workspace.partial
    assert full.root == root and full.module == "docs_src.subcommands.tutorial001.main"
    assert Workspace(root).locate(main) == full  # the same as a workspace never asked quickly


def test_findings_of_a_quick_check_are_marked_then_the_full_ones_follow(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", TYPER_LIKE)
    main = root / "docs_src/subcommands/tutorial001/main.py"
    fresh = Workspace(root)
    source = fresh.source(main)
    assert isinstance(source, SourceFile)
    expected = check_source(fresh, source)

    workspace = Workspace(root)
    workspace.reading = workspace.quick = True
    source = workspace.source(main)
    assert isinstance(source, SourceFile)
    check_source(workspace, source)
    assert workspace.partial  # the server checks this buffer again once all is read
    workspace.reading = workspace.quick = workspace.partial = False
    assert check_source(workspace, source) == expected
    assert not workspace.partial


def test_imported_names_made_in_steps_are_the_same_and_not_kept_across_a_change(
        tmp_path: Path) -> None:
    files = {**TYPER_LIKE, **{f"bulk/mod_{n}.py": f"import pkg_{n}.sub\n" for n in range(1200)}}
    root = write_tree(tmp_path / "ws", files)
    expected = Workspace(root).imported_names()
    workspace = Workspace(root)
    steps = list(workspace.imported_names_in_steps())
    assert len(steps) >= 2  # one per 500 files: the server lets edits in between
    assert workspace._imported == expected
    changed = Workspace(root)
    steps_iter = changed.imported_names_in_steps()
    next(steps_iter)
    changed.invalidate(root / "bulk/mod_0.py")  # a file changed midway
    list(steps_iter)
    assert changed._imported is None  # made again, from what is there now, when asked
    assert changed.imported_names() == expected

"""Which file events the language server acts on (lsp/analysis.may_change_results)."""

from __future__ import annotations

from pathlib import Path

from dashm.lsp.analysis import may_change_results


def test_events_that_can_change_results(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    for relative in ("pkg/mod.py", "pkg/stub.pyi", "pyproject.toml", "setup.cfg",
                     "README.md", "Makefile", ".vscode/launch.json",
                     ".github/workflows/ci.yml", "Dockerfile", "pkg", "gone_folder"):
        assert may_change_results(tmp_path / relative), relative


def test_events_inside_tools_folders_and_other_files_are_ignored(tmp_path: Path) -> None:
    # (A top-level notes.txt is documentation now, read for DM202 evidence like USAGE.md.)
    (tmp_path / "data.csv").write_text("")
    for relative in (".git/objects/ab/tmp_obj_123", ".git/index.lock", ".git/refs/heads",
                     "pkg/__pycache__/mod.cpython-311.pyc", "node_modules/left-pad/index.js",
                     ".pytest_cache/v/cache/lastfailed", ".mypy_cache/3.11/pkg", "data.csv",
                     "image.png"):
        assert not may_change_results(tmp_path / relative), relative

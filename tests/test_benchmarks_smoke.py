"""`python -m benchmarks` runs end to end at a tiny size and prints its table (no timings are
asserted: they belong in benchmarks/README.md, not in a unit test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--files", "60", "--big-lines", "200",
         "--edits", "3", "--stdlib-files", "40", "--repeat", "1", "--pause", "0",
         "--timeout", "120", "--workdir", str(tmp_path / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "| measurement" in out and "dashm/ruff" in out
    for row in ("cold check, stdlib", "warm check, stdlib", "cold check, monorepo",
                "LSP body edit -> diagnostics, p95", "LSP body edit while indexing",
                "server peak RSS"):
        assert row in out, row
    assert "failed:" not in out, out


def test_phases_counts_files_and_findings(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "util.py").write_text("VALUE = 1\n")
    (tmp_path / "pkg" / "app.py").write_text("import util\n")
    done = subprocess.run([sys.executable, "-m", "benchmarks.phases", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 files, 1 findings; listing" in done.stdout, done.stdout
    assert "facts" in done.stdout and "rules" in done.stdout

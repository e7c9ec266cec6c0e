"""Facts computed on a pool of processes are the facts computed in this one, file for file."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from dashm.workspace import Workspace, prefetch
from dashm.workspace.skeleton import quick_facts


def test_pool_and_sequential_facts_agree(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(stdlib.glob("*.py"))[:120]
    monkeypatch.setattr(prefetch, "MIN_FILES_FOR_POOL", 2)
    monkeypatch.setattr(prefetch, "CHUNK_BYTES", 50_000)
    monkeypatch.setattr(prefetch.cache, "shared", lambda folder: None)
    workspace = Workspace(stdlib)
    prefetch.prefetch([(workspace, f) for f in files], workers=2)
    for path in files:
        source = workspace.source(path)
        assert source.facts == quick_facts(path.read_text(encoding="utf-8")), path


def test_check_output_does_not_depend_on_the_number_of_workers(tmp_path: Path) -> None:
    for number in range(80):
        folder = tmp_path / f"pkg{number % 4}"
        folder.mkdir(exist_ok=True)
        (folder / "__init__.py").write_text("")
        (folder / f"m{number}.py").write_text(
            f"import m{(number + 1) % 80}\nfrom . import m{number}\nimport os, sys\n"
            "if __name__ == '__main__':\n    sys.path.insert(0, '.')\n")
    outputs = set()
    for jobs in ("1", "2"):
        env = {**os.environ, "DASHM_JOBS": jobs}
        done = subprocess.run([sys.executable, "-m", "dashm", "check", "--no-cache",
                               "--format", "json"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 1), done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1

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


def _small_chunks(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(prefetch, "MIN_FILES_FOR_POOL", 2)
    monkeypatch.setattr(prefetch, "CHUNK_BYTES", 20_000)
    monkeypatch.setattr(prefetch, "READ_BETWEEN_YIELDS", 7)


def test_each_count_it_tells_is_a_promise(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every count prefetch_in_order yields means: those first files have their facts, so a
    caller may check them while the workers go on (as `dashm check` and the server's scan do).
    With a cache that already knows some files and a file that cannot be read among them."""
    _small_chunks(monkeypatch)
    monkeypatch.setenv("DASHM_CACHE_DIR", str(tmp_path / "cache"))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(stdlib.glob("*.py"))[:90]
    workspace = Workspace(stdlib)
    prefetch.prefetch([(workspace, f) for f in files[::3]], workers=2)  # the cache knows these
    workspace = Workspace(stdlib)
    items = [(workspace, f) for f in files]
    items.insert(40, (workspace, tmp_path / "missing.py"))
    counts = []
    for count in prefetch.prefetch_in_order(items, workers=2):
        counts.append(count)
        for _, path in items[:count]:
            if path.name != "missing.py":
                assert path in workspace._facts, (count, path)
    assert counts == sorted(counts) and counts[-1] == len(items)
    assert len(counts) > 3  # it told progress on the way, not only at the end
    for _, path in items:
        if path.name != "missing.py":
            assert workspace.source(path).facts == quick_facts(path.read_text(encoding="utf-8"))


_PARENT = os.getpid()
_EXTRACT = prefetch._extract_many


def _extract_or_die(texts, share=False):  # type: ignore[no-untyped-def]
    """_extract_many, except in a worker process: there it dies (out of memory, a signal)."""
    if os.getpid() != _PARENT:
        os._exit(3)
    return _EXTRACT(texts, share)


def test_a_dead_worker_costs_time_not_facts(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import multiprocessing

    _small_chunks(monkeypatch)
    monkeypatch.setattr(prefetch.cache, "shared", lambda folder: None)
    # fork, so that the workers run this module's replacement of _extract_many
    monkeypatch.setattr(prefetch, "_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(prefetch, "_extract_many", _extract_or_die)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(stdlib.glob("*.py"))[:60]
    workspace = Workspace(stdlib)
    counts = list(prefetch.prefetch_in_order([(workspace, f) for f in files], workers=2))
    assert counts[-1] == len(files)
    for path in files:
        assert workspace.source(path).facts == quick_facts(path.read_text(encoding="utf-8"))

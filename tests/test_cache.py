"""The caches: content-keyed facts on disk, and the warm-run replay of `dashm check`.

Both must never be wrong (a change is always seen) and never break a run (corrupt, tampered
or concurrently written cache files are ignored, never trusted).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashm.workspace import cache
from dashm.workspace.facts import extract_facts
from trees import dashm, write_tree

SOURCE = "import os\nfrom . import sibling\n\nif __name__ == '__main__':\n    import sys\n"


def test_facts_round_trip(tmp_path: Path) -> None:
    store = cache.FactsCache(tmp_path / "facts.pickle")
    key = cache.digest(SOURCE)
    store.put(key, extract_facts(SOURCE))
    store.save()
    again = cache.FactsCache(tmp_path / "facts.pickle")
    assert again.get(key) == extract_facts(SOURCE)
    assert again.get(cache.digest(SOURCE + " ")) is None


@pytest.mark.parametrize("content", [b"", b"garbage", b"\x80\x05\x95", None])
def test_corrupt_facts_cache_is_a_cold_start(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "facts.pickle"
    if content is None:  # a truncated real pack
        store = cache.FactsCache(path)
        store.put(cache.digest(SOURCE), extract_facts(SOURCE))
        store.save()
        path.write_bytes(path.read_bytes()[:-7])
    else:
        path.write_bytes(content)
    store = cache.FactsCache(path)
    assert store.get(cache.digest(SOURCE)) is None
    store.put(cache.digest(SOURCE), extract_facts(SOURCE))
    store.save()
    assert cache.FactsCache(path).get(cache.digest(SOURCE)) == extract_facts(SOURCE)


class _Exploit:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {_MARKER}",))


_MARKER = ""


def test_tampered_cache_cannot_run_code(tmp_path: Path) -> None:
    global _MARKER
    _MARKER = str(tmp_path / "pwned")
    path = tmp_path / "facts.pickle"
    path.write_bytes(pickle.dumps({cache.digest(SOURCE): _Exploit()}))
    assert cache.FactsCache(path).get(cache.digest(SOURCE)) is None
    assert not (tmp_path / "pwned").exists()


def _hammer(path: str, seed: int) -> None:
    for number in range(30):
        text = f"import mod_{seed}_{number}\n"
        store = cache.FactsCache(Path(path))
        store.put(cache.digest(text), extract_facts(text))
        store.save()


def test_concurrent_writers_never_leave_a_broken_pack(tmp_path: Path) -> None:
    path = tmp_path / "facts.pickle"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_hammer, args=(str(path), seed)) for seed in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    with open(path, "rb") as handle:
        data = cache._SafeUnpickler(handle).load()
    assert isinstance(data, dict) and data
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".facts-")]  # no leftovers


SCRIPTY = {
    "pkg/__init__.py": "",
    "pkg/__main__.py": "",
    "pkg/util.py": "VALUE = 1\n",
    "pkg/app.py": "import util\n\nif __name__ == '__main__':\n    print(util.VALUE)\n",
}


def _age(root: Path) -> None:
    """Make every file older than the warm cache's safety margin (see runcache.RACY_NS)."""
    old = time.time() - 60
    for folder, _, names in os.walk(root):
        for name in [*names, "."]:
            os.utime(os.path.join(folder, name), (old, old))


def test_warm_run_replays_and_sees_every_change(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", SCRIPTY)
    _age(root)
    cold = dashm("check", cwd=root)
    assert cold.returncode == 1 and "DM101" in cold.stdout
    runs = Path(os.environ["DASHM_CACHE_DIR"]) / "runs"
    before = set(runs.iterdir()) if runs.exists() else set()
    warm = dashm("check", cwd=root)
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout,
                                                           cold.stderr)
    assert set(runs.iterdir()) - before or before  # an entry exists
    # A changed file (same size, different content) is seen.
    (root / "pkg/app.py").write_text("import os_\n\nif __name__ == '__main__':\n    print(1)\n")
    changed = dashm("check", cwd=root)
    assert "import util" not in changed.stdout and "DM101" not in changed.stdout
    # A new file, and a new project file, are seen.
    _age(root)
    dashm("check", cwd=root)
    (root / "pkg/other.py").write_text("import util\n")
    assert "other.py" in dashm("check", cwd=root).stdout
    (root / "pyproject.toml").write_text('[tool.dashm]\nignore = ["DM101"]\n')
    assert "DM101" not in dashm("check", cwd=root).stdout


def test_no_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", SCRIPTY)
    _age(root)
    folder = tmp_path / "cache"
    env = {**os.environ, "DASHM_CACHE_DIR": str(folder)}
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "dashm", "check", "--no-cache"], cwd=root,
                          env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "DM101" in done.stdout
    assert not folder.exists()
    subprocess.run([sys.executable, "-m", "dashm", "check"], cwd=root, env=env,
                   capture_output=True, text=True, check=False)
    assert (folder / "runs").is_dir()
    for entry in (folder / "runs").iterdir():  # a corrupt entry is a miss, not a crash
        entry.write_bytes(b"\x00garbage")
    for pack in folder.glob("facts-*"):
        pack.write_bytes(b"garbage")
    again = subprocess.run([sys.executable, "-m", "dashm", "check"], cwd=root, env=env,
                           capture_output=True, text=True)
    assert (again.returncode, again.stdout) == (done.returncode, done.stdout)
    assert "Traceback" not in again.stderr


def test_warm_run_sees_new_evidence_outside_the_walked_folders(tmp_path: Path) -> None:
    # DM202's evidence lives in files the walk skips (.github/) or above the checked path.
    root = write_tree(tmp_path / "ws", {"pyproject.toml": "[project]\nname = 'tool'\n",
                                        "tool/__init__.py": "", "tool/core.py": "X = 1\n",
                                        ".github/workflows/lint.yml": "steps: []\n"})
    _age(root)
    assert dashm("check", "tool", cwd=root).returncode == 0
    assert dashm("check", "tool", cwd=root).returncode == 0  # replayed
    write_tree(root, {".github/workflows/ci.yml": "steps:\n  - run: python -m tool\n"})
    again = dashm("check", "--explain", "tool", cwd=root)
    assert again.returncode == 1 and "DM202" in again.stdout and "ci.yml" in again.stdout


def test_warm_runs_are_tied_to_dashms_own_code(tmp_path: Path) -> None:
    from dashm.workspace import snapshot

    watched = dict(snapshot.watched_inputs([str(tmp_path)]))
    package = Path(snapshot.__file__).parent.parent  # all of dashm/, not only workspace/
    assert watched[str(package / "cli.py")] is not None
    assert watched[str(package / "rules" / "imports.py")] is not None
    assert watched[str(package / "batch" / "runcache.py")] is not None


def test_a_folder_without_a_project_file_replays_while_its_parent_changes(tmp_path: Path,
                                                                          ) -> None:
    # No pyproject.toml, setup.py or .git: the workspace folder is decided by which folders
    # hold what the files import (`helpers` is nowhere yet). The parent (~/code, /tmp) gets
    # other files all the time; only the paths looked for there count.
    parent = tmp_path / "code"
    root = write_tree(parent / "ws", {"app.py": "import helpers\nimport util\n",
                                      "util.py": "VALUE = 1\n"})
    _age(parent)
    env = {**os.environ, "DASHM_CACHE_DIR": str(tmp_path / "cache")}

    def check() -> tuple[subprocess.CompletedProcess[str], tuple[int, int]]:
        done = subprocess.run([sys.executable, "-m", "dashm", "check", "."], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
        (entry,) = (tmp_path / "cache" / "runs").iterdir()
        return done, (entry.stat().st_ino, entry.stat().st_mtime_ns)

    cold, stored = check()
    (parent / "notes.txt").write_text("an unrelated file beside the project\n")
    warm, replayed = check()
    assert replayed == stored  # replayed: the entry was not written again
    assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)
    (parent / "helpers.py").write_text("NAME = 1\n")  # now the parent holds an import
    _age(parent)  # (so that the new run is kept: it replaces the entry)
    _, rerun = check()
    assert rerun != stored

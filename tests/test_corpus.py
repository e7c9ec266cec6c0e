"""dashm on a real-world corpus: pinned wheels and sdists from the package index.

The distributions are listed, with exact versions, in ``tests/corpus/distributions.txt``. They
are downloaded once with pip (no dependencies, no builds) and unpacked into
``$DASHM_CORPUS_DIR`` (default ``~/.cache/dashm-corpus``); with that cache warm the test never
touches the network.

For every distribution, on a private copy of its unpacked tree:

1. a probe interpreter imports every module of the tree and records, per module, whether it
   imported and from which file (and every module of the tree that ended up loaded);
2. ``dashm check --format json`` collects the findings;
3. ``dashm check --fix`` applies the safe fixes;
4. the probe runs again.

The interpreter of both dashm and the probe is a bare virtual environment whose site-packages
holds the *other* wheels of the corpus (a ``.pth`` file), so the libraries' dependencies are
"installed" as in a real project, and nothing of the test's own environment leaks in.

Assertions:

- well-packaged library wheels have no DM101 / DM102 / DM105 finding (those say "this only works
  as ``python file.py``", and no module of an installed library is run that way);
- ``--fix`` modifies, creates and deletes no file of a wheel;
- on wheels and sdists, every module that imported before ``--fix`` still imports afterwards,
  from the same file, and every module of the tree that was loaded before is loaded from the
  same file afterwards.

Import outcomes are compared before and after, never judged absolutely: some optional
dependencies are missing, some modules are for other platforms.

Set ``DASHM_CORPUS_REPORT=path.json`` to write every finding of the corpus to a file (that is how
the table of ``docs/accuracy.md`` was made).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

LIST = Path(__file__).parent / "corpus" / "distributions.txt"
SCRIPT_MODE_CODES = ("DM101", "DM102", "DM105")
TEST_FOLDERS = ("tests", "test", "testing")


@dataclass(frozen=True)
class Dist:
    name: str
    version: str
    kind: str  # "wheel" or "sdist"

    @property
    def id(self) -> str:
        return f"{self.name}-{self.version}-{self.kind}"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _load() -> list[Dist]:
    dists = []
    for line in LIST.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, kind = line.split()
        name, version = spec.split("==")
        assert kind in ("wheel", "sdist"), line
        dists.append(Dist(name, version, kind))
    return dists


DISTS = _load()
WHEELS = [d for d in DISTS if d.kind == "wheel"]


def _cache_dir() -> Path:
    configured = os.environ.get("DASHM_CORPUS_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "dashm-corpus"


def _tree(cache: Path, dist: Dist) -> Path:
    return cache / dist.id / "tree"


def _downloaded(folder: Path, dist: Dist) -> Path:
    for path in sorted(folder.iterdir()):
        name = path.name
        if dist.kind == "wheel" and name.endswith(".whl"):
            project, version = name.split("-")[:2]
        elif dist.kind == "sdist" and name.endswith((".tar.gz", ".zip")):
            project, _, version = name.removesuffix(".tar.gz").removesuffix(".zip").rpartition("-")
        else:
            continue
        if _normalise(project) == _normalise(dist.name) and version == dist.version:
            return path
    raise AssertionError(f"pip downloaded no {dist.kind} for {dist.id} into {folder}")


def _unpack(archive: Path, dist: Dist, cache: Path) -> None:
    target = cache / dist.id
    shutil.rmtree(target, ignore_errors=True)
    unpacked = target / "unpacked"
    unpacked.mkdir(parents=True)
    if archive.name.endswith(".whl"):
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(unpacked)
        unpacked.rename(target / "tree")
    else:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(unpacked)
        else:
            with tarfile.open(archive) as tarred:
                if hasattr(tarfile, "data_filter"):
                    tarred.extractall(unpacked, filter="data")
                else:  # pragma: no cover - Python without the extraction filters
                    tarred.extractall(unpacked)  # noqa: S202
        (top,) = list(unpacked.iterdir())  # an sdist holds one folder, name-version/
        top.rename(target / "tree")
        unpacked.rmdir()
    (target / "complete").write_text(archive.name + "\n", encoding="utf-8")


def _download(missing: list[Dist], cache: Path) -> None:
    """One pip call per kind; no dependencies; wheels only as wheels, sdists only as sdists."""
    for kind, flag in (("wheel", "--only-binary"), ("sdist", "--no-binary")):
        wanted = [d for d in missing if d.kind == kind]
        if not wanted:
            continue
        folder = cache / "downloads" / kind
        folder.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", flag, ":all:",
                "--dest", str(folder), *(f"{d.name}=={d.version}" for d in wanted)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
        if done.returncode:
            pytest.fail(f"could not download the corpus ({kind}s):\n{done.stdout}{done.stderr}")
        for dist in wanted:
            _unpack(_downloaded(folder, dist), dist, cache)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The cache folder, with every distribution unpacked (downloading only what is missing)."""
    cache = _cache_dir()
    missing = [d for d in DISTS if not (cache / d.id / "complete").is_file()]
    if missing:
        _download(missing, cache)
    return cache


# -- the probe --------------------------------------------------------------------------------

PROBE = textwrap.dedent(
    """
    import importlib, json, os, sys
    with open(sys.argv[1], encoding="utf-8") as f:
        job = json.load(f)
    tree = os.path.realpath(job["tree"])
    sys.path[:1] = job["roots"]  # replaces the '' of python -c

    def where(module):
        file = getattr(module, "__file__", None)
        if not file:
            return None
        file = os.path.realpath(file)
        if file == tree or file.startswith(tree + os.sep):
            return os.path.relpath(file, tree)
        return "<outside> " + file

    outcome = {}
    for name in job["modules"]:
        try:
            outcome[name] = ["ok", where(importlib.import_module(name))]
        except BaseException as error:  # SystemExit and KeyboardInterrupt too
            outcome[name] = ["error", type(error).__name__]
    loaded = {}
    for name, module in sorted(sys.modules.copy().items()):
        place = where(module) if module is not None else None
        if place is not None and not place.startswith("<outside>"):
            loaded[name] = place
    with open(job["result"], "w", encoding="utf-8") as f:
        json.dump({"outcome": outcome, "loaded": loaded}, f, sort_keys=True)
    sys.stdout.flush()
    os._exit(0)  # do not wait for threads a module may have started
    """
)


def _is_identifier_path(parts: tuple[str, ...]) -> bool:
    return all(part.isidentifier() for part in parts)


def _importable_by_convention(root: Path, parts: tuple[str, ...]) -> bool:
    """A module of a regular package, or a test module (the sample code in test data is not)."""
    chain = [root.joinpath(*parts[:i]) for i in range(1, len(parts))]
    if all((folder / "__init__.py").is_file() for folder in chain):
        return True
    if parts[0] not in TEST_FOLDERS:
        return False
    name = parts[-1]
    return len(parts) == 2 or name.startswith("test_") or name.endswith("_test") or name in (
        "conftest", "__init__")


def _modules_under(root: Path, *, regular_only: bool, skip: tuple[str, ...] = ()) -> list[str]:
    """Dotted names of the .py files under root (not __main__, which runs a program)."""
    names = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = rel.parts
        if not _is_identifier_path(parts) or parts[-1] == "__main__" or parts[0] in skip:
            continue
        if len(parts) == 1 and regular_only:
            continue  # setup.py, noxfile.py, conftest.py at a project's top: tools run those
        if regular_only and not _importable_by_convention(root, parts):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def _roots_and_modules(dist: Dist, tree: Path) -> tuple[list[Path], list[str]]:
    if dist.kind == "wheel":
        return [tree], _modules_under(tree, regular_only=False)
    roots, modules = [tree], _modules_under(tree, regular_only=True, skip=("src",))
    if (tree / "src").is_dir():
        roots.append(tree / "src")
        modules += _modules_under(tree / "src", regular_only=False)
    return roots, modules


def _environment(dist: Dist, cache: Path, folder: Path) -> Path:
    """A bare virtual environment with the other wheels of the corpus 'installed'."""
    env = folder / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True,
                   timeout=120)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(env),
                                                       "platbase": str(env)}))
    others = [str(_tree(cache, d)) for d in WHEELS if _normalise(d.name) != _normalise(dist.name)]
    (purelib / "dashm_corpus.pth").write_text("\n".join(others) + "\n", encoding="utf-8")
    python = env / ("Scripts" if os.name == "nt" else "bin") / "python"
    return python


def _probe(python: Path, tree: Path, roots: list[Path], modules: list[str], folder: Path,
           label: str) -> dict:
    job = folder / f"probe-{label}.json"
    result = folder / f"probe-{label}-result.json"
    job.write_text(json.dumps({"tree": str(tree), "roots": [str(r) for r in roots],
                               "modules": modules, "result": str(result)}), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    subprocess.run([str(python), "-c", PROBE, str(job)], cwd=folder, env=env,
                   stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    assert result.is_file(), f"the import probe of {label} wrote no result"
    return json.loads(result.read_text(encoding="utf-8"))


def _dashm(python: Path, tree: Path, *extra: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "dashm", "check", ".", "--format", "json", "--exit-zero",
            "--python", str(python), *extra]
    done = subprocess.run(argv, cwd=tree, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"dashm check {' '.join(extra)} failed:\n{done.stderr}"
    return done


def _snapshot(tree: Path) -> dict[str, str]:
    return {
        str(path.relative_to(tree)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(tree.rglob("*"))
        if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts
    }


@dataclass
class Analysis:
    dist: Dist
    files: int
    modules: list[str]
    findings: list[dict]
    fix_output: str
    changed: dict[str, str] = field(default_factory=dict)  # path -> created/modified/deleted
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)


_ANALYSES: dict[str, Analysis] = {}


def _analyse(dist: Dist, cache: Path, scratch: Path) -> Analysis:
    if dist.id in _ANALYSES:
        return _ANALYSES[dist.id]
    folder = scratch / dist.id
    folder.mkdir(parents=True)
    tree = folder / "tree"
    shutil.copytree(_tree(cache, dist), tree, symlinks=True)
    python = _environment(dist, cache, folder)
    roots, modules = _roots_and_modules(dist, tree)
    original = _snapshot(tree)
    before = _probe(python, tree, roots, modules, folder, "before")
    findings = json.loads(_dashm(python, tree).stdout or "[]")
    fixed = _dashm(python, tree, "--fix")
    now = _snapshot(tree)
    changed = {p: "deleted" for p in original if p not in now}
    changed |= {p: "created" for p in now if p not in original}
    changed |= {p: "modified" for p in now if p in original and now[p] != original[p]}
    after = _probe(python, tree, roots, modules, folder, "after")
    files = sum(1 for p in original if p.endswith(".py"))
    analysis = Analysis(dist, files, modules, findings, fixed.stdout, dict(sorted(changed.items())),
                        before, after)
    _ANALYSES[dist.id] = analysis
    return analysis


@pytest.fixture(scope="session")
def analyse(corpus, tmp_path_factory):
    scratch = tmp_path_factory.mktemp("corpus")

    def run(dist: Dist) -> Analysis:
        return _analyse(dist, corpus, scratch)

    yield run
    report = os.environ.get("DASHM_CORPUS_REPORT")
    if report:
        Path(report).write_text(json.dumps(
            {key: {"files": a.files, "modules": len(a.modules), "findings": a.findings,
                   "changed": a.changed,
                   "imported": sum(1 for o in a.before["outcome"].values() if o[0] == "ok")}
             for key, a in sorted(_ANALYSES.items())}, indent=1), encoding="utf-8")


def _where(finding: dict) -> str:
    return f"{finding['path']}:{finding['line']}: {finding['code']} {finding['message']}"


# -- the tests --------------------------------------------------------------------------------


def test_the_corpus_is_pinned_and_big_enough():
    assert len(DISTS) >= 30
    assert len({d.id for d in DISTS}) == len(DISTS)
    assert {d.kind for d in DISTS} == {"wheel", "sdist"}
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.]*", d.version) for d in DISTS)


@pytest.mark.parametrize("dist", WHEELS, ids=lambda d: d.id)
def test_a_library_wheel_has_no_script_mode_findings(dist, analyse):
    found = [f for f in analyse(dist).findings if f["code"] in SCRIPT_MODE_CODES]
    assert not found, "\n".join(map(_where, found))


@pytest.mark.parametrize("dist", WHEELS, ids=lambda d: d.id)
def test_fix_leaves_a_library_wheel_untouched(dist, analyse):
    analysis = analyse(dist)
    assert analysis.changed == {}, analysis.fix_output


@pytest.mark.parametrize("dist", DISTS, ids=lambda d: d.id)
def test_fix_keeps_what_every_module_loads(dist, analyse):
    analysis = analyse(dist)
    before, after = analysis.before, analysis.after
    broken = {
        name: (outcome, after["outcome"].get(name))
        for name, outcome in before["outcome"].items()
        if outcome[0] == "ok" and after["outcome"].get(name) != outcome
    }
    moved = {
        name: (place, after["loaded"].get(name))
        for name, place in before["loaded"].items()
        if after["loaded"].get(name) != place
    }
    assert not broken and not moved, (
        f"--fix changed {analysis.changed}\n"
        f"modules that imported before and now fail or load another file: {broken}\n"
        f"modules of the tree loaded from another file (or no longer): {moved}"
    )

"""Proof tests: dashm's module names and import roots agree with the real interpreter.

Every generated file prints what the interpreter thinks it is (`__name__`, `__spec__.name`,
its real path). For each file dashm calls runnable, `invocation.argv` is run from
`invocation.cwd` and must execute exactly that file under exactly dashm's dotted name. An
independent model of design.md's import-root rules 1-5 checks that dashm picked the root the
design asks for, not merely one that happens to work.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashm.workspace import Workspace

# Each file reports one JSON line: what the interpreter made of it.
PROBE = (
    "import json as _j, os as _o\n"
    "print('DASHM-TRUTH ' + _j.dumps([__name__, __spec__.name if __spec__ else None,"
    " _o.path.realpath(__file__)]), flush=True)\n"
)
MARK = "DASHM-TRUTH "

# Made-up names: none is a standard-library or installed top-level module (checked below), so
# nothing generated can shadow or be shadowed, and each name is used once per tree.
NAMES = [
    "ant", "bee", "cat", "dog", "eel", "fox", "gnu", "hen", "ibis", "jay", "kiwi", "lark",
    "mole", "newt", "owl", "pika", "quail", "rook", "seal", "toad", "vole", "wren", "yak",
    "zebu", "asp", "bat", "cod", "doe", "elk", "gar", "hog", "koi", "loon", "mink", "orca",
    "puma", "ray", "shad", "tern", "urial",
]
# Not identifiers: a file or package path through one of these cannot be run with -m.
HYPHENATED = ["my-tools", "old-stuff", "run-me"]


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "PYTHONSAFEPATH", "PYTHONSTARTUP", "PYTHONHOME")}


def test_generated_names_are_free() -> None:
    for name in NAMES:
        assert name not in sys.stdlib_module_names, name
        assert importlib.util.find_spec(name) is None, name


def write_tree(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def probe_lines(stdout: str) -> list[tuple[str, str | None, str]]:
    return [tuple(json.loads(line[len(MARK):])) for line in stdout.splitlines()
            if line.startswith(MARK)]


def run_invocation(ws: Workspace, path: Path) -> tuple[object, subprocess.CompletedProcess]:
    invocation = ws.invocation(path)
    assert invocation.module is not None, invocation
    assert invocation.argv[1:] == ("-m", invocation.module), invocation
    done = subprocess.run(list(invocation.argv), cwd=invocation.cwd, env=_clean_env(),
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    return invocation, done


def assert_runs_as(ws: Workspace, path: Path, module: str | None = None,
                   cwd: Path | None = None) -> None:
    """`ws.invocation(path)` runs `path` itself, named as dashm says (and as expected)."""
    invocation, done = run_invocation(ws, path)
    context = f"{path} -> {invocation}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 0, context
    lines = probe_lines(done.stdout)
    mains = [line for line in lines if line[0] == "__main__"]
    assert len(mains) == 1, context
    _, spec_name, real = mains[0]
    if path.name == "__init__.py":
        # `python -m pkg` imports pkg (this file) and then runs pkg/__main__.py.
        assert spec_name == f"{invocation.module}.__main__", context
        assert real == os.path.realpath(path.parent / "__main__.py"), context
        assert [invocation.module, invocation.module, os.path.realpath(path)] in [
            list(line) for line in lines], context
    elif path.name == "__main__.py":
        assert spec_name == f"{invocation.module}.__main__", context
        assert real == os.path.realpath(path), context
    else:
        assert spec_name == invocation.module, context
        assert real == os.path.realpath(path), context
    if module is not None:
        assert invocation.module == module, context
    if cwd is not None:
        assert Path(invocation.cwd) == cwd, context


# -- an independent model of design.md's rules -------------------------------------------------
@dataclass
class Tree:
    files: dict[str, str]
    config: str  # none | plain | roots | setuptools | setuptools-no-ns
    base: str  # the project folder ('' = the workspace itself)
    container: str  # where the generated packages live
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # hypothesis prints this for a failing example
        listing = "\n  ".join(sorted(self.files))
        return (f"Tree(config={self.config!r}, base={self.base!r}, "
                f"container={self.container!r}, files=\n  {listing})")


def _join(*parts: str) -> str:
    return "/".join(p for p in parts if p)


def _within(relative: str, folder: str) -> bool:
    return folder == "" or relative == folder or relative.startswith(folder + "/")


def _parent(relative: str) -> str:
    return relative.rpartition("/")[0]


def expected_location(tree: Tree, relative: str) -> tuple[str, str | None]:
    """(import root, module name or None) by design.md's rules 1-5, for generated trees."""
    has_init = {_parent(f) for f in tree.files if f.endswith("/__init__.py")}
    project = tree.base if tree.config != "none" and _within(relative, tree.base) else ""
    src = _join(project, "src")
    root: str | None = None
    if tree.config == "roots" and _within(relative, _join(tree.base, "lib")):
        root = _join(tree.base, "lib")  # rule 1
    elif tree.config.startswith("setuptools") and _within(relative, src):
        inner = _parent(relative)[len(src) + 1:] if _parent(relative) != src else ""
        steps = inner.split("/") if inner else []
        chain = [_join(src, *steps[: i + 1]) for i in range(len(steps))]
        if tree.config == "setuptools" or all(folder in has_init for folder in chain):
            root = src  # rule 2
    if root is None:
        folder, top = _parent(relative), None
        while folder and folder in has_init:  # rule 3
            top, folder = folder, _parent(folder)
        if top is not None:
            root = _parent(top)
        elif _within(relative, src):
            root = src  # rule 4
        else:
            root = project  # rule 5
    parts = (relative[len(root) + 1:] if root else relative)[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(p.isidentifier() for p in parts):
        return root, None
    return root, ".".join(parts)


def expected_run_module(tree: Tree, relative: str) -> str | None:
    _, module = expected_location(tree, relative)
    if module is None:
        return None
    name = relative.rpartition("/")[2]
    if name == "__init__.py":
        return module if _join(_parent(relative), "__main__.py") in tree.files else None
    if name == "__main__.py":
        return module.rpartition(".")[0] or None
    return module


@st.composite
def trees(draw: st.DrawFn) -> Tree:
    names = iter(draw(st.permutations(NAMES)))
    odd = iter(draw(st.permutations(HYPHENATED)))
    config = draw(st.sampled_from(["none", "plain", "roots", "setuptools", "setuptools-no-ns"]))
    base = draw(st.sampled_from(["", "proj"])) if config != "none" else ""
    if config == "roots":
        container = _join(base, "lib")
    elif config.startswith("setuptools") or draw(st.booleans()):
        container = _join(base, "src")
    else:
        container = base
    files: dict[str, str] = {}

    def name(kind: str) -> str:
        if draw(st.integers(0, 9)) == 0:
            return next(odd, None) or next(names)
        return next(names)

    def folder(path: str, depth: int) -> None:
        for _ in range(draw(st.integers(0, 2))):
            files[_join(path, name("module") + ".py")] = PROBE
        if depth and draw(st.booleans()):
            files[_join(path, "__init__.py")] = PROBE
        if draw(st.integers(0, 3)) == 0:
            files[_join(path, "__main__.py")] = PROBE
        if depth < 3:
            for _ in range(draw(st.integers(1 if depth == 0 else 0, 2 if depth == 0 else 1))):
                folder(_join(path, name("folder")), depth + 1)

    folder(container, 0)
    if container and draw(st.integers(0, 5)) == 0:
        files[_join(container, "__init__.py")] = PROBE  # e.g. a stray src/__init__.py
    # Loose files: beside the project, and in the project folder outside the container.
    if base and draw(st.booleans()):
        files[_join(name("module") + ".py")] = PROBE
    if container != base and draw(st.booleans()):
        files[_join(base, name("folder"), name("module") + ".py")] = PROBE
    if config == "plain":
        files[_join(base, "pyproject.toml")] = '[project]\nname = "generated"\n'
    elif config == "roots":
        files[_join(base, "pyproject.toml")] = '[tool.dashm]\nroots = ["lib"]\n'
    elif config.startswith("setuptools"):
        namespaces = "false" if config == "setuptools-no-ns" else "true"
        files[_join(base, "pyproject.toml")] = (
            '[project]\nname = "generated"\n\n[tool.setuptools.packages.find]\n'
            f'where = ["src"]\nnamespaces = {namespaces}\n')
    return Tree(files, config, base, container)


@settings(max_examples=int(os.environ.get("DASHM_TRUTH_EXAMPLES", "35")), deadline=None,
          database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tree=trees())
def test_generated_trees_run_as_dashm_says(tree: Tree) -> None:
    with tempfile.TemporaryDirectory(prefix="dashm-truth-") as temp:
        workspace = Path(os.path.realpath(temp))
        write_tree(workspace, tree.files)
        ws = Workspace(workspace)
        for relative in sorted(tree.files):
            if not relative.endswith(".py"):
                continue
            path = workspace / relative
            location = ws.locate(path)
            invocation = ws.invocation(path)
            root, module = expected_location(tree, relative)
            run_module = expected_run_module(tree, relative)
            context = f"{relative}: {location} / {invocation}"
            # dashm follows the design's rules ...
            assert location.root == workspace / root if root else location.root == workspace, \
                context
            assert location.module == module, context
            assert invocation.module == run_module, context
            # ... explains every refusal ...
            if invocation.module is None:
                assert invocation.reason, context
                if module is None and relative.rpartition("/")[2] != "__init__.py":
                    assert "rename" in invocation.reason, context
            else:
                # ... and what it says runs, as it says, in the real interpreter.
                assert_runs_as(ws, path, run_module, location.root)


# -- the design's named cases ----------------------------------------------------------------
@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return Path(os.path.realpath(tmp_path))


def test_flat_layout(workspace: Path) -> None:
    write_tree(workspace, {"pkg/__init__.py": PROBE, "pkg/mod.py": PROBE,
                           "pkg/sub/__init__.py": PROBE, "pkg/sub/deep.py": PROBE,
                           "script.py": PROBE})
    ws = Workspace(workspace)
    assert_runs_as(ws, workspace / "pkg/mod.py", "pkg.mod", workspace)
    assert_runs_as(ws, workspace / "pkg/sub/deep.py", "pkg.sub.deep", workspace)
    assert_runs_as(ws, workspace / "script.py", "script", workspace)
    location = ws.locate(workspace / "pkg/sub/__init__.py")
    assert (location.module, location.rule) == ("pkg.sub", "packages")


@pytest.mark.parametrize("pyproject", [None, '[project]\nname = "thing"\n'])
def test_src_layout(workspace: Path, pyproject: str | None) -> None:
    files = {"src/pkg/__init__.py": PROBE, "src/pkg/mod.py": PROBE,
             "src/standalone.py": PROBE, "src/loose/tool.py": PROBE}
    if pyproject:
        files["pyproject.toml"] = pyproject
    write_tree(workspace, files)
    ws = Workspace(workspace)
    src = workspace / "src"
    assert_runs_as(ws, src / "pkg/mod.py", "pkg.mod", src)
    assert_runs_as(ws, src / "standalone.py", "standalone", src)
    assert_runs_as(ws, src / "loose/tool.py", "loose.tool", src)


@pytest.mark.parametrize("open_at", ["outer", "parent"])
def test_django_style_project(workspace: Path, open_at: str) -> None:
    write_tree(workspace, {
        "mysite/manage.py": PROBE,
        "mysite/mysite/__init__.py": PROBE,
        "mysite/mysite/settings.py": PROBE,
        "mysite/polls/__init__.py": PROBE,
        "mysite/polls/views.py": PROBE,
    })
    outer = workspace / "mysite"
    ws = Workspace(outer if open_at == "outer" else workspace)
    assert_runs_as(ws, outer / "mysite/settings.py", "mysite.settings", outer)
    assert_runs_as(ws, outer / "polls/views.py", "polls.views", outer)
    if open_at == "outer":
        assert_runs_as(ws, outer / "manage.py", "manage", outer)


def test_declared_namespace_package(workspace: Path) -> None:
    write_tree(workspace, {
        "pyproject.toml": ('[project]\nname = "acme-exporters"\n\n'
                           '[tool.setuptools.packages.find]\nwhere = ["src"]\n'),
        "src/acme/exporters/__init__.py": PROBE,
        "src/acme/exporters/x.py": PROBE,
    })
    ws = Workspace(workspace)
    src = workspace / "src"
    location = ws.locate(src / "acme/exporters/x.py")
    assert (location.module, location.root, location.rule) == (
        "acme.exporters.x", src, "source-root")
    assert_runs_as(ws, src / "acme/exporters/x.py", "acme.exporters.x", src)


def test_undeclared_namespace_falls_back_to_the_package_chain(workspace: Path) -> None:
    # The same tree, but nothing declares `acme`: rule 3 roots it at src/acme.
    write_tree(workspace, {
        "pyproject.toml": '[project]\nname = "acme-exporters"\n',
        "src/acme/exporters/__init__.py": PROBE,
        "src/acme/exporters/x.py": PROBE,
    })
    ws = Workspace(workspace)
    assert_runs_as(ws, workspace / "src/acme/exporters/x.py", "exporters.x",
                   workspace / "src/acme")


@pytest.mark.parametrize("imported", [False, True])
def test_a_package_the_project_imports_through_plain_folders(workspace: Path,
                                                            imported: bool) -> None:
    """typer's tests import `docs_src.subcommands.tut`: the tutorial package's root is the
    project folder, not `docs_src/subcommands/`, and `python -m` of that name runs it."""
    files = {
        "pyproject.toml": '[project]\nname = "tool"\n',
        "docs_src/subcommands/tut/__init__.py": PROBE,
        "docs_src/subcommands/tut/main.py": PROBE,
    }
    if imported:
        files["tests/test_tut.py"] = "from docs_src.subcommands.tut import main\n"
    write_tree(workspace, files)
    ws = Workspace(workspace)
    location = ws.locate(workspace / "docs_src/subcommands/tut/main.py")
    if imported:
        assert (location.module, location.root, location.rule) == (
            "docs_src.subcommands.tut.main", workspace, "imported")
        assert_runs_as(ws, workspace / "docs_src/subcommands/tut/main.py",
                       "docs_src.subcommands.tut.main", workspace)
    else:
        assert (location.module, location.rule) == ("tut.main", "packages")
        assert_runs_as(ws, workspace / "docs_src/subcommands/tut/main.py", "tut.main",
                       workspace / "docs_src/subcommands")


def test_an_undeclared_namespace_package_the_project_imports(workspace: Path) -> None:
    write_tree(workspace, {
        "pyproject.toml": '[project]\nname = "acme-exporters"\n',
        "src/acme/exporters/__init__.py": PROBE,
        "src/acme/exporters/x.py": PROBE,
        "tests/test_x.py": "from acme.exporters import x\n",
    })
    ws = Workspace(workspace)
    assert_runs_as(ws, workspace / "src/acme/exporters/x.py", "acme.exporters.x",
                   workspace / "src")


def test_monorepo_projects_have_their_own_roots(workspace: Path) -> None:
    files: dict[str, str] = {}
    for project, package in (("alpha-service", "alpha"), ("beta-service", "beta")):
        files[f"{project}/pyproject.toml"] = (
            f'[project]\nname = "{project}"\n\n'
            '[tool.setuptools.packages.find]\nwhere = ["src"]\n')
        files[f"{project}/src/{package}/__init__.py"] = PROBE
        files[f"{project}/src/{package}/main.py"] = PROBE
        # The same package name in both projects: each resolves from its own src/.
        files[f"{project}/src/common/__init__.py"] = PROBE
        files[f"{project}/src/common/util.py"] = PROBE
        files[f"{project}/scripts/{package}_tool.py"] = PROBE
    write_tree(workspace, files)
    ws = Workspace(workspace)
    for project, package in (("alpha-service", "alpha"), ("beta-service", "beta")):
        src = workspace / project / "src"
        assert_runs_as(ws, src / package / "main.py", f"{package}.main", src)
        assert_runs_as(ws, src / "common/util.py", "common.util", src)
        assert_runs_as(ws, workspace / project / f"scripts/{package}_tool.py",
                       f"scripts.{package}_tool", workspace / project)


def test_dashm_roots_setting(workspace: Path) -> None:
    write_tree(workspace, {
        "pyproject.toml": '[tool.dashm]\nroots = ["lib", "apps/web"]\n',
        "lib/thing/run.py": PROBE,
        "apps/web/site/__init__.py": PROBE,
        "apps/web/site_main.py": PROBE,
        "other/run2.py": PROBE,
    })
    ws = Workspace(workspace)
    assert_runs_as(ws, workspace / "lib/thing/run.py", "thing.run", workspace / "lib")
    assert_runs_as(ws, workspace / "apps/web/site_main.py", "site_main", workspace / "apps/web")
    assert_runs_as(ws, workspace / "other/run2.py", "other.run2", workspace)


def test_symlinked_files(workspace: Path) -> None:
    write_tree(workspace, {"pkg/__init__.py": PROBE, "pkg/real.py": PROBE})
    (workspace / "pkg/alias.py").symlink_to("real.py")
    (workspace / "bin").mkdir()
    (workspace / "bin/tool.py").symlink_to(workspace / "pkg/real.py")
    ws = Workspace(workspace)
    # The link is its own module; the interpreter runs the file it points to.
    assert_runs_as(ws, workspace / "pkg/alias.py", "pkg.alias", workspace)
    assert_runs_as(ws, workspace / "bin/tool.py", "bin.tool", workspace)


def test_symlinked_package_folder(workspace: Path) -> None:
    write_tree(workspace, {"real/pkg/__init__.py": PROBE, "real/pkg/mod.py": PROBE})
    (workspace / "linked").symlink_to(workspace / "real/pkg", target_is_directory=True)
    ws = Workspace(workspace)
    assert_runs_as(ws, workspace / "linked/mod.py", "linked.mod", workspace)


@pytest.mark.parametrize("relative, bad", [
    ("my-scripts/do_it.py", "my-scripts"),
    ("my-pkg/__init__.py", None),
    ("my-script.py", "my-script"),
])
def test_hyphenated_names_are_explained(workspace: Path, relative: str, bad: str | None) -> None:
    write_tree(workspace, {"my-pkg/__init__.py": PROBE, "my-pkg/__main__.py": PROBE,
                           "my-scripts/do_it.py": PROBE, "my-script.py": PROBE})
    ws = Workspace(workspace)
    invocation = ws.invocation(workspace / relative)
    assert invocation.module is None
    assert invocation.reason and "rename" in invocation.reason, invocation
    if bad:
        assert bad in invocation.reason and bad.replace("-", "_") in invocation.reason


def test_hyphenated_name_reason_is_true_about_the_interpreter(workspace: Path) -> None:
    """CPython's -m does not check identifiers: `python -m my-scripts.do_it` runs the file.
    What a hyphen really breaks is `import my-scripts.do_it` in code. dashm may refuse to
    offer such a name, but its reason must not claim the interpreter cannot run it."""
    write_tree(workspace, {"my-scripts/do_it.py": PROBE, "my-script.py": PROBE})
    ws = Workspace(workspace)
    for relative in ("my-scripts/do_it.py", "my-script.py"):
        dotted = relative[:-3].replace("/", ".")
        done = subprocess.run([sys.executable, "-m", dotted], cwd=workspace, env=_clean_env(),
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0 and probe_lines(done.stdout)[-1][1] == dotted, done
        reason = ws.invocation(workspace / relative).reason or ""
        assert "run with -m" not in reason, reason


def test_hyphenated_folder_above_a_package_is_fine(workspace: Path) -> None:
    write_tree(workspace, {"my-app/app/__init__.py": PROBE, "my-app/app/main.py": PROBE})
    ws = Workspace(workspace)
    assert_runs_as(ws, workspace / "my-app/app/main.py", "app.main", workspace / "my-app")


def test_package_main(workspace: Path) -> None:
    write_tree(workspace, {"pkg/__init__.py": PROBE, "pkg/__main__.py": PROBE,
                           "tool/__main__.py": PROBE})
    ws = Workspace(workspace)
    assert ws.locate(workspace / "pkg/__main__.py").module == "pkg.__main__"
    assert_runs_as(ws, workspace / "pkg/__main__.py", "pkg", workspace)
    assert_runs_as(ws, workspace / "pkg/__init__.py", "pkg", workspace)
    assert_runs_as(ws, workspace / "tool/__main__.py", "tool", workspace)  # namespace package


def test_package_without_main_is_explained(workspace: Path) -> None:
    write_tree(workspace, {"pkg/__init__.py": PROBE, "__main__.py": PROBE})
    ws = Workspace(workspace)
    for relative in ("pkg/__init__.py", "__main__.py"):
        invocation = ws.invocation(workspace / relative)
        assert invocation.module is None and invocation.reason, invocation


def test_module_command_json_matches_the_api(workspace: Path) -> None:
    write_tree(workspace, {"pyproject.toml": '[project]\nname = "x"\n',
                           "src/pkg/__init__.py": PROBE, "src/pkg/mod.py": PROBE,
                           "my-script.py": PROBE})
    done = subprocess.run([sys.executable, "-m", "dashm", "module", "src/pkg/mod.py", "--json"],
                          cwd=workspace, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["module"] == "pkg.mod" and Path(data["cwd"]) == workspace / "src"
    ran = subprocess.run(data["argv"], cwd=data["cwd"], env=_clean_env(),
                         capture_output=True, text=True, timeout=30)
    assert probe_lines(ran.stdout)[-1][:2] == ("__main__", "pkg.mod"), ran
    bad = subprocess.run([sys.executable, "-m", "dashm", "module", "my-script.py", "--json"],
                         cwd=workspace, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    assert json.loads(bad.stdout)["module"] is None and json.loads(bad.stdout)["reason"]


# -- what the interpreter finds first ----------------------------------------------------------
def assert_truthful(ws: Workspace, path: Path) -> None:
    """Either dashm explains why the file cannot run as a module, or its command runs it."""
    invocation = ws.invocation(path)
    if invocation.module is None:
        assert invocation.reason, invocation
    else:
        assert_runs_as(ws, path)


@pytest.mark.parametrize("files, target", [
    # A namespace folder loses to a module of the same name in the same folder:
    # `python -m tools.run` -> "__path__ attribute not found on 'tools'".
    ({"tools.py": "", "tools/run.py": PROBE}, "tools/run.py"),
    # A namespace folder loses to a standard-library package of the same name:
    # `python -m email.x` -> "No module named email.x".
    ({"email/x.py": PROBE}, "email/x.py"),
    ({"pyproject.toml": '[project]\nname = "t"\n', "src/test/x.py": PROBE}, "src/test/x.py"),
    # ... but a regular package on sys.path[0] wins over the standard library.
    ({"email/__init__.py": PROBE, "email/x.py": PROBE}, "email/x.py"),
    ({"runpy/__init__.py": PROBE, "runpy/x.py": PROBE}, "runpy/x.py"),
])
def test_runnable_only_when_the_interpreter_finds_the_file(
        workspace: Path, files: dict[str, str], target: str) -> None:
    write_tree(workspace, files)
    assert_truthful(Workspace(workspace), workspace / target)


NAMESPACE_DECLARATIONS = {
    "setuptools-find": '[tool.setuptools.packages.find]\nwhere = ["src"]\n',
    "setuptools-listed": ('[tool.setuptools]\npackage-dir = {"" = "src"}\n'
                          'packages = ["acme", "acme.exporters"]\n'),
    "hatch": '[tool.hatch.build.targets.wheel]\npackages = ["src/acme"]\n',
    "poetry": ('[tool.poetry]\nname = "acme"\n'
               'packages = [{ include = "acme", from = "src" }]\n'),
    "flit": '[tool.flit.module]\nname = "acme.exporters"\n',
}


@pytest.mark.parametrize("backend", sorted(NAMESPACE_DECLARATIONS))
def test_declared_namespace_package_by_backend(workspace: Path, backend: str) -> None:
    write_tree(workspace, {
        "pyproject.toml": '[project]\nname = "acme"\n\n' + NAMESPACE_DECLARATIONS[backend],
        "src/acme/exporters/__init__.py": PROBE,
        "src/acme/exporters/x.py": PROBE,
    })
    src = workspace / "src"
    ws = Workspace(workspace)
    location = ws.locate(src / "acme/exporters/x.py")
    assert location.rule == "source-root", location
    assert_runs_as(ws, src / "acme/exporters/x.py", "acme.exporters.x", src)


def test_setup_cfg_package_dir(workspace: Path) -> None:
    write_tree(workspace, {
        "setup.cfg": "[options]\npackage_dir =\n    =lib\npackages = find:\n",
        "lib/pkg/__init__.py": PROBE, "lib/pkg/mod.py": PROBE, "lib/tool.py": PROBE,
    })
    ws = Workspace(workspace)
    assert_runs_as(ws, workspace / "lib/pkg/mod.py", "pkg.mod", workspace / "lib")
    assert_runs_as(ws, workspace / "lib/tool.py", "tool", workspace / "lib")


def test_workspace_opened_inside_a_package(workspace: Path) -> None:
    # The user opened pkg/ itself: the file is still pkg.mod, run from pkg's parent.
    write_tree(workspace, {"pkg/__init__.py": PROBE, "pkg/mod.py": PROBE})
    ws = Workspace(workspace / "pkg")
    assert_runs_as(ws, workspace / "pkg/mod.py", "pkg.mod", workspace)


@pytest.mark.parametrize("marker", [".git/HEAD", "pyproject.toml"])
def test_a_stray_init_in_the_project_folder_keeps_the_root_there(workspace: Path,
                                                                 marker: str) -> None:
    """Python-Checkers: an `__init__.py` beside `.git` (or pyproject.toml) in a folder named
    `my-game`. People run `python main.py` and `python -m pkg.mod` from there, so that is the
    import root; the folder's invalid name is no reason to refuse."""
    write_tree(workspace, {f"my-game/{marker}": "", "my-game/__init__.py": "",
                           "my-game/main.py": PROBE, "my-game/pkg/__init__.py": PROBE,
                           "my-game/pkg/mod.py": PROBE})
    project = workspace / "my-game"
    for ws in (Workspace(project), Workspace(workspace)):
        assert_runs_as(ws, project / "pkg/mod.py", "pkg.mod", project)
        assert_runs_as(ws, project / "main.py", "main", project)


def test_a_project_folder_imported_by_its_own_name_stays_a_package(workspace: Path) -> None:
    """Its files import `game.pkg.mod`: the project folder is a package, run from above."""
    write_tree(workspace, {"game/.git/HEAD": "", "game/__init__.py": PROBE,
                           "game/pkg/__init__.py": PROBE,
                           "game/pkg/mod.py": "import game.pkg\n" + PROBE})
    ws = Workspace(workspace)
    assert_runs_as(ws, workspace / "game/pkg/mod.py", "game.pkg.mod", workspace)

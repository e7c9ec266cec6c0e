"""The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real pre-commit (from the
package index, the `[test]` extra) with `pre-commit try-repo` on a temporary git repository.

The hook repository is a commit of this checkout's files (as they are on disk, uncommitted
changes included), so what is tested is what a user's `rev:` would install: pre-commit builds
dashm from it into an environment of its own, with nothing of the project installed there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# What `pip install .` of the hook repository needs (the sdist's files).
HOOK_REPO_FILES = ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE",
                   ".pre-commit-hooks.yaml", "server/dashm")
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "dashm tests", "GIT_AUTHOR_EMAIL": "tests@dashm.invalid",
                "GIT_COMMITTER_NAME": "dashm tests",
                "GIT_COMMITTER_EMAIL": "tests@dashm.invalid"}

pytestmark = pytest.mark.slow


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no virtual environment active (conftest.py sets one
    for the tests' own dashm), no dashm test cache settings leaking into the hook's run."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PRE_COMMIT_HOME", "PRE_COMMIT")}
    env.update(GIT_IDENTITY, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", **extra)
    return env


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in HOOK_REPO_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "dashm as a hook repository")
    return repo


def try_repo(project: Path, hook_repo: Path, hook: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo HOOK_REPO HOOK` on the staged files of `project`, as a user runs it
    (its own temporary store: it installs the hook's environment each time)."""
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook,
                           "--color", "never"],
                          cwd=project, env=clean_env(), capture_output=True, text=True,
                          timeout=600)


def make_venv_with(folder: Path, module: str, text: str) -> None:
    """A virtual environment at `folder` with one installed top-level package `module`."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True,
                   timeout=120)
    python = folder / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"], check=True,
                             capture_output=True, text=True, timeout=60).stdout.strip()
    package = Path(purelib) / module
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(text)


def test_hooks_file_declares_both_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"dashm", "dashm-fix"}
    assert hooks["dashm"]["entry"] == "dashm check"
    assert hooks["dashm-fix"]["entry"] == "dashm check --fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook.get("pass_filenames", True)  # the changed files, judged in the workspace
        assert hook["require_serial"] is True


def test_try_repo_fails_on_a_scripty_commit_and_passes_after_fix(tmp_path: Path,
                                                                 hook_repo: Path) -> None:
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "tools").mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0"\n')
    (project / ".gitignore").write_text(".venv/\n")
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pkg" / "util.py").write_text('def hello():\n    print("hello")\n')
    (project / "tools" / "shadowme.py").write_text("VALUE = 'local'\n")
    # The project's interpreter has a package `shadowme`: only it knows that
    # tools/report.py's `import shadowme` means the installed one under `python -m`.
    make_venv_with(project / ".venv", "shadowme", "VALUE = 'installed'\n")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "the files the commit under test does not touch")

    # The commit under test adds two files; pre-commit passes only those to the hook.
    (project / "pkg" / "main.py").write_text(
        'import util\n\nif __name__ == "__main__":\n    util.hello()\n')
    (project / "tools" / "report.py").write_text(
        'import shadowme\n\nif __name__ == "__main__":\n    print(shadowme.VALUE)\n')
    git(project, "add", "pkg/main.py", "tools/report.py")

    checked = try_repo(project, hook_repo, "dashm")
    output = checked.stdout + checked.stderr
    assert checked.returncode == 1, output
    assert "dashm...." in output and "Failed" in output, output
    # Judged against the committed pkg/util.py, which pre-commit did not pass.
    assert "pkg/main.py:1:8: DM101 `import util` works only run by path" in output, output
    # Judged with the project's .venv, not pre-commit's environment for dashm (which has no
    # `shadowme`, and would call this a DM101 with a fix to `from tools import shadowme`).
    assert "tools/report.py:1:8: DM105" in output, output
    assert "`import shadowme` loads tools/shadowme.py only run by path" in output, output
    assert "tools/report.py:1:8: DM101" not in output, output

    fixed = try_repo(project, hook_repo, "dashm-fix")
    output = fixed.stdout + fixed.stderr
    assert fixed.returncode == 1, output  # pre-commit fails a hook that changed files
    assert "files were modified by this hook" in output, output
    assert (project / "pkg" / "main.py").read_text().startswith("from pkg import util\n")
    # No rewrite of an import that means the installed package.
    assert (project / "tools" / "report.py").read_text().startswith("import shadowme\n")

    # What dashm advised for report.py: rename the local module; then stage and retry.
    git(project, "mv", "tools/shadowme.py", "tools/shadow_data.py")
    git(project, "add", "-A")
    passed = try_repo(project, hook_repo, "dashm")
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert "Passed" in output, output
    done = subprocess.run([str(project / ".venv" / "bin" / "python"), "-m", "pkg.main"],
                          cwd=project, capture_output=True, text=True, timeout=60)
    assert done.stdout == "hello\n", done.stderr


def test_pre_commits_environment_for_dashm_is_not_the_users(tmp_path: Path) -> None:
    from dashm.cli import _user_environ

    ours = os.path.join(sys.prefix, "bin")
    env = {"PRE_COMMIT": "1", "VIRTUAL_ENV": sys.prefix,
           "PATH": os.pathsep.join([ours, "/usr/local/bin", "/usr/bin"])}
    assert _user_environ(env) == {"PRE_COMMIT": "1",
                                  "PATH": os.pathsep.join(["/usr/local/bin", "/usr/bin"])}
    # Outside pre-commit, or with another environment active, nothing changes.
    assert _user_environ({**env, "PRE_COMMIT": ""}) == {**env, "PRE_COMMIT": ""}
    other = {**env, "VIRTUAL_ENV": str(tmp_path)}
    assert _user_environ(other) == other

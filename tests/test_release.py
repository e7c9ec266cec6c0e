"""The release artifacts, built as the release workflow builds them: `python -m build` (an sdist,
then the wheel from that sdist, each in an isolated build environment from the package index),
`twine check --strict`, the metadata PyPI will show, the single-sourced version, the changelog,
and the wheel installed in a fresh virtual environment.

Built once per session (about 4 s); installing the wheel's dependencies comes from pip's cache
after the first run.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import dashm

ROOT = Path(__file__).resolve().parents[1]
REPOSITORY = "https://github.com/dashm-dev/dashm"
VERSION = dashm.__version__

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"dashm-{VERSION}.dist-info/METADATA").decode()
    return email.message_from_string(text, policy=email.policy.compat32)


def test_artifacts_are_named_for_the_version(dist: dict[str, Path]) -> None:
    assert dist["wheel"].name == f"dashm-{VERSION}-py3-none-any.whl"  # universal: pure Python
    assert dist["sdist"].name == f"dashm-{VERSION}.tar.gz"


def test_twine_check_passes(dist: dict[str, Path]) -> None:
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                           str(dist["wheel"]), str(dist["sdist"])],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_metadata(dist: dict[str, Path]) -> None:
    meta = wheel_metadata(dist["wheel"])
    assert meta["Name"] == "dashm"
    assert meta["Version"] == VERSION
    assert meta["Requires-Python"] == ">=3.10"
    assert meta["License-Expression"] == "MIT"
    assert meta["License-File"] == "LICENSE"
    assert meta["Description-Content-Type"] == "text/markdown"
    classifiers = meta.get_all("Classifier")
    assert "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3 :: Only" in classifiers
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert set(urls) >= {"Homepage", "Documentation", "Changelog", "Issues", "Source"}
    for url in urls.values():
        assert url.startswith(REPOSITORY), url
    assert urls["Changelog"].endswith("/CHANGELOG.md")
    requires = meta.get_all("Requires-Dist")
    assert any(r.startswith("pygls") for r in requires)
    with zipfile.ZipFile(dist["wheel"]) as archive:
        names = set(archive.namelist())
    # Typed where true: the package ships py.typed (and is annotated throughout).
    assert "dashm/py.typed" in names
    assert "dashm/docs/rules.md" in names  # the rule docs the hover links to offline
    assert f"dashm-{VERSION}.dist-info/licenses/LICENSE" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/")]
    entry_points = zipfile.ZipFile(dist["wheel"]).read(
        f"dashm-{VERSION}.dist-info/entry_points.txt").decode()
    assert "dashm = dashm.cli:main" in entry_points


def _slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_long_description_is_the_readme_with_absolute_links(dist: dict[str, Path]) -> None:
    description = wheel_metadata(dist["wheel"]).get_payload()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert description.splitlines()[0] == readme.splitlines()[0] == "# dashm"
    links = re.findall(r"\]\(([^)\s]+)\)", description)
    assert len(links) == len(re.findall(r"\]\(([^)\s]+)\)", readme)) >= 5
    headings = {_slug(h) for h in re.findall(r"^#+ (.+)$", readme, re.M)}
    for link in links:
        assert link.startswith("https://"), f"relative link on the package page: {link}"
        if link.startswith(f"{REPOSITORY}#"):
            assert link.split("#", 1)[1] in headings, link
        for prefix in (f"{REPOSITORY}/blob/main/",
                       "https://raw.githubusercontent.com/dashm-dev/dashm/main/"):
            if link.startswith(prefix):  # a file of this repository: it must exist
                target = link[len(prefix):].split("#", 1)[0]
                assert (ROOT / target).is_file(), link


def test_sdist_holds_the_source_and_nothing_else(dist: dict[str, Path]) -> None:
    with tarfile.open(dist["sdist"]) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    top = {n.split("/", 1)[0] for n in names}
    assert top <= {"server", "README.md", "CHANGELOG.md", "LICENSE", "pyproject.toml",
                   "PKG-INFO", ".gitignore"}, top
    assert {"server/dashm/__init__.py", "server/dashm/docs/rules.md", "LICENSE",
            "CHANGELOG.md"} <= names


def test_version_is_written_once_and_the_extension_carries_it() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    project = pyproject.split("[project]", 1)[1].split("\n[", 1)[0]
    assert not re.search(r"^version\s*=", project, re.M)  # dynamic: from __init__.py
    assert re.search(r'^dynamic = \[.*"version"', project, re.M)
    assert re.search(r'^\[tool\.hatch\.version\]\npath = "server/dashm/__init__.py"$',
                     pyproject, re.M)
    package = json.loads((ROOT / "vscode-extension" / "package.json").read_text())
    lock = json.loads((ROOT / "vscode-extension" / "package-lock.json").read_text())
    assert package["version"] == VERSION, "set vscode-extension/package.json's version"
    assert lock["version"] == lock["packages"][""]["version"] == VERSION, \
        "run `npm install --package-lock-only` in vscode-extension/"


def test_changelog_keeps_a_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# Changelog"
    assert "keepachangelog.com/en/1.1.0" in text
    releases = re.findall(r"^## (.*)$", text, re.M)
    assert releases[0] == "[Unreleased]"
    versions = []
    for heading in releases[1:]:
        match = re.fullmatch(r"\[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})", heading)
        assert match, f"not a keep-a-changelog release heading: {heading}"
        versions.append(match.group(1))
    for section in re.findall(r"^### (.*)$", text, re.M):
        assert section in ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
    for name in ["Unreleased", *versions]:  # each heading's link reference
        assert re.search(rf"^\[{re.escape(name)}\]: https://", text, re.M), name
    # Released versions go newest first; the current version is either released or coming.
    assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))),
                              reverse=True)
    assert VERSION in versions or "[Unreleased]" in releases


@pytest.fixture(scope="session")
def installed(dist: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel (and its dependencies) installed: what
    `pip install dashm` or `pipx install dashm` makes. Its `bin/` folder."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                           "install", "--quiet", "--disable-pip-version-check",
                           str(dist["wheel"])], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin"


def user_env(path: str, **extra: str) -> dict[str, str]:
    """A user's shell: no virtual environment active, `path` as PATH."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    return {**env, "PATH": path, **extra}


def test_wheel_installs_in_a_fresh_venv_and_checks(installed: Path, tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", examples)
    version = subprocess.run([str(installed / "dashm"), "--version"], capture_output=True,
                             text=True, timeout=60, env=user_env(os.defpath))
    assert version.stdout.strip() == f"dashm {VERSION}", version.stderr
    for command in ([str(installed / "dashm")], [str(installed / "python"), "-m", "dashm"]):
        done = subprocess.run([*command, "check", "--no-cache", "."], cwd=examples,
                              capture_output=True, text=True, timeout=120,
                              env=user_env(os.defpath))
        assert done.returncode == 1, done.stderr  # the examples are scripty on purpose
        assert "inventory/cli.py:5:8: DM101" in done.stdout, done.stdout
        assert "Traceback" not in done.stderr, done.stderr
    # dashm comes from the wheel, not from this checkout.
    where = subprocess.run([str(installed / "python"), "-c",
                            "import dashm; print(dashm.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=60)
    assert str(installed.parent) in where.stdout and str(ROOT) not in where.stdout


def make_project(folder: Path) -> Path:
    """tools/report.py imports `shadowme`, which the project's interpreter has installed and
    which tools/shadowme.py hides when the script is run by path."""
    (folder / "tools").mkdir(parents=True)
    (folder / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0"\n')
    (folder / "tools" / "shadowme.py").write_text("VALUE = 'local'\n")
    (folder / "tools" / "report.py").write_text(
        'import shadowme\n\nif __name__ == "__main__":\n    print(shadowme.VALUE)\n')
    return folder


def make_interpreter(venv: Path) -> Path:
    """A virtual environment with the package `shadowme` installed; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"], check=True,
                             capture_output=True, text=True, timeout=60).stdout.strip()
    (Path(purelib) / "shadowme").mkdir()
    (Path(purelib) / "shadowme" / "__init__.py").write_text("VALUE = 'installed'\n")
    return python


def isolated_check(installed: Path, project: Path, path: str) -> tuple[str, str]:
    """`dashm check --verbose` from the isolated install (as pipx links it: not activated)."""
    done = subprocess.run([str(installed / "dashm"), "check", "--verbose", "--no-cache", "."],
                          cwd=project, capture_output=True, text=True, timeout=120,
                          env=user_env(path))
    assert done.returncode in (0, 1), done.stderr
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("dashm: interpreter ")]
    return line, done.stdout


def test_isolated_install_judges_with_the_projects_venv(installed: Path,
                                                       tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    python = make_interpreter(project / ".venv")
    line, output = isolated_check(installed, project, os.defpath)
    assert line == f"dashm: interpreter {python} (.venv)"
    # Only the project's interpreter knows `shadowme` is installed: a DM105/DM104, not the
    # DM101 (with a wrong fix to `from tools import shadowme`) that dashm's own venv would say.
    assert "tools/report.py:1:8: DM105" in output, output
    assert "tools/shadowme.py:1:1: DM104" in output and "installed `shadowme`" in output, output
    assert "DM101" not in output, output


def test_isolated_install_judges_with_python3_on_path(installed: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    # The user's environment's bin/ on PATH (not activated: no $VIRTUAL_ENV).
    on_path = make_interpreter(tmp_path / "users-env").parent
    line, output = isolated_check(installed, project, str(on_path))
    assert line == f"dashm: interpreter {on_path / 'python3'} (PATH)"
    assert "tools/report.py:1:8: DM105" in output, output
    # With no interpreter of the user's anywhere, only dashm's own is left, and it says so.
    empty = tmp_path / "empty"
    empty.mkdir()
    line, output = isolated_check(installed, project, str(empty))
    assert line == f"dashm: interpreter {installed / 'python'} (dashm's own)"
    assert "tools/report.py:1:8: DM101" in output, output

"""Proof tests for DM201, DM202 and DM204: what dashm reports is what the interpreter, pip and
real build backends do.

- DM202: `python -m pkg` fails with "No module named pkg.__main__" before `check --fix`; after
  it, it runs the very function the console script runs (same output, same exit status).
- DM201: an accidental namespace package is skipped by `pkgutil.walk_packages` and setuptools'
  `find_packages`, and a top-level one loses to any regular package of the same name on
  sys.path; `check --fix` mends all three.
- DM204 (slow: marked `slow`, but part of the default run): wheels built offline with
  setuptools and with hatchling, installed into a fresh virtual environment; each broken console
  script fails at run time with exactly the error dashm named, and the fixed ones run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from trees import check_json, dashm, write_tree

PY = sys.executable
GUARD = 'if __name__ == "__main__":\n'


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "PYTHONSAFEPATH", "PYTHONHOME")}


def run(argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**clean_env(), **env})


# -- DM202 -----------------------------------------------------------------------------------
TOOL = {
    "pyproject.toml": ('[project]\nname = "tool"\nversion = "1.0"\n\n[project.scripts]\n'
                       'tool = "tool.cli:main"\n'),
    "tool/__init__.py": '"""tool."""\n',
    "tool/cli.py": ("import sys\n\nfrom tool import core\n\n\ndef main(argv=None):\n"
                    "    args = sys.argv[1:] if argv is None else argv\n"
                    "    print('tool.cli.main', core.NAME, args)\n    return len(args)\n"),
    "tool/core.py": "NAME = 'core'\n",
}


@pytest.mark.parametrize("style", ["absolute", "relative"])
def test_dm202_fix_makes_python_m_run_the_console_script_function(tmp_path: Path,
                                                                   style: str) -> None:
    root = write_tree(tmp_path / "ws", TOOL)
    before = run([PY, "-m", "tool", "a", "b"], root)
    assert before.returncode == 1
    assert "No module named tool.__main__" in before.stderr
    (finding,) = check_json(root)
    assert finding["code"] == "DM202" and "No module named tool.__main__" in finding["explanation"]
    fixed = dashm("check", "--fix", "--import-style", style, cwd=root)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after = run([PY, "-m", "tool", "a", "b"], root)
    # What the console script does: `from tool.cli import main; sys.exit(main())`.
    script = run([PY, "-c", "import sys\nfrom tool.cli import main\nsys.exit(main())", "a",
                  "b"], root)
    assert after.stdout == script.stdout == "tool.cli.main core ['a', 'b']\n"
    assert after.returncode == script.returncode == 2
    main = (root / "tool/__main__.py").read_text()
    assert ("from .cli import main" if style == "relative" else "from tool.cli import main") \
        in main
    assert check_json(root) == []


def test_dm202_fix_from_a_guard_that_is_not_a_plain_call(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {
        "app/__init__.py": "",
        "app/cli.py": ("import sys\n\n" + GUARD + "    name = sys.argv[1]\n"
                       "    print('hello', name)\n"),
        "README.md": "Run `python -m app NAME`.\n",
    })
    assert "No module named app.__main__" in run([PY, "-m", "app", "x"], root).stderr
    assert dashm("check", "--fix", cwd=root).returncode == 0
    after = run([PY, "-m", "app", "x"], root)
    assert after.returncode == 0 and after.stdout == "hello x\n", after.stderr


# -- DM201 -----------------------------------------------------------------------------------
PLUGINS = {
    "pkg/__init__.py": "",
    "pkg/plugins/csv_export.py": "def export():\n    return 'csv'\n",
}
WALK = ("import pkg, pkgutil\n"
        "print(sorted(m.name for m in pkgutil.walk_packages(pkg.__path__, 'pkg.')))")
FIND = "from setuptools import find_packages\nprint(find_packages())"


def test_dm201_namespace_folder_is_missed_by_pkgutil_and_find_packages(tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    root = write_tree(tmp_path / "ws", PLUGINS)
    assert run([PY, "-c", WALK], root).stdout == "[]\n"
    assert run([PY, "-c", FIND], root).stdout == "['pkg']\n"
    (finding,) = check_json(root)
    assert finding["code"] == "DM201" and finding["path"] == "pkg/plugins/csv_export.py"
    assert "pkgutil.walk_packages()" in finding["explanation"]
    assert "find_packages()" in finding["explanation"]
    assert dashm("check", "--fix", cwd=root).returncode == 0
    assert run([PY, "-c", WALK], root).stdout == "['pkg.plugins', 'pkg.plugins.csv_export']\n"
    assert run([PY, "-c", FIND], root).stdout == "['pkg', 'pkg.plugins']\n"


def test_dm201_top_level_namespace_loses_to_an_installed_package(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {
        "utils/helpers.py": "def f():\n    return 'local helpers'\n",
        "app.py": "from utils.helpers import f\n\nprint(f())\n",
    })
    # Another distribution that ships a top-level `utils` package (many do).
    installed = write_tree(tmp_path / "site", {"utils/__init__.py": ""})
    assert run([PY, "-m", "app"], root).stdout == "local helpers\n"
    broken = run([PY, "-m", "app"], root, PYTHONPATH=str(installed))
    assert "ModuleNotFoundError: No module named 'utils.helpers'" in broken.stderr
    (finding,) = check_json(root)
    assert finding["code"] == "DM201" and finding["path"] == "utils/helpers.py"
    assert "ModuleNotFoundError unless it has one" in finding["explanation"]
    assert dashm("check", "--fix", cwd=root).returncode == 0
    assert (root / "utils/__init__.py").exists()
    fixed = run([PY, "-m", "app"], root, PYTHONPATH=str(installed))
    assert fixed.returncode == 0 and fixed.stdout == "local helpers\n", fixed.stderr


# -- DM204 against real build backends ------------------------------------------------------
BACKENDS = {
    "setuptools": ('[build-system]\nrequires = ["setuptools>=61"]\n'
                   'build-backend = "setuptools.build_meta"\n\n'
                   '[tool.setuptools]\npackages = ["tool"]\n'),
    "hatchling": ('[build-system]\nrequires = ["hatchling"]\n'
                  'build-backend = "hatchling.build"\n\n'
                  '[tool.hatch.build.targets.wheel]\npackages = ["tool"]\n'),
}
SCRIPTS = ('[project]\nname = "tool"\nversion = "1.0"\n\n[project.scripts]\n'
           'tool = "tool.cli:main"\n'
           'tool-typo = "tool.cli:mian"\n'
           'tool-gone = "tool.nothere:main"\n'
           "tool-attr = 'tool.cli:Runner.run'\n\n")
CLI = ("import sys\n\n\ndef main():\n    print('main ran', sys.argv[1:])\n    return 0\n\n\n"
       "class Runner:\n    @staticmethod\n    def run():\n        print('runner ran')\n")


def build_and_install(project: Path, tmp: Path) -> Path:
    """`pip wheel` offline with the backend installed here; install it into a fresh venv."""
    tmp.mkdir(parents=True, exist_ok=True)
    dist = tmp / "dist"
    built = run([PY, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                 "-w", str(dist), str(project)], tmp)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("*.whl")
    env = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    installed = run([PY, "-m", "pip", "--python", str(python), "install", "--no-deps",
                     "--no-index", str(wheel)], tmp)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return env / "bin"


@pytest.mark.slow
@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_dm204_broken_console_scripts_fail_where_dashm_said(tmp_path: Path,
                                                              backend: str) -> None:
    pytest.importorskip(backend)
    project = write_tree(tmp_path / "project", {
        "pyproject.toml": SCRIPTS + BACKENDS[backend],
        "tool/__init__.py": "", "tool/__main__.py": "", "tool/cli.py": CLI,
    })
    findings = check_json(project)
    reported = {f["line"]: f for f in findings if f["code"] == "DM204"}
    assert sorted(reported) == [7, 8]  # tool-typo, tool-gone; tool and tool-attr are fine
    bin_dir = build_and_install(project, tmp_path / "first")
    outside = tmp_path  # run from elsewhere: only the installed copy can be imported
    assert run([str(bin_dir / "tool"), "x"], outside).stdout == "main ran ['x']\n"
    assert run([str(bin_dir / "tool-attr")], outside).stdout == "runner ran\n"
    for line, script in ((7, "tool-typo"), (8, "tool-gone")):
        failed = run([str(bin_dir / script)], outside)
        assert failed.returncode != 0
        message = reported[line]["explanation"]
        error = message.split(" fails with ", 1)[1]
        last = failed.stderr.strip().splitlines()[-1]
        assert last.startswith(error), (error, last)
        # The finding covers exactly the string the backend wrote into the entry point.
        text = (project / "pyproject.toml").read_text().splitlines()[line - 1]
        span = text[reported[line]["column"] - 1:reported[line]["end_column"] - 1]
        assert span == {"tool-typo": "tool.cli:mian", "tool-gone": "tool.nothere:main"}[script]

    fixed_text = (project / "pyproject.toml").read_text().replace(
        "tool.cli:mian", "tool.cli:main").replace("tool.nothere:main", "tool.cli:main")
    (project / "pyproject.toml").write_text(fixed_text)
    assert [f for f in check_json(project) if f["code"] == "DM204"] == []
    bin_dir = build_and_install(project, tmp_path / "second")
    for script in ("tool", "tool-typo", "tool-gone"):
        done = run([str(bin_dir / script), "y"], outside)
        assert done.returncode == 0 and done.stdout == "main ran ['y']\n", done.stderr


@pytest.mark.slow
def test_dm204_setuptools_packages_naming_a_missing_folder_fails_the_build(
        tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    project = write_tree(tmp_path / "project", {
        "pyproject.toml": ('[project]\nname = "tool"\nversion = "1.0"\n\n'
                           + BACKENDS["setuptools"].replace('["tool"]', '["tool", "tool.gone"]')),
        "tool/__init__.py": "",
    })
    (finding,) = [f for f in check_json(project) if f["code"] == "DM204"]
    built = run([PY, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                 "-w", str(tmp_path / "dist"), str(project)], tmp_path)
    assert built.returncode != 0
    quoted = finding["explanation"].split('"')[1]  # error: package directory 'tool/gone' ...
    assert quoted in built.stdout + built.stderr, (quoted, built.stdout[-2000:])


def test_check_json_lists_entry_findings_relative_to_cwd(tmp_path: Path) -> None:
    write_tree(tmp_path / "project", {
        "pyproject.toml": SCRIPTS, "tool/__init__.py": "", "tool/__main__.py": "",
        "tool/cli.py": CLI})
    done = dashm("check", "--format", "json", "project", cwd=tmp_path)
    assert done.returncode == 1
    paths = {f["path"] for f in json.loads(done.stdout)}
    assert paths == {os.path.join("project", "pyproject.toml")}


def test_examples_python_m_inventory_after_fix(tmp_path: Path) -> None:
    """The bundled example: `python -m inventory` fails, then after `check --fix` prints what
    `python inventory/cli.py list` printed (the function its console script names)."""
    import shutil

    examples = Path(__file__).resolve().parents[1] / "examples"
    root = tmp_path / "examples"
    shutil.copytree(examples, root, ignore=shutil.ignore_patterns("__pycache__"))
    by_path = run([PY, "inventory/cli.py", "list"], root)
    assert by_path.returncode == 0 and by_path.stdout
    before = run([PY, "-m", "inventory", "list"], root)
    assert "No module named inventory.__main__" in before.stderr
    assert dashm("check", "--fix", cwd=root).returncode == 1  # DM204 has no automatic fix
    after = run([PY, "-m", "inventory", "list"], root)
    assert after.returncode == 0 and after.stdout == by_path.stdout, after.stderr
    launch = (root / ".vscode/launch.json").read_text()
    assert '"module": "inventory.cli"' in launch and "// runs it by path" in launch
    left = {f["code"] for f in check_json(root)}
    assert "DM204" in left and not left & {"DM201", "DM202", "DM205"}, left


def test_dm204_py_module_that_is_a_found_package_is_no_problem(tmp_path: Path) -> None:
    """openai/whisper: `py-modules = ["whisper"]` with a `whisper/` package that
    `packages.find` ships: the wheel has it and `import whisper` works once installed."""
    pytest.importorskip("setuptools")
    project = write_tree(tmp_path / "project", {
        "pyproject.toml": ('[build-system]\nrequires = ["setuptools>=61.2"]\n'
                           'build-backend = "setuptools.build_meta"\n\n'
                           '[project]\nname = "w"\nversion = "0.1"\n\n'
                           '[tool.setuptools]\npy-modules = ["whisper"]\n\n'
                           '[tool.setuptools.packages.find]\nexclude = ["tests*"]\n'),
        "whisper/__init__.py": "NAME = 'whisper ok'\n",
    })
    assert not [f for f in check_json(project) if f["code"] == "DM204"]
    site = tmp_path / "site"
    built = run([PY, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                 "--target", str(site), str(project)], tmp_path)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    imported = run([PY, "-c", "import whisper; print(whisper.NAME)"], tmp_path,
                   PYTHONPATH=str(site))
    assert imported.stdout == "whisper ok\n", imported.stderr

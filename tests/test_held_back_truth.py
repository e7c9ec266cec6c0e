"""Fixes held back where they would break a working run or hide another module, proven with the
real interpreter (shapes found on real projects: Alembic's `alembic init alembic`, pygame
games run as `cd code && python main.py`, llm.c's dev/data scripts, a "Download ZIP" of a
project with a stray `__init__.py`, a package folder named like the standard library).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.test_fix_safety_truth import assert_fix_held_back, assert_fix_keeps_working_imports
from tests.test_modes_truth import by_file, check, dashm, run_module, snapshot, write_tree
from tests.test_unseen_code import python

# -- a folder named like the tool it configures ------------------------------------------------
ALEMBIC = {
    "alembic.ini": "[alembic]\nscript_location = alembic\nprepend_sys_path = .\n",
    "alembic/script.py.mako": "# ${message}\n",
    "alembic/env.py": "from alembic import context\nfrom app.models import Base\n\n"
                      "print('env', context.__name__, Base)\n",
    "alembic/versions/001_init.py": "revision = '001'\n",
    "app/__init__.py": "",
    "app/models.py": "Base = 'models'\n",
}
# Alembic loads env.py by path with the ini's folder first on sys.path (prepend_sys_path).
LOAD_ENV = ("import runpy, sys; sys.path.insert(0, '.'); "
            "runpy.run_path('alembic/env.py', run_name='env')")


def fake_alembic(site: Path) -> Path:
    """An installed `alembic` (regular package) with the `context` env.py imports."""
    write_tree(site, {"alembic/__init__.py": "", "alembic/context.py": "\n"})
    return site


def test_an_alembic_folder_named_alembic_gets_no_init(tmp_path: Path) -> None:
    """`alembic init alembic`, checked by an interpreter without alembic: `from alembic import
    context` finds only the project folder, yet an __init__.py there would hide the tool."""
    project = write_tree(tmp_path / "p", ALEMBIC)
    site = fake_alembic(tmp_path / "site")
    assert python(project, "-c", LOAD_ENV, path=str(site)).stdout == "env alembic.context models\n"
    assert not by_file(check(project)).get("alembic/env.py", {}).get("DM201")
    dashm("check", ".", "--fix", cwd=project)
    assert not (project / "alembic/__init__.py").exists()
    assert python(project, "-c", LOAD_ENV, path=str(site)).stdout == "env alembic.context models\n"


def test_a_folder_named_like_a_declared_dependency_is_renamed_not_made_a_package(
        tmp_path: Path) -> None:
    """`wandb/` imported as `wandb.tools` in a project that declares wandb: an __init__.py
    would make `import wandb` load the folder, never the installed package."""
    project = write_tree(tmp_path / "p", {
        "requirements.txt": "wandb>=0.15\n",
        "wandb/tools.py": "X = 'local'\n",
        "train.py": "import wandb.tools\n\nif __name__ == '__main__':\n"
                    "    print(wandb.tools.X)\n",
    })
    site = write_tree(tmp_path / "site", {"wandb/__init__.py": "X = 'installed'\n"})
    broken = python(project, "train.py", path=str(site))
    assert "No module named 'wandb.tools'" in broken.stderr  # the installed package wins
    (finding,) = by_file(check(project))["wandb/tools.py"]["DM201"]
    assert finding["fix"] is None and finding["message"].startswith("rename wandb/")
    dashm("check", ".", "--fix", cwd=project)
    assert not (project / "wandb/__init__.py").exists()


# -- runs from the file's own folder ---------------------------------------------------------
GAME = {
    ".git/HEAD": "ref: refs/heads/main\n",
    "graphics/tile.txt": "tile",
    "game/settings.py": "WIDTH = 64\n",
    "game/level.py": "from settings import WIDTH\n\n\ndef load():\n"
                     "    with open('../graphics/tile.txt') as f:\n"
                     "        return f.read() + str(WIDTH)\n",
    "game/main.py": "from level import load\n\nif __name__ == '__main__':\n    print(load())\n",
}


def test_a_game_run_from_its_own_folder_keeps_its_imports(tmp_path: Path,
                                                          hook_dir: Path) -> None:
    """pygame tutorials (clear-code-projects' Zelda): `cd code && python main.py` and every
    asset named '../graphics/...': `from game.level import load` would break that run, and
    `python -m game.main` from the root cannot find '../graphics' either."""
    project = write_tree(tmp_path / "p", GAME)
    assert python(project / "game", "main.py").stdout == "tile64\n"
    # The rewrite would not make `python -m game.main` work: '../graphics' is then wrong.
    rewritten = write_tree(tmp_path / "rewritten", {
        **GAME, "game/main.py": GAME["game/main.py"].replace("from level", "from game.level"),
        "game/level.py": GAME["game/level.py"].replace("from settings", "from game.settings")})
    assert "FileNotFoundError" in python(rewritten, "-m", "game.main").stderr
    assert "ModuleNotFoundError" in python(rewritten / "game", "main.py").stderr
    findings = by_file(check(project))
    for relative in ("game/main.py", "game/level.py"):
        (finding,) = findings[relative]["DM101"]
        assert finding["fix"]["safe"] is False
        assert "`cd game && python main.py` (game/level.py:5 names '../graphics/tile.txt'" \
            in finding["fix"]["breaks_documented_run"]
    assert_fix_keeps_working_imports(project, hook_dir)
    assert python(project / "game", "main.py").stdout == "tile64\n"


def test_a_path_into_the_working_folder_is_no_such_evidence(tmp_path: Path) -> None:
    """'data/x.txt' (no climb) says nothing about where the file is run from."""
    project = write_tree(tmp_path / "p", {
        **GAME, "game/level.py": GAME["game/level.py"].replace("../graphics", "graphics")})
    (finding,) = by_file(check(project))["game/main.py"]["DM101"]
    assert finding["fix"]["safe"] is True


# -- siblings of documented by-path scripts --------------------------------------------------
def test_a_script_beside_documented_by_path_scripts_runs_by_path_too(
        tmp_path: Path, hook_dir: Path) -> None:
    """llm.c's dev/data/: the README shows `python dev/data/tinyshakespeare.py`; mmlu.py is
    not named but is one of the same kind: rewriting its imports breaks
    `python dev/data/mmlu.py`."""
    project = write_tree(tmp_path / "p", {
        "pyproject.toml": "",
        "dev/data/README.md": "Run any of these, e.g. `python dev/data/tinyshakespeare.py`.\n",
        "dev/data/data_common.py": "def write():\n    return 'wrote'\n",
        "dev/data/tinyshakespeare.py": "from data_common import write\n\n"
                                       "if __name__ == '__main__':\n    print(write())\n",
        "dev/data/mmlu.py": "from data_common import write\n\n"
                            "if __name__ == '__main__':\n    print('mmlu', write())\n",
    })
    assert_fix_held_back(project, "dev/data/mmlu.py", hook_dir,
                         "`python dev/data/tinyshakespeare.py` beside it (dev/data/README.md:1)")
    assert python(project, "dev/data/mmlu.py").stdout == "mmlu wrote\n"


# -- a stray __init__.py at the top, no project marker -----------------------------------------
CHECKERS = {
    "__init__.py": "",
    "checkers/__init__.py": "",
    "checkers/constants.py": "ROWS = 8\n",
    "checkers/board.py": "from .constants import ROWS\n\n\nclass Board:\n    rows = ROWS\n",
    "main.py": "from checkers.board import Board\n\nif __name__ == '__main__':\n"
               "    print('rows', Board.rows)\n",
}


def test_a_stray_init_at_the_top_keeps_the_root_there(tmp_path: Path, hook_dir: Path) -> None:
    """A "Download ZIP" of Python-Checkers: no .git, no pyproject.toml, a folder named
    `Python-Checkers-main` with an __init__.py beside main.py: no import can name that
    folder, so it is no package; the project runs from it."""
    name = "Python-Checkers-main"
    project = write_tree(tmp_path / name, CHECKERS)
    assert python(project, "main.py").stdout == "rows 8\n"
    before = snapshot(project)
    for cwd, target in ((project, "."), (tmp_path, name), (Path("/"), str(project)),
                        (project / "checkers", "..")):
        assert check(cwd / target if target != "." else cwd) == [], cwd
        shown = dashm("module", str(project / "checkers/board.py"), cwd=cwd)
        assert shown.stdout.startswith("module: checkers.board\n"), (cwd, shown.stderr)
    ran = run_module(project, "main.py", hook_dir)
    assert ran is not None and ran.stdout == "rows 8\n", ran
    dashm("check", ".", "--fix", cwd=project)
    assert snapshot(project) == before


def test_a_top_folder_with_a_name_to_import_stays_a_package(tmp_path: Path) -> None:
    """The same files in a folder whose name is an identifier: a package like any other (its
    `from checkers.board import` is DM101's business), from any folder."""
    project = write_tree(tmp_path / "pkg", CHECKERS)
    for cwd in (tmp_path, project, Path("/")):
        shown = dashm("module", str(project / "checkers/board.py"), cwd=cwd)
        assert shown.stdout.startswith("module: pkg.checkers.board\n"), shown.stderr


# -- a package named like a standard-library module ------------------------------------------
CODE = {
    ".git/HEAD": "ref: refs/heads/main\n",
    "code/__init__.py": "",
    "code/settings.py": "WIDTH = 64\n",
    "code/main.py": "from settings import WIDTH\n\nif __name__ == '__main__':\n"
                    "    print('width', WIDTH)\n",
}


def test_no_rewrite_targets_a_package_that_hides_the_standard_library(
        tmp_path: Path, hook_dir: Path) -> None:
    """`code/` (the Zelda tutorial's folder) with an __init__.py: `from code.settings import
    WIDTH` would break `cd code && python main.py` (there `code` is the standard library's)
    and keep a package that hides the standard library's `code` (which pdb imports)."""
    project = write_tree(tmp_path / "p", CODE)
    assert python(project / "code", "main.py").stdout == "width 64\n"
    rewritten = python(project / "code", "-c", "from code.settings import WIDTH")
    assert "'code' is not a package" in rewritten.stderr
    findings = by_file(check(project))
    (finding,) = findings["code/main.py"]["DM101"]
    assert finding["fix"] is None
    assert finding["message"].endswith("rename code/ first: `code` is taken")
    assert "rename code/, then import code/settings.py through it" in finding["explanation"]
    assert findings["code/__init__.py"]["DM104"]
    # The __main__.py it would create runs code.main, whose import still needs that fix.
    (main,) = findings["code/__init__.py"]["DM202"]
    assert main["fix"]["safe"] is False
    assert "code/main.py's `settings` import works only by path" in \
        main["fix"]["breaks_documented_run"]
    assert_fix_keeps_working_imports(project, hook_dir)
    assert not (project / "code/__main__.py").exists()
    assert python(project / "code", "main.py").stdout == "width 64\n"


def test_a_new_main_waits_for_the_fix_it_needs_then_runs(tmp_path: Path) -> None:
    """DM202 holds its __main__.py back while the module it runs imports by path only; --fix
    applies the import fix, then (next round) the __main__.py, and `python -m app` runs."""
    project = write_tree(tmp_path / "p", {
        "pyproject.toml": "",
        "app/__init__.py": "",
        "app/helper.py": "X = 'helped'\n",
        "app/main.py": "import helper\n\n\ndef main():\n    print(helper.X)\n\n\n"
                       "if __name__ == '__main__':\n    main()\n",
    })
    (main,) = by_file(check(project))["app/__init__.py"]["DM202"]
    assert main["fix"]["safe"] is False
    dashm("check", ".", "--fix", cwd=project)
    assert (project / "app/__main__.py").is_file()
    assert python(project, "-m", "app").stdout == "helped\n"
    assert check(project) == []


# -- generated: where a folder of scripts is run from, and what its name is taken by ----------
@st.composite
def script_folders(draw: st.DrawFn) -> dict[str, str]:
    folder = draw(st.sampled_from(["game", "code", "tools"]))
    package = draw(st.booleans())
    climbs = draw(st.booleans())  # level.py reads '../assets/tile.txt': run from its folder
    documented = draw(st.booleans())  # a README shows `python F/other.py`, not main.py
    read = ("open('../assets/tile.txt').read()" if climbs else "'tile'")
    files = {
        ".git/HEAD": "ref: refs/heads/main\n",
        "assets/tile.txt": "tile",
        f"{folder}/settings.py": "WIDTH = 64\n",
        f"{folder}/level.py": f"from settings import WIDTH\n\n\ndef load():\n"
                              f"    return {read} + str(WIDTH)\n",
        f"{folder}/main.py": "from level import load\n\nif __name__ == '__main__':\n"
                             "    print(load())\n",
        f"{folder}/other.py": "from settings import WIDTH\n\nif __name__ == '__main__':\n"
                              "    print(WIDTH)\n",
    }
    if package:
        files[f"{folder}/__init__.py"] = ""
    if documented:
        files["README.md"] = f"Run `python {folder}/other.py`.\n"
    return files


def runs(workspace: Path, folder: str) -> dict[str, bool]:
    """Each way to run the folder's scripts, and whether it works."""
    return {
        "cd && main": python(workspace / folder, "main.py").returncode == 0,
        "by path main": python(workspace, f"{folder}/main.py").returncode == 0,
        "by path other": python(workspace, f"{folder}/other.py").returncode == 0,
        "-m main": python(workspace, "-m", f"{folder}.main").returncode == 0,
    }


@settings(max_examples=int(os.environ.get("DASHM_TRUTH_EXAMPLES", "12")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(files=script_folders())
def test_generated_script_folders_keep_their_runs(files: dict[str, str],
                                                  hook_dir: Path) -> None:
    """After --fix: what ran as a module still does; a folder run from inside (its paths
    climb out of it) still runs so; a documented by-path run still works; and no import goes
    through a folder named like the standard library's `code`."""
    folder = next(p.split("/")[0] for p in files if p.endswith("/main.py"))
    with tempfile.TemporaryDirectory(prefix="dashm-folders-") as temp:
        workspace = write_tree(Path(os.path.realpath(temp)), files)
        before = runs(workspace, folder)
        assert_fix_keeps_working_imports(workspace, hook_dir)
        after = runs(workspace, folder)
        if before["-m main"]:
            assert after["-m main"], (before, after)
        if "'../assets" in files[f"{folder}/level.py"] and before["cd && main"]:
            assert after["cd && main"], (before, after)
        if "README.md" in files and before["by path other"]:
            assert after["by path other"], (before, after)
        if folder == "code":
            texts = [p.read_text() for p in workspace.rglob("*.py")]
            assert not [t for t in texts if "from code." in t or "import code." in t]


# -- second QA round on real repositories (geekcomputers, fairseq, realpython/materials) ------
def test_a_tutorial_folder_named_like_its_library_is_no_package(tmp_path: Path) -> None:
    """realpython/materials: `loguru/` (its own requirements.txt says loguru) whose files
    `from loguru import logger`: that names no module of the folder; an __init__.py there
    would make `from loguru import logger` fail once loguru is installed."""
    project = write_tree(tmp_path / "p", {
        ".git/HEAD": "ref: refs/heads/main\n",
        "loguru/requirements.txt": "loguru==0.7.2\n",
        "loguru/basic_logging.py": "from loguru import logger\n\nlogger.info('basic')\n",
        "other/__init__.py": "",
        "other/app.py": "from loguru import logger\n\nlogger.info('other')\n",
    })
    site = write_tree(tmp_path / "site", {"loguru/__init__.py": "class logger:\n"
                                          "    info = staticmethod(print)\n"})
    assert python(project, "-m", "other.app", path=str(site)).stdout == "other\n"
    assert not [f for f in check(project) if f["code"] == "DM201"]
    dashm("check", ".", "--fix", cwd=project)
    assert not (project / "loguru/__init__.py").exists()
    assert python(project, "-m", "other.app", path=str(site)).stdout == "other\n"


def test_a_module_a_documented_script_imports_keeps_its_imports(tmp_path: Path,
                                                                hook_dir: Path) -> None:
    """README: `python app/run.py`; run.py imports helper by its bare name, helper imports
    util the same way: rewriting helper's import breaks that run just as run.py's would."""
    project = write_tree(tmp_path / "p", {
        "pyproject.toml": "",
        "README.md": "```sh\npython app/run.py\n```\n",
        "app/util.py": "def y():\n    return 'util ok'\n",
        "app/helper.py": "from util import y\n\n\ndef x():\n    return y()\n",
        "app/run.py": "from helper import x\n\nif __name__ == '__main__':\n    print(x())\n",
    })
    assert_fix_held_back(project, "app/helper.py", hook_dir,
                         "`python app/run.py` (README.md:2), which imports helper.py")
    assert python(project, "app/run.py").stdout == "util ok\n"


@pytest.mark.parametrize("readme", [
    "Run it with: <b>python main\\_app.py</b>\n",  # Markdown's escape, in app/README.md
    "```sh\ncd app\npython main_app.py\n```\n",  # `cd` alone on the line before
])
def test_documented_runs_in_markdown_spellings(tmp_path: Path, hook_dir: Path,
                                               readme: str) -> None:
    """geekcomputers' VoiceAssistant/GUIDE.md: ``python VoiceAssistant\\_main.py``."""
    where = "app/README.md" if "\\_" in readme else "README.md"
    project = write_tree(tmp_path / "p", {
        ".git/HEAD": "ref: refs/heads/main\n",
        where: readme,
        "app/tree_node.py": "NODE = 'node'\n",
        "app/main_app.py": "from tree_node import NODE\n\nif __name__ == '__main__':\n"
                           "    print(NODE)\n",
    })
    assert_fix_held_back(project, "app/main_app.py", hook_dir, f"({where}:")
    assert python(project / "app", "main_app.py").stdout == "node\n"


def test_a_shell_script_below_the_file_documents_its_run(tmp_path: Path,
                                                         hook_dir: Path) -> None:
    """fairseq's examples/MMPT: scripts/video_feature_extractor/how2/s3d.sh runs
    `python scripts/video_feature_extractor/extract.py`."""
    project = write_tree(tmp_path / "p", {
        "setup.py": "",
        "scripts/fx/model.py": "NAME = 'model ok'\n",
        "scripts/fx/extract.py": "import sys\nfrom model import NAME\n\n"
                                 "if __name__ == '__main__':\n    print(NAME, sys.argv[2])\n",
        "scripts/fx/how2/s3d.sh": "#!/bin/bash\n\npython scripts/fx/extract.py \\\n"
                                  "    --vdir videos\n",
    })
    assert_fix_held_back(project, "scripts/fx/extract.py", hook_dir, "scripts/fx/how2/s3d.sh:3")
    ran = python(project, "scripts/fx/extract.py", "--vdir", "videos")
    assert ran.stdout == "model ok videos\n", ran.stderr


def test_a_declared_name_the_file_uses_as_the_local_module_gets_no_fix(
        tmp_path: Path) -> None:
    """geekcomputers: a pipreqs-style requirements file lists `backend`, yet frontend.py uses
    backend.AutoComplete, which only the local backend.py defines: unclear, so no fix, and
    the message offers both ways."""
    project = write_tree(tmp_path / "p", {
        ".git/HEAD": "ref: refs/heads/main\n",
        "requirements_with_versions.txt": "requests==2.31.0\nbackend==0.2.4.1\n",
        "app/backend.py": "class AutoComplete:\n    def hello(self):\n"
                          "        return 'local backend'\n",
        "app/frontend.py": "import backend\n\nif __name__ == '__main__':\n"
                           "    print(backend.AutoComplete().hello())\n",
    })
    assert python(project, "app/frontend.py").stdout == "local backend\n"
    (finding,) = by_file(check(project))["app/frontend.py"]["DM101"]
    assert finding["fix"] is None
    assert finding["message"].endswith("use `from app import backend` or rename "
                                       "app/backend.py")


def test_a_package_is_never_imported_under_a_second_name(tmp_path: Path) -> None:
    """realpython's example_3: proj/ex3/ (no __init__.py) holds server.py and the package
    app/, whose `from config import Config` works from ex3/. `from proj.ex3.app import app`
    would load app a second time under a name where that import fails: no fix."""
    project = write_tree(tmp_path / "p", {
        "setup.py": "",
        "proj/__init__.py": "",
        "proj/ex3/config.py": "class Config:\n    DEBUG = True\n",
        "proj/ex3/app/__init__.py": "from config import Config\n\napp = {'debug': "
                                    "Config.DEBUG}\n",
        "proj/ex3/server.py": "from app import app\n\nif __name__ == '__main__':\n"
                              "    print(app)\n",
    })
    assert python(project, "proj/ex3/server.py").stdout == "{'debug': True}\n"
    rewritten = python(project, "-c", "from proj.ex3.app import app")
    assert "No module named 'config'" in rewritten.stderr
    (finding,) = by_file(check(project))["proj/ex3/server.py"]["DM101"]
    assert finding["fix"] is None

"""Files loaded by something dashm cannot see keep their `sys.path` change: judged by loading
them the way that thing does, with the real interpreter (found by QA on
fastapi-realworld-example-app's Alembic env.py and a Django project's wsgi.py).

- Alembic loads `env.py` by its path (`importlib.util.spec_from_file_location`) from a
  console script, so `sys.path[0]` is not the project: the change is what finds `app`. DM103
  says to set `prepend_sys_path = .` in alembic.ini; no fix, and no DM201 on its folder.
- A server given `config.wsgi` imports it by name, and settings name apps as top-level strings
  (`INSTALLED_APPS = ["polls"]`) that only the folder the change adds makes importable: no
  static import shows it, so no automatic fix.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_modes_truth import by_file, check, dashm, snapshot, write_tree

# What alembic's console script does: load env.py by its path, from the folder alembic.ini
# is in, with its own folder (not the project) first on sys.path.
ALEMBIC_LIKE = """import importlib.util, sys
sys.path[0] = sys.argv[2]
spec = importlib.util.spec_from_file_location("env_py", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
"""

# What a WSGI server and Django's app registry do: import the module named on the command line,
# then each app its settings name.
SERVER_LIKE = """import importlib, sys
importlib.import_module(sys.argv[1])
settings = importlib.import_module("config.settings")
for app in settings.INSTALLED_APPS:
    importlib.import_module(app)
print("served")
"""


def test_alembic_env_keeps_its_change(tmp_path: Path) -> None:
    workspace = write_tree(tmp_path / "ws", {
        "pyproject.toml": "",
        "alembic.ini": "[alembic]\nscript_location = ./app/db/migrations\n",
        "app/__init__.py": "", "app/db/__init__.py": "", "app/core/__init__.py": "",
        "app/core/config.py": "URL = 'sqlite://'\n",
        "app/db/migrations/script.py.mako": "",
        "app/db/migrations/env.py": "import pathlib\nimport sys\n\n"
        "sys.path.append(str(pathlib.Path(__file__).resolve().parents[3]))\n\n"
        "from app.core.config import URL  # noqa: E402\n\nprint('env ok', URL)\n",
    })
    bin_dir = write_tree(tmp_path / "bin", {"alembic_like.py": ALEMBIC_LIKE})

    def migrate() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(bin_dir / "alembic_like.py"),
                               str(workspace / "app/db/migrations/env.py"), str(bin_dir)],
                              cwd=workspace, capture_output=True, text=True, timeout=60)

    assert migrate().stdout == "env ok sqlite://\n"
    findings = by_file(check(workspace))
    (finding,) = findings["app/db/migrations/env.py"]["DM103"]
    assert finding["fix"] is None and "prepend_sys_path = ." in finding["message"]
    assert "DM201" not in findings.get("app/db/migrations/env.py", {})
    before = snapshot(workspace)
    dashm("check", ".", "--fix", cwd=workspace)
    assert snapshot(workspace) == before
    # Without the change the load fails, as dashm's fix would have made it.
    env = workspace / "app/db/migrations/env.py"
    env.write_text("\n".join(line for line in env.read_text().splitlines()
                             if not line.startswith("sys.path")) + "\n")
    assert "No module named 'app'" in migrate().stderr


def test_a_module_loaded_by_name_with_apps_named_in_strings_keeps_its_change(
        tmp_path: Path) -> None:
    workspace = write_tree(tmp_path, {
        "pyproject.toml": "",
        "apps/polls/__init__.py": "",
        "config/__init__.py": "",
        "config/settings.py": "INSTALLED_APPS = ['polls']\n",
        "config/wsgi.py": "import sys\nfrom pathlib import Path\n\n"
                          "BASE_DIR = Path(__file__).resolve().parent.parent\n"
                          "sys.path.append(str(BASE_DIR / 'apps'))\n\napplication = object()\n",
        "serve_like.py": SERVER_LIKE,
    })

    def serve() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "serve_like.py", "config.wsgi"], cwd=workspace,
                              capture_output=True, text=True, timeout=60)

    assert serve().stdout == "served\n"
    (finding,) = by_file(check(workspace))["config/wsgi.py"]["DM103"]
    assert finding["fix"] is None
    assert "what loads `config.wsgi` may need it" in finding["message"]
    dashm("check", ".", "--fix", cwd=workspace)
    assert serve().stdout == "served\n"
    wsgi = workspace / "config/wsgi.py"
    wsgi.write_text(wsgi.read_text().replace("sys.path.append", "print"))
    assert "No module named 'polls'" in serve().stderr

"""The editor set-ups in docs/editors.md, run in the real editors (headless) on a copy of
`examples/`: Neovim's built-in client and Emacs's eglot each start `python3 -m dashm serve`
and must show the DM101 findings of inventory/cli.py; eglot also applies fix-all.

The editors come from Debian (`neovim`, `emacs-nox`, `elpa-eglot`); `.ci/run` installs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EDITORS = Path(__file__).parent / "editors"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def workspace(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    # `python3` in the snippets must be this interpreter, with dashm installed.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "python3"  # not a symlink: a venv is found from the path run
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state")}
    return folder, env


def needs(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        if os.environ.get("DASHM_REQUIRE_EDITORS"):  # set by .ci/run, which installs them
            pytest.fail(f"{program} is not installed")
        pytest.skip(f"{program} is not installed (Debian: see .ci/run)")
    return found


def test_neovim_builtin_client_shows_the_findings(tmp_path: Path) -> None:
    nvim = needs("nvim")
    folder, env = workspace(tmp_path)
    done = subprocess.run([nvim, "--headless", "-u", "NONE", "-c",
                           f"luafile {EDITORS / 'nvim-dashm.lua'}"],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    lines = [line for line in output.splitlines() if line.startswith("inventory/cli.py:")]
    assert [line.split()[0:2] for line in lines] == [["inventory/cli.py:5:8", "DM101"],
                                                     ["inventory/cli.py:6:6", "DM101"]], output


def test_emacs_eglot_shows_the_findings_and_applies_fix_all(tmp_path: Path) -> None:
    emacs = needs("emacs")
    folder, env = workspace(tmp_path)
    subprocess.run(["git", "init", "-q", "."], cwd=folder, check=True)  # eglot's project
    done = subprocess.run([emacs, "--batch", "-q", "-l", str(EDITORS / "eglot-dashm.el")],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "cli.py:5 dashm [DM101]: `import storage`" in output
    assert "cli.py:6 dashm [DM101]: `from exporter import ...`" in output
    assert "from inventory import storage\nfrom inventory.exporter import export\n" in \
        output.split("after fix-all: ", 1)[1]

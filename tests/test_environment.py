"""The user's interpreter is asked without the VS Code extension's bundled libraries."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from dashm.workspace import environment
from dashm.workspace.environment import query_env


def test_bundled_entry_is_removed_from_pythonpath(tmp_path: Path) -> None:
    bundled, mine = tmp_path / "bundled" / "libs", tmp_path / "mine"
    env = query_env({"PYTHONPATH": os.pathsep.join([str(bundled), str(mine)]),
                     "DASHM_BUNDLED_LIBS": str(bundled), "PATH": "/bin"})
    assert env == {"PYTHONPATH": str(mine), "PATH": "/bin"}


def test_pythonpath_of_only_the_bundled_entry_is_dropped(tmp_path: Path) -> None:
    bundled = tmp_path / "libs"
    env = query_env({"PYTHONPATH": str(bundled) + os.sep, "DASHM_BUNDLED_LIBS": str(bundled)})
    assert env == {}


def test_pythonpath_untouched_without_the_marker(tmp_path: Path) -> None:
    env = query_env({"PYTHONPATH": str(tmp_path), "PYTHONSTARTUP": "x.py"})
    assert env == {"PYTHONPATH": str(tmp_path)}


def test_real_interpreter_does_not_see_bundled_libs(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    bundled, mine = tmp_path / "bundled", tmp_path / "mine"
    bundled.mkdir()
    mine.mkdir()
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(bundled), str(mine)]))
    monkeypatch.setenv("DASHM_BUNDLED_LIBS", str(bundled))
    found = environment._query(sys.executable)
    assert mine in found.sys_path
    assert bundled not in found.sys_path

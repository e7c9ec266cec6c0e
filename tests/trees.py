"""Building small workspaces on disk for tests, and running dashm on them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def dashm(*args: str, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dashm", *args], cwd=cwd, input=input,
                          capture_output=True, text=True, timeout=120)


def check_json(cwd: Path, *args: str) -> list[dict[str, object]]:
    done = dashm("check", "--format", "json", *args, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def codes(findings: list[dict[str, object]]) -> list[tuple[str, str, int]]:
    return sorted((str(f["path"]), str(f["code"]), int(f["line"])) for f in findings)  # type: ignore[arg-type]

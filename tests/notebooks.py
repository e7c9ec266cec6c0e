"""Notebooks for tests: nbformat 4 JSON written by hand, and the truth of running one.

`run_notebook` executes the code cells one after another in one namespace, in a fresh
interpreter whose working folder and `sys.path[0]` are the kernel's folder, as a Jupyter
kernel does (no Jupyter needed). IPython lines (`%...`, `!...`) are skipped and `%%` cells are
not run, independently of how dashm masks them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

RUNNER = r'''
import json, os, sys
sys.path[0] = os.getcwd()
with open(sys.argv[1], encoding="utf-8-sig") as handle:
    notebook = json.load(handle)
namespace = {"__name__": "__main__"}
for cell in notebook["cells"]:
    if cell["cell_type"] != "code":
        continue
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    if source.lstrip().startswith("%%"):
        continue
    source = "".join("\n" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines(True))
    exec(compile(source, "<cell>", "exec"), namespace)
'''


def cell(source: str | list[str], kind: str = "code") -> dict[str, object]:
    if kind != "code":
        return {"cell_type": kind, "metadata": {}, "source": source}
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source}


def lines(text: str) -> list[str]:
    """A cell source as nbformat writes it: a list of lines."""
    return text.splitlines(keepends=True)


def notebook_json(cells: list[dict[str, object]], language: str = "python",
                  nbformat: int = 4, indent: int = 1) -> str:
    return json.dumps({
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": language,
                                    "name": "python3"},
                     "language_info": {"name": language}},
        "nbformat": nbformat, "nbformat_minor": 5,
    }, indent=indent, ensure_ascii=False) + "\n"


def run_notebook(path: Path, kernel: Path, pythonpath: Path | None = None
                 ) -> subprocess.CompletedProcess[str]:
    """Run the notebook's code cells as a kernel in `kernel` would; `pythonpath` stands for
    an installed (editable) project."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONSAFEPATH", "PYTHONSTARTUP")}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([sys.executable, "-c", RUNNER, str(path)], cwd=kernel, env=env,
                          capture_output=True, text=True, timeout=60)

"""The set-ups that docs/editors.md gives for editors that cannot run here (Neovim 0.11, Helix,
Zed, Sublime Text) are at least well-formed: each TOML and JSON(C) block parses, each Lua block
compiles (with the Neovim that .ci/run installs); each editor is marked tried or untested; and
the README says how to install dashm from every channel a release publishes to."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dashm.workspace.jsonc import parse_jsonc

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
EDITORS = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")


def jsonc(text: str) -> object:
    """JSON with comments and trailing commas (as VS Code, Zed and Sublime read it)."""
    def value(node):  # type: ignore[no-untyped-def]
        if node.kind == "object":
            return {m.key: value(m.value) for m in node.members}
        if node.kind == "array":
            return [value(item) for item in node.items]
        return node.value
    return value(parse_jsonc(text))


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", EDITORS, re.S | re.M)


def test_toml_blocks_parse() -> None:
    found = blocks("toml")
    assert len(found) >= 2  # Helix, Zed's extension.toml
    for block in found:
        tomllib.loads(block)
    helix = next(b for b in found if "[language-server.dashm]" in b)
    python = next(x for x in tomllib.loads(helix)["language"] if x["name"] == "python")
    dashm = python["language-servers"][-1]
    assert dashm == {"name": "dashm", "only-features": ["diagnostics", "code-action"]}


def test_json_blocks_parse() -> None:
    found = blocks("jsonc") + blocks("json")
    assert len(found) >= 4  # VS Code (twice), Zed, Sublime
    for block in found:
        jsonc(block)
    sublime = next(jsonc(b) for b in found if '"clients"' in b)
    assert sublime["clients"]["dashm"]["command"] == ["python3", "-m", "dashm", "serve"]


def test_lua_blocks_compile(tmp_path: Path) -> None:
    nvim = shutil.which("nvim")
    if nvim is None:
        if os.environ.get("DASHM_REQUIRE_EDITORS"):  # set by .ci/run, which installs it
            pytest.fail("nvim is not installed")
        pytest.skip("nvim is not installed (Debian: see .ci/run)")
    found = blocks("lua")
    assert any("vim.lsp.config(" in b and 'vim.lsp.enable("dashm")' in b for b in found)
    for number, block in enumerate(found):
        script = tmp_path / f"block{number}.lua"
        script.write_text(block)
        done = subprocess.run(
            [nvim, "--headless", "-u", "NONE", "-c",
             f"lua local f, e = loadfile({str(script)!r}); if not f then print(e); "
             "vim.cmd('cquit') end", "-c", "qa!"],
            capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (block, done.stdout + done.stderr)


def test_every_editor_is_marked_tried_or_untested() -> None:
    table = EDITORS.split("| Editor | Status |", 1)[1].split("\n\n", 1)[0]
    rows = [r for r in table.splitlines()[2:] if r.startswith("|")]
    names = " ".join(rows)
    for editor in ("VS Code", "Neovim 0.7", "Neovim 0.11", "Emacs", "Helix", "Zed", "Sublime"):
        assert editor in names, editor
    for row in rows:
        status = row.split("|")[2]
        assert "**tried**" in status or "untested" in status, row
    assert "Run as module" in EDITORS.split("## Helix", 1)[1].split("## ", 1)[0]


def test_readme_says_how_to_install_from_each_channel() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = readme.split("## Installation", 1)[1].split("\n## ", 1)[0]
    for channel in ("pip install dashm", "pipx install dashm", "code --install-extension",
                    "Open VSX", ".pre-commit-config.yaml", "docs/ci.md", "docs/editors.md"):
        assert channel in install, channel
    # The quick start stays two set-up commands: run, test.
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"^```sh\n", quick, re.M)) == 2

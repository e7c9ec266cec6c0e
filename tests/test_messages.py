"""Messages that fit a Problems row: one line, at most 100 characters, the remedy in it; the
whole story in `explanation` (JSON, SARIF), under each finding with `--explain`, and the fixes
on offer with `--show-fixes`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.test_modes_truth import dashm

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MAX_MESSAGE = 100


@pytest.fixture()
def examples(tmp_path: Path) -> Path:
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target)
    return target


def test_every_message_is_one_short_line_with_its_explanation(examples: Path) -> None:
    findings = json.loads(dashm("check", "--format", "json", ".", cwd=examples).stdout)
    assert len({f["code"] for f in findings}) >= 8  # most rules speak here
    for finding in findings:
        message, explanation = finding["message"], finding["explanation"]
        assert "\n" not in message and len(message) <= MAX_MESSAGE, message
        assert len(explanation) >= len(message), finding
    by_code = {f["code"]: f for f in findings}
    storage = next(f for f in findings if "import storage" in f["message"])
    assert storage["message"] == ("`import storage` works only run by path: use "
                                  "`from inventory import storage`")
    assert "ModuleNotFoundError: No module named 'storage'" in storage["explanation"]
    assert "No module named inventory.__main__" in by_code["DM202"]["explanation"]


def test_explain_prints_the_story_under_each_finding(examples: Path) -> None:
    compact = dashm("check", ".", cwd=examples).stdout
    explained = dashm("check", "--explain", ".", cwd=examples).stdout
    assert "ModuleNotFoundError" not in compact
    lines = explained.splitlines()
    at = next(i for i, line in enumerate(lines) if "DM101 `import storage`" in line)
    story = []
    for line in lines[at + 1:]:
        if not line.startswith("    "):
            break
        story.append(line.strip())
    assert "No module named 'storage'" in " ".join(story)
    assert story[-1].endswith("#dm101-script-only-import")
    assert dashm("check", "--verbose", ".", cwd=examples).stdout == explained


def test_show_fixes_lists_each_fix_and_what_fix_leaves(tmp_path: Path) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "README.md").write_text("Run `python tools/train.py`.\n")
    (tmp_path / "tools/util.py").write_text("X = 1\n")
    (tmp_path / "tools/train.py").write_text("import util\n\nif __name__ == '__main__':\n"
                                             "    print(util.X)\n")
    shown = dashm("check", "--show-fixes", ".", cwd=tmp_path).stdout
    fixes = shown.split("Fixes:\n", 1)[1]
    assert "tools/train.py:1:8: DM101 Import `tools.util` from the package (not applied by " \
           "--fix: breaks `python tools/train.py` (README.md:1))" in fixes


def test_sarif_carries_both(examples: Path) -> None:
    sarif = json.loads(dashm("check", "--format", "sarif", ".", cwd=examples).stdout)
    results = sarif["runs"][0]["results"]
    assert results and all(len(r["message"]["text"]) <= MAX_MESSAGE for r in results)
    assert all(len(r["properties"]["explanation"]) >= len(r["message"]["text"])
               for r in results)
    assert any("No module named 'storage'" in r["properties"]["explanation"] for r in results)

"""The server lets the texts of files read from disk go once it has checked them (20,000
files: about 40 MB of a server's memory); a rule that needs one later reads it again. The
findings are the same either way, for every file of the examples and of a folder whose
findings read other files' texts (a path climbing out of the folder, a module looked up by
its name in a string)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.trees import write_tree

from dashm.rules import check_source
from dashm.workspace import SourceFile, Workspace

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TEXT_READERS = {
    "game/main.py": "from code import settings\n\nif __name__ == '__main__':\n    pass\n",
    "game/code/__init__.py": "",
    "game/code/settings.py": "WIDTH = 1\n",
    "game/code/level.py": "import settings\nIMAGE = '../graphics/x.png'\n",
    "game/code/run.py": "import settings\n\nif __name__ == '__main__':\n    pass\n",
    "tools/util.py": "def now():\n    return 1\n",
    "tools/job.py": "import util\n\nif __name__ == '__main__':\n    util.now()\n",
    "tools/test_job.py": "from unittest import mock\n\n"
                         "@mock.patch('util.now')\ndef test_job(now):\n    pass\n",
}


def _findings(workspace: Workspace, root: Path) -> dict[str, list[object]]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        source = workspace.source(path)
        assert isinstance(source, SourceFile)
        found[str(path)] = [(f.code, f.range, f.message, f.fix) for f in
                            check_source(workspace, source)]
    return found


@pytest.mark.parametrize("tree", ["examples", "text readers"])
def test_findings_are_the_same_after_the_texts_go(tmp_path: Path, tree: str) -> None:
    root = tmp_path / "ws"
    if tree == "examples":
        shutil.copytree(EXAMPLES, root)
    else:
        write_tree(root, TEXT_READERS)
    workspace = Workspace(root)
    before = _findings(workspace, root)
    assert any(before.values())
    workspace.let_texts_go()
    assert all(s._text is None for _, s in workspace._facts.values())
    assert _findings(workspace, root) == before
    assert _findings(Workspace(root), root) == before


def test_a_text_let_go_is_read_again_as_it_is_now(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {"a.py": "import os\n"})
    workspace = Workspace(root)
    source = workspace.source(root / "a.py")
    assert isinstance(source, SourceFile) and source.text == "import os\n"
    workspace.let_texts_go()
    assert source.text == "import os\n"

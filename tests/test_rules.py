"""DM101-DM105 on small workspaces, through the core API (no subprocess for speed)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from dashm.findings import Finding
from dashm.rules import check_source
from dashm.rules.edits import apply_edits
from dashm.workspace import Settings, SourceFile, Workspace
from trees import write_tree

PY = sys.executable


def check(root: Path, name: str, settings: Settings | None = None,
          text: str | None = None) -> list[Finding]:
    workspace = Workspace(root, PY, settings)
    source = workspace.source(root / name, text)
    assert isinstance(source, SourceFile)
    return check_source(workspace, source)


def fixed(root: Path, name: str, finding: Finding) -> str:
    assert finding.fix is not None
    return apply_edits((root / name).read_text(), finding.fix.edits)


SCRIPTY = {
    "pkg/__init__.py": "",
    "pkg/util.py": "VALUE = 1\n",
    "pkg/sub/__init__.py": "",
    "pkg/sub/deep.py": "",
    "pkg/app.py": ("import os\nimport util\nimport util as u2\nfrom util import VALUE\n"
                   "from sub.deep import *\nimport os, util\n\n"
                   "def late():\n    import util\n\n"
                   "if __name__ == '__main__':\n    print(util.VALUE)\n"),
}


def test_dm101_ranges_messages_and_fixes(tmp_path: Path) -> None:
    write_tree(tmp_path, SCRIPTY)
    findings = check(tmp_path, "pkg/app.py")
    assert [(f.code, f.range.start.line, f.range.start.column) for f in findings] == [
        ("DM101", 1, 7), ("DM101", 2, 7), ("DM101", 3, 5), ("DM101", 4, 5), ("DM101", 5, 11),
        ("DM101", 8, 11)]
    first = findings[0]
    assert "python -m pkg.app" in first.details and "No module named 'util'" in first.details
    assert "from pkg import util" in first.details
    assert fixed(tmp_path, "pkg/app.py", first).splitlines()[1] == "from pkg import util"
    assert fixed(tmp_path, "pkg/app.py", findings[1]).splitlines()[2] == \
        "from pkg import util as u2"
    assert fixed(tmp_path, "pkg/app.py", findings[2]).splitlines()[3] == \
        "from pkg.util import VALUE"
    assert fixed(tmp_path, "pkg/app.py", findings[3]).splitlines()[4] == \
        "from pkg.sub.deep import *"
    assert fixed(tmp_path, "pkg/app.py", findings[4]).splitlines()[5:7] == [
        "import os", "from pkg import util"]
    assert fixed(tmp_path, "pkg/app.py", findings[5]).splitlines()[8] == \
        "    from pkg import util"


def test_relative_import_style(tmp_path: Path) -> None:
    write_tree(tmp_path, SCRIPTY)
    findings = check(tmp_path, "pkg/app.py", Settings(import_style="relative"))
    lines = fixed(tmp_path, "pkg/app.py", findings[0]).splitlines()
    assert lines[1] == "from . import util"
    assert fixed(tmp_path, "pkg/app.py", findings[3]).splitlines()[4] == "from .sub.deep import *"


def test_import_style_from_pyproject(tmp_path: Path) -> None:
    write_tree(tmp_path, {**SCRIPTY, "pyproject.toml": '[tool.dashm]\nimport-style = "relative"\n'})
    findings = check(tmp_path, "pkg/app.py")
    assert fixed(tmp_path, "pkg/app.py", findings[2]).splitlines()[3] == "from .util import VALUE"


def test_suppression(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        **SCRIPTY,
        "pkg/app.py": "import util  # noqa: DM101\nimport util  # noqa: E501\n",
        "pyproject.toml": '[tool.dashm]\nper-file-ignores = { "pkg/other.py" = ["DM1"] }\n',
        "pkg/other.py": "import util\n",
    })
    assert [f.range.start.line for f in check(tmp_path, "pkg/app.py")] == [1]
    assert check(tmp_path, "pkg/other.py") == []
    assert check(tmp_path, "pkg/app.py", Settings(ignore=("DM101",))) == []


def test_try_except_fallback_and_type_checking(tmp_path: Path) -> None:
    write_tree(tmp_path, {**SCRIPTY, "pkg/app.py": (
        "from typing import TYPE_CHECKING\n"
        "try:\n    from .util import VALUE\nexcept ImportError:\n    from util import VALUE\n"
        "try:\n    import util\nexcept ImportError:\n    util = None\n"
        "if TYPE_CHECKING:\n    import util\n")})
    findings = check(tmp_path, "pkg/app.py")
    # Line 6's optional `import util` means a third-party `util` (None when missing): with
    # nothing in pkg/ run by path, the local pkg/util.py never stands in for it.
    assert [(f.code, f.range.start.line, f.severity.value) for f in findings] == [
        ("DM101", 10, "information")]


def test_unsaved_buffer_is_checked_not_the_disk(tmp_path: Path) -> None:
    write_tree(tmp_path, SCRIPTY)
    assert check(tmp_path, "pkg/app.py", text="from pkg import util\n") == []


def test_no_findings_where_both_modes_agree(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pkg/__init__.py": "", "pkg/util.py": "",
        "pkg/app.py": "from pkg import util\nfrom . import util\nimport os, json\n",
        "top.py": "import helper\n", "helper.py": "",
        "tests/test_a.py": "import helpers_for_tests\n", "tests/helpers_for_tests.py": "",
    })
    for name in ("pkg/app.py", "top.py", "tests/test_a.py"):
        assert check(tmp_path, name) == [], name


def test_dm102_top_level_relative_import(tmp_path: Path) -> None:
    write_tree(tmp_path, {"helpers.py": "def greet(): pass\n",
                          "legacy.py": "from .helpers import greet\nfrom . import helpers\n"})
    first, second = check(tmp_path, "legacy.py")
    assert first.code == "DM102" and first.severity.value == "error"
    assert "no known parent package" in first.details
    assert fixed(tmp_path, "legacy.py", first).splitlines()[0] == "from helpers import greet"
    assert fixed(tmp_path, "legacy.py", second).splitlines()[1] == "import helpers"


def test_dm102_script_in_package_and_beyond_top_level(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pkg/__init__.py": "", "pkg/models.py": "",
        "pkg/report.py": "#!/usr/bin/env python3\nfrom .models import x\nfrom . import y\n"
                         "if __name__ == '__main__':\n    pass\n",
        "pkg/lib.py": "from .models import x\nif __name__ == '__main__':\n    pass\n",
        "pkg/far.py": "from ...elsewhere import x\n",
    })
    (finding,) = check(tmp_path, "pkg/report.py")
    assert finding.run_as_module and "python -m pkg.report" in finding.details
    # No evidence it is run by path: only the DM203 hint on how to run it.
    assert [f.code for f in check(tmp_path, "pkg/lib.py")] == ["DM203"]
    (far,) = check(tmp_path, "pkg/far.py")
    assert "beyond top-level package" in far.details


def test_dm103_fix_removes_hack_and_imports_only_it_used(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pkg/__init__.py": "", "pkg/models.py": "",
        "tools/seed.py": ("import os\nimport sys\nfrom pathlib import Path\n\n"
                          "sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))\n"
                          "from pkg import models\nprint(sys.argv)\n"),
    })
    (finding,) = check(tmp_path, "tools/seed.py")
    assert finding.code == "DM103" and finding.fix is not None
    assert fixed(tmp_path, "tools/seed.py", finding) == (
        "import sys\nfrom pathlib import Path\n\nfrom pkg import models\nprint(sys.argv)\n")


def test_dm103_without_fix_when_an_import_needs_the_hack(tmp_path: Path) -> None:
    write_tree(tmp_path, {"tools/seed.py": "import sys\nsys.path.append('/opt/lib')\n"
                                           "import vendored_only\n"})
    (finding,) = check(tmp_path, "tools/seed.py")
    assert finding.fix is None


def test_dm103_in_tool_files_is_information(tmp_path: Path) -> None:
    write_tree(tmp_path, {"conftest.py": "import sys\nsys.path.insert(0, 'src')\n",
                          "docs/conf.py": "import sys\nsys.path.insert(0, '..')\n"})
    (conftest,) = check(tmp_path, "conftest.py")
    assert conftest.severity.value == "information" and "pythonpath" in conftest.details
    (sphinx,) = check(tmp_path, "docs/conf.py")
    assert "pip install -e ." in sphinx.details


def test_dm103_ignores_run_time_path_management_in_functions(tmp_path: Path) -> None:
    write_tree(tmp_path, {"plugins.py": "import sys\ndef load(p):\n    sys.path.append(p)\n"})
    assert check(tmp_path, "plugins.py") == []


def test_dm104_and_dm105_local_json(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pkg/__init__.py": "", "pkg/json.py": "def dumps(x): return 'local'\n",
        "pkg/cli.py": "import exporter\nif __name__ == '__main__':\n    pass\n",
        "pkg/exporter.py": "import json\n",
        "random.py": "",  # top level: first on sys.path under python -m
        "os.py": "",  # frozen in the interpreter: can never be hidden
    })
    (dm105,) = check(tmp_path, "pkg/exporter.py")
    assert dm105.code == "DM105" and "standard library's `json`" in dm105.details
    (dm104,) = check(tmp_path, "pkg/json.py")
    assert dm104.code == "DM104" and "python pkg/cli.py" in dm104.details
    assert [f.code for f in check(tmp_path, "random.py")] == ["DM104"]
    assert check(tmp_path, "os.py") == []


def test_dm105_needs_a_script_in_the_folder(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/subprocess.py": "",
                          "pkg/events.py": "from . import x\nimport subprocess\n"})
    assert check(tmp_path, "pkg/events.py") == []
    assert check(tmp_path, "pkg/subprocess.py") == []


def test_module_names_and_invocations(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "src/acme/exporters/__init__.py": "", "src/acme/exporters/x.py": "",
        "pyproject.toml": '[tool.setuptools.packages.find]\nwhere = ["src"]\n',
        "mysite/mysite/__init__.py": "", "mysite/mysite/settings.py": "",
        "app/__init__.py": "", "app/__main__.py": "", "app/core.py": "",
        "my-tools/run.py": "", "os.py": "",
    })
    workspace = Workspace(tmp_path, PY)
    x = workspace.invocation(tmp_path / "src/acme/exporters/x.py")
    assert (x.module, x.cwd) == ("acme.exporters.x", tmp_path / "src")
    settings_ = workspace.invocation(tmp_path / "mysite/mysite/settings.py")
    assert (settings_.module, settings_.cwd) == ("mysite.settings", tmp_path / "mysite")
    assert workspace.invocation(tmp_path / "app/__main__.py").module == "app"
    assert workspace.invocation(tmp_path / "app/__init__.py").module == "app"
    assert workspace.invocation(tmp_path / "app/core.py").argv == (PY, "-m", "app.core")
    hyphen = workspace.invocation(tmp_path / "my-tools/run.py")
    assert hyphen.module is None and "'my_tools'" in (hyphen.reason or "")
    frozen = workspace.invocation(tmp_path / "os.py")
    assert frozen.module is None and "frozen" in (frozen.reason or "")


def test_dashm_roots_setting(tmp_path: Path) -> None:
    write_tree(tmp_path, {"services/api/handlers.py": "",
                          "pyproject.toml": '[tool.dashm]\nroots = ["services"]\n'})
    workspace = Workspace(tmp_path, PY)
    assert workspace.locate(tmp_path / "services/api/handlers.py").module == "api.handlers"


def test_invalidate_sees_a_file_in_a_new_folder(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": ""})
    workspace = Workspace(tmp_path, PY)
    assert workspace.resolve("runner", tmp_path) is None
    write_tree(tmp_path, {"runner/__main__.py": ""})
    workspace.invalidate(tmp_path / "runner/__main__.py")
    assert workspace.invocation(tmp_path / "runner/__main__.py").module == "runner"


def test_invalidate_a_deleted_folder_forgets_everything_below_it(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/__init__.py": "", "app/core/__init__.py": "",
                          "app/core/util.py": "", "app/main.py": "import app.core.util\n"})
    workspace = Workspace(tmp_path, PY)
    assert workspace.resolve("app.core.util", tmp_path) is not None
    shutil.rmtree(tmp_path / "app/core")
    workspace.invalidate(tmp_path / "app/core")  # the one event an editor sends for a folder
    assert workspace.resolve("app.core.util", tmp_path) is None
    assert workspace.resolve("app.core", tmp_path) is None
    write_tree(tmp_path, {"app/core/util.py": ""})  # back, as a namespace portion this time
    workspace.invalidate(tmp_path / "app/core")
    found = workspace.resolve("app.core", tmp_path)
    assert found is not None and found.kind == "namespace"

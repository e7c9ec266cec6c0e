"""The command line: formats, exit codes, --fix, and bad input that must never crash it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

import dashm as dashm_package
from dashm.batch.checker import check_paths
from dashm.batch.report import RULES_URL
from dashm.workspace import Workspace
from trees import check_json, dashm, write_tree

SCRIPTY = {
    "pkg/__init__.py": "",
    "pkg/__main__.py": "",  # else the guarded pkg/app.py is evidence for DM202 missing-main
    "pkg/util.py": "VALUE = 1\n",
    "pkg/app.py": "import util\n\nif __name__ == '__main__':\n    print(util.VALUE)\n",
}


def test_json_contract_and_exit_codes(tmp_path: Path) -> None:
    write_tree(tmp_path, SCRIPTY)
    done = dashm("check", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    (finding,) = json.loads(done.stdout)
    assert {k: finding[k] for k in ("path", "line", "column", "end_line", "end_column",
                                    "code", "severity")} == {
        "path": os.path.join("pkg", "app.py"), "line": 1, "column": 8, "end_line": 1,
        "end_column": 12, "code": "DM101", "severity": "warning"}
    assert finding["fix"]["edits"][0]["content"] == "from pkg import util"
    assert dashm("check", "--exit-zero", cwd=tmp_path).returncode == 0
    assert dashm("check", "--ignore", "DM1", cwd=tmp_path).returncode == 0
    assert dashm("check", "--select", "DM103", cwd=tmp_path).returncode == 0
    assert dashm("check", "--select", "E501", cwd=tmp_path).returncode == 2
    assert dashm("check", "--format", "xml", cwd=tmp_path).returncode == 2
    (tmp_path / "pkg/app.py").write_text("from pkg import util\n")
    clean = dashm("check", cwd=tmp_path)
    assert clean.returncode == 0 and "All checks passed" in clean.stdout


def test_text_github_and_sarif(tmp_path: Path) -> None:
    write_tree(tmp_path, SCRIPTY)
    text = dashm("check", cwd=tmp_path).stdout
    assert text.startswith(f"{os.path.join('pkg', 'app.py')}:1:8: DM101 ")
    assert "1 fixable with --fix" in text
    github = dashm("check", "--format", "github", cwd=tmp_path).stdout
    assert github.startswith("::warning title=dashm DM101,file=pkg/app.py,line=1,col=8,")
    sarif = json.loads(dashm("check", "--format", "sarif", cwd=tmp_path).stdout)
    result = sarif["runs"][0]["results"][0]
    assert sarif["version"] == "2.1.0" and result["ruleId"] == "DM101"
    assert result["locations"][0]["physicalLocation"]["region"]["startColumn"] == 8


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a document's headings (`## DM101 script-only-import`)."""
    return {line.lstrip("#").strip().lower().replace(" ", "-")
            for line in markdown.splitlines() if line.startswith("#")}


def test_rule_links_are_the_published_docs(tmp_path: Path) -> None:
    write_tree(tmp_path, {**SCRIPTY, "pkg/__main__.py": "import sys\n"})
    anchors = github_anchors((Path(dashm_package.__file__).parent / "docs/rules.md").read_text())
    findings = check_json(tmp_path)
    sarif = json.loads(dashm("check", "--format", "sarif", cwd=tmp_path).stdout)
    driver = sarif["runs"][0]["tool"]["driver"]
    links = [f["url"] for f in findings] + [r["helpUri"] for r in driver["rules"]]
    assert driver["informationUri"].startswith("https://")
    assert findings and len(driver["rules"]) >= 11
    for link in links:  # never file:// into a site-packages a CI reader cannot open; and
        assert link.startswith(f"{RULES_URL}#"), link  # every rule has its heading there
        assert link.partition("#")[2] in anchors, link


def test_hints_alone_exit_zero(tmp_path: Path) -> None:
    write_tree(tmp_path, {**SCRIPTY, "pkg/app.py": "from pkg import util\n\n"
                          "if __name__ == '__main__':\n    print(util.VALUE)\n"})
    done = dashm("check", "--select", "DM203", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "DM203" in done.stdout
    (tmp_path / "pkg/other.py").write_text("import util\n")
    assert dashm("check", "--select", "DM203,DM101", cwd=tmp_path).returncode == 1


def test_fix_is_idempotent_and_compiles(tmp_path: Path) -> None:
    write_tree(tmp_path, {**SCRIPTY, "pkg/other.py": "import util, os\nfrom util import VALUE\n",
                          "tools/seed.py": "import os\nimport sys\n"
                          "sys.path.insert(0, os.path.dirname(__file__))\nimport pkg.util\n"})
    first = dashm("check", "--fix", cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Fixed 4 problems" in first.stdout
    snapshot = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    second = dashm("check", "--fix", cwd=tmp_path)
    assert second.returncode == 0 and "Fixed" not in second.stdout
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.py")} == snapshot
    for path in snapshot:
        compile(path.read_text(), str(path), "exec")
    assert (tmp_path / "tools/seed.py").read_text() == "import pkg.util\n"


def test_fix_keeps_encoding_bom_and_crlf(tmp_path: Path) -> None:
    write_tree(tmp_path, {**SCRIPTY,
                          "pkg/app.py": b"\xef\xbb\xbfimport util\r\nprint('\xc3\xa9')\r\n",
                          "pkg/latin.py": b"# -*- coding: latin-1 -*-\r\nimport util\r\n"
                                          b"s = '\xe9'\r\n"})
    assert dashm("check", "--fix", cwd=tmp_path).returncode == 0
    assert (tmp_path / "pkg/app.py").read_bytes() == \
        b"\xef\xbb\xbffrom pkg import util\r\nprint('\xc3\xa9')\r\n"
    assert (tmp_path / "pkg/latin.py").read_bytes() == \
        b"# -*- coding: latin-1 -*-\r\nfrom pkg import util\r\ns = '\xe9'\r\n"


def test_bad_input_is_reported_not_crashed_on(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        **SCRIPTY,
        "pkg/broken.py": "import util\ndef f(:\n",
        "pkg/binary.py": b"\xff\xfe\x00garbage\x00",
        "pkg/badcookie.py": b"# -*- coding: nonsense -*-\nimport util\n",
        "pkg/empty.py": "",
        "pkg/nul.py": "import util\x00\n",
        "pkg/huge.py": "x = 1\n" * 2_000_000,  # 12 MB: over the analysis limit
        "pkg/deep.py": "x = " + "(" * 1000 + ")" * 1000 + "\n",
    })
    (tmp_path / "pkg/loop").symlink_to(tmp_path / "pkg")
    (tmp_path / "pkg/dangling.py").symlink_to(tmp_path / "missing.py")
    done = dashm("check", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    err = done.stderr
    for expected in ("broken.py: skipped: syntax error at line 2",
                     "binary.py: skipped:", "badcookie.py: skipped:",
                     "huge.py: skipped: 12,000,000 bytes is over",
                     "nul.py: skipped: syntax error", "loop: skipped: symlink loop",
                     "dangling.py: skipped: broken symlink"):
        assert expected in err, (expected, err)
    assert "pkg/app.py:1:8: DM101" in done.stdout


def test_unreadable_folder_is_skipped_with_a_reason(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {**SCRIPTY, "secret/x.py": ""})
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = check_paths(lambda _: Workspace(tmp_path, sys.executable), [tmp_path])
    assert [f.code for f in result.findings] == ["DM101"]
    assert any("folder cannot be read: Permission denied" in p.reason for p in result.problems)


def test_bad_interpreter_is_a_clear_error(tmp_path: Path) -> None:
    write_tree(tmp_path, SCRIPTY)
    done = dashm("check", "--python", str(tmp_path / "nope"), cwd=tmp_path)
    assert done.returncode == 2 and "does not exist; pass --python" in done.stderr
    fake = tmp_path / "fake-python"
    fake.write_text("#!/bin/sh\necho not python\n")
    fake.chmod(0o755)
    done = dashm("check", "--python", str(fake), cwd=tmp_path)
    assert done.returncode == 2 and "is it really Python?" in done.stderr


def test_module_command(tmp_path: Path) -> None:
    write_tree(tmp_path, SCRIPTY)
    done = dashm("module", "pkg/app.py", "--json", cwd=tmp_path)
    data = json.loads(done.stdout)
    assert data["module"] == "pkg.app" and data["cwd"] == str(tmp_path)
    assert data["argv"][1:] == ["-m", "pkg.app"] and data["reason"] is None
    text = dashm("module", "pkg/app.py", cwd=tmp_path).stdout
    assert "module: pkg.app" in text and "-m pkg.app" in text
    # Its import of the project's package puts it in tmp_path's workspace, where its folder
    # would have to be a package name.
    write_tree(tmp_path, {"my-scripts/go.py": "import pkg.util\n"})
    bad = dashm("module", "my-scripts/go.py", cwd=tmp_path)
    assert bad.returncode == 2 and "rename it to 'my_scripts'" in bad.stderr


def test_example_workspace_shows_every_core_diagnostic() -> None:
    root = Path(__file__).parent.parent
    findings = check_json(root, "examples")
    assert {f["code"] for f in findings} >= {"DM101", "DM102", "DM103", "DM104", "DM105"}


def test_a_deleted_current_folder_is_one_line_not_a_trace(tmp_path: Path) -> None:
    import subprocess
    import sys

    # `python -m dashm` and the `dashm` script (dashm.cli:main) alike.
    for entry in ("import runpy; sys.argv = ['dashm', 'check', '/tmp']; "
                  "runpy.run_module('dashm', run_name='__main__')",
                  "from dashm.cli import main; sys.exit(main(['check', '/tmp']))"):
        gone = tmp_path / "gone"
        gone.mkdir()
        script = f"import os, sys; os.chdir({str(gone)!r}); os.rmdir({str(gone)!r}); {entry}"
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 2, done.stderr
        assert done.stderr == ("dashm: the current folder no longer exists; cd to one that "
                               "does\n")

"""DM201-DM205 through the core API, plus the TOML and JSONC locators they stand on."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashm.batch.entryfiles import fix_entry_file
from dashm.findings import Finding, Severity
from dashm.rules import check_source
from dashm.rules.edits import apply_edits
from dashm.rules.entrypoints import check_entry_text
from dashm.workspace import Settings, SourceFile, Workspace
from dashm.workspace.jsonc import JsoncError, parse_jsonc
from dashm.workspace.toml_locate import locate_strings, toml_error, tomllib
from trees import check_json, dashm, write_tree

PY = sys.executable
GUARD = 'if __name__ == "__main__":\n'


def check(root: Path, name: str, settings: Settings | None = None) -> list[Finding]:
    workspace = Workspace(root, PY, settings)
    source = workspace.source(root / name)
    assert isinstance(source, SourceFile)
    return check_source(workspace, source)


def check_entry(root: Path, name: str, text: str | None = None) -> list[Finding]:
    path = root / name
    workspace = Workspace(root, PY)
    return check_entry_text(workspace, path, path.read_text() if text is None else text)


def text_at(text: str, finding: Finding) -> str:
    lines = text.splitlines(keepends=True)
    r = finding.range
    assert r.start.line == r.end.line
    return lines[r.start.line][r.start.column:r.end.column]


# -- the TOML locator ----------------------------------------------------------------------
TOML = '''\
# a comment with "quotes" and = signs
[project]
name = "demo"  # trailing comment
keywords = [
    "a",  # first
    'b',
]

[project.scripts]
demo = "demo.cli:main"
"quoted-name" = 'demo.cli:run'   # literal string
escaped = "demo\\u002ecli:main"

[project.entry-points."demo.plugins"]
one = "demo.plugins:one"

[project.entry-points]
inline = { x = "demo.x:y", "z z" = 'demo.z' }

[[tool.things]]
value = """multi
line"""
[[tool.things]]
value = "second"
'''


def test_toml_locator_finds_every_string_with_its_exact_range() -> None:
    found = {s.key: s for s in locate_strings(TOML)}
    lines = TOML.splitlines()

    def at(key: tuple[str | int, ...]) -> str:
        r = found[key].range
        return lines[r.start.line][r.start.column:r.end.column]

    assert at(("project", "name")) == "demo"
    assert at(("project", "keywords", 1)) == "b"
    assert at(("project", "scripts", "demo")) == "demo.cli:main"
    assert at(("project", "scripts", "quoted-name")) == "demo.cli:run"
    assert found[("project", "scripts", "escaped")].value == "demo.cli:main"
    assert at(("project", "entry-points", "demo.plugins", "one")) == "demo.plugins:one"
    assert at(("project", "entry-points", "inline", "x")) == "demo.x:y"
    assert at(("project", "entry-points", "inline", "z z")) == "demo.z"
    assert found[("tool", "things", 0, "value")].value == "multi\nline"
    assert found[("tool", "things", 1, "value")].value == "second"
    assert toml_error(TOML) is None


@pytest.mark.parametrize("broken", ['[project\nname = "x"\n', 'a = "unterminated\n',
                                    "a = 1\na = 2\n", "x = [1, 2\n", 'k = { a = "b" \n'])
def test_toml_errors_are_located_never_raised(broken: str) -> None:
    locate_strings(broken)  # must not raise
    error = toml_error(broken)
    assert error is not None and error.message
    assert 0 <= error.position.line <= broken.count("\n")


# -- the JSONC parser ----------------------------------------------------------------------
def test_jsonc_keeps_offsets_and_accepts_comments_and_trailing_commas() -> None:
    text = '{\n  // c\n  "a": [1, "two", {"b": null},], /* x */\n  "c": "d",\n}\n'
    root = parse_jsonc(text)
    member = root.get("c")
    assert member is not None and text[member.value.start:member.value.end] == '"d"'
    assert [i.kind for i in root.get("a").value.items] == ["number", "string", "object"]
    with pytest.raises(JsoncError):
        parse_jsonc('{"a": 1 "b": 2}')


# -- DM204 -----------------------------------------------------------------------------------
PROJECT = {
    "pyproject.toml": '''\
[project]
name = "acme"
version = "1.0"

[project.scripts]
acme = "acme.cli:main"
acme-typo = "acme.cli:mian"  # the typo
acme-gone = 'acme.nothere:main'
acme-bad = "acme.cli"

[project.gui-scripts]
acme-gui = "acme.cli:Window"

[project.entry-points."acme.plugins"]
good = "acme.cli:main"
bad = "acme.cli:Nope"
submodule = "acme.sub"

[project.entry-points]
other = { one = "acme.cli:VERSION", two = "elsewhere.x:y" }

[tool.poetry.scripts]
poetic = { callable = "acme.cli:imported_name" }
poetic-bad = "acme.cli:gone"

[tool.setuptools]
package-dir = {"" = "src"}
packages = ["acme", "acme.sub", "acme.gone"]
py-modules = ["single", "absent"]
''',
    "src/acme/__init__.py": "",
    "src/acme/__main__.py": "",
    "src/acme/cli.py": ("from os.path import join as imported_name\n\nVERSION = '1'\n\n\n"
                        "class Window:\n    pass\n\n\ndef main():\n    return 0\n"),
    "src/acme/sub/__init__.py": "",
    "src/single.py": "",
}


def test_dm204_reports_the_exact_string_of_each_broken_entry(tmp_path: Path) -> None:
    write_tree(tmp_path, PROJECT)
    text = (tmp_path / "pyproject.toml").read_text()
    findings = check_entry(tmp_path, "pyproject.toml")
    assert all(f.code == "DM204" and f.severity is Severity.ERROR for f in findings)
    flagged = {text_at(text, f): f.details for f in findings}
    assert sorted(flagged) == sorted([
        "acme.cli:mian", "acme.nothere:main", "acme.cli", "acme.cli:Nope", "elsewhere.x:y",
        "acme.cli:gone", "acme.gone", "absent"])
    assert "ImportError: cannot import name 'mian' from 'acme.cli'" in flagged["acme.cli:mian"]
    assert "No module named 'acme.nothere'" in flagged["acme.nothere:main"]
    assert "not an object reference" in flagged["acme.cli"]
    assert "AttributeError: module 'acme.cli' has no attribute 'Nope'" in \
        flagged["acme.cli:Nope"]
    assert "No module named 'elsewhere'" in flagged["elsewhere.x:y"]
    assert "package directory 'src/acme/gone' does not exist" in flagged["acme.gone"]
    assert "src/absent.py" in flagged["absent"]


def test_dm204_toml_syntax_error_is_a_finding(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n[project.scripts\n'})
    (finding,) = check_entry(tmp_path, "pyproject.toml")
    assert finding.code == "DM204" and "not valid TOML" in finding.details
    assert finding.range.start.line == 2
    done = dashm("check", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert [f["code"] for f in json.loads(done.stdout)] == ["DM204"]


def test_dm204_noqa_and_ignore(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": ('[project.scripts]\na = "gone:main"  # noqa: DM204\n'
                           'b = "gone:main"\n'),
    })
    assert [f.range.start.line for f in check_entry(tmp_path, "pyproject.toml")] == [2]
    (tmp_path / "pyproject.toml").write_text(
        '[project.scripts]\nb = "gone:main"\n[tool.dashm]\nignore = ["DM204"]\n')
    assert check_entry(tmp_path, "pyproject.toml") == []


# -- DM205 -----------------------------------------------------------------------------------
LAUNCH = '''\
{
    // Use IntelliSense to learn about possible attributes.
    "version": "0.2.0",
    "configurations": [
        {
            "name": "Run CLI",  /* the main one */
            "type": "debugpy",
            "request": "launch",
            "program": "${workspaceFolder}/src/acme/cli.py", // by path!
            "args": ["list"],
        },
        {"name": "top", "type": "python", "request": "launch",
         "program": "${workspaceFolder}/tool.py"},
        {"name": "wrong cwd", "type": "python", "request": "launch",
         "program": "src/acme/cli.py", "cwd": "${workspaceFolder}"},
        {"name": "Module", "type": "python", "request": "launch", "module": "acme"},
    ]
}
'''


def test_dm205_launch_fix_rewrites_only_the_spans_it_names(tmp_path: Path) -> None:
    write_tree(tmp_path, {**PROJECT, ".vscode/launch.json": LAUNCH, "tool.py": GUARD + "  pass\n"})
    findings = check_entry(tmp_path, ".vscode/launch.json")
    assert [text_at(LAUNCH, f) for f in findings] == [
        "${workspaceFolder}/src/acme/cli.py", "src/acme/cli.py"]
    first, second = findings
    assert '"module": "acme.cli"' in first.details and '"cwd": "${workspaceFolder}/src"' in \
        first.details
    assert first.fix is not None and second.fix is not None
    fixed = apply_edits(LAUNCH, first.fix.edits)
    assert fixed == LAUNCH.replace(
        '"program": "${workspaceFolder}/src/acme/cli.py", // by path!',
        '"module": "acme.cli",\n            "cwd": "${workspaceFolder}/src", // by path!')
    fixed = apply_edits(LAUNCH, second.fix.edits)
    assert fixed == LAUNCH.replace(
        '"program": "src/acme/cli.py", "cwd": "${workspaceFolder}"',
        '"module": "acme.cli", "cwd": "${workspaceFolder}/src"')
    parse_jsonc(fixed)


def test_dm205_check_fix_rewrites_launch_json_keeping_crlf_and_comments(tmp_path: Path) -> None:
    crlf = LAUNCH.replace("\n", "\r\n")
    write_tree(tmp_path, {**PROJECT, "tool.py": ""})
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode/launch.json").write_bytes(b"\xef\xbb\xbf" + crlf.encode())
    done = dashm("check", "--fix", "--select", "DM205", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    data = (tmp_path / ".vscode/launch.json").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    text = data.decode("utf-8-sig")
    assert text.count('"module": "acme.cli"') == 2 and "// by path!" in text
    assert '"cwd": "${workspaceFolder}/src"' in text and "/* the main one */" in text
    assert "program" not in text.replace('"program": "${workspaceFolder}/tool.py"', "")
    again = dashm("check", "--fix", "--select", "DM205", cwd=tmp_path)
    assert again.returncode == 0 and (tmp_path / ".vscode/launch.json").read_bytes() == data


def test_a_refused_entry_file_fix_says_why(tmp_path: Path) -> None:
    """Like --fix on .py files: a fix that is not written is reported with its reason."""
    write_tree(tmp_path, {**PROJECT, ".vscode/launch.json": LAUNCH, "tool.py": ""})
    path = tmp_path / ".vscode/launch.json"
    stale = LAUNCH.replace("the main one", "an older comment")  # what was read before an edit
    findings, fixed, problem = fix_entry_file(Workspace(tmp_path, PY), path, stale, ["DM205"], [])
    assert fixed == 0 and len(findings) == 2
    assert problem is not None and problem.reason.startswith("not fixed: DM205 at line ")
    assert "the file changed since it was read" in problem.reason
    assert path.read_text() == LAUNCH  # nothing written


def test_dm205_tasks_and_makefiles_are_reported(tmp_path: Path) -> None:
    tasks = ('{"version": "2.0.0", "tasks": [\n'
             '  {"label": "run", "type": "shell", "command": "python src/acme/cli.py list"},\n'
             '  {"label": "run2", "type": "process", "command": "python3",\n'
             '   "args": ["-u", "src/acme/cli.py"]},\n'
             '  {"label": "fine", "type": "shell", "command": "python -m acme.cli"}\n]}\n')
    makefile = "run:\n\tpython3 src/acme/cli.py list\n\tpython -m acme\n\tpython tool.py\n"
    write_tree(tmp_path, {**PROJECT, ".vscode/tasks.json": tasks, "Makefile": makefile,
                          "tool.py": ""})
    found = check_entry(tmp_path, ".vscode/tasks.json")
    assert [text_at(tasks, f) for f in found] == ["src/acme/cli.py"] * 2
    assert all(f.fix is None and "python -m acme.cli" in f.details for f in found)
    (made,) = check_entry(tmp_path, "Makefile")
    assert text_at(makefile, made) == "src/acme/cli.py"
    assert "`cd src && python -m acme.cli`" in made.details


# -- DM201 -----------------------------------------------------------------------------------
def test_dm201_folder_inside_a_package_and_its_exemptions(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/sub/mod.py": "X = 1\n",
        "pkg/sub/deeper/leaf.py": "Y = 2\n",
        "pkg/tests/test_x.py": "def test_x():\n    pass\n",
        "pkg/data/table.py": "ROWS = 1\n",
        "pkg/docs/conf.py": "project = 'x'\n",
        "pkg/scripts/run.py": "#!/usr/bin/env python3\n" + GUARD + "    pass\n",
        "pkg/examples_dir/demo.py": GUARD + "    print(1)\n",
        "top/loose.py": "Z = 3\n",
    })
    (finding,) = check(tmp_path, "pkg/sub/mod.py")
    assert finding.code == "DM201" and "`pkg.sub` is an accidental namespace package" in \
        finding.details
    assert finding.fix is not None
    assert [c.path for c in finding.fix.creations] == [tmp_path / "pkg/sub/__init__.py"]
    (deeper,) = check(tmp_path, "pkg/sub/deeper/leaf.py")
    assert deeper.fix is not None and [c.path for c in deeper.fix.creations] == [
        tmp_path / "pkg/sub/__init__.py", tmp_path / "pkg/sub/deeper/__init__.py"]
    for clean in ("pkg/tests/test_x.py", "pkg/data/table.py", "pkg/docs/conf.py",
                  "pkg/scripts/run.py", "pkg/examples_dir/demo.py", "top/loose.py"):
        assert [f.code for f in check(tmp_path, clean) if f.code == "DM201"] == [], clean


def test_dm201_declared_namespace_is_not_reported(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[tool.setuptools]\npackages = ["pkg", "pkg.sub"]\n',
        "pkg/__init__.py": "", "pkg/sub/mod.py": "",
    })
    assert check(tmp_path, "pkg/sub/mod.py") == []


def test_dm201_on_dotted_import_of_a_top_level_namespace_folder(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "utils/helpers.py": "def f():\n    return 1\n",
        "app.py": "from utils.helpers import f\nimport utils.helpers\n",
        "tests/helper.py": "", "uses_tests.py": "import tests.helper\n",
    })
    # Reported once, on the folder's own first file, citing the first importer.
    assert check(tmp_path, "app.py") == []
    (finding,) = check(tmp_path, "utils/helpers.py")
    assert finding.code == "DM201" and "app.py:1 imports `utils.helpers`" in finding.details
    assert "no regular package or module named `utils` is anywhere on sys.path" in \
        finding.details
    assert finding.related[0].path == tmp_path / "app.py"
    assert finding.fix is not None
    assert [c.path for c in finding.fix.creations] == [tmp_path / "utils/__init__.py"]
    assert check(tmp_path, "uses_tests.py") == check(tmp_path, "tests/helper.py") == []


def test_dm201_fix_in_cli_creates_the_init(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/sub/a.py": "", "pkg/sub/b.py": ""})
    # One folder, one finding: on its first file.
    assert [f["path"] for f in check_json(tmp_path)] == ["pkg/sub/a.py"]
    done = dashm("check", "--fix", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "pkg/sub/__init__.py").read_bytes() == b""
    assert "Fixed 1 problem" in done.stdout


# -- DM202 -----------------------------------------------------------------------------------
def main_content(finding: Finding) -> str:
    assert finding.fix is not None
    (creation,) = finding.fix.creations
    assert creation.path.name == "__main__.py"
    return creation.content


def test_dm202_from_a_console_script_absolute_and_relative(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[project]\nname = "tool"\n\n[project.scripts]\n'
                          'tool = "tool.cli:main"\n',
        "tool/__init__.py": "",
        "tool/cli.py": "def main():\n    return 3\n",
    })
    (finding,) = check(tmp_path, "tool/__init__.py")
    assert finding.code == "DM202" and 'console script `tool = "tool.cli:main"`' in \
        finding.details
    assert "pyproject.toml:5" in finding.details
    assert "No module named tool.__main__" in finding.details
    assert main_content(finding).endswith("from tool.cli import main\n\n"
                                          "raise SystemExit(main())\n")
    (relative,) = check(tmp_path, "tool/__init__.py", Settings(import_style="relative"))
    assert "from .cli import main\n" in main_content(relative)


def test_dm202_evidence_from_files_and_a_function_without_status(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "README.md": "Run it:\n\n    python3 -m runner --fast\n",
        "Makefile": "run:\n\t$(PYTHON) -m runner\n",
        ".github/workflows/ci.yml": "steps:\n  - run: python -m runner\n",
        "Dockerfile": 'CMD ["python", "-m", "runner"]\n',
        "Procfile": "web: python -m runner\n",
        ".vscode/launch.json": '{"configurations": [{"type": "debugpy", "module": "runner"}]}',
        "runner/__init__.py": "",
        "runner/main.py": "def main():\n    print('ran')\n\n\n" + GUARD + "    main()\n",
    })
    (finding,) = check(tmp_path, "runner/__init__.py")
    assert {(r.path.relative_to(tmp_path).as_posix(), r.line + 1) for r in finding.related} == {
        ("README.md", 3), ("Makefile", 2), (".github/workflows/ci.yml", 2), ("Dockerfile", 1),
        ("Procfile", 1), (".vscode/launch.json", 1), ("runner/main.py", 5)}
    # The first four pieces of evidence are cited with file and line, then a count.
    for cite in ("`python -m runner` in Dockerfile:1", "`$(PYTHON) -m runner` in Makefile:2",
                 "`python -m runner` in Procfile:1", "`python3 -m runner` in README.md:3",
                 "and 2 more", "runner/main.py has an `if __name__"):
        assert cite in finding.details, (cite, finding.details)
    assert main_content(finding).endswith("from runner.main import main\n\nmain()\n")


def test_dm202_not_without_evidence_and_not_with_a_main(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "README.md": "python -m other\n",
        "lib/__init__.py": "", "lib/tool.py": GUARD + "    pass\n",
        "ran/__init__.py": "", "ran/__main__.py": "", "ran/cli.py": GUARD + "    pass\n",
    })
    assert check(tmp_path, "lib/__init__.py") == []
    assert check(tmp_path, "ran/__init__.py") == []


def test_dm202_fix_follows_crlf_and_bom_of_the_package(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "app/__init__.py": b"\xef\xbb\xbf# -*- coding: utf-8 -*-\r\n\"\"\"App.\"\"\"\r\n",
        "app/cli.py": b"def main():\r\n    return 0\r\n\r\n\r\nif __name__ == '__main__':\r\n"
                      b"    raise SystemExit(main())\r\n",
    })
    done = dashm("check", "--fix", cwd=tmp_path)
    assert "Fixed" in done.stdout, done.stdout + done.stderr
    data = (tmp_path / "app/__main__.py").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf# -*- coding: utf-8 -*-\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.endswith(b"from app.cli import main\r\n\r\nraise SystemExit(main())\r\n")


def test_dm202_refuses_to_overwrite(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/__init__.py": "", "app/cli.py": GUARD + "    pass\n"})
    workspace = Workspace(tmp_path, PY)
    source = workspace.source(tmp_path / "app/__init__.py")
    assert isinstance(source, SourceFile)
    (finding,) = check_source(workspace, source)
    (tmp_path / "app/__main__.py").write_text("print('mine')\n")
    from dashm.batch.checker import apply_fix

    assert finding.fix is not None
    assert "never overwrites" in (apply_fix(finding.fix, source) or "")
    assert (tmp_path / "app/__main__.py").read_text() == "print('mine')\n"


# -- DM203 -----------------------------------------------------------------------------------
def test_dm203_hint_names_the_command_and_folder(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "src/pkg/__init__.py": "", "src/pkg/__main__.py": "",
        "src/pkg/tool.py": "from pkg import helper\n\n" + GUARD + "    print(helper)\n",
        "src/pkg/helper.py": "",
        "src/pkg/broken.py": "import helper\n\n" + GUARD + "    print(helper)\n",
    })
    (hint,) = check(tmp_path, "src/pkg/tool.py")
    assert hint.code == "DM203" and hint.severity is Severity.HINT and hint.run_as_module
    assert "`python -m pkg.tool` from src" in hint.details
    assert hint.range.start.line == 2
    # While the module does not work under -m, the import findings come first.
    assert "DM203" not in [f.code for f in check(tmp_path, "src/pkg/broken.py")]
    # The command line shows hints only when asked.
    assert check_json(tmp_path) == [] or all(
        f["code"] != "DM203" for f in check_json(tmp_path))
    assert [f["code"] for f in check_json(tmp_path, "--select", "DM203")] == ["DM203"]


# -- robustness: the locators never raise on any text ----------------------------------------
TOML_PIECES = st.sampled_from(['[a]', '[[b]]', 'k = "v"', "k = 'v'", 'x = [', ']', '{', '}',
                               '"""', "'''", '#', '=', ',', '.', '"', "'", '\\', '\n', ' ',
                               'q.r = 1', 's = { t = "u" }', '\r\n', '\\u00e9', 'é'])


@settings(max_examples=300, deadline=None)
@given(st.lists(TOML_PIECES, max_size=30).map("".join))
def test_toml_locator_never_raises_and_agrees_with_tomllib(text: str) -> None:
    found = locate_strings(text)
    error = toml_error(text)
    lines = text.splitlines(keepends=True) or [""]
    for string in found:
        assert 0 <= string.range.start.line <= string.range.end.line < len(lines) + 1
    if error is None:
        data = tomllib.loads(text)
        for string in found:  # every located string is the value tomllib read there
            value: object = data
            for part in string.key:
                value = value[part]  # type: ignore[index]
            assert value == string.value


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(['{', '}', '[', ']', '"a"', '"b\\"c"', ':', ',', '1', '-2.5e3',
                                 'true', 'null', '// c\n', '/* c */', ' ', '\n', '"', '/*']),
                max_size=30).map("".join))
def test_jsonc_parser_raises_only_jsonc_errors(text: str) -> None:
    try:
        node = parse_jsonc(text)
    except JsoncError:
        return
    assert 0 <= node.start <= node.end <= len(text)


def test_dm202_evidence_from_other_documentation(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "USAGE.md": "Start the app:\n\n    python -m app --port 80\n",
        "CONTRIBUTING.rst": "Run ``python3 -m tool`` before sending a patch.\n",
        "docs/guide/running.md": "python -m deep\n",
        "requirements.txt": "python -m other  # not prose: not read\n",
        "app/__init__.py": "", "tool/__init__.py": "", "deep/__init__.py": "",
        "other/__init__.py": "",
    })
    (app,) = check(tmp_path, "app/__init__.py")
    assert app.code == "DM202" and "`python -m app` in USAGE.md:3" in app.details
    (tool,) = check(tmp_path, "tool/__init__.py")
    assert "in CONTRIBUTING.rst:1" in tool.details
    (deep,) = check(tmp_path, "deep/__init__.py")
    assert "docs/guide/running.md:1" in deep.details
    assert check(tmp_path, "other/__init__.py") == []

"""`python -m dashm check | module | run | rename-module | serve`: the command line over the
analysis core.

Exit codes: 0 nothing found, 1 findings, 2 usage or internal error (for `run`: the program's
own exit code).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path

from dashm import __version__
from dashm.batch.checker import check_paths
from dashm.batch.report import FORMATS, render, render_created, render_problems
from dashm.findings import Severity
from dashm.rules import HINT_CODES
from dashm.workspace import InterpreterError, Settings, SourceProblem, Workspace
from dashm.workspace.environment import InterpreterChoice, choose_interpreter
from dashm.workspace.paths import workspace_folder

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        os.getcwd()
    except FileNotFoundError:  # deleted under a shell that is still in it
        print("dashm: the current folder no longer exists; cd to one that does",
              file=sys.stderr)
        return EXIT_ERROR
    try:
        if args.command == "check":  # through the facts cache and the warm-run cache
            from dashm.batch.runcache import run_check

            return run_check(sys.argv[1:] if argv is None else list(argv), args.paths,
                             lambda: int(args.handler(args)))
        return int(args.handler(args))
    except InterpreterError as error:
        print(f"dashm: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `dashm check | head`: the reader left; that is not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the exit flush does not fail again
        return EXIT_FINDINGS
    except Exception:  # a bug in dashm: say so plainly, with what a report needs
        print("dashm: internal error (please report it with this trace):", file=sys.stderr)
        traceback.print_exc()
        return EXIT_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dashm", description="Find and fix Python code that only works as "
        "`python file.py`, and run files the way Python means: `python -m pkg.mod`.")
    parser.add_argument("--version", action="version", version=f"dashm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="report (and fix) problems in Python files")
    check.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH")
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument("--fix", action="store_true", help="apply the safe fixes")
    check.add_argument("--diff", action="store_true",
                       help="print what --fix would change as a unified diff (apply it with "
                       "`patch -p1` or `git apply`), and write nothing")
    check.add_argument("--select", type=_codes, default=(), metavar="CODES",
                       help="only these codes or prefixes, comma-separated (e.g. DM101,DM2)")
    check.add_argument("--ignore", type=_codes, default=(), metavar="CODES",
                       help="skip these codes or prefixes, comma-separated")
    check.add_argument("--exclude", action="append", type=_globs, default=[], metavar="GLOBS",
                       help="report nothing on these files or folders (globs relative to the "
                       "project folder, comma-separated; added to [tool.dashm] exclude)")
    check.add_argument("--explain", action="store_true",
                       help="print each finding's full explanation under it (also --verbose)")
    check.add_argument("--show-fixes", action="store_true",
                       help="list the fix each finding offers, and which --fix leaves alone")
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when problems are found")
    check.add_argument("--no-cache", action="store_true",
                       help="neither read nor write the cache (a cold run)")
    check.add_argument("--import-style", choices=("absolute", "relative"), default=None,
                       help="how fixes write package imports (default: pyproject.toml's "
                       "[tool.dashm] import-style, else absolute)")
    _add_python(check)
    _add_verbose(check)
    check.set_defaults(handler=_check)

    module = commands.add_parser("module", help="print a file's module name and how to run it")
    module.add_argument("file", type=Path)
    module.add_argument("--json", action="store_true", help="print {module, cwd, argv, reason}")
    _add_python(module)
    _add_verbose(module)
    module.set_defaults(handler=_module)

    run = commands.add_parser(
        "run", help="run a file as a module (python -m pkg.mod) with its import root first "
        "on sys.path, in the current folder")
    run.add_argument("file", type=Path)
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the program")
    _add_python(run)
    _add_verbose(run)
    run.set_defaults(handler=_run)

    rename = commands.add_parser(
        "rename-module", help="rename a module or package (one that hides the standard "
        "library's, say) and update every import of it")
    rename.add_argument("old", type=Path, metavar="OLD",
                        help="the module file or package folder (json.py, tools/logging/)")
    rename.add_argument("new", metavar="NEW",
                        help="the new name (json_utils), or the new path in the same folder")
    rename.add_argument("--diff", action="store_true",
                        help="print what would change as a diff, and write nothing")
    _add_python(rename)
    _add_verbose(rename)
    rename.set_defaults(handler=_rename_module)

    serve = commands.add_parser("serve", help="start the language server on stdio")
    _add_python(serve)
    serve.set_defaults(handler=_serve)
    return parser


def _add_python(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--python", metavar="PATH", default=None,
                        help="the project's interpreter (default: $VIRTUAL_ENV, else the "
                        "workspace's .venv or venv, else python3 or python on PATH, else the "
                        "one running dashm)")


def _add_verbose(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="say on stderr which workspace folder and interpreter are used")


def _codes(value: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    for code in codes:
        if not code.startswith("DM"):
            raise argparse.ArgumentTypeError(f"{code!r} is not a dashm code (DM101, DM1, ...)")
    return codes


def _globs(value: str) -> tuple[str, ...]:
    return tuple(g.strip() for g in value.split(",") if g.strip())


class _Workspaces:
    """One Workspace per folder, so each project keeps its own layout and environment."""

    def __init__(self, python: str | None, settings: Settings, verbose: bool = False) -> None:
        self.python = python
        self.settings = settings
        self.verbose = verbose
        self._by_folder: dict[Path, Workspace] = {}
        self._folders: dict[Path, Path] = {}  # command-line argument -> its workspace folder

    def __call__(self, argument: Path) -> Workspace:
        folder = self._folders.get(argument)
        if folder is None:
            folder = self._folders[argument] = workspace_folder(argument)
        workspace = self._by_folder.get(folder)
        if workspace is None:
            workspace = self._by_folder[folder] = _workspace(folder, self.python,
                                                             self.settings, self.verbose)
        return workspace


def _workspace(folder: Path, python: str | None, settings: Settings | None = None,
               verbose: bool = False) -> Workspace:
    """The Workspace of `folder`, judged with the user's interpreter (said with --verbose)."""
    choice = choose_interpreter(folder, python, _user_environ(os.environ))
    if verbose:
        _say_choice(folder, choice)
    return Workspace(folder, choice.path, settings)


def _user_environ(environ: Mapping[str, str]) -> Mapping[str, str]:
    """`environ` without the virtual environment pre-commit activates for its hook: that is
    dashm's own (`$VIRTUAL_ENV` and first on PATH, with nothing of the project installed),
    not the user's, so the project's `.venv` or the user's `python3` is chosen instead."""
    active = environ.get("VIRTUAL_ENV")
    if not (environ.get("PRE_COMMIT") and active
            and os.path.realpath(active) == os.path.realpath(sys.prefix)):
        return environ
    ours = {os.path.realpath(os.path.join(active, d)) for d in ("bin", "Scripts")}
    kept = [p for p in environ.get("PATH", "").split(os.pathsep)
            if p and os.path.realpath(p) not in ours]
    return {**{k: v for k, v in environ.items() if k != "VIRTUAL_ENV"},
            "PATH": os.pathsep.join(kept)}


def _say_choice(folder: Path, choice: InterpreterChoice) -> None:
    print(f"dashm: workspace {folder}", file=sys.stderr)
    print(f"dashm: interpreter {choice.path} ({choice.why})", file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    settings = Settings(import_style=args.import_style,
                        exclude=tuple(g for globs in args.exclude for g in globs))
    workspaces = _Workspaces(args.python, settings, args.verbose)
    # Hints (DM203) are for the editor; the command line shows them only when selected.
    hints = any(code.startswith(c) for code in HINT_CODES for c in args.select)
    if args.diff:
        return _diff(workspaces, args, hints)
    result = check_paths(workspaces, args.paths, args.select, args.ignore, fix=args.fix,
                         hints=hints)
    if result.problems:
        print(render_problems(result.problems), file=sys.stderr)
    for workspace in workspaces._by_folder.values():
        for project in workspace._projects.values():
            for problem in project.problems:
                print(f"dashm: {problem}", file=sys.stderr)
    if result.created and args.format in ("json", "sarif"):  # stdout stays one document
        print(render_created(result.created), file=sys.stderr)
    output = render(result.findings, result.problems, result.fixed, result.files, args.format,
                    result.created, explain=args.explain or args.verbose,
                    show_fixes=args.show_fixes)
    if output:
        print(output)
    # Hints (severity HINT) inform; they are not problems a CI run should fail on.
    if not args.exit_zero and any(f.severity is not Severity.HINT for f in result.findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _diff(workspaces: _Workspaces, args: argparse.Namespace, hints: bool) -> int:
    """`check --diff`: the diff of everything `--fix` would do on stdout, a summary on
    stderr; exit 1 when there is something to apply (as ruff's --diff)."""
    from dashm.batch.preview import preview_fixes, shown_for_diff, unified_diff

    preview = preview_fixes(workspaces, args.paths, args.select, args.ignore, hints)
    result = preview.result
    if result.problems:
        print(render_problems(result.problems), file=sys.stderr)
    sys.stdout.flush()
    for change in preview.changes:
        sys.stdout.buffer.write(unified_diff(change, shown_for_diff(change.path)))
    sys.stdout.buffer.flush()
    files = len(preview.changes)
    left = sum(1 for f in result.findings if f.severity is not Severity.HINT)
    if result.fixed:
        print(f"Would fix {result.fixed} problem{'s' if result.fixed != 1 else ''} in "
              f"{files} file{'s' if files != 1 else ''} ({left} left); `dashm check --fix` "
              "applies it.", file=sys.stderr)
    else:
        print(f"Nothing to fix ({left} problem{'s' if left != 1 else ''} left).",
              file=sys.stderr)
    return EXIT_FINDINGS if preview.changes and not args.exit_zero else EXIT_CLEAN


def _module(args: argparse.Namespace) -> int:
    file = Path(os.path.abspath(args.file))
    if not file.is_file():
        print(f"dashm: {args.file} is not a file", file=sys.stderr)
        return EXIT_ERROR
    workspace = _workspace(workspace_folder(file), args.python, verbose=args.verbose)
    invocation = workspace.invocation(file)
    if args.json:
        print(json.dumps(invocation.as_dict(), indent=2))
    elif invocation.module is None:
        print(f"dashm: {args.file} cannot be run as a module: {invocation.reason}",
              file=sys.stderr)
    else:
        print(f"module: {invocation.module}\ncwd:    {invocation.cwd}\nrun:    "
              f"cd {_quote(str(invocation.cwd))} && "
              f"{' '.join(_quote(a) for a in invocation.argv)}")
    return EXIT_CLEAN if invocation.module else EXIT_ERROR


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


# `python -m NAME` with the import root, not the current folder, first on sys.path, so the
# user's folder (and relative arguments) stay as they are, as in PyCharm's module runs. argv:
# -c CODE ROOT NAME ARGS...; run_module then sets sys.argv[0] to the module's file, as -m does.
# With -c, sys.path[0] is "" (the current folder) unless safe-path mode left it out.
RUN_BOOTSTRAP = """\
import runpy, sys
root, name = sys.argv[1:3]
del sys.argv[1:3]
if sys.path[:1] == [""]:
    sys.path[0] = root
else:
    sys.path.insert(0, root)
runpy.run_module(name, run_name="__main__", alter_sys=True)
"""


def _run(args: argparse.Namespace) -> int:
    file = Path(os.path.abspath(args.file))
    if not file.is_file():
        print(f"dashm: {args.file} is not a file", file=sys.stderr)
        return EXIT_ERROR
    workspace = _workspace(workspace_folder(file), args.python, verbose=args.verbose)
    invocation = workspace.invocation(file)
    if invocation.module is None or invocation.cwd is None:
        print(f"dashm: {args.file} cannot be run as a module: {invocation.reason}",
              file=sys.stderr)
        return EXIT_ERROR
    _warn_script_only_imports(workspace, file, args.file)
    program_args = list(args.args)
    if program_args[:1] == ["--"]:
        program_args = program_args[1:]
    argv = [workspace.interpreter, "-c", RUN_BOOTSTRAP, str(invocation.cwd), invocation.module,
            *program_args]
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        # Become the program: stdin, signals (Ctrl-C) and the exit code are its own.
        os.execvp(argv[0], argv)
    return subprocess.run(argv).returncode  # pragma: no cover


def _warn_script_only_imports(workspace: Workspace, file: Path, shown: Path) -> None:
    """One line on stderr when `file` has imports that fail as a module (DM101): the run is
    likely to end in ModuleNotFoundError, and `dashm check` says how to fix it."""
    from dashm.rules import check_source

    try:
        source = workspace.source(file)
        if isinstance(source, SourceProblem):  # unreadable: the interpreter will say why
            return
        found = check_source(workspace, source, select=("DM101",), hints=False)
    except Exception:  # a warning must never keep the program from running
        return
    if found:
        line = found[0].range.start.line + 1
        more = f", and {len(found) - 1} more" if len(found) > 1 else ""
        print(f"dashm: warning: {shown}:{line}: an import that works only as `python {shown}` "
              f"(DM101{more}); `dashm check {shown}` shows the fix", file=sys.stderr)


def _rename_module(args: argparse.Namespace) -> int:
    """Rename OLD to NEW as `git mv` would, with every import updated; refused with the
    reason (exit 1) when an import cannot be followed safely."""
    from dashm.batch.rename import apply_rename, render_diff
    from dashm.rules.rename import plan_rename

    old = Path(os.path.abspath(args.old))
    new_name = _new_module_name(old, args.new)
    if new_name is None:
        print(f"dashm: {args.new} must be a new name, or a path in the folder of {args.old}",
              file=sys.stderr)
        return EXIT_ERROR
    if not old.exists():
        print(f"dashm: {args.old} does not exist", file=sys.stderr)
        return EXIT_ERROR
    workspace = _workspace(workspace_folder(old), args.python, verbose=args.verbose)
    plan = plan_rename(workspace, old, new_name)
    if isinstance(plan, str):
        print(f"dashm: not renamed: {plan}", file=sys.stderr)
        return EXIT_FINDINGS
    if args.diff:
        sys.stdout.flush()
        sys.stdout.buffer.write(render_diff(plan, workspace.folder))
        sys.stdout.buffer.flush()
    else:
        problem = apply_rename(plan, workspace.folder)
        if problem:
            print(f"dashm: not renamed: {problem}", file=sys.stderr)
            return EXIT_FINDINGS
        print(_renamed_summary(plan, workspace.folder))
    for note in plan.notes:
        print(f"dashm: {note}", file=sys.stderr)
    return EXIT_CLEAN


def _new_module_name(old: Path, new: str) -> str | None:
    """`json_utils`, `json_utils.py` or `tools/json_utils.py` (beside OLD) -> `json_utils`."""
    if "/" not in new and os.sep not in new:
        return new.removesuffix(".py") if old.suffix == ".py" or old.is_file() else new
    path = Path(os.path.abspath(new))
    folder = old.parent.parent if old.name == "__init__.py" else old.parent
    if path.parent != folder:
        return None
    return path.stem if path.suffix == ".py" else path.name


def _renamed_summary(plan, root: Path) -> str:  # type: ignore[no-untyped-def]
    from dashm.batch.rename import shown_in

    files = sorted({shown_in(e.path, root) for e in plan.fix.edits})
    lines = [f"renamed {shown_in(plan.old, root)} -> {shown_in(plan.new, root)}"]
    counted = f"{plan.imports} import{'' if plan.imports == 1 else 's'}"
    if plan.references:
        counted += f" and {plan.references} reference{'' if plan.references == 1 else 's'}"
    if files:
        lines.append(f"updated {counted} in {', '.join(files)}")
    else:
        lines.append("no file imports it")
    return "\n".join(lines)


def _serve(args: argparse.Namespace) -> int:
    from dashm.lsp.server import serve

    serve(python=args.python)
    return EXIT_CLEAN

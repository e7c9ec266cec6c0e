"""Editor settings (section `dashm`): typed, with defaults, invalid values replaced and reported.

They come from `initializationOptions` (either `{"dashm": {...}}` or the section itself) and
from `workspace/configuration` per workspace folder; folder values override the initial ones.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from dashm.workspace import Settings

SECTION = "dashm"
IMPORT_STYLES = ("absolute", "relative")
# `importStyle` "project" (VS Code's default; also null) defers to `[tool.dashm] import-style`.
FROM_PROJECT = "project"
# `severity` values, like Pylance's `diagnosticSeverityOverrides`; "off" is an ignore.
SEVERITIES = ("error", "warning", "information", "hint", "off")


@dataclass(frozen=True, kw_only=True)
class EditorSettings:
    # How fixes write package imports: "absolute" | "relative"; None defers to pyproject.toml.
    import_style: str | None = None
    # Import roots, relative to the project folder (like `[tool.dashm] roots`).
    roots: tuple[str, ...] = ()
    # Only report these codes or prefixes (e.g. "DM1"); empty means all.
    select: tuple[str, ...] = ()
    # Never report these codes or prefixes.
    ignore: tuple[str, ...] = ()
    # The project's interpreter (absolute, `~`, or relative to the workspace folder); None:
    # the `--python` given to `dashm serve`, else the folder's .venv/venv, else the server's own.
    interpreter: str | None = None
    # False: no diagnostics, code actions or lenses for this folder's files.
    enable: bool = True
    # Code (or prefix) -> one of SEVERITIES; the longest matching key wins.
    severity: tuple[tuple[str, str], ...] = ()
    # "Run as module" / "Debug as module" over `__main__` guards.
    code_lens: bool = True
    # Globs of files and folders (relative to the project folder) to report nothing on, like
    # `[tool.dashm] exclude`.
    exclude: tuple[str, ...] = ()
    # A notebook kernel's working folder, as `jupyter.notebookFileRoot` (`${fileDirname}`,
    # `${workspaceFolder}`); None defers to `[tool.dashm] notebook-root`.
    notebook_root: str | None = None

    def core(self) -> Settings:
        """The analysis settings the core understands (the interpreter is passed apart)."""
        off = tuple(code for code, level in self.severity if level == "off")
        return Settings(import_style=self.import_style, roots=self.roots, select=self.select,
                        ignore=(*self.ignore, *off), exclude=self.exclude,
                        notebook_root=self.notebook_root)

    def severity_of(self, code: str) -> str | None:
        """The severity the user chose for `code` (its longest matching prefix), or None."""
        best: tuple[int, str] | None = None
        for key, level in self.severity:
            if code.startswith(key) and (best is None or len(key) > best[0]):
                best = (len(key), level)
        return best[1] if best else None

    def interpreter_for(self, folder: Path, fallback: str | None) -> str | None:
        if not self.interpreter:
            return fallback
        path = Path(os.path.expanduser(self.interpreter))
        return str(path if path.is_absolute() else folder / path)


def parse_settings(raw: object, base: EditorSettings | None = None
                   ) -> tuple[EditorSettings, list[str]]:
    """Merge `raw` (the `dashm` section, or a dict containing it) over `base`.

    Returns the settings and a message per invalid value (which keeps the base value)."""
    settings = base or EditorSettings()
    problems: list[str] = []
    if raw is None:
        return settings, problems
    if isinstance(raw, Mapping) and isinstance(raw.get(SECTION), Mapping):
        raw = raw[SECTION]
    if not isinstance(raw, Mapping):
        return settings, [f"settings `{SECTION}` must be an object, not {_kind(raw)}; "
                          "using the defaults"]
    changes: dict[str, object] = {}
    if "importStyle" in raw and raw["importStyle"] is not None:
        value = raw["importStyle"]
        if value in IMPORT_STYLES:
            changes["import_style"] = value
        elif value == FROM_PROJECT:
            changes["import_style"] = None
        else:
            problems.append(f"`{SECTION}.importStyle` must be one of "
                            f"{', '.join((FROM_PROJECT, *IMPORT_STYLES))}, not {value!r}; "
                            "using the default")
    for key, attr in (("enable", "enable"), ("codeLens", "code_lens")):
        if key in raw and raw[key] is not None:
            if isinstance(raw[key], bool):
                changes[attr] = raw[key]
            else:
                problems.append(f"`{SECTION}.{key}` must be true or false, not "
                                f"{_kind(raw[key])}; using the default")
    if "severity" in raw and raw["severity"] is not None:
        severity, bad = _severity(raw["severity"])
        changes["severity"] = severity
        problems.extend(bad)
    for key, attr in (("roots", "roots"), ("select", "select"), ("ignore", "ignore"),
                      ("exclude", "exclude")):
        if key not in raw or raw[key] is None:
            continue
        value = _strings(raw[key])
        if value is None:
            problems.append(f"`{SECTION}.{key}` must be a list of strings, not "
                            f"{_kind(raw[key])}; using the default")
        elif key in ("select", "ignore") and (
                bad := [c for c in value if not c.upper().startswith("DM")]):
            problems.append(f"`{SECTION}.{key}`: {', '.join(map(repr, bad))} "
                            "is not a dashm code (DM101, DM1, ...); using the default")
        else:
            changes[attr] = tuple(v.upper() for v in value) if key in ("select", "ignore") \
                else value
    for key, attr, what in (("notebookRoot", "notebook_root",
                             "a folder (`${fileDirname}`, `${workspaceFolder}`)"),
                            ("interpreter", "interpreter", "a path")):
        if key not in raw or raw[key] is None:
            continue
        if isinstance(raw[key], str):
            changes[attr] = raw[key].strip() or None
        else:
            problems.append(f"`{SECTION}.{key}` must be {what}, not {_kind(raw[key])}; "
                            "using the default")
    return replace(settings, **changes), problems  # type: ignore[arg-type]


def _severity(value: object) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """`{"DM101": "error", "DM2": "off"}` as pairs; invalid entries are reported and skipped."""
    if not isinstance(value, Mapping):
        return (), [f"`{SECTION}.severity` must be an object such as "
                    f'{{"DM101": "error"}}, not {_kind(value)}; using the defaults']
    pairs: list[tuple[str, str]] = []
    problems: list[str] = []
    for code, level in value.items():
        if not isinstance(code, str) or not code.upper().startswith("DM"):
            problems.append(f"`{SECTION}.severity`: {code!r} is not a dashm code (DM101, DM1, "
                            "...); ignored")
        elif not isinstance(level, str) or level.lower() not in SEVERITIES:
            problems.append(f"`{SECTION}.severity`: {code} must be one of "
                            f"{', '.join(SEVERITIES)}, not {level!r}; ignored")
        else:
            pairs.append((code.strip().upper(), level.lower()))
    return tuple(pairs), problems


def _strings(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str):  # "DM101, DM2" is forgiven
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    return None


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)

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

    def core(self) -> Settings:
        """The analysis settings the core understands (the interpreter is passed apart)."""
        return Settings(import_style=self.import_style, roots=self.roots, select=self.select,
                        ignore=self.ignore)

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
        else:
            problems.append(f"`{SECTION}.importStyle` must be one of "
                            f"{', '.join(IMPORT_STYLES)}, not {value!r}; using the default")
    for key, attr in (("roots", "roots"), ("select", "select"), ("ignore", "ignore")):
        if key not in raw or raw[key] is None:
            continue
        value = _strings(raw[key])
        if value is None:
            problems.append(f"`{SECTION}.{key}` must be a list of strings, not "
                            f"{_kind(raw[key])}; using the default")
        elif key != "roots" and (bad := [c for c in value if not c.upper().startswith("DM")]):
            problems.append(f"`{SECTION}.{key}`: {', '.join(map(repr, bad))} "
                            "is not a dashm code (DM101, DM1, ...); using the default")
        else:
            changes[attr] = tuple(v.upper() for v in value) if key != "roots" else value
    if "interpreter" in raw and raw["interpreter"] is not None:
        value = raw["interpreter"]
        if isinstance(value, str):
            changes["interpreter"] = value.strip() or None
        else:
            problems.append(f"`{SECTION}.interpreter` must be a path, not {_kind(value)}; "
                            "using the default")
    return replace(settings, **changes), problems  # type: ignore[arg-type]


def _strings(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str):  # "DM101, DM2" is forgiven
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    return None


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)

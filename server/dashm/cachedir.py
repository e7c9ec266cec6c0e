"""Where dashm keeps its caches: $DASHM_CACHE_DIR, $XDG_CACHE_HOME/dashm, ~/.cache/dashm.

In the base layer because both the facts cache (`dashm.workspace.cache`) and the warm-run
cache (`dashm.batch.runcache`) live there, and the warm run reads it before anything else of
dashm is imported: this module imports nothing but `os` (and `pathlib` when asked for a Path).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing alone costs a warm run
if TYPE_CHECKING:
    from pathlib import Path


def cache_dir() -> str:
    """The user's dashm cache folder, as text (no `pathlib` needed)."""
    explicit = os.environ.get("DASHM_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.environ.get("LOCALAPPDATA") if os.name == "nt" else None)
    return os.path.join(base, "dashm") if base else os.path.join(
        os.path.expanduser("~"), ".cache", "dashm")


def cache_folder() -> Path:
    """The user's dashm cache folder: $DASHM_CACHE_DIR, $XDG_CACHE_HOME/dashm, ~/.cache/dashm."""
    from pathlib import Path

    return Path(cache_dir())

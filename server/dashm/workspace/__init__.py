"""The workspace model: files -> facts -> layout and environment -> an index rules can query.

Pure analysis: nothing here imports pygls or executes workspace code. The names below are
imported when first used, so that a module of the model (`snapshot`, `looked_at`) can be
imported alone, as the warm run does, without loading the whole model (about 75 ms).
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dashm.workspace.environment import Environment, InterpreterError
    from dashm.workspace.index import Invocation, Settings, SourceFile, Workspace
    from dashm.workspace.layout import Location
    from dashm.workspace.source import SourceProblem

_HOME = {"Environment": "environment", "InterpreterError": "environment",
         "Invocation": "index", "Settings": "index", "SourceFile": "index", "Workspace": "index",
         "Location": "layout", "SourceProblem": "source"}

__all__ = ["Environment", "InterpreterError", "Invocation", "Location", "Settings",
           "SourceFile", "SourceProblem", "Workspace"]


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'dashm.workspace' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"dashm.workspace.{home}"), name)
    globals()[name] = value
    return value

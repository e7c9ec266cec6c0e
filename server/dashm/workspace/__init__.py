"""The workspace model: files -> facts -> layout and environment -> an index rules can query.

Pure analysis: nothing here imports pygls or executes workspace code.
"""

from dashm.workspace.environment import Environment, InterpreterError
from dashm.workspace.index import Invocation, Settings, SourceFile, Workspace
from dashm.workspace.layout import Location
from dashm.workspace.source import SourceProblem

__all__ = ["Environment", "InterpreterError", "Invocation", "Location", "Settings",
           "SourceFile", "SourceProblem", "Workspace"]

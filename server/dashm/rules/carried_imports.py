"""What a file's imports bring along: the absolute imports of the workspace modules it loads,
theirs in turn. A sys.path change serves those too: `helpers.py` beside a notebook imports
`pkg.core`, which only the notebook's `sys.path.append('../src')` makes importable, so the
change is not dead because the notebook itself never names `pkg`.

Also what no import statement shows: code loaded by name at run time (`importlib`,
`__import__`, unpickling, `%aimport`) may need the change; judged by statements alone, its
removal is never safe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from dashm.rules.context import FileContext
from dashm.workspace import SourceProblem
from dashm.workspace.facts import ImportFact
from dashm.workspace.paths import is_within

MAX_MODULES = 200  # files followed per question: a sys.path hack lives in a script, not a tree
LOADS_BY_NAME = re.compile(
    r"\b(?:import_module|__import__|find_spec|load_module|exec_module)\s*\(|"
    r"\b(?:pickle|cPickle|joblib|dill|cloudpickle|torch|pd|pandas)\.(?:load|loads|read_pickle)"
    r"\s*\(|\brunpy\.|# IPython: %(?:aimport|load)\b")


def import_names(fact: ImportFact) -> list[str]:
    if fact.is_from:
        return [fact.module] if fact.module else []
    return [alias.name for alias in fact.names]


def carried_imports(ctx: FileContext, search_paths: Sequence[tuple[Path, ...]]) -> list[str]:
    """The file's absolute imports, then those of the workspace modules they load under any
    of `search_paths` (the installed and standard-library ones are not followed)."""
    workspace = ctx.workspace
    env = workspace.environment
    names = _names(f for f in ctx.imports() if not f.level)
    seen = {ctx.path}
    queue = list(names)
    while queue and len(seen) < MAX_MODULES:
        name = queue.pop(0)
        for path in search_paths:
            found = workspace.folders.resolve(name, path, env.unshadowable)
            if found is None or found.path is None or found.path in seen or \
                    not is_within(found.path, workspace.folder) or env.is_site_path(found.path):
                continue
            seen.add(found.path)
            source = workspace.source(found.path)
            if isinstance(source, SourceProblem):
                continue
            for more in _names(f for f in source.facts.imports if not f.level):
                if more not in names:
                    names.append(more)
                    queue.append(more)
    return names


def loads_by_name(text: str) -> bool:
    return LOADS_BY_NAME.search(text) is not None


def _names(facts: Iterable[ImportFact]) -> list[str]:
    found: list[str] = []
    for fact in facts:
        for name in import_names(fact):
            if name not in found:
                found.append(name)
    return found

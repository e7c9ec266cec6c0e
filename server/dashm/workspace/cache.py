"""The on-disk facts cache: a file's facts, keyed by a hash of its text (not its path or mtime).

One pack file per workspace folder, facts format and Python version in the user's cache folder
(`$DASHM_CACHE_DIR`, else `$XDG_CACHE_HOME/dashm`, else `~/.cache/dashm`), never inside a
workspace: a cache a repository could ship would be a way to feed dashm crafted data.

- Robust to corruption: anything that cannot be read back is ignored (a cold run), and the
  unpickler only builds dashm's own fact classes and plain built-in values, so a tampered file
  cannot run code.
- Robust to concurrent runs: the pack is written to a temporary file in the same folder and
  renamed over the old one (atomic), so a reader sees either the old or the new pack; the last
  writer wins and nothing is ever half-written.
- Bounded: one pack per workspace folder, holding what the last run used plus at most as
  many older entries (and never more than MAX_ENTRIES).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
from pathlib import Path

from dashm.cachedir import cache_folder
from dashm.workspace.facts import FileFacts

FORMAT = 4  # bump when FileFacts or extraction changes
MAX_ENTRIES = 250_000
_ALLOWED_MODULES = frozenset({"dashm.workspace.facts", "dashm.findings"})
_ALLOWED_BUILTINS = frozenset({"frozenset", "set", "tuple", "list", "dict"})

_enabled = os.environ.get("DASHM_NO_CACHE", "") == ""
_shared: dict[str, FactsCache] = {}


def disable() -> None:
    """`--no-cache`: neither read nor write the cache in this process."""
    global _enabled
    _enabled = False
    _shared.clear()


def shared(folder: Path) -> FactsCache | None:
    """The facts cache of one workspace folder, loaded on first use; None when caching is off.
    One pack per folder, so a language server loads its own workspace's facts only."""
    if not _enabled:
        return None
    key = os.path.abspath(folder)
    found = _shared.get(key)
    if found is None:
        name = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
        found = _shared[key] = FactsCache(
            cache_folder() / f"facts-v{FORMAT}-py{sys.version_info[0]}{sys.version_info[1]}"
            f"-{name}.pickle")
    return found


def save_all() -> None:
    for store in list(_shared.values()):
        store.save()


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if module in _ALLOWED_MODULES or (module == "builtins" and name in _ALLOWED_BUILTINS):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a dashm cache")


class FactsCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._old: dict[bytes, FileFacts] | None = None
        self._used: dict[bytes, FileFacts] = {}
        self.dirty = False

    def _load(self) -> dict[bytes, FileFacts]:
        if self._old is None:
            self._old = {}
            try:
                with open(self.path, "rb") as handle:
                    data = _SafeUnpickler(io.BufferedReader(handle)).load()
                if isinstance(data, dict):
                    self._old = data
            except Exception:  # missing, truncated, tampered, another format: start cold
                self._old = {}
        return self._old

    def get(self, key: bytes) -> FileFacts | None:
        found = self._used.get(key)
        if found is None:
            found = self._load().get(key)
            if isinstance(found, FileFacts):
                self._used[key] = found
            else:
                found = None
        return found

    def put(self, key: bytes, facts: FileFacts) -> None:
        self._used[key] = facts
        self.dirty = True

    def save(self) -> None:
        """Write the pack (used entries first, then older ones up to the bound); never raise."""
        if not self.dirty:
            return
        # What this run used, plus older entries (other branches, recent versions) up to as
        # many again: a pack stays within twice its workspace, however long it lives.
        merged = dict(self._used)
        limit = min(MAX_ENTRIES, 2 * len(self._used) + 1000)
        for key, value in self._load().items():
            if len(merged) >= limit:
                break
            merged.setdefault(key, value)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".facts-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    pickle.dump(merged, handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
            self.dirty = False
        except OSError:
            pass  # a read-only home or a full disk: the next run is simply cold

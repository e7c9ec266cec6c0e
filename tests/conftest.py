"""Every test (and every dashm it starts) uses its own cache folder, never the user's; random
tests (hypothesis) are derandomized unless a fuzzing run asks otherwise."""

from __future__ import annotations

import os
import sys
import tempfile

import pytest
from hypothesis import settings

os.environ["DASHM_CACHE_DIR"] = tempfile.mkdtemp(prefix="dashm-test-cache-")
# dashm judges a workspace with the user's interpreter ($VIRTUAL_ENV first, then PATH): when the
# tests run in a virtual environment that is not activated, that is still the one meant.
if sys.prefix != sys.base_prefix:
    os.environ.setdefault("VIRTUAL_ENV", sys.prefix)

# "ci" (the default): the same examples on every run, so a stop is never blocked by an old bug
# found by chance. `DASHM_HYPOTHESIS_PROFILE=fuzz` explores new examples, many more of them.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("fuzz", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("DASHM_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="module")
def hook_dir(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A folder holding only the truth tests' sitecustomize.py (tests/test_modes_truth.HOOK),
    which records the file every imported module came from."""
    from tests.test_modes_truth import HOOK

    folder = tmp_path_factory.mktemp("hook")
    (folder / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    return folder

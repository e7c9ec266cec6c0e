"""Every test (and every dashm it starts) uses its own cache folder, never the user's."""

from __future__ import annotations

import os
import tempfile

os.environ["DASHM_CACHE_DIR"] = tempfile.mkdtemp(prefix="dashm-test-cache-")

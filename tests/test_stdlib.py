"""No finding on clean code: the interpreter's own standard library, judged in README.md."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

# (path under the stdlib, code): one-line judgement; README.md lists the same table.
JUDGED = {
    ("distutils/sysconfig.py", "DM104"): "fancy_getopt.py runs by path; sysconfig is imported",
    ("idlelib/idle.py", "DM103"): "a real sys.path hack for python idlelib/idle.py",
    ("lib2to3/tests/pytree_idempotency.py", "DM102"): "#! script with a relative import",
    ("lib2to3/tests/test_refactor.py", "DM103"): "module-level sys.path.append",
    # Only where `types` is not already imported at start-up (a plain venv): there
    # `python wsgiref/simple_server.py` really dies with a circular ImportError.
    ("wsgiref/types.py", "DM104"): "simple_server.py runs by path; types.py hides types",
    ("wsgiref/types.py", "DM105"): "run by path, it would import itself",
}


def test_standard_library_has_only_judged_findings(tmp_path: Path) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    done = subprocess.run([sys.executable, "-m", "dashm", "check", "--format", "json",
                           str(stdlib)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    findings = json.loads(done.stdout)
    seen = {((tmp_path / f["path"]).resolve().relative_to(stdlib.resolve()).as_posix(),
             f["code"]) for f in findings}
    assert seen - set(JUDGED) == set(), [f for f in findings if (f["path"], f["code"])]

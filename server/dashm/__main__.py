"""`python -m dashm`: the command line."""

import os
import sys

try:
    _cwd = os.getcwd()
except FileNotFoundError:  # deleted under a shell that is still in it
    sys.stderr.write("dashm: the current folder no longer exists; cd to one that does\n")
    raise SystemExit(2) from None

# `python -m dashm` puts the current folder first on sys.path, and the current folder is
# usually the workspace being analysed: a `json.py` or `tempfile.py` there would be imported,
# and run, the moment dashm imports that name. Drop it (unless dashm itself lives there).
if sys.path and sys.path[0] in ("", _cwd) and os.path.dirname(
        os.path.dirname(os.path.abspath(__file__))) != os.path.abspath(sys.path[0] or "."):
    del sys.path[0]

if sys.argv[1:2] == ["check"]:
    # A warm run prints the last output again before the rest of dashm is even imported.
    from dashm.batch.runcache import replay

    _code = replay(sys.argv[1:])
    if _code is not None:
        raise SystemExit(_code)

from dashm.cli import main  # noqa: E402

raise SystemExit(main())

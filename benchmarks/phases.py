"""`python -m benchmarks.phases FOLDER`: where a cold check's time goes, phase by phase.

Runs in one process, with the analysis core imported as the interpreter finds it, and prints
the seconds spent listing files, making facts and running the rules over FOLDER. It is for
comparing two versions of dashm on a noisy machine: run it alternately with each on
`PYTHONPATH` (`PYTHONPATH=/other/checkout/server python -m benchmarks.phases FOLDER`) and
compare run by run, since the host's speed drifts more between minutes than between
neighbouring runs. Facts are made by the worker pool as in `dashm check` unless
`DASHM_JOBS=1` keeps them in this process.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.phases",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)

    import dashm
    from dashm.batch.checker import iter_files
    from dashm.rules import check_source
    from dashm.workspace import SourceProblem, Workspace
    from dashm.workspace.prefetch import prefetch

    started = time.perf_counter()
    workspace = Workspace(args.folder)
    files = [item for _, item in iter_files([args.folder]) if isinstance(item, Path)]
    listed = time.perf_counter()
    prefetch([(workspace, path) for path in files], share=False)
    fetched = time.perf_counter()
    findings = 0
    for path in files:
        source = workspace.source(path)
        if not isinstance(source, SourceProblem):
            findings += len(check_source(workspace, source, hints=False))
    checked = time.perf_counter()
    print(f"dashm {Path(dashm.__file__).parent}: {len(files)} files, {findings} findings; "
          f"listing {listed - started:.2f} s, facts {fetched - listed:.2f} s, "
          f"rules {checked - fetched:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What this process looked at besides the files it analysed: folders listed, files read.

Import resolution (`finder.FolderCache`, `paths`) adds the folders it listed to LISTED; the
evidence search (`evidence`) adds the folders it listed and the files it read (README,
Makefile, CI workflows... which may sit above or beside the paths checked) to LISTED and READ.
The warm-run cache (`dashm.batch.runcache`) re-checks all of them before replaying a run.
"""

from __future__ import annotations

LISTED: set[str] = set()
READ: set[str] = set()

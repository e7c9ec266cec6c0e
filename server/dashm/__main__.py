"""`python -m dashm`: the command line."""

from dashm.cli import main

raise SystemExit(main())

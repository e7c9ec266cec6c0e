"""dashm: make Python projects run the way Python means them to, as modules.

The analysis core lives in `dashm.workspace` (what the files say and how they are laid out) and
`dashm.rules` (what is wrong with that). `dashm.batch` (`dashm check` over many files) and
`dashm.lsp` (the language server) present its results, and `dashm.cli` is the command line.
Imports go one way only, down those layers (tests/test_layers.py).
"""

__version__ = "0.1.0"

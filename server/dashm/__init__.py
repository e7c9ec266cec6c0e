"""dashm: make Python projects run the way Python means them to, as modules.

The analysis core lives in `dashm.workspace` (what the files say and how they are laid out) and
`dashm.rules` (what is wrong with that). `dashm.cli` and `dashm.lsp` only present its results.
"""

__version__ = "0.1.0"

"""The batch layer: `dashm check` over many files at once, beside the language server.

`checker` checks Python files and applies `--fix` in rounds, `entryfiles` does the same for
pyproject.toml, Makefiles and `.vscode` files, `results` is what a run produces, `report` turns
it into text, JSON, GitHub workflow commands or SARIF, and `runcache` replays an unchanged run.
It builds on the rules and the workspace model; the language server (`dashm.lsp`) is its
sibling, and neither imports the other (tests/test_layers.py).

Nothing is imported here: `python -m dashm check` imports `dashm.batch.runcache` before the
rest of dashm to replay a warm run, and that must stay cheap.
"""

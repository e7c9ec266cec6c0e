"""The language server: the only part of dashm that imports pygls and lsprotocol.

`server.py` holds the protocol glue; each feature lives in its own module and works on plain
core objects (`Workspace`, `Finding`), converting to lsprotocol types through `convert.py`.
"""

"""Benchmarks for dashm against ruff: cold and warm `check`, LSP edit latency and memory.

Run `python -m benchmarks --help`; figures and the machine they came from are in
`benchmarks/README.md`.
"""

"""Exports items as JSON text."""

import json  # meant: inventory/json.py, which only `python inventory/cli.py` finds


def export(items):
    return json.dump_items(items)

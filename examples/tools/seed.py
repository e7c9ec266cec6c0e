"""Prints a starting stock, using the package from the folder above."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from inventory.models import Item  # noqa: E402


def seed():
    return [Item("screws", 50)]


if __name__ == "__main__":
    for item in seed():
        print(item.name, item.quantity)

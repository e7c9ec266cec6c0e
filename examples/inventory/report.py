#!/usr/bin/env python3
"""A stock report; run on its own it prints the report."""

from .models import Item


def render(items):
    lines = [f"{item.name:<10}{item.quantity:>5}" for item in items]
    missing = [item.name for item in items if item.quantity == 0]
    if missing:
        lines.append("out of stock: " + ", ".join(missing))
    return "\n".join(lines)


if __name__ == "__main__":
    print(render([Item("sample", 1)]))

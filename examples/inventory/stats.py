"""Stock totals. Run it as a module: `python -m inventory.stats`."""

from inventory.models import Item


def total(items):
    return sum(item.quantity for item in items)


if __name__ == "__main__":
    print(total([Item("bolts", 120), Item("nuts", 80)]))

"""Where items live: a fixed shelf for the example."""

from models import Item  # a sibling import: only works when inventory/ is sys.path[0]


def load_items():
    return [Item("bolts", 120), Item("nuts", 80), Item("washers", 0)]

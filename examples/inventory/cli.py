"""The inventory command line: `inventory list` or `inventory export`."""

import sys

import storage
from exporter import export


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "list"
    items = storage.load_items()
    if command == "list":
        for item in items:
            print(f"{item.name}: {item.quantity}")
    elif command == "export":
        print(export(items))
    else:
        print(f"unknown command: {command}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

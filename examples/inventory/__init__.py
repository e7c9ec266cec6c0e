"""inventory: keeps track of what is on the shelves."""

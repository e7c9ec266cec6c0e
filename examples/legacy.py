"""An old entry script: its relative import fails however it is run."""

from .helpers import greet

if __name__ == "__main__":
    print(greet("inventory"))

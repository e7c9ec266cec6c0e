"""Small helpers for legacy.py."""


def greet(name):
    return f"hello, {name}"

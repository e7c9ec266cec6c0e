"""Path helpers the rules lean on for every file: the string shortcuts agree with pathlib."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from dashm.workspace.paths import absolute, is_within

# Few, short names: so that one path often lies within, beside or above another.
_PARTS = st.lists(st.sampled_from(["a", "ab", "b", ".", "..", "a.py"]), max_size=4)


def _path(parts: list[str], rooted: bool) -> Path:
    return Path("/" if rooted else ".", *parts)


@given(_PARTS, _PARTS, st.booleans(), st.booleans())
def test_is_within_agrees_with_relative_to(inner: list[str], outer: list[str],
                                           inner_rooted: bool, outer_rooted: bool) -> None:
    path, folder = _path(inner, inner_rooted), _path(outer, outer_rooted)
    try:
        path.relative_to(folder)
        expected = True
    except ValueError:
        expected = False
    assert is_within(path, folder) is expected


def test_a_sibling_with_a_longer_name_is_not_within() -> None:
    assert not is_within(Path("/work/app-old/x.py"), Path("/work/app"))
    assert is_within(Path("/work/app/x.py"), Path("/work/app"))
    assert is_within(Path("/x.py"), Path("/"))


@given(_PARTS, st.booleans())
def test_absolute_is_abspath(parts: list[str], rooted: bool) -> None:
    path = _path(parts, rooted)
    assert absolute(path) == Path(os.path.abspath(path))
    assert absolute(str(path)) == Path(os.path.abspath(path))


def test_absolute_keeps_a_path_that_already_is_absolute() -> None:
    path = Path("/work/app/x.py")
    assert absolute(path) is path
    assert absolute(Path("/work/app/../x.py")) == Path("/work/x.py")

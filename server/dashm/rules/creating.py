"""New files that fixes create (`__init__.py`, `__main__.py`), written the way the project
writes its files: the same line endings, a UTF-8 BOM if the neighbours have one, and their
coding cookie when the content allows it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
SAMPLE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Conventions:
    newline: str = "\n"
    bom: bool = False
    cookie: str | None = None  # the whole cookie line, without its line ending

    def render(self, text: str) -> str:
        """`text` (written with \\n) as a file of this project would be written."""
        if not text:
            return ""
        if self.cookie and text.isascii():
            text = self.cookie + "\n" + text
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return ("\ufeff" if self.bom else "") + text


def conventions_near(folder: Path, prefer: tuple[Path, ...] = ()) -> Conventions:
    """Conventions of the first readable Python file among `prefer`, then in `folder` (and its
    parent), else the defaults."""
    candidates = [*prefer]
    for place in (folder, folder.parent):
        try:
            candidates.extend(sorted(place.glob("*.py")))
        except OSError:
            continue
    for path in candidates:
        try:
            with open(path, "rb") as handle:
                data = handle.read(SAMPLE_BYTES)
        except OSError:
            continue
        if b"\n" not in data and b"\r" not in data:
            continue  # an empty or one-line file says nothing about line endings
        newline = "\r\n" if b"\r\n" in data else "\r" if b"\r" in data and b"\n" not in data \
            else "\n"
        bom = data.startswith(b"\xef\xbb\xbf")
        cookie = None
        for line in data.removeprefix(b"\xef\xbb\xbf").splitlines()[:2]:
            match = COOKIE.match(line)
            if match:
                cookie = line.decode("ascii", "replace").rstrip()
                break
            if not line.strip().startswith(b"#"):
                break
        return Conventions(newline, bom, cookie)
    return Conventions()

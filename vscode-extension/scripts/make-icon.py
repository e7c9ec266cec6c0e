"""Draws the extension's icon, images/icon.png (128x128): "-m" on a rounded blue square.

Standard library only (zlib + struct), supersampled 4x for smooth edges. Run it again after
changing the drawing: `python scripts/make-icon.py` (from vscode-extension/).
"""

import struct
import sys
import zlib
from pathlib import Path

SIZE = 128
SCALE = 4  # supersampling
BACKGROUND = (31, 64, 110)  # deep blue
FOREGROUND = (255, 212, 59)  # Python yellow
RADIUS = 24


def inside_background(x: float, y: float) -> bool:
    """The rounded square."""
    r = RADIUS
    cx = min(max(x, r), SIZE - r)
    cy = min(max(y, r), SIZE - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def inside_glyph(x: float, y: float) -> bool:
    """ "-m": a dash, then an m of three stems joined by two arches."""
    y += 9  # centre the glyph vertically
    stroke = 11
    # The dash, at the m's middle height.
    if 14 <= x <= 40 and 62 <= y <= 62 + stroke:
        return True
    top, bottom = 50, 96  # the m's x-height
    left, right = 48, 114
    if not (left <= x <= right and top <= y <= bottom):
        return False
    stems = (left, (left + right) / 2 - stroke / 2, right - stroke)
    if any(s <= x <= s + stroke for s in stems[:1]) and y >= top:
        return True
    # Two arches: half-rings from stem to stem, the lower parts straight stems.
    for a, b in ((stems[0], stems[1] + stroke), (stems[1], stems[2] + stroke)):
        cx = (a + b) / 2
        outer = (b - a) / 2
        inner = outer - stroke
        cy = top + outer
        if a <= x <= b:
            if y <= cy:
                d2 = (x - cx) ** 2 + (y - cy) ** 2
                if inner * inner <= d2 <= outer * outer:
                    return True
            elif x <= a + stroke or x >= b - stroke:
                return True
    return False


def pixel(px: int, py: int) -> tuple[int, int, int, int]:
    bg = fg = 0
    for sy in range(SCALE):
        for sx in range(SCALE):
            x = px + (sx + 0.5) / SCALE
            y = py + (sy + 0.5) / SCALE
            if inside_background(x, y):
                bg += 1
                if inside_glyph(x, y):
                    fg += 1
    n = SCALE * SCALE
    if bg == 0:
        return (0, 0, 0, 0)
    t = fg / bg
    rgb = tuple(round(b + (f - b) * t) for b, f in zip(BACKGROUND, FOREGROUND, strict=True))
    return (*rgb, round(255 * bg / n))


def png(rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main() -> None:
    rows = [b"".join(bytes(pixel(x, y)) for x in range(SIZE)) for y in range(SIZE)]
    out = Path(__file__).resolve().parent.parent / "images" / "icon.png"
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(png(rows))
    sys.stdout.write(f"wrote {out}\n")


if __name__ == "__main__":
    main()

"""Where values sit in a TOML file: the exact range of every string, by key path.

`tomllib` says what a file means but not where anything is. `locate_strings(text)` scans the text
once (tables, array-of-tables, dotted and quoted keys, inline tables, arrays over several lines,
basic, literal and multi-line strings, comments) and returns each string value with its full key
path and the range of its content (inside the quotes). It never raises: on text it cannot follow
it stops, and `toml_error(text)` says what `tomllib` thinks is wrong and where.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from dashm.findings import Position, Range
from dashm.workspace.facts import LineIndex

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

Key = tuple[str | int, ...]


@dataclass(frozen=True)
class TomlString:
    """A string value: `key` is the full path (table, keys, array indexes), `range` covers the
    characters between the quotes, `quoted` the whole literal with its quotes."""

    key: Key
    value: str
    range: Range
    quoted: Range


@dataclass(frozen=True)
class TomlError:
    message: str
    position: Position


_ERROR_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_ERROR_EOF = re.compile(r"\s*\(at end of document\)\s*$")
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\",
            "e": "\x1b"}


def toml_error(text: str) -> TomlError | None:
    """What `tomllib` finds wrong in `text` (0-based position), or None if it parses."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _ERROR_AT.search(message)
        if match:
            position = Position(int(match.group(1)) - 1, int(match.group(2)) - 1)
            message = message[: match.start()]
        else:
            index = LineIndex(text)
            last = len(index.lines) - 1
            position = Position(last, len(index.lines[last].rstrip("\r\n")))
            message = _ERROR_EOF.sub("", message)
        return TomlError(message, position)
    return None


def locate_strings(text: str) -> list[TomlString]:
    """Every string value of `text` with its key path, in order of appearance."""
    scanner = _Scanner(text)
    try:
        scanner.document()
    except _Stop:
        pass
    return scanner.found


class _Stop(Exception):
    pass


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.index = LineIndex(text)
        self.found: list[TomlString] = []
        self.arrays_of_tables: dict[Key, int] = {}

    # -- helpers ---------------------------------------------------------------------------
    def peek(self, size: int = 1) -> str:
        return self.text[self.at:self.at + size]

    def skip_blank(self, newlines: bool = False) -> None:
        while self.at < len(self.text):
            char = self.text[self.at]
            if char in " \t" or (newlines and char in "\r\n"):
                self.at += 1
            elif char == "#":
                while self.at < len(self.text) and self.text[self.at] not in "\r\n":
                    self.at += 1
            else:
                return

    def skip_line(self) -> None:
        while self.at < len(self.text) and self.text[self.at] not in "\r\n":
            self.at += 1

    def range(self, start: int, end: int) -> Range:
        return Range(self.index.position_at(start), self.index.position_at(end))

    # -- grammar ---------------------------------------------------------------------------
    def document(self) -> None:
        table: Key = ()
        while True:
            self.skip_blank(newlines=True)
            if self.at >= len(self.text):
                return
            if self.peek(2) == "[[":
                self.at += 2
                name = self.key_path("]")
                self.expect("]]")
                number = self.arrays_of_tables.get(name, -1) + 1
                self.arrays_of_tables[name] = number
                table = (*name, number)
            elif self.peek() == "[":
                self.at += 1
                table = self.key_path("]")
                self.expect("]")
            else:
                keys = self.key_path("=")
                self.expect("=")
                self.value((*table, *keys))
            self.skip_blank()
            if self.at < len(self.text) and self.text[self.at] not in "\r\n":
                self.skip_line()  # tolerate junk after a value; tomllib reports it

    def expect(self, token: str) -> None:
        self.skip_blank()
        if not self.text.startswith(token, self.at):
            raise _Stop
        self.at += len(token)

    def key_path(self, end: str) -> tuple[str, ...]:
        parts: list[str] = []
        while True:
            self.skip_blank()
            char = self.peek()
            if char == '"':
                parts.append(self.basic_string()[0])
            elif char == "'":
                parts.append(self.literal_string()[0])
            else:
                match = _BARE.match(self.text, self.at)
                if not match:
                    raise _Stop
                parts.append(match.group())
                self.at = match.end()
            self.skip_blank()
            if self.peek() == ".":
                self.at += 1
                continue
            if self.peek() == end or (end == "]" and self.peek() == "]"):
                return tuple(parts)
            raise _Stop

    def value(self, key: Key) -> None:
        self.skip_blank()
        start = self.at
        char = self.peek()
        if self.peek(3) in ('"""', "'''"):
            value, content_start, content_end = self.multiline_string()
            self.record(key, value, start, content_start, content_end)
        elif char == '"':
            value, content_start, content_end = self.basic_string()
            self.record(key, value, start, content_start, content_end)
        elif char == "'":
            value, content_start, content_end = self.literal_string()
            self.record(key, value, start, content_start, content_end)
        elif char == "{":
            self.inline_table(key)
        elif char == "[":
            self.array(key)
        else:  # numbers, booleans, dates: up to the next delimiter
            while self.at < len(self.text) and self.text[self.at] not in ",]}#\r\n":
                self.at += 1
            if self.at == start:
                raise _Stop

    def record(self, key: Key, value: str, start: int, content_start: int,
               content_end: int) -> None:
        self.found.append(TomlString(key, value, self.range(content_start, content_end),
                                     self.range(start, self.at)))

    def inline_table(self, key: Key) -> None:
        self.at += 1  # {
        while True:
            self.skip_blank(newlines=True)  # newlines are invalid TOML 1.0 but harmless here
            if self.peek() == "}":
                self.at += 1
                return
            keys = self.key_path("=")
            self.expect("=")
            self.value((*key, *keys))
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.at += 1
            elif self.peek() != "}":
                raise _Stop

    def array(self, key: Key) -> None:
        self.at += 1  # [
        number = 0
        while True:
            self.skip_blank(newlines=True)
            if self.peek() == "]":
                self.at += 1
                return
            if self.at >= len(self.text):
                raise _Stop
            self.value((*key, number))
            number += 1
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.at += 1
            elif self.peek() != "]":
                raise _Stop

    def basic_string(self) -> tuple[str, int, int]:
        self.at += 1
        content_start = self.at
        out: list[str] = []
        while True:
            if self.at >= len(self.text) or self.text[self.at] in "\r\n":
                raise _Stop
            char = self.text[self.at]
            if char == '"':
                content_end = self.at
                self.at += 1
                return "".join(out), content_start, content_end
            if char == "\\":
                out.append(self.escape())
                continue
            out.append(char)
            self.at += 1

    def escape(self) -> str:
        code = self.text[self.at + 1:self.at + 2]
        if code in _ESCAPES:
            self.at += 2
            return _ESCAPES[code]
        if code in ("u", "U"):
            size = 4 if code == "u" else 8
            digits = self.text[self.at + 2:self.at + 2 + size]
            self.at += 2 + size
            try:
                return chr(int(digits, 16))
            except ValueError:
                raise _Stop from None
        raise _Stop

    def literal_string(self) -> tuple[str, int, int]:
        self.at += 1
        content_start = self.at
        end = self.text.find("'", self.at)
        newline = min((i for i in (self.text.find("\n", self.at), self.text.find("\r", self.at))
                       if i >= 0), default=-1)
        if end < 0 or (0 <= newline < end):
            raise _Stop
        self.at = end + 1
        return self.text[content_start:end], content_start, end

    def multiline_string(self) -> tuple[str, int, int]:
        quote = self.peek(3)
        self.at += 3
        content_start = self.at
        end = self.text.find(quote, self.at)
        if end < 0:
            raise _Stop
        while self.text.startswith(quote[0], end + 3):  # up to two quotes end the content
            end += 1
        self.at = end + 3
        raw = self.text[content_start:end]
        value = raw[1:] if raw.startswith("\n") else raw[2:] if raw.startswith("\r\n") else raw
        if quote == '"""':
            value = re.sub(r"\\\s*\n\s*", "", value)
            value = re.sub(r'\\([btnfr"\\e])', lambda m: _ESCAPES[m.group(1)], value)
        return value, content_start, end

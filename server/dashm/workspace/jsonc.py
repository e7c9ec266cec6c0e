"""JSON with comments (VS Code's `launch.json`, `tasks.json`), parsed with exact offsets.

`parse_jsonc(text)` returns a tree of nodes that remember where they are (offsets into `text`),
so a fix can replace one key or one value and leave every comment, blank and comma as it was.
It accepts `//` and `/* */` comments and trailing commas, as VS Code does, and raises
`JsoncError` (with the offset) on anything else that is not JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field


class JsoncError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass
class Node:
    start: int
    end: int
    # "object" | "array" | "string" | "number" | "true" | "false" | "null"
    kind: str
    value: object = None
    members: list[Member] = field(default_factory=list)  # objects
    items: list[Node] = field(default_factory=list)  # arrays

    def get(self, key: str) -> Member | None:
        """The last member named `key` (JSON's duplicate keys: the last wins)."""
        found = None
        for member in self.members:
            if member.key == key:
                found = member
        return found

    def string(self, key: str) -> str | None:
        member = self.get(key)
        if member is not None and member.value.kind == "string":
            return str(member.value.value)
        return None


@dataclass
class Member:
    key: str
    key_node: Node
    value: Node


def parse_jsonc(text: str) -> Node:
    parser = _Parser(text)
    parser.blank()
    node = parser.value()
    parser.blank()
    if parser.at != len(text):
        raise JsoncError("unexpected text after the value", parser.at)
    return node


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def blank(self) -> None:
        text = self.text
        while self.at < len(text):
            char = text[self.at]
            if char in " \t\r\n\ufeff":
                self.at += 1
            elif text.startswith("//", self.at):
                end = min((i for i in (text.find("\n", self.at), text.find("\r", self.at))
                           if i >= 0), default=len(text))
                self.at = end
            elif text.startswith("/*", self.at):
                end = text.find("*/", self.at + 2)
                if end < 0:
                    raise JsoncError("unterminated comment", self.at)
                self.at = end + 2
            else:
                return

    def value(self) -> Node:
        if self.at >= len(self.text):
            raise JsoncError("unexpected end of text", self.at)
        char = self.text[self.at]
        if char == "{":
            return self.object()
        if char == "[":
            return self.array()
        if char == '"':
            return self.string()
        for word in ("true", "false", "null"):
            if self.text.startswith(word, self.at):
                start = self.at
                self.at += len(word)
                return Node(start, self.at, word, {"true": True, "false": False}.get(word))
        start = self.at
        while self.at < len(self.text) and self.text[self.at] in "+-0123456789.eE":
            self.at += 1
        if self.at == start:
            raise JsoncError(f"unexpected {char!r}", start)
        try:
            number = json.loads(self.text[start:self.at])
        except ValueError:
            raise JsoncError("not a number", start) from None
        return Node(start, self.at, "number", number)

    def string(self) -> Node:
        start = self.at
        self.at += 1
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "\\":
                self.at += 2
            elif char == '"':
                self.at += 1
                try:
                    value = json.loads(self.text[start:self.at])
                except ValueError:
                    raise JsoncError("bad string", start) from None
                return Node(start, self.at, "string", value)
            elif char in "\r\n":
                break
            else:
                self.at += 1
        raise JsoncError("unterminated string", start)

    def object(self) -> Node:
        node = Node(self.at, self.at, "object")
        self.at += 1
        while True:
            self.blank()
            if self.text.startswith("}", self.at):
                self.at += 1
                node.end = self.at
                return node
            if not self.text.startswith('"', self.at):
                raise JsoncError("expected a quoted key", self.at)
            key = self.string()
            self.blank()
            if not self.text.startswith(":", self.at):
                raise JsoncError("expected ':'", self.at)
            self.at += 1
            self.blank()
            node.members.append(Member(str(key.value), key, self.value()))
            self.blank()
            if self.text.startswith(",", self.at):
                self.at += 1
            elif not self.text.startswith("}", self.at):
                raise JsoncError("expected ',' or '}'", self.at)

    def array(self) -> Node:
        node = Node(self.at, self.at, "array")
        self.at += 1
        while True:
            self.blank()
            if self.text.startswith("]", self.at):
                self.at += 1
                node.end = self.at
                return node
            node.items.append(self.value())
            self.blank()
            if self.text.startswith(",", self.at):
                self.at += 1
            elif not self.text.startswith("]", self.at):
                raise JsoncError("expected ',' or ']'", self.at)

"""JSON with source positions: a tree of spans over the original text, so edits can be spliced in.

Only structure is parsed in Python; strings and numbers go through the json module's C scanner.
"""

from __future__ import annotations

import gc
import json
import json.decoder
import json.scanner
import re
from dataclasses import dataclass, field
from typing import Any

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_SCAN = json.scanner.make_scanner(_DECODER)


class SpanError(ValueError):
    """Text that is not the JSON this module accepts; ``pos`` is an offset into the text."""

    def __init__(self, message: str, text: str, pos: int) -> None:
        self.line, self.column = line_col(text, pos)
        super().__init__(f"{message} at line {self.line} column {self.column}")
        self.message = message
        self.pos = pos


def line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of offset ``pos``."""
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


class Node:
    """A JSON value at text[start:end]. ``members`` is set for objects, ``items`` for arrays.

    A *lazy* node (deep values when parsing with ``lazy_depth``) knows only its span: the C scanner
    skipped over it, and its members are parsed the first time someone asks for them.
    """

    __slots__ = ("start", "end", "kind", "_members", "_items", "_value", "_src")

    def __init__(self, start: int, end: int, kind: str, members: list["Member"] | None = None,
                 items: list["Node"] | None = None, value: Any = None, src: str | None = None) -> None:
        self.start, self.end, self.kind = start, end, kind  # kind: "object", "array" or "scalar"
        self._members, self._items, self._value, self._src = members, items, value, src

    def _materialise(self) -> None:
        node = _value(self._src, self.start, 0, None)
        self._members, self._items, self._src = node._members, node._items, None

    @property
    def members(self) -> list["Member"] | None:
        """Members of an object node (parsed now if the node is lazy)."""
        if self._src is not None:
            self._materialise()
        return self._members

    @property
    def items(self) -> list["Node"] | None:
        """Items of an array node (parsed now if the node is lazy)."""
        if self._src is not None:
            self._materialise()
        return self._items

    def value(self, text: str) -> Any:
        """The Python value of this node (dicts keep key order); a fresh copy on every call."""
        if self._src is not None:
            return _SCAN(text, self.start)[0]
        if self.kind == "object":
            return {m.key: m.value.value(text) for m in self._members}
        if self.kind == "array":
            return [n.value(text) for n in self._items]
        return self._value

    def member(self, key: str) -> "Member | None":
        """The member named ``key`` of an object node, or None."""
        for m in self.members or ():
            if m.key == key:
                return m
        return None

    def is_inline(self, text: str) -> bool:
        """True when the whole object/array sits on one line, like ``{"a": 1}``."""
        return "\n" not in text[self.start : self.end]


@dataclass(slots=True)
class Member:
    """``"key": value`` inside an object; ``key_start`` is the offset of the opening quote."""

    key: str
    key_start: int
    value: Node = field(repr=False)


def parse(text: str, lazy_depth: int | None = None) -> Node:
    """Parse a whole document into spans; duplicate keys raise SpanError with their position.

    With ``lazy_depth``, objects and arrays that deep (the root is depth 0) are skipped by the C
    scanner and parsed on first use: duplicate keys inside them are then only found at that point,
    so callers check the document for duplicates another way first (see registry.parse_text).
    """
    # Hundreds of thousands of small nodes: the cyclic GC would rescan them over and over.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        pos = _WS.match(text, 0).end()
        node = _value(text, pos, 0, lazy_depth)
        end = _WS.match(text, node.end).end()
    finally:
        if was_enabled:
            gc.enable()
    if end != len(text):
        raise SpanError("extra data after the document", text, end)
    return node


def _value(text: str, pos: int, depth: int, lazy: int | None) -> Node:
    ch = text[pos : pos + 1]
    if ch == "{" or ch == "[":
        if lazy is not None and depth >= lazy:
            try:
                _, end = _SCAN(text, pos)
            except json.JSONDecodeError as exc:
                raise SpanError(exc.msg, text, exc.pos) from None
            return Node(pos, end, "object" if ch == "{" else "array", src=text)
        return _object(text, pos, depth, lazy) if ch == "{" else _array(text, pos, depth, lazy)
    try:
        value, end = _SCAN(text, pos)
    except StopIteration:
        raise SpanError("expected a value", text, pos) from None
    except json.JSONDecodeError as exc:
        raise SpanError(exc.msg, text, exc.pos) from None
    return Node(pos, end, "scalar", value=value)


# whitespace, a key without escapes, whitespace, colon, whitespace: the common case in one match
_KEY = re.compile(r'[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_SEP = re.compile(r"[ \t\n\r]*([,}\]]?)")


def _object(text: str, start: int, depth: int, lazy: int | None) -> Node:
    members: list[Member] = []
    seen: set[str] = set()
    pos = _WS.match(text, start + 1).end()
    if text[pos : pos + 1] == "}":
        return Node(start, pos + 1, "object", members=members)
    key_match, sep_match, value_of = _KEY.match, _SEP.match, _value
    while True:
        m = key_match(text, pos)
        if m is not None:
            key, key_start, pos = m.group(1), m.start(1) - 1, m.end()
        else:
            pos = _WS.match(text, pos).end()
            if text[pos : pos + 1] != '"':
                raise SpanError("expected a key in double quotes", text, pos)
            key_start = pos
            try:
                key, pos = json.decoder.scanstring(text, pos + 1)
            except json.JSONDecodeError as exc:
                raise SpanError(exc.msg, text, exc.pos) from None
            c = _COLON.match(text, pos)
            if ":" not in c.group():
                raise SpanError("expected ':'", text, pos)
            pos = c.end()
        if key in seen:
            raise SpanError(f"duplicate key {key!r}", text, key_start)
        seen.add(key)
        node = value_of(text, pos, depth + 1, lazy)
        members.append(Member(key, key_start, node))
        s = sep_match(text, node.end)
        ch = s.group(1)
        if ch == "}":
            return Node(start, s.end(), "object", members=members)
        if ch != ",":
            raise SpanError("expected ',' or '}'", text, s.end())
        pos = s.end()


def _array(text: str, start: int, depth: int, lazy: int | None) -> Node:
    items: list[Node] = []
    pos = _WS.match(text, start + 1).end()
    if text[pos : pos + 1] == "]":
        return Node(start, pos + 1, "array", items=items)
    while True:
        node = _value(text, _WS.match(text, pos).end(), depth + 1, lazy)
        items.append(node)
        s = _SEP.match(text, node.end)
        ch = s.group(1)
        if ch == "]":
            return Node(start, s.end(), "array", items=items)
        if ch != ",":
            raise SpanError("expected ',' or ']'", text, s.end())
        pos = s.end()


# -- splicing ---------------------------------------------------------------------------------

def indent_of(text: str, pos: int) -> str:
    """The leading whitespace of the line holding offset ``pos``."""
    line_start = text.rfind("\n", 0, pos) + 1
    return _WS.match(text, line_start).group().replace("\n", "").replace("\r", "")


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text[:4096] else "\n"


def dump_value(value: Any, indent: str, step: str = "    ", nl: str = "\n") -> str:
    """``value`` as JSON in the file's style: ``step`` per level, continuation lines start with ``indent``."""
    out = json.dumps(value, indent=step, ensure_ascii=False, allow_nan=False)
    if "\n" not in out:
        return out
    return out.replace("\n", nl + indent)


def step_of(text: str) -> str:
    """The indentation unit of the document (4 spaces unless the file uses something else)."""
    m = re.search(r"\n([ \t]+)\S", text)
    return m.group(1) if m else "    "


def replace_value(text: str, node: Node, value: Any) -> str:
    """Text with ``node`` replaced by ``value`` (formatted to sit at the node's indentation)."""
    rendered = dump_value(value, indent_of(text, node.start), step_of(text), _newline(text))
    return text[: node.start] + rendered + text[node.end :]


def insert_member(text: str, obj: Node, key: str, value: Any, after: str | None = None, first: bool = False) -> str:
    """Text with ``"key": value`` added to object ``obj``: first, after member ``after`` if present, else last."""
    step, nl = step_of(text), _newline(text)
    k = json.dumps(key, ensure_ascii=False)
    if first and obj.members:
        head = obj.members[0]
        if obj.is_inline(text):
            return text[: head.key_start] + f"{k}: {json.dumps(value, ensure_ascii=False, allow_nan=False)}, " \
                + text[head.key_start :]
        ind = indent_of(text, head.key_start)
        return text[: head.key_start] + f"{k}: {dump_value(value, ind, step, nl)},{nl}{ind}" + text[head.key_start :]
    anchor = obj.member(after) if after else None
    last = anchor or (obj.members[-1] if obj.members else None)
    if obj.members and obj.is_inline(text):
        # An inline object stays inline: one line changes, not the layout around it.
        body = json.dumps(value, ensure_ascii=False, allow_nan=False)
        return text[: last.value.end] + f", {k}: {body}" + text[last.value.end :]
    if last is not None:
        ind = indent_of(text, last.key_start)
        body = dump_value(value, ind, step, nl)
        return text[: last.value.end] + f",{nl}{ind}{k}: {body}" + text[last.value.end :]
    outer = indent_of(text, obj.start)
    ind = outer + step
    body = dump_value(value, ind, step, nl)
    return text[: obj.start] + "{" + f"{nl}{ind}{k}: {body}{nl}{outer}" + "}" + text[obj.end :]


def remove_member(text: str, obj: Node, key: str) -> str:
    """Text with member ``key`` (and one separating comma) removed from ``obj``."""
    idx = next(i for i, m in enumerate(obj.members) if m.key == key)
    m = obj.members[idx]
    if len(obj.members) == 1:
        return text[: obj.start] + "{}" + text[obj.end :]
    if idx > 0:
        # Drop ",<ws>"key": value" after the previous member so the next line keeps its layout.
        prev = obj.members[idx - 1]
        return text[: prev.value.end] + text[m.value.end :]
    nxt = obj.members[1]
    return text[: m.key_start] + text[nxt.key_start :]

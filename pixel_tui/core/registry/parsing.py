"""Registry text to a span tree: syntax errors and duplicate keys become RegistryParseError with line and column."""

from __future__ import annotations

import json
from typing import Any

from pixel_tui.core.errors import PixelError
from pixel_tui.core.registry import jsonspan


class RegistryParseError(PixelError):
    """The registry is not valid JSON (or has duplicate keys); names line and column. Never written."""

    exit_code = 2

    def __init__(self, location: str, message: str, line: int, column: int) -> None:
        super().__init__(f"{location}: line {line} column {column}: {message}",
                         "fix the file by hand (pixel-tui never overwrites a file it cannot parse)")
        self.line, self.column = line, column


class _Duplicate(Exception):
    pass


def _no_duplicates(pairs: list) -> dict:
    d = dict(pairs)
    if len(d) != len(pairs):
        raise _Duplicate
    return d


# Entries (datasets/<group>/<name>) sit at depth 3: the span parser skips inside them with the C
# scanner and parses one only when it is edited, so loading costs little more than json.loads.
LAZY_DEPTH = 3


def parse_text(text: str, location: str = "<registry>") -> jsonspan.Node:
    """Parse registry text, turning any syntax error or duplicate key into RegistryParseError."""
    lazy: int | None = LAZY_DEPTH
    try:
        # The C parser gives precise messages for syntax errors and finds duplicates cheaply.
        json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise RegistryParseError(location, exc.msg, exc.lineno, exc.colno) from None
    except RecursionError:
        raise RegistryParseError(location, "nested too deeply", 1, 1) from None
    except _Duplicate:
        lazy = None  # parse everything eagerly: the span parser reports where the duplicate is
    try:
        root = jsonspan.parse(text, lazy_depth=lazy)
    except jsonspan.SpanError as exc:
        raise RegistryParseError(location, exc.message, exc.line, exc.column) from None
    if root.kind != "object":
        raise RegistryParseError(location, "the registry must be a JSON object", *jsonspan.line_col(text, root.start))
    return root


def decode(data: bytes, location: str) -> str:
    """Bytes to text; invalid UTF-8 is a parse error with its position."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = jsonspan.line_col(data[: exc.start].decode("utf-8", "replace"), exc.start)
        raise RegistryParseError(location, f"not UTF-8 ({exc.reason})", line, col) from None


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON text: json.dumps tells 20 from 20.0 and 1 from true, which == does not."""
    return json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)

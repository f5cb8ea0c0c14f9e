"""A log read by byte offsets, for the log pane: any size opens at once (nothing is indexed or
loaded whole); search and the errors-only filter scan forward in chunks with C-speed regexes."""

from __future__ import annotations

import os
import re
from typing import Callable

CHUNK = 1024 * 1024
MAX_LINE = 4096  # a longer line is shown cut (the pane is one row per line)
ERROR_WORD = re.compile(rb'ERROR|CRITICAL|"level":"(?:error|critical)"')


def size(path: str) -> int:
    """The log's size now."""
    return os.stat(path).st_size


def read_lines(path: str, offset: int, count: int) -> list[tuple[int, str]]:
    """Up to ``count`` lines from the line starting at ``offset``: (offset, text) each."""
    out: list[tuple[int, str]] = []
    with open(path, "rb") as fp:
        fp.seek(offset)
        pos = offset
        while len(out) < count:
            raw = fp.readline(MAX_LINE)
            if not raw:
                break
            if not raw.endswith(b"\n"):  # cut: skip the rest of this long line
                rest = fp.readline()
                while rest and not rest.endswith(b"\n"):
                    rest = fp.readline()
                nxt = fp.tell()
            else:
                nxt = pos + len(raw)
            out.append((pos, raw.rstrip(b"\r\n").decode("utf-8", "replace")))
            pos = nxt
            fp.seek(pos)
    return out


def line_start(path: str, offset: int) -> int:
    """The start of the line holding ``offset`` (0 at the top)."""
    if offset <= 0:
        return 0
    with open(path, "rb") as fp:
        pos = offset
        while pos > 0:
            start = max(0, pos - 64 * 1024)
            fp.seek(start)
            data = fp.read(pos - start)
            nl = data.rfind(b"\n")
            if nl >= 0:
                return start + nl + 1
            pos = start
    return 0


def back_lines(path: str, offset: int, count: int) -> int:
    """The offset of the line ``count`` lines above the one starting at ``offset``."""
    for _ in range(count):
        if offset <= 0:
            return 0
        offset = line_start(path, offset - 1)
    return offset


def last_page(path: str, rows: int) -> int:
    """The offset of the first line of the last ``rows`` lines."""
    end = size(path)
    return back_lines(path, line_start(path, end - 1) if end else 0, rows - 1) if end else 0


def search(path: str, text: str, start: int, cancelled: Callable[[], bool] = lambda: False,
           backwards: bool = False) -> int | None:
    """The offset of the first line after (or before) ``start`` containing ``text`` (any case); None if none."""
    pattern = re.compile(re.escape(text.encode()), re.IGNORECASE)
    with open(path, "rb") as fp:
        if backwards:
            pos = start
            while pos > 0 and not cancelled():
                lo = max(0, pos - CHUNK)
                fp.seek(lo)
                data = fp.read(pos - lo + len(text))
                hits = [m.start() for m in pattern.finditer(data) if lo + m.start() < start]
                if hits:
                    return line_start(path, lo + hits[-1])
                pos = lo
            return None
        pos = start
        fp.seek(pos)
        while not cancelled():
            data = fp.read(CHUNK + len(text))
            if not data:
                return None
            m = pattern.search(data)
            if m:
                return line_start(path, pos + m.start())
            pos += max(1, len(data) - len(text))
            fp.seek(pos)
    return None


def error_offsets(path: str, cancelled: Callable[[], bool] = lambda: False, limit: int = 200_000,
                  progress: Callable[[list[int]], None] | None = None) -> list[int]:
    """Offsets of every error line (ERROR, CRITICAL, JSON error levels), oldest first, up to ``limit``."""
    found: list[int] = []
    with open(path, "rb") as fp:
        pos = 0
        carry = b""
        while not cancelled() and len(found) < limit:
            data = fp.read(CHUNK)
            if not data:
                break
            block = carry + data
            cut = block.rfind(b"\n") + 1 if len(data) == CHUNK else len(block)
            base = pos - len(carry)
            last = -1
            for m in ERROR_WORD.finditer(block, 0, cut):
                ls = block.rfind(b"\n", 0, m.start()) + 1
                if ls != last:
                    found.append(base + ls)
                    last = ls
            carry = block[cut:]
            pos += len(data)
            if progress:
                progress(list(found))
    return found[:limit]

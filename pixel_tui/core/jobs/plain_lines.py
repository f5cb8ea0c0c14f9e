"""The bulk reader of plain lines (most of a -vv log), a mixin of LogParser (parse.py).

A -vv log is mostly DEBUG lines that only count and move the clock, and INFO lines that count a copy.
Reading those one at a time through the full line parser held it at 1-30 MB/s; here a second of log is
checked and counted with a few C calls (bytes.count, find, one regex), so a piece of log costs a few
passes over its bytes. Anything a plain line could also mean is found first (_HINTS, one search per
piece) and left to the full parser, which tests/unit/test_logparse_plain_lines.py holds it equal to.
"""

from __future__ import annotations

import re

from pixel_tui.core.jobs.log_records import (
    _FATAL_BLOCK,
    _HINTS,
    _MAX_LINE,
    _MAX_SINCE,
    _NOT_PLAIN_BODY,
    _PLAIN_DEBUG_STAMP,
)
from pixel_tui.core.jobs.log_units import parse_duration

_SPACES = (b" ", b"\t", b"\x0b", b"\x0c")  # a DEBUG message may start so and be blank: a block's header
# An INFO line (of a second's stretch, all lines plain DEBUG or INFO) that is not a copy: one search a
# stretch instead of a look at each INFO line.
_NOT_COPY = re.compile(rb" INFO  : (?![^\n]*?: Copied \()")


def hint_starts(head: bytes) -> list[int]:
    """Where the lines of ``head`` that hold one of _HINTS start, in order, then a stop past the end.

    A few C searches over the whole piece (rare hits), so the plain lines between need no search each.
    """
    found = set()
    for hint in _HINTS:
        at = head.find(hint)
        while at >= 0:
            found.add(head.rfind(b"\n", 0, at) + 1)
            at = head.find(hint, at + len(hint))
    return [*sorted(found), len(head) + 1]


class PlainLines:
    """Bulk reading for LogParser; uses its ``_f`` (facts), ``_since``, ``_when`` and ``_end_block``."""

    def _take_plain(self, head: bytes, p: int, q: int) -> int:
        """Take the plain lines of ``head`` from ``p`` (a line start, before ``q``); return the first other.

        Plain: the default layout's stamp, then a DEBUG line with a message or an INFO "Copied (" line,
        in a stretch with none of _HINTS (the few other things such a line can say). For them _line
        would only count, move the clock and (Copied) count a copy. A second of log at a time is checked
        with a few C calls (every line this stamp's DEBUG or INFO, no INFO line but copies); a second
        that does not add up is taken line by line (_take_lines).
        """
        f = self._f
        start = p
        while p < q:
            stamp = self._debug_stamp
            if not stamp or not head.startswith(stamp, p):
                if p > start and self._debug_when is not None:
                    f["last_line_at"] = self._debug_when  # the clock so far, should the next stamp read as none
                if not self._new_stamp(head, p):
                    break
                stamp = self._debug_stamp
            debug, info = self._tags
            # This stamp's stretch: up to the end of the last line before q that starts with it, or to a
            # stats block's header (an empty message at this stamp; the block follows it) if one comes first.
            last = head.rfind(b"\n" + stamp, p, q - 1 + len(stamp))
            r = head.find(b"\n", max(last + 1, p)) + 1
            for header in self._headers:
                if head.startswith(header[1:], p):
                    return self._took(p, start)
                at = head.find(header, p, r)
                if at >= 0:
                    r = at + 1
            lines = head.count(b"\n", p, r)
            infos = head.startswith(info, p) + head.count(b"\n" + info, p, r)
            if head.startswith(debug, p) + head.count(b"\n" + debug, p, r) + infos != lines \
                    or infos and _NOT_COPY.search(head, p, r) is not None \
                    or any(head.find(debug + space, p, r) >= 0 for space in _SPACES):
                p = self._take_lines(head, p, r)
                if p < r:
                    break
                continue
            f["lines"] += lines
            f["rclone_lines"] += lines
            if infos:
                f["copied"] += infos
                self._since_copies(infos)
            p = r
        return self._took(p, start)

    def _took(self, p: int, start: int) -> int:
        """The clock after plain lines were taken from ``start`` to ``p``; returns ``p``."""
        if p > start:
            if self._debug_when is not None:
                self._f["last_line_at"] = self._debug_when
            self._last_stamp = self._debug_text
        return p

    def _since_copies(self, n: int) -> None:
        """Record ``n`` copies at the current stamp, trimmed exactly as ``n`` calls of _since would."""
        since = self._since_block
        limit = 2 * _MAX_SINCE
        event = self._copied_event
        while n:
            room = limit - len(since)
            if room > 0:
                take = min(room, n)
                since.extend((event,) * take)
                n -= take
            else:
                self._since(event)
                since = self._since_block
                n -= 1

    def _take_lines(self, head: bytes, p: int, r: int) -> int:
        """The plain lines of head[p:r] one by one (a second whose counts did not add up); the first other."""
        f = self._f
        debug, info = self._tags
        k = len(debug)
        while p < r:
            e = head.find(b"\n", p)
            if head.startswith(debug, p):
                # (a DEBUG line longer than _MAX_LINE reads the same cut: it only counts)
                if head[p + k:p + k + 1] <= b" " and head[p + k:e].isspace() or e == p + k:
                    break
            elif head.startswith(info, p):
                if e - p > _MAX_LINE or head.find(b": Copied (", p + k, e) < 0:
                    break
                f["copied"] += 1
                self._since_copies(1)
            else:
                break
            f["lines"] += 1
            f["rclone_lines"] += 1
            p = e + 1
        return p

    def _new_stamp(self, head: bytes, p: int) -> bool:
        """A plain line's stamp changed (once a second): read it. False: not the default layout."""
        cut = head.find(b" DEBUG : ", p + 19, p + 40)
        if cut < 0:
            cut = head.find(b" INFO  : ", p + 19, p + 40)
            if cut < 0:
                return False
        stamp = head[p:cut]
        m = _PLAIN_DEBUG_STAMP.fullmatch(stamp)
        if m is None:
            return False
        self._debug_stamp = stamp
        self._tags = (stamp + b" DEBUG : ", stamp + b" INFO  : ")
        self._headers = tuple(b"\n" + tag + b"\n" for tag in self._tags)
        self._debug_when = self._when(m[1].decode(), m[2].decode())
        self._debug_text = self._last_stamp
        self._copied_event = ("copied", self._debug_when, None)
        return True

    def _blank_line(self, head: bytes, start: int, end: int) -> int:
        """``head.find(b"\\n\\n", start, end)``, remembering the last search over this ``head``.

        Why: -P output has no blank line between blocks, so every block's look ran to its bound (a
        longer body is not taken whole anyway): 64 KiB per block, quadratic in a piece's blocks, and
        -P logs read at 9.5 MB/s. Searches from later blocks reuse what the last one saw.
        """
        memo_head, memo_start, memo_end, memo_at = self._blank_memo
        if memo_head is head and start >= memo_start:
            if memo_at >= 0:
                if memo_at >= start:  # the first one at or after memo_start, so after start too
                    return memo_at if memo_at + 2 <= end else -1
            elif end <= memo_end:
                return -1  # none in [memo_start, memo_end), which holds [start, end)
            else:  # none before memo_end: a pair may only straddle it or lie beyond
                at = head.find(b"\n\n", max(start, memo_end - 1), end)
                self._blank_memo = (head, start, end, at)
                return at
        at = head.find(b"\n\n", start, end)
        self._blank_memo = (head, start, end, at)
        return at

    def _take_block(self, head: bytes, p: int, n: int, block: list[str]) -> int:
        """A block began on the line before ``p``: take its body whole when it is plain (C-speed checks).

        Exactly what line-by-line parsing would do, minus a Python call per line; anything unusual
        (a log line inside, odd bytes, no blank line yet) is left to the line-by-line path.
        """
        at = self._blank_line(head, p - 1, min(n, p + _MAX_LINE + 2))
        if at < 0:
            return p
        body = head[p:at] if at >= p else b""
        if len(body) > _MAX_LINE or _NOT_PLAIN_BODY.search(b"\n" + body):
            return p
        if body:
            block.extend(body.decode("ascii").split("\n"))
        self._f["lines"] += (body.count(b"\n") + 2 if body else 1)
        # The two facts _end_block looks for, found by C code in the joined body.
        k = body.find(b"\nElapsed time:") + 1 if not body.startswith(b"Elapsed time:") else 0
        elapsed = None
        if k > 0 or body.startswith(b"Elapsed time:"):
            e = body.find(b"\n", k)
            elapsed = parse_duration(body[k + 13:e if e >= 0 else len(body)].decode("ascii").strip())
        fatal = b"fatal error" in body and _FATAL_BLOCK.search(body) is not None
        self._end_block(facts=(elapsed, fatal))
        return at + 2


"""Plain lines (a -vv log's DEBUG lines and INFO copies) are read a second of log at a time (issue 16).

The bulk reader must leave the parser exactly where reading every line through `_line` leaves it,
whatever the mix and wherever the input is cut: the reference is the same parser with `_fast` off.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pixel_tui.core.jobs.log_records import _CONDITIONS, _HINTS
from pixel_tui.core.jobs.parse import LogParser

STAMPS = ["2026/01/02 10:00:00", "2026/01/02 10:00:01", "2026/01/02 10:00:01.123456", "2026/13/45 10:00:02",
          "2026/01/02 10:00:03"]
BODIES = [
    "DEBUG : d/f1.jsonl: Need to transfer - File not found at Destination",
    "DEBUG : d/f2.jsonl: md5 = 0cc175b9c0f1b6a831c399e269772661 OK",
    "DEBUG : ",  # an empty message: a stats block's header
    "DEBUG :    ",
    "DEBUG :  leading space, then words",
    "DEBUG : pacer: low level retry 1/10 (error googleapi: Error 403: User Rate Limit Exceeded, rateLimitExceeded)",
    "DEBUG : a.bin: Received download limit error: downloadQuotaExceeded",
    'DEBUG : rclone: Version "v1.75.2" starting with parameters ["rclone" "copy" "--log-format" "UTC,date,time"]',
    "DEBUG :    1.000 MiB / 2.000 MiB, 50%, 1.000 MiB/s, ETA 1s",
    "DEBUG : x: Copied (new)",  # a copy's words at DEBUG: not a copy
    "INFO  : d/f1.jsonl: Copied (new)",
    "INFO  : d/f2.jsonl: Copied (replaced existing)",
    "INFO  : Copied (new)",
    "INFO  : d/f3.jsonl: Updated modification time in destination",
    "INFO  : d/old.jsonl: Deleted",
    "INFO  : There was nothing to transfer",
    "INFO  : ",
    "INFO  :    1.000 MiB / 2.000 MiB, 50%, 1.000 MiB/s, ETA 1s",
    "ERROR : d/f4.jsonl: Failed to copy: timeout",
    "NOTICE: Config file not found",
]
BLOCK = ["Transferred:   \t    1.000 MiB / 2.000 MiB, 50%, 1.000 MiB/s, ETA 1s", "Errors:                 1",
         "Transferred:            1 / 2, 50%", "Elapsed time:         1.5s", ""]
LINE = st.one_of(
    st.tuples(st.sampled_from(STAMPS), st.sampled_from(BODIES)).map(lambda t: f"{t[0]} {t[1]}\n".encode()),
    st.just(("\n".join(BLOCK) + "\n").encode()),
    st.sampled_from([b"\n", b"garbage line\n", b"\x1b[2Kcolour\r\n", b"x" * 70_000 + b"\n"]),
)


def _read(data: bytes, cuts: list[int], fast: bool):
    p = LogParser()
    p._fast = fast
    at = 0
    for cut in sorted(c % (len(data) + 1) for c in cuts) + [len(data)]:
        p.feed(data[at:cut])
        at = max(at, cut)
    stamp = p.last_stamp
    p.finish()
    return p.snapshot(), stamp, p._since_block


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(LINE, st.integers(1, 400)), max_size=12), st.lists(st.integers(0, 10**9), max_size=6))
def test_bulk_reading_equals_reading_every_line(runs, cuts):
    data = b"".join(line * (n if len(line) < 1000 else 1) for line, n in runs)
    assert _read(data, cuts, fast=True) == _read(data, cuts, fast=False)


def test_every_drive_condition_wording_holds_a_hint():
    """_HINTS stand in for _CONDITIONS on plain lines: each wording must contain one."""
    for _, pattern in _CONDITIONS:
        for wording in re.sub(r"\(\?:download\|upload\)", "download", pattern.pattern).split("|"):
            assert "(" not in wording and any(h.decode() in wording for h in _HINTS), wording


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200).map(lambda b: b.replace(b"\x00", b"\n")),
       st.lists(st.tuples(st.integers(0, 210), st.integers(0, 230)), max_size=12))
def test_the_blank_line_search_remembers_without_changing_an_answer(head, queries):
    """-P output has no blank lines: each block's search reuses the last one's (it was quadratic in a
    piece's blocks). Any sequence of searches, later ones starting no earlier, answers as find does."""
    p = LogParser()
    start = 0
    for step, span in queries:
        start += step % 40
        end = start + span
        assert p._blank_line(head, start, end) == head.find(b"\n\n", start, end), (start, end)
    straddle = b"ab\n\ncd"  # the pair across the last search's end: found by the next, longer one
    assert p._blank_line(straddle, 0, 3) == -1 and p._blank_line(straddle, 1, 6) == 2
    other = bytes(head)  # a new piece: the memo of the old one must not answer for it
    assert p._blank_line(other + b"\n\n", 0, len(other) + 2) == (other + b"\n\n").find(b"\n\n")

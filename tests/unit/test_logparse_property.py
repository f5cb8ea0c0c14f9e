"""Property tests: random bytes and random cuts of real rclone logs never break the parser."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from logfixtures import LAYOUTS, OLD_LAYOUT_LINES

from pixel_tui.core.jobs.history import scan_history
from pixel_tui.core.jobs.parse import LogParser, parse_bytes

MODES = ["text", "oneline", "oneline_date", "json", "progress", "tty", "bits"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000), st.lists(st.integers(0, 4000), max_size=8))
def test_random_bytes_never_raise(data, cuts):
    parser = LogParser()
    last = 0
    for cut in sorted(cuts) + [len(data)]:
        parser.feed(data[last:cut])
        parser.snapshot()
        last = max(last, cut)
    parser.finish()
    parse_bytes(data)
    scan_history(io.BytesIO(data), end=len(data))


LOG_ALPHABET = st.sampled_from([b"Transferred:   \t", b" / ", b", ", b"ETA ", b"\n", b"\r\n", b"\x1b[2K", b"{",
                                b'"stats":{"bytes":', b"1.5 MiB", b"-", b"%", b"Elapsed time: ", b"1m2s",
                                b" * a.bin: 50% / 2 MiB, 1 MiB/s, 1s", b"2026/01/02 03:04:05 ", b"ERROR : ",
                                b"CRITICAL: ", b"INFO  : ", b"\xff",
                                # the pieces of every --log-format prefix, and the old Go-log ones
                                b"2026/01/02 ", b"03:04:05.123456 ", b"[4242] ", b"fs/log.go:145: ",
                                b"/home/ci/go/rclone/fs/operations/copy.go:382: ", b"NOTICE: ", b"DEBUG : ",
                                b"Fatal error received - not attempting retries", b"Errors: 3 (fatal error encountered)",
                                b"Failed to copy with 2 errors: last error was: x", b"Attempt 1/3 failed with 1 errors",
                                b"Attempt 2/3 succeeded", b"Failed to create file system for",
                                b"downloadQuotaExceeded", b"userRateLimitExceeded", b"cannotDownloadAbusiveFile",
                                b"starting with parameters [\"rclone\" \"--log-format\" \"UTC,date\"]",
                                b'{"time":"2026-01-01T00:00:00Z","level":"error","msg":"x"}', b"[[[[", b'{"a":'])


@settings(max_examples=300, deadline=None)
@given(st.lists(LOG_ALPHABET, max_size=60))
def test_log_like_garbage_never_raises(pieces):
    data = b"".join(pieces)
    for step in (1, 7, len(data) or 1):
        parser = LogParser()
        for i in range(0, len(data), step):
            parser.feed(data[i:i + step])
            parser.snapshot()
        parser.finish()
    scan_history(io.BytesIO(data), end=len(data))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(MODES), st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_random_cuts_of_real_logs_never_go_backwards(rclone_logs, mode, fractions):
    data = rclone_logs.formats()[mode].read_bytes()
    cuts = sorted(int(f * len(data)) for f in fractions) + [len(data)]
    parser = LogParser()
    last = 0
    prev_blocks, prev_bytes = 0, 0
    for cut in cuts:
        parser.feed(data[last:cut])
        last = cut
        snap = parser.snapshot()
        assert snap.blocks >= prev_blocks
        assert snap.bytes >= prev_bytes  # these runs never retry, so bytes only grow
        prev_blocks, prev_bytes = snap.blocks, snap.bytes
    whole = parse_bytes(data)
    parser.finish()
    assert (parser.state.bytes, parser.state.total_bytes, parser.state.blocks) == \
        (whole.bytes, whole.total_bytes, whole.blocks)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(LAYOUTS), st.sampled_from(["ok", "fatal", "critical"]),
       st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_random_cuts_of_every_layout(layout_logs, layout, run, fractions):
    """Any cut of a real log in any layout: blocks and bytes never go backwards, fatal once seen stays."""
    data = getattr(layout_logs, run)[layout].read_bytes()
    cuts = sorted(int(f * len(data)) for f in fractions) + [len(data)]
    parser = LogParser()
    last = 0
    prev = parser.snapshot()
    for cut in cuts:
        parser.feed(data[last:cut])
        last = cut
        snap = parser.snapshot()
        assert snap.blocks >= prev.blocks and snap.bytes >= prev.bytes
        assert snap.rclone_lines >= prev.rclone_lines and (snap.fatal or not prev.fatal)
        prev = snap
    parser.finish()
    whole = parse_bytes(data)
    assert parser.state == whole
    assert whole.fatal == (run != "ok")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(LAYOUTS), min_size=1, max_size=6), st.lists(LOG_ALPHABET, max_size=20),
       st.integers(0, 3))
def test_every_layout_prefix_on_garbage_never_raises(layouts, pieces, old):
    """Each layout's prefix in front of log-like garbage, mixed with the old layouts."""
    lines = []
    for layout in layouts:
        parts = layout.split(",")
        prefix = "".join([("2026/01/02 " if "date" in parts else ""),
                          ("03:04:05" + (".123456" if "microseconds" in parts else "") + " " if "time" in parts else ""),
                          ("fs/log.go:1: " if "shortfile" in parts or "longfile" in parts else ""),
                          ("[77] " if "pid" in parts else ""), ("" if "nolevel" in parts else "ERROR : ")])
        lines.append(prefix.encode() + b"".join(pieces) + b"\n")
    data = b"".join(lines) + b"".join(OLD_LAYOUT_LINES[:old])
    parser = LogParser()
    for line in data.splitlines(keepends=True):
        parser.feed(line)
        parser.snapshot()
    parser.finish()
    assert parser.state == parse_bytes(data)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 200_000), st.sampled_from([b"[", b"{\"a\":", b'{"stats":', b'{"msg":[']))
def test_deeply_nested_json_lines_never_raise(depth, opener):
    """`json.loads` of a deeply nested line raises RecursionError, not ValueError: the parser stays total."""
    closer = {b"[": b"]", b'{"a":': b"}", b'{"stats":': b"}", b'{"msg":[': b"]"}[opener]
    line = b"{" + b'"x":' + opener * depth + b"1" + closer * depth + b"}\n"
    parser = LogParser()
    parser.feed(line)
    parser.feed(b"2026/01/02 03:04:05 ERROR : a.bin: Failed to copy: boom\n")
    parser.finish()
    assert parser.state.last_errors[-1].endswith("boom")


@settings(max_examples=20, deadline=None)
@given(st.integers(64 * 1024 - 4, 3 * 1024 * 1024), st.sampled_from([b"x", b"\xff", b"{", b" * ", b"Transferred:"]),
       st.booleans())
def test_huge_lines_never_raise_and_stay_bounded(size, byte, newline):
    parser = LogParser()
    chunk = byte * (size // len(byte))
    for i in range(0, len(chunk), 1 << 20):
        parser.feed(chunk[i:i + (1 << 20)])
    assert len(parser._carry) <= 64 * 1024
    if newline:
        parser.feed(b"\n2026/01/02 03:04:05 ERROR : a.bin: Failed to copy: boom\n")
    parser.finish()
    snap = parse_bytes(chunk + (b"\n" if newline else b""))
    assert all(len(e) <= 64 * 1024 for e in snap.last_errors + parser.state.last_errors)

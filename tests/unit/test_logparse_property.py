"""Property tests: random bytes and random cuts of real rclone logs never break the parser."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
                                b"CRITICAL: ", b"INFO  : ", b"\xff"])


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

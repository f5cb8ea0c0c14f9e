"""Plain DEBUG lines (most of a -vv log) are taken without the full line parser (issue 16): the state is
the same whether a real -vv log is fed line by line, in chunks, or with every line read in full."""

from __future__ import annotations

import subprocess

from pixel_tui.core.binaries import find_binary
from pixel_tui.core.jobs.parse import LogParser


def _fed(data: bytes, by_line: bool, full: bool = False):
    p = LogParser()
    if full:  # the reference: every line through _line, as before plain DEBUG lines had their own path
        p._fast = False
    for piece in (data.splitlines(keepends=True) if by_line else [data[i:i + 4096] for i in range(0, len(data), 4096)]):
        p.feed(piece)
    last = p.last_stamp
    p.finish()
    return p.snapshot(), last


def test_a_real_vv_log_reads_the_same_line_by_line_in_chunks_and_in_full(tmp_path):
    src = tmp_path / "src"
    for i in range(300):
        (src / f"d{i // 100}").mkdir(parents=True, exist_ok=True)
        (src / f"d{i // 100}" / f"f{i:03d}.jsonl").write_bytes(b"x" * i)
    log = tmp_path / "vv.log"
    subprocess.run([find_binary("rclone"), "copy", str(src), str(tmp_path / "dst"), "-vv", "--stats", "100ms",
                    "--log-file", str(log)], check=True, stdin=subprocess.DEVNULL)
    data = log.read_bytes()
    assert data.count(b" DEBUG : ") > 300
    want = _fed(data, by_line=True, full=True)
    assert want[0].copied == 300 and want[0].lines == data.count(b"\n")
    assert _fed(data, by_line=True) == want
    assert _fed(data, by_line=False) == want
    assert _fed(data, by_line=False, full=True) == want


def test_debug_lines_that_say_something_still_count():
    lines = [
        b'2026/01/02 10:00:00 DEBUG : rclone: Version "v1.75.2" starting with parameters ["rclone" "copy" '
        b'"--log-format" "UTC,date,time"]\n',
        b"2026/01/02 10:00:01 DEBUG : a.bin: Received download limit error: downloadQuotaExceeded\n",
        b"2026/01/02 10:00:02 DEBUG : b.bin: Need to transfer - File not found at Destination\n",
        b"2026/01/02 10:00:03 INFO  : b.bin: Copied (new)\n",
        b"2026/01/02 10:00:02 DEBUG : c.bin: Need to transfer - File not found at Destination\n",
        b"2026/01/02 10:00:02 DEBUG : \n",  # blank message: the header of a text stats block, not a plain line
    ]
    for full in (False, True):
        p = LogParser()
        if full:
            p._fast = False
        for line in lines[:-1]:
            p.feed(line)
        assert p.utc and p.last_stamp == "2026/01/02 10:00:02"  # the stamp of the last line, not the newest seen
        p.feed(lines[-1])
        snap = p.snapshot()
        assert (snap.condition, snap.copied, snap.lines, snap.rclone_lines) == ("quota", 1, 6, 6)
        assert snap.last_line_at.second == 2 and snap.format == "text"

"""Following real rclone logs: current state from the end, appends, partial lines, rotation, truncation."""

from __future__ import annotations

import os
import threading
import time

import pytest

from pixel_tui.core.jobs.parse import parse_bytes
from pixel_tui.core.jobs.tail import LogWatcher, _tail_parser, expand_sources, read_current


class CountingFile:
    """A real file that counts the bytes read through it (to prove the tail read stays small)."""

    def __init__(self, fp):
        self.fp, self.read_bytes = fp, 0

    def seek(self, pos, whence=0):
        return self.fp.seek(pos, whence)

    def read(self, n=-1):
        data = self.fp.read(n)
        self.read_bytes += len(data)
        return data


def _same_state(a, b):
    assert (a.bytes, a.total_bytes, a.elapsed, a.format) == (b.bytes, b.total_bytes, b.elapsed, b.format)
    if a.format != "oneline":  # one-line logs count files only in the (xfr#N/M) tail of some lines
        assert (a.transfers, a.total_transfers) == (b.transfers, b.total_transfers)


@pytest.mark.parametrize("mode", ["text", "json", "oneline", "progress", "tty"])
def test_current_state_of_a_huge_log_reads_only_its_end(rclone_logs, tmp_path, mode):
    real = rclone_logs.formats()[mode].read_bytes()
    big = tmp_path / "big.log"
    with open(big, "wb") as f:
        f.write(real)  # an earlier run...
        f.truncate(1 << 30)  # ...1 GiB of (sparse) history...
        f.seek(1 << 30)
        f.write(b"\n" + real)  # ...and the current run at the end
    with open(big, "rb") as fp:
        counting = CountingFile(fp)
        parser, start = _tail_parser(counting, os.path.getsize(big))
    assert counting.read_bytes < 1 << 20
    assert start > 1 << 29
    _same_state(parser.snapshot(), parse_bytes(real))
    _same_state(read_current(big), parse_bytes(real))


def test_earlier_error_lines_are_found_beyond_the_tail(tmp_path):
    block = (b"2026/01/01 00:00:%02d INFO  : \nTransferred:   \t    1 MiB / 4 MiB, 25%%, 1 MiB/s, ETA 3s\n"
             b"Errors:                 2 (retrying may help)\nElapsed time:  1.0s\n\n")
    errors = (b"2026/01/01 00:00:00 ERROR : a.bin: Failed to copy: 403 rateLimitExceeded\n"
              b"2026/01/01 00:00:00 ERROR : b.bin: Failed to copy: 403 rateLimitExceeded\n")
    log = tmp_path / "e.log"
    log.write_bytes(errors + b"".join(block % (i % 60) for i in range(3000)))
    snap = read_current(log)
    assert snap.errors == 2
    assert [e.split(": ", 1)[1] for e in snap.last_errors] == [
        "a.bin: Failed to copy: 403 rateLimitExceeded", "b.bin: Failed to copy: 403 rateLimitExceeded"]


def _views(watcher):
    return {v.source: v for v in watcher.poll_once()}


def test_follow_appends_partial_lines_missing_file_and_bad_bytes(rclone_logs, tmp_path):
    real = rclone_logs.text.read_bytes()
    log = tmp_path / "job.log"
    watcher = LogWatcher([str(log)], lambda v: None, history=False)
    view = _views(watcher)[str(log)]
    assert not view.exists and view.snapshot is None  # waiting for the log
    cut = real.index(b"Transferred:   \t", real.index(b"Transferred:   \t") + 1) + 20
    log.write_bytes(real[:cut])
    view = _views(watcher)[str(log)]
    assert view.exists and view.snapshot.blocks == 1
    first = view.snapshot.bytes
    with open(log, "ab") as f:
        f.write(b"\xff\xfe not utf-8 \xc3\n" + b"")
    # The cut block plus junk: still the first block's numbers, nothing raised.
    watcher.poll_once()
    rest = real[cut:]
    with open(log, "ab") as f:
        f.write(rest)
    view = watcher._followers[str(log)].view
    watcher.poll_once()
    final = parse_bytes(real)
    assert view.snapshot.bytes == final.bytes > first
    assert view.history.samples[-1].bytes == final.bytes


def test_follow_truncation_and_rotation(rclone_logs, tmp_path):
    text = rclone_logs.text.read_bytes()
    json_log = rclone_logs.json.read_bytes()
    log = tmp_path / "job.log"
    log.write_bytes(text)
    watcher = LogWatcher([str(log)], lambda v: None, history=False)
    watcher.poll_once()
    view = watcher._followers[str(log)].view
    assert view.snapshot.format == "text"
    # copytruncate: the file is cut to zero and written again from the start.
    with open(log, "r+b") as f:
        f.truncate(0)
    watcher.poll_once()
    with open(log, "ab") as f:
        f.write(json_log[: len(json_log) // 2])
    watcher.poll_once()
    half = parse_bytes(json_log[: len(json_log) // 2])
    assert view.snapshot.format == "json" and view.snapshot.bytes == half.bytes
    # rename + new file: the old file is drained, then the new one is read from its start.
    os.rename(log, tmp_path / "job.log.1")
    with open(tmp_path / "job.log.1", "ab") as f:
        f.write(json_log[len(json_log) // 2:])
    watcher.poll_once()  # renamed away, nothing new yet: the old file is drained
    assert view.snapshot.bytes == parse_bytes(json_log).bytes
    log.write_bytes(text)
    watcher.poll_once()
    assert view.snapshot.format == "text" and view.snapshot.bytes == parse_bytes(text).bytes


def test_globs_and_watcher_thread_latency(rclone_logs, tmp_path):
    (tmp_path / "a.log").write_bytes(b"")
    (tmp_path / "b.log").write_bytes(b"")
    pattern = str(tmp_path / "*.log")
    assert expand_sources([pattern, str(tmp_path / "later.log")]) == [
        str(tmp_path / "a.log"), str(tmp_path / "b.log"), str(tmp_path / "later.log")]
    got = threading.Event()
    seen = {}

    def on_change(view):
        if view.snapshot is not None and view.snapshot.has_stats:
            seen[view.source] = (time.monotonic(), view.snapshot)
            got.set()

    watcher = LogWatcher([pattern], on_change, interval=0.05, history=False).start()
    try:
        time.sleep(0.2)
        start = time.monotonic()
        with open(tmp_path / "b.log", "ab") as f:
            f.write(rclone_logs.text.read_bytes())
        assert got.wait(10)
        when, snap = seen[str(tmp_path / "b.log")]
        assert snap.bytes == parse_bytes(rclone_logs.text.read_bytes()).bytes
        assert when - start < 10
    finally:
        watcher.stop()


def test_background_history_covers_the_whole_log(rclone_logs, tmp_path):
    real = rclone_logs.text.read_bytes()
    log = tmp_path / "h.log"
    log.write_bytes(real * 50)
    done = threading.Event()
    views = []

    def on_change(view):
        views.append(view)
        if view.history.blocks >= parse_bytes(real).blocks * 50:
            done.set()

    watcher = LogWatcher([str(log)], on_change, history=True)
    watcher.poll_once()
    assert done.wait(30)
    hist = views[-1].history
    assert 0 < len(hist.samples) <= 2 * hist.max_points


def test_big_backlog_jumps_to_the_end(rclone_logs, tmp_path):
    real = rclone_logs.json.read_bytes()
    log = tmp_path / "burst.log"
    log.write_bytes(real[:200])
    watcher = LogWatcher([str(log)], lambda v: None, history=False)
    watcher.poll_once()
    with open(log, "ab") as f:
        f.write(real[200:] + real * (5_000_000 // len(real) + 1))  # more than SKIP_AHEAD at once
    watcher.poll_once()
    view = watcher._followers[str(log)].view
    assert view.snapshot.bytes == parse_bytes(real).bytes and view.snapshot.format == "json"


def test_truncated_and_refilled_between_two_polls(rclone_logs, tmp_path):
    """copytruncate, then the writer fills the file past our old offset before we look again."""
    small = rclone_logs.oneline.read_bytes()
    other = rclone_logs.json.read_bytes()
    assert len(other) > len(small)
    log = tmp_path / "job.log"
    log.write_bytes(small)
    watcher = LogWatcher([str(log)], lambda v: None, history=False)
    watcher.poll_once()
    view = watcher._followers[str(log)].view
    assert view.snapshot.format == "oneline"
    before = view.snapshot.blocks
    with open(log, "r+b") as f:
        f.truncate(0)
        f.write(other)
    watcher.poll_once()
    assert view.snapshot.format == "json" and view.snapshot.bytes == parse_bytes(other).bytes
    # Every block of the new content was read, not just those past the old offset.
    assert view.snapshot.blocks == before + parse_bytes(other).blocks

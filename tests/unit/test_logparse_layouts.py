"""Every `--log-format` layout rclone writes, on real runs: finished, stopped by a fatal error, dead at once."""

from __future__ import annotations

import json
import os
import time

import pytest
from logfixtures import LAYOUTS, OLD_LAYOUT_LINES

from pixel_tui.cli import main
from pixel_tui.core.jobs.parse import LogParser, parse_bytes
from pixel_tui.core.jobs.state import job_state
from pixel_tui.core.jobs.tail import read_current


def _state(snap, path, after: float = 60.0):
    mtime = os.stat(path).st_mtime
    progress = snap.progress_at.timestamp() if snap.progress_at else mtime
    return job_state(snap, now=mtime + after, changed_at=mtime, progress_at=progress, stall_seconds=600)


def _stamped(layout: str) -> bool:
    return "date" in layout and "time" in layout


@pytest.mark.parametrize("layout", LAYOUTS)
def test_finished_run_in_every_layout(layout_logs, layout):
    path = layout_logs.ok[layout]
    snap = parse_bytes(path.read_bytes())
    assert snap.has_stats and snap.blocks >= 2, path.read_text()[:2000]
    assert snap.bytes == pytest.approx(layout_logs.total_bytes, rel=0.002)
    assert snap.all_transferred and not snap.fatal and snap.last_errors == ()
    assert snap.copied == 4 and (snap.transfers, snap.total_transfers) == (4, 4)
    assert snap.rclone_lines and snap.rclone_lines >= 6
    if _stamped(layout):
        # The stamps are read (not the file's mtime): the last one is within a second or two of it.
        assert snap.updated_at is not None and snap.last_line_at is not None
        assert abs(snap.last_line_at.timestamp() - os.stat(path).st_mtime) < 5
    assert _state(read_current(path), path).state == "finished"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fatal_stop_reads_failed_with_its_last_error_in_every_layout(layout_logs, layout):
    path = layout_logs.fatal[layout]
    data = path.read_bytes()
    assert b"Fatal error received - not attempting retries" in data and b"(fatal error encountered)" in data
    for snap in (parse_bytes(data), read_current(path)):
        assert snap.fatal and _state(snap, path).state == "failed"
        assert snap.has_stats and snap.bytes > 0
        assert "max transfer limit reached" in snap.last_errors[-1], snap.last_errors
        assert snap.last_errors[-1].count("Failed to copy with") == 1
    # Cut before rclone's last line (`Failed to copy with N errors` at NOTICE): the fatal error alone says it.
    cut = data[:data.rindex(b"Failed to copy with")]
    cut = cut[:cut.rfind(b"\n") + 1]
    early = parse_bytes(cut)
    assert early.fatal and any("Fatal error received" in e for e in early.last_errors)
    # Only the block's `Errors: N (fatal error encountered)` line (a watcher that began at the block).
    block = cut[cut.rindex(b"Transferred:   \t"):]
    assert parse_bytes(block).fatal


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_run_that_dies_at_once_reads_failed_in_every_layout(layout_logs, layout):
    path = layout_logs.critical[layout]
    snap = read_current(path)
    assert snap.fatal and _state(snap, path).state == "failed", path.read_text()
    assert "Failed to create file system" in snap.last_errors[-1]


def test_status_cli_in_a_pid_layout(layout_logs, capsys):
    """The issue's case: `--log-format date,time,pid` read as -P output, stalled, no errors."""
    path = layout_logs.fatal["date,time,pid"]
    t = time.time() - 900
    os.utime(path, (t, t))
    code = main(["status", "--json", str(path)])
    (doc,) = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["state"] == "failed" and doc["format"] == "text"
    assert doc["last_errors"] and "max transfer limit reached" in doc["last_errors"][-1]


def test_every_layout_fed_line_by_line_equals_whole(layout_logs):
    for layout in LAYOUTS:
        for path in (layout_logs.ok[layout], layout_logs.fatal[layout]):
            data = path.read_bytes()
            parser = LogParser()
            for line in data.splitlines(keepends=True):
                parser.feed(line)
            parser.finish()
            assert parser.state == parse_bytes(data), (layout, path)


def test_older_layouts():
    snap = parse_bytes(b"".join(OLD_LAYOUT_LINES))
    assert snap.copied == 2 and snap.rclone_lines == 3
    assert snap.last_errors == (OLD_LAYOUT_LINES[2].decode().strip(),)
    assert snap.last_line_at is not None and snap.last_line_at.microsecond == 123456

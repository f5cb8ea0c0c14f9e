"""Reading now from the end of a log file: where the last stats block starts, the errors it counts
from further back, and whether the file ever held rclone output. Used by the watcher (tail.py) and
by pixel-tui status."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timezone
from typing import BinaryIO

from pixel_tui.core.files import open_regular
from pixel_tui.core.jobs.log_units import stamp_is_utc
from pixel_tui.core.jobs.parse import MAX_ERRORS, LogParser, Snapshot

TAIL_START = 16 * 1024  # first look at the last 16 KiB...
TAIL_EVENTS = 64 * 1024  # with no stats block at all, parse this much of the end for events
TAIL_MAX = 64 * 1024 * 1024  # ...and never read more than 64 MiB back for "now"
ERRORS_BACK = 256 * 1024 * 1024  # how far back to look for the error lines a block counts
READ_MAX = 1024 * 1024  # per poll, so one huge append cannot starve the other logs
MARK_BYTES = 64
SKIP_AHEAD = 4 * 1024 * 1024  # a backlog bigger than this is not parsed line by line


def _mtime(st: os.stat_result) -> datetime:
    return datetime.fromtimestamp(st.st_mtime, tz=timezone.utc).astimezone()


_MARKERS = ((b"Transferred:   \t", 1), (b'"stats":{', 0), (b", ETA ", 0))  # (marker, header lines before)


def _line_start(data: bytes, pos: int, back: int = 0) -> int:
    start = data.rfind(b"\n", 0, pos) + 1
    for _ in range(back):
        start = data.rfind(b"\n", 0, max(0, start - 1)) + 1
    return start


def _resume_point(data: bytes) -> tuple[int | None, int]:
    """Where the second-to-last stats record starts in ``data`` (C-speed rfind), and how many were seen."""
    best: tuple[int, int, bytes, int] | None = None  # (line start, priority, marker, header lines)
    for priority, (marker, header) in enumerate(_MARKERS):
        pos = data.rfind(marker)
        if pos >= 0:
            key = (_line_start(data, pos), -priority, marker, header)
            if best is None or key[:2] > best[:2]:
                best = key
    if best is None:
        return None, 0
    line, _, marker, header = best
    before = data.rfind(marker, 0, max(0, line - 1))
    if before < 0:
        return _line_start(data, line, header), 1
    return _line_start(data, before, header), 2


def _tail_parser(fp: BinaryIO, size: int, utc: bool = False) -> tuple[LogParser, int]:
    """Parse the end of ``fp`` from its second-to-last stats record; returns (parser, file offset).

    Only C code (rfind) looks at the window, which grows x4 until two records show; Python then
    parses a few lines, so "now" costs the same on a 2 KB log and a 2 GB one.
    """
    window = TAIL_START
    while True:
        start = max(0, size - window)
        fp.seek(start)
        data = fp.read(size - start)
        cut, seen = _resume_point(data)
        if seen >= 2 or start == 0 or window >= TAIL_MAX:
            break
        window *= 4
    if start == 0 and len(data) <= TAIL_START:
        cut = 0  # a small log is parsed whole: cheap, and no event before its first block is missed
    elif cut is None:
        cut = max(0, len(data) - TAIL_EVENTS)  # no stats at all: the recent events are enough
    if start > 0 and cut == 0:
        # The window began mid-line: skip that partial line (every other cut is a line start).
        cut = data.find(b"\n") + 1 or len(data)
    parser = LogParser(utc=utc)
    parser.feed(data[cut:])
    return parser, start + cut


def _earlier_errors(fp: BinaryIO, before: int, want: int) -> list[str]:
    """Error lines before offset ``before``, newest last, scanning backwards with C-speed rfind."""
    found: list[bytes] = []
    pos = before
    stop = max(0, before - ERRORS_BACK)
    chunk = 4 * 1024 * 1024
    while pos > stop and len(found) < want:
        start = max(stop, pos - chunk)
        fp.seek(start)
        data = fp.read(pos - start)
        if start > stop:  # keep whole lines only; the cut line is read with the next chunk
            nl = data.find(b"\n")
            data, start = (data[nl + 1:], start + nl + 1) if nl >= 0 else (b"", pos)
        end = len(data)
        while len(found) < want:
            hits = [i for i in (data.rfind(b"ERROR", 0, end), data.rfind(b"CRITICAL", 0, end),
                                data.rfind(b'"level":"error"', 0, end)) if i >= 0]
            if not hits:
                break
            i = max(hits)
            ls = data.rfind(b"\n", 0, i) + 1
            le = data.find(b"\n", i)
            found.append(data[ls:le if le >= 0 else len(data)])
            end = ls
        pos = start if start < pos else stop
    probe = LogParser()
    probe.feed(b"\n".join(reversed(found)) + b"\n")
    return list(probe.state.last_errors)


def read_current(path: str | os.PathLike) -> Snapshot:
    """The current snapshot of one log, read from its end (raises OSError if it cannot be read)."""
    # Not open(): a FIFO (a log path, or a glob match) would block it forever; it is refused instead.
    with open_regular(path) as fp:
        st = os.fstat(fp.fileno())
        parser, start = _tail_parser(fp, st.st_size)
        _check_utc(parser, st)
        return _complete(parser.snapshot(), fp, start, st)


HEAD_PROBE = 64 * 1024  # a tail with no rclone line: does the start of the file have one?


def _held_rclone(fp: BinaryIO, snap: Snapshot, start: int) -> Snapshot:
    """A tail with no rclone line (binary junk appended?): count the head's, so "never rclone's" is true."""
    if snap.rclone_lines or start == 0:
        return snap
    fp.seek(0)
    probe = LogParser()
    probe.feed(fp.read(min(HEAD_PROBE, start)))
    return replace(snap, rclone_lines=probe.state.rclone_lines) if probe.state.rclone_lines else snap


def _check_utc(parser: LogParser, st: os.stat_result) -> bool | None:
    """Read the stamps as UTC when they only make sense so (`--log-format UTC`); None while unknown."""
    if parser.utc:
        return True
    if parser.last_stamp is None:
        return None
    utc = stamp_is_utc(parser.last_stamp, st.st_mtime)
    if utc:
        parser.set_utc()
    return utc


def _complete(snap: Snapshot, fp: BinaryIO, start: int, st: os.stat_result) -> Snapshot:
    """Fill what the tail alone cannot know: older error lines, a time for -P blocks, rclone's or not."""
    snap = _held_rclone(fp, snap, start)
    if snap.errors > len(snap.last_errors) and start > 0 and len(snap.last_errors) < MAX_ERRORS:
        older = _earlier_errors(fp, start, MAX_ERRORS - len(snap.last_errors))
        snap = replace(snap, last_errors=tuple((older + list(snap.last_errors))[-MAX_ERRORS:]))
    if snap.has_stats and snap.updated_at is None:
        snap = replace(snap, updated_at=_mtime(st))  # -P blocks carry no timestamp
    if snap.last_line_at is None or _mtime(st) > snap.last_line_at:
        snap = replace(snap, last_line_at=_mtime(st))
    return snap

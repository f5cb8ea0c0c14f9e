"""The parser on real rclone logs in every format, and on hand-made lines of older versions."""

from __future__ import annotations

import pytest
from logfixtures import ANCIENT_TEXT_LOG, OLD_TEXT_LOG

from pixel_tui.core.jobs.history import scan_history
from pixel_tui.core.jobs.log_units import parse_duration, parse_rate, parse_size
from pixel_tui.core.jobs.parse import LogParser, parse_bytes, parse_stats_line, parse_transfer_line

EXPECTED_FORMAT = {"text": "text", "oneline": "oneline", "oneline_date": "oneline", "json": "json",
                   "progress": "progress", "tty": "progress", "bits": "oneline"}


@pytest.mark.parametrize("mode", list(EXPECTED_FORMAT))
def test_real_log_final_state(rclone_logs, mode):
    path = rclone_logs.formats()[mode]
    snap = parse_bytes(path.read_bytes())
    assert snap.format == EXPECTED_FORMAT[mode]
    assert snap.has_stats and snap.blocks >= 2
    # Text forms print sizes rounded to 4 digits; JSON gives exact bytes.
    assert snap.bytes == pytest.approx(rclone_logs.total_bytes, rel=0.002)
    assert snap.total_bytes == pytest.approx(rclone_logs.total_bytes, rel=0.002)
    assert snap.all_transferred
    assert not snap.fatal and snap.last_errors == ()
    if mode in ("text", "json", "progress", "tty"):
        assert (snap.transfers, snap.total_transfers) == (4, 4)
        assert snap.elapsed and snap.elapsed > 0.5
    if mode in ("text", "json", "oneline", "oneline_date", "bits"):
        assert snap.updated_at is not None and snap.copied == 4


@pytest.mark.parametrize("mode", ["text", "json", "progress", "tty"])
def test_real_log_shows_files_in_flight_mid_run(rclone_logs, mode):
    """Some block before the last one lists the files being transferred, with their sizes."""
    parser = LogParser()
    seen = []
    for line in rclone_logs.formats()[mode].read_bytes().splitlines(keepends=True):
        parser.feed(line)
        snap = parser.snapshot()
        seen.extend(snap.transferring)
    names = {t.name.rsplit("/", 1)[-1] for t in seen}
    assert names & {"part-0.bin", "part-1.bin", "part-2.bin", "part-3.bin"}
    sized = [t for t in seen if t.size]
    assert sized and all(0 <= t.percent <= 100 for t in sized)
    assert all(t.size in (700_000, 900_000, 1_100_000, 500_000) or abs(t.size - 1_000_000) < 200_000 for t in sized)


def test_failed_job_reads_critical_and_attempts(rclone_logs):
    snap = parse_bytes(rclone_logs.failed.read_bytes())
    assert snap.fatal
    text = "\n".join(snap.last_errors)
    assert "CRITICAL" in text or "ERROR" in text
    assert "Attempt 1/2 failed" in text


def test_nothing_to_transfer(rclone_logs):
    snap = parse_bytes(rclone_logs.nothing.read_bytes())
    assert snap.nothing_to_transfer and snap.all_transferred
    assert snap.bytes == 0 and snap.checks == 4


def test_history_scan_of_real_logs(rclone_logs):
    for mode, path in rclone_logs.formats().items():
        final = parse_bytes(path.read_bytes())
        with open(path, "rb") as fp:
            hist = scan_history(fp, fmt=final.format)
        assert hist.blocks == final.blocks, mode
        assert hist.samples and hist.samples[-1].bytes == final.bytes, mode
        assert [s.bytes for s in hist.samples] == sorted(s.bytes for s in hist.samples), mode


def test_old_units_and_errors():
    snap = parse_bytes(OLD_TEXT_LOG)
    assert snap.format == "text" and snap.blocks == 2
    assert snap.bytes == round(240.5 * 2**20) and snap.total_bytes == round(1.234 * 2**30)
    assert snap.speed == pytest.approx(96 * 2**20 / 8)  # --stats-unit bits
    assert (snap.transfers, snap.total_transfers, snap.checks, snap.errors) == (2, 10, 3, 1)
    assert snap.eta == 85 and snap.elapsed == 20
    assert snap.last_errors == ("2019/03/02 10:00:02 ERROR : photos/d.jpg: Failed to copy: AccessDenied: 403",)
    first = LogParser()
    first.feed(OLD_TEXT_LOG[:OLD_TEXT_LOG.index(b"2019/03/02 10:00:02")])
    inflight = first.snapshot().transferring
    assert [t.name for t in inflight] == ["photos/b.jpg", "photos/c.jpg"]
    assert inflight[0].size == 100 * 2**20 and inflight[0].percent == 45 and inflight[0].eta == 27
    assert inflight[1].speed == 0 and inflight[1].eta is None


def test_ancient_format_without_totals():
    snap = parse_bytes(ANCIENT_TEXT_LOG)
    assert snap.bytes == round(1.5 * 2**30) and snap.total_bytes == 0
    assert snap.speed == pytest.approx(1.234 * 2**20)
    assert snap.elapsed == pytest.approx(20 * 60 + 45.5)
    assert (snap.checks, snap.transfers) == (5, 7)


@pytest.mark.parametrize("text,expected", [
    ("3.055 MiB", round(3.055 * 2**20)), ("120.188M", round(120.188 * 2**20)), ("1.234 GBytes", round(1.234 * 2**30)),
    ("2.861Mi", round(2.861 * 2**20)), ("0 B", 0), ("512 Bytes", 512), ("1 KiB", 1024), ("1.5 Ti", round(1.5 * 2**40)),
    ("-", None), ("abc", None), ("3 MiBx", None),
])
def test_sizes(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("3.054 MiB/s", 3.054 * 2**20), ("12.000 MBytes/s", 12 * 2**20), ("0 B/s", 0), ("0/s", 0),
    ("24 Mibit/s", 3 * 2**20), ("8 bit/s", 1), ("1.5 kBytes/s", 1536), ("-", None), ("3 MiB", None),
])
def test_rates(text, expected):
    got = parse_rate(text)
    assert got == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize("text,expected", [
    ("1.0s", 1.0), ("1m30s", 90), ("2h3m4s", 7384), ("1d2h", 93600), ("1w", 604800), ("500ms", 0.5),
    ("-", None), ("", None), ("1m3", None), ("soon", None),
])
def test_durations(text, expected):
    assert parse_duration(text) == expected


def test_oneline_tail_and_date():
    fields = parse_stats_line("2026/11/25 19:33:02 -     3.082 MiB / 8.583 MiB, 36%, 0 B/s, ETA - (xfr#1/3, chk#2/5)")
    assert fields["date"] == "2026/11/25 19:33:02"
    assert (fields["transfers"], fields["total_transfers"], fields["checks"], fields["total_checks"]) == (1, 3, 2, 5)
    assert fields["eta"] is None and fields["speed"] == 0


def test_transfer_line_forms():
    t = parse_transfer_line(" *                 a: b/c.json: 54% / 2.861 MiB, 1.000 MiB/s, 1s")
    assert t.name == "a: b/c.json" and t.percent == 54 and t.size == round(2.861 * 2**20) and t.eta == 1
    bare = parse_transfer_line(" *                 big.tar: transferring")
    assert bare.name == "big.tar" and bare.size is None


def test_attempt_succeeded_is_not_an_error():
    log = (b"2026/01/01 00:00:00 ERROR : Attempt 1/3 failed with 1 errors and: timeout\n"
           b"2026/01/01 00:00:05 ERROR : Attempt 2/3 succeeded\n")
    snap = parse_bytes(log)
    assert snap.last_errors == ("2026/01/01 00:00:00 ERROR : Attempt 1/3 failed with 1 errors and: timeout",)
    assert not snap.fatal


def test_json_record_without_stats_uses_msg_text():
    msg = "\\nTransferred:   \\t    1.000 MiB / 2.000 MiB, 50%, 1.000 MiB/s, ETA 1s\\nElapsed time:  1.0s\\n\\n"
    line = ('{"time":"2026-01-01T00:00:01Z","level":"info","msg":"' + msg + '"}\n').encode()
    err = b'{"time":"2026-01-01T00:00:02Z","level":"error","msg":"Failed to copy: boom","object":"x.bin"}\n'
    snap = parse_bytes(line + err)
    assert snap.format == "json" and snap.bytes == 2**20 and snap.total_bytes == 2**21 and snap.elapsed == 1
    assert snap.last_errors == ("2026-01-01T00:00:02Z ERROR : x.bin: Failed to copy: boom",)


def test_non_utf8_and_ansi_crlf_bytes():
    data = (b"\x1b[2K\x1b[1GTransferred:   \t    1 MiB / 4 MiB, 25%, 1 MiB/s, ETA 3s\r\n"
            b"Elapsed time:  1.0s\r\n \xff\xfe junk \xc3\r\n"
            b"\x1b[2K\x1b[1A\x1b[2K\x1b[1GTransferred:   \t    2 MiB / 4 MiB, 50%, 1 MiB/s, ETA 2s\r\nElapsed time:  2.0s")
    parser = LogParser()
    parser.feed(data)
    snap = parser.snapshot()
    assert snap.format == "progress" and snap.bytes == 2 * 2**20 and snap.elapsed == 2


def test_a_new_run_appended_to_the_log_drops_the_old_runs_errors():
    block = ("2026/01/01 {t} INFO  : \nTransferred:   \t    {b} MiB / 10 MiB, {p}%, 1 MiB/s, ETA 1s\n"
             "Elapsed time:  {e}\n\n")
    log = (block.format(t="10:00:30", b=3, p=30, e="30.0s")
           + "2026/01/01 10:00:40 ERROR : a.bin: Failed to copy: 403 rateLimitExceeded\n"
           + "2026/01/01 10:05:00 NOTICE: Config file not found - using defaults\n"
           + "2026/01/01 10:05:01 ERROR : b.bin: Failed to copy: timeout\n"
           + block.format(t="10:05:02", b=1, p=10, e="2.0s")).encode()
    snap = parse_bytes(log)
    assert snap.bytes == 2**20 and snap.elapsed == 2
    assert snap.last_errors == ("2026/01/01 10:05:01 ERROR : b.bin: Failed to copy: timeout",)


def test_block_with_every_line_rclone_prints():
    log = (b"2026/01/01 00:00:01 NOTICE: \n"
           b"Transferred:   \t    1.500 GiB / 3 GiB, 50%, 10.000 MiB/s, ETA 2m33s\n"
           b"Errors:                 2 (retrying may help)\n"
           b"Checks:               120 / 130, 92%, Listed 400\n"
           b"Deleted:                3 (files), 1 (dirs), 1.000 MiB (freed)\n"
           b"Renamed:                2\n"
           b"Server Side Copies:     4 @ 1.500 MiB\n"
           b"Server Side Moves:      1 @ 10 KiB\n"
           b"Transferred:           10 / 20, 50%\n"
           b"Elapsed time:     2h30m0.5s\n"
           b"Checking:\n"
           b" *                                   c.bin: checking\n"
           b"Transferring:\n"
           b" *                                   t.bin: 12% /1Gi, 2Mi/s, 7m18s\n\n")
    snap = parse_bytes(log)
    assert (snap.bytes, snap.total_bytes) == (round(1.5 * 2**30), 3 * 2**30)
    assert (snap.errors, snap.checks, snap.total_checks, snap.transfers, snap.total_transfers) == (2, 120, 130, 10, 20)
    assert snap.deleted == 3 and snap.elapsed == 9000.5 and snap.eta == 153
    assert [(t.name, t.size, t.percent, t.speed) for t in snap.transferring] == [("t.bin", 2**30, 12, 2 * 2**20)]

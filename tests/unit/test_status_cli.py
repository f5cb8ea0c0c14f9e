"""`pixel-tui status` on real rclone logs: the exact JSON keys and the exit codes cron relies on."""

from __future__ import annotations

import json
import os
import re
import time

import pytest

from pixel_tui.cli import main
from pixel_tui.core.jobs.parse import Snapshot, parse_bytes
from pixel_tui.core.jobs.report import status_json
from pixel_tui.core.jobs.state import job_state

ORIGINAL_KEYS = ["log", "format", "state", "bytes", "total_bytes", "transfers", "total_transfers", "checks",
                 "total_checks", "errors", "speed_bytes_per_s", "eta_seconds", "elapsed_seconds", "updated_at",
                 "transferring", "last_errors"]
# Keys are only ever added (scripts parse the document): issue 11/13 added these.
ADDED_KEYS = ["reason", "condition", "condition_text", "condition_line", "attempt", "max_attempts", "failed_attempts",
              "error_attempts", "stalled_for", "progress_at", "quiet_for", "average_speed_bytes_per_s",
              "last_speed_bytes_per_s", "utc_stamps"]
KEYS = set(ORIGINAL_KEYS) | set(ADDED_KEYS)
TRANSFER_KEYS = {"name", "bytes", "size", "percent", "speed_bytes_per_s", "eta_seconds"}


def _age(path, seconds):
    t = time.time() - seconds
    os.utime(path, (t, t))


def _status(capsys, *args):
    code = main(["status", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_keys_and_values_for_every_format(rclone_logs, capsys):
    for log in rclone_logs.formats().values():
        _age(log, 120)  # quiet for two minutes: a finished job
    code, out, _ = _status(capsys, "--json", *rclone_logs.formats().values())
    doc = json.loads(out)
    assert code == 0
    assert [d["log"] for d in doc] == [str(p) for p in rclone_logs.formats().values()]
    for d in doc:
        assert set(d) == KEYS and list(d)[:len(ORIGINAL_KEYS)] == ORIGINAL_KEYS
        assert d["state"] == "finished"
        assert d["format"] in ("text", "json", "oneline", "progress")
        assert isinstance(d["bytes"], int) and abs(d["bytes"] - rclone_logs.total_bytes) < 10_000
        assert d["total_bytes"] == d["bytes"]
        assert d["updated_at"] is None or "T" in d["updated_at"]
        assert d["last_errors"] == []


def test_json_lists_files_in_flight(rclone_logs, tmp_path, capsys):
    data = rclone_logs.json.read_bytes()
    mid = tmp_path / "mid.log"
    lines = data.splitlines(keepends=True)
    first_stats = next(i for i, ln in enumerate(lines) if b'"transferring":[{' in ln)
    mid.write_bytes(b"".join(lines[:first_stats + 1]))
    # The session's logs were written when it started, maybe more than stall_seconds (10 min) ago on a busy
    # machine; this test is about files in flight, not about stalls.
    code, out, _ = _status(capsys, "--json", "--stall-seconds", "86400", mid)
    (d,) = json.loads(out)
    assert code == 0 and d["state"] == "running" and d["format"] == "json"
    assert d["transferring"] and set(d["transferring"][0]) == TRANSFER_KEYS
    assert all(isinstance(t["size"], int) for t in d["transferring"])


def test_exit_codes(rclone_logs, tmp_path, capsys):
    _age(rclone_logs.failed, 120)
    code, out, _ = _status(capsys, "--json", rclone_logs.failed)
    assert code == 1 and json.loads(out)[0]["state"] == "failed"
    assert "Attempt 1/2 failed" in "\n".join(json.loads(out)[0]["last_errors"])
    # A job that stopped moving mid-run: stalled after stall_seconds.
    lines = rclone_logs.text.read_bytes().split(b"\n\n")
    stuck = tmp_path / "stuck.log"
    # ...its blocks dated long ago (the log's own clock says when bytes last moved).
    stuck.write_bytes(re.sub(rb"\d{4}/\d\d/\d\d", b"2020/01/01", b"\n\n".join(lines[:2]) + b"\n\n"))
    _age(stuck, 3600)
    assert parse_bytes(stuck.read_bytes()).bytes < rclone_logs.total_bytes
    code, out, _ = _status(capsys, "--json", "--stall-seconds", "60", stuck)
    assert code == 1 and json.loads(out)[0]["state"] == "stalled"
    code, out, _ = _status(capsys, stuck)
    assert code == 1 and "STALLED" in out and "no progress for" in out
    # Unreadable: exit 2, even next to a good log.
    code, out, err = _status(capsys, "--json", rclone_logs.text, tmp_path / "nope.log")
    assert code == 2 and json.loads(out)[1]["state"] == "waiting" and "nope.log" in err


def test_text_output_is_one_readable_line(rclone_logs, capsys):
    _age(rclone_logs.text, 120)
    code, out, _ = _status(capsys, rclone_logs.text)
    assert code == 0
    assert out.startswith(str(rclone_logs.text)) and "FINISHED" in out and "files 4/4" in out


def _snap(**kw):
    return Snapshot(has_stats=True, **kw)


@pytest.mark.parametrize("snap,changed,progress,expected", [
    (None, None, None, "waiting"),
    (_snap(fatal=True), 0, 0, "failed"),
    (_snap(bytes=10, total_bytes=10), 100, 100, "finished"),
    (_snap(bytes=10, total_bytes=10), 5, 5, "running"),  # done but the log is still busy
    (_snap(bytes=5, total_bytes=10), 5, 700, "stalled"),  # log chatters, bytes do not move
    (_snap(bytes=5, total_bytes=10), 5, 5, "running"),
    (Snapshot(), 5, None, "running"),  # log started, no block yet
    (Snapshot(), 9000, None, "stalled"),
])
def test_job_states(snap, changed, progress, expected):
    now = 10_000.0
    got = job_state(snap, now=now, changed_at=None if changed is None else now - changed,
                    progress_at=None if progress is None else now - progress, stall_seconds=600)
    assert got.state == expected


def test_follow_prints_a_json_line_per_change(rclone_logs, tmp_path):
    import subprocess
    import sys
    import threading

    real = rclone_logs.text.read_bytes()
    cut = real.index(b"\n\n", real.index(b"Transferred:   \t")) + 2
    log = tmp_path / "f.log"
    log.write_bytes(real[:cut])
    proc = subprocess.Popen([sys.executable, "-m", "pixel_tui", "status", "--json", "--follow", str(log)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    done = threading.Event()

    def read():
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("{") and json.loads(line)["bytes"] == parse_bytes(real).bytes:
                done.set()
                return

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + 20
        while not any(ln.startswith("{") for ln in lines):
            assert time.monotonic() < deadline, lines
            time.sleep(0.05)
        with open(log, "ab") as f:
            f.write(real[cut:])
        assert done.wait(20), lines
    finally:
        proc.terminate()
        proc.wait(10)
    first = json.loads(next(ln for ln in lines if ln.startswith("{")))
    assert set(first) == KEYS and first["bytes"] == parse_bytes(real[:cut]).bytes


def test_finished_with_errors_exits_1(rclone_logs, tmp_path, capsys):
    real = rclone_logs.text.read_bytes()
    last = real.rindex(b"Checks:")
    log = tmp_path / "errs.log"
    log.write_bytes(real[:last] + b"Errors:                 1 (retrying may help)\n" + real[last:])
    _age(log, 120)
    code, out, _ = _status(capsys, "--json", log)
    (d,) = json.loads(out)
    assert d["state"] == "finished" and d["errors"] == 1 and code == 1


def test_a_glob_matching_nothing_exits_2(rclone_logs, tmp_path, capsys):
    _age(rclone_logs.text, 120)
    code, out, err = _status(capsys, "--json", rclone_logs.text, tmp_path / "*.log")
    assert code == 2 and "no log matches" in err
    assert [d["log"] for d in json.loads(out)] == [str(rclone_logs.text)]


def test_finished_shows_its_average_speed_and_stalled_zero(rclone_logs, capsys):
    _age(rclone_logs.text, 120)
    main(["status", "--json", str(rclone_logs.text)])
    (doc,) = json.loads(capsys.readouterr().out)
    assert doc["state"] == "finished"
    assert doc["speed_bytes_per_s"] == pytest.approx(doc["bytes"] / doc["elapsed_seconds"])
    assert doc["average_speed_bytes_per_s"] == doc["speed_bytes_per_s"]
    main(["status", str(rclone_logs.text)])
    assert " avg " in capsys.readouterr().out
    # A job cut mid-run and silent past stall_seconds: speed 0, ETA unknown, and since when.
    real = rclone_logs.text.read_bytes()
    cut = real.index(b"\n\n", real.index(b"Transferred:   \t")) + 2
    doc = status_json(
        "x", parse_bytes(real[:cut]), job_state(parse_bytes(real[:cut]), now=time.time(), changed_at=time.time() - 900,
                                                progress_at=time.time() - 900, stall_seconds=600))
    assert doc["state"] == "stalled" and doc["speed_bytes_per_s"] == 0 and doc["eta_seconds"] is None
    assert doc["stalled_for"] == pytest.approx(900, abs=5) and doc["progress_at"] is not None


def test_follow_prints_only_changes_each_with_its_time(rclone_logs, tmp_path):
    import re
    import subprocess
    import sys

    real = rclone_logs.text.read_bytes()
    cut = real.index(b"\n\n", real.index(b"Transferred:   \t")) + 2
    log = tmp_path / "f.log"
    log.write_bytes(real[:cut])
    out = tmp_path / "out.txt"
    with open(out, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "pixel_tui", "status", "--follow", "--stall-seconds", "86400",
                                 str(log)],  # written at the session's start: not a stall
                                stdout=fh, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 20
            while not out.read_text().strip():
                assert time.monotonic() < deadline and proc.poll() is None, out.read_text()
                time.sleep(0.05)
            for i in range(3):  # lines that change nothing the status says
                with open(log, "ab") as f:
                    f.write(b"2026/11/25 19:33:0%d DEBUG : nothing new\n" % i)
                time.sleep(0.7)
            with open(log, "ab") as f:
                f.write(real[cut:])
            deadline = time.monotonic() + 20
            while "3.1 MiB / 3.1 MiB" not in out.read_text():
                assert time.monotonic() < deadline, out.read_text()
                time.sleep(0.05)
            time.sleep(1.0)
        finally:
            proc.terminate()
            proc.wait(10)
    # a status is a head line (with the time) and its files in flight ("  > ...") under it
    lines = [ln for ln in out.read_text().splitlines() if ln.strip() and not ln.startswith("  ")]
    assert len(lines) == 2, lines  # the first state and the finished one, no repeats
    assert all(re.match(r"\d\d:\d\d:\d\d  ", ln) for ln in lines), lines
    assert lines[0][10:] != lines[1][10:]

"""Google Drive's quotas and blocks are their own condition, not a stall: real logs with rclone's Drive errors fed in."""

from __future__ import annotations

import json
import os
import re
import time

import pytest

from pixel_tui.cli import main
from pixel_tui.core.jobs.parse import parse_bytes
from pixel_tui.core.jobs.state import job_state

# rclone's Drive backend and Google's API, word for word (backend/drive/drive.go, googleapi errors).
QUOTA = ("big.bin: Failed to copy: open file failed: googleapi: Error 403: The download quota for this file has been "
         "exceeded., downloadQuotaExceeded")
QUOTA_STOP = "Google drive root 'datasets': Received download limit error: googleapi: Error 403: The download quota " \
             "for this file has been exceeded., downloadQuotaExceeded"
RATE = ("pacer: low level retry 1/10 (error googleapi: Error 403: User Rate Limit Exceeded. Rate of requests for user "
        "exceed configured project quota., userRateLimitExceeded)")
RATE_ERR = "big.bin: Failed to copy: googleapi: Error 403: Rate Limit Exceeded, rateLimitExceeded"
ABUSE = ("bad.exe: Failed to copy: open file failed: googleapi: Error 403: This file has been identified as malware "
         "or spam and cannot be downloaded., cannotDownloadAbusiveFile")
CASES = [("quota", "ERROR", QUOTA), ("quota", "ERROR", QUOTA_STOP), ("throttled", "DEBUG", RATE),
         ("throttled", "ERROR", RATE_ERR), ("blocked", "ERROR", ABUSE)]


def _mid_run(data: bytes) -> bytes:
    """The log cut after its second stats record: a job still copying."""
    for marker in (b"Transferred:   \t", b'"stats":{'):
        if data.count(marker) >= 3:
            first = data.index(marker)
            second = data.index(marker, first + 1)
            third = data.index(marker, second + 1)
            return data[:data.rfind(b"\n", 0, third) + 1] if marker != b"Transferred:   \t" else \
                data[:data.rfind(b"\n", 0, data.rfind(b"\n", 0, third)) + 1]
    raise AssertionError("too few blocks")


def _line_like(data: bytes, level: str, msg: str) -> bytes:
    """A log line in the log's own layout (its last stamped line's prefix), at ``level``."""
    if data.lstrip().startswith(b"{"):
        rec = json.loads(data.splitlines()[-1])
        obj, _, text = msg.partition(": ") if msg.startswith(("big.bin", "bad.exe")) else ("", "", msg)
        return json.dumps({"time": rec["time"], "level": level.lower(), "msg": text, "object": obj or None,
                           "source": "operations/copy.go:1"}).encode() + b"\n"
    prefix = re.findall(rb"(?m)^(.*?)(?:INFO  |NOTICE): ", data)[-1]
    return prefix + f"{level:<6}: {msg}\n".encode()


@pytest.fixture(params=["text", "pid", "json"])
def mid_log(request, rclone_logs, layout_logs):
    path = {"text": rclone_logs.text, "json": rclone_logs.json, "pid": layout_logs.ok["date,time,pid"]}[request.param]
    return _mid_run(path.read_bytes())


@pytest.mark.parametrize("condition,level,msg", CASES)
def test_drive_limits_are_their_own_condition(mid_log, tmp_path, capsys, condition, level, msg):
    log = tmp_path / "drive.log"
    log.write_bytes(mid_log + _line_like(mid_log, level, msg))
    snap = parse_bytes(log.read_bytes())
    assert snap.condition == condition and msg.split(": ")[-1][:30] in snap.condition_line
    now = time.time()
    st = job_state(snap, now=now, changed_at=now, progress_at=now, stall_seconds=600)
    assert st.condition == condition and not st.ok
    code = main(["status", "--json", str(log)])
    (doc,) = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["condition"] == condition and doc["state"] != "stalled"
    todo = {"quota": "--drive-stop-on-download-limit", "throttled": "--tpslimit", "blocked": "--drive-acknowledge-abuse"}
    assert todo[condition] in doc["condition_text"]
    main(["status", str(log)])
    assert todo[condition] in capsys.readouterr().out


def test_no_condition_is_null(rclone_logs, capsys):
    t = time.time() - 120
    os.utime(rclone_logs.text, (t, t))
    assert main(["status", "--json", str(rclone_logs.text)]) == 0
    (doc,) = json.loads(capsys.readouterr().out)
    assert doc["condition"] is None and doc["condition_text"] is None


def test_a_passing_throttle_clears_when_bytes_flow_again(rclone_logs):
    data = rclone_logs.text.read_bytes()
    mid = _mid_run(data)
    snap = parse_bytes(mid + _line_like(mid, "DEBUG", RATE) + data[len(mid):])
    assert snap.condition is None and snap.all_transferred
    # A quota does not pass: the file it hit was not copied.
    snap = parse_bytes(mid + _line_like(mid, "ERROR", QUOTA) + data[len(mid):])
    assert snap.condition == "quota"

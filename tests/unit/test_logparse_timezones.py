"""Stamps with `--log-format UTC` read as UTC; without it, as the host's local time (TZ=America/New_York)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime

import pytest
from logfixtures import rclone_copy, small_source

from pixel_tui.core.jobs.tail import LogWatcher, read_current

NY = {"TZ": "America/New_York"}


@pytest.fixture(scope="module")
def ny_logs(weed_server, tmp_path_factory):
    """Real rclone runs under TZ=America/New_York, with and without `UTC`, and one at -vv."""
    root = tmp_path_factory.mktemp("tz")
    store = weed_server.store("tz-" + uuid.uuid4().hex[:8])
    store.ensure_bucket()
    src = small_source(root / "src")
    logs = {}
    procs = []
    for name, flags in {"utc": ["-v", "--log-format", "UTC,date,time"], "local": ["-v"],
                        "utc_vv": ["-vv", "--log-format", "date,time,UTC,pid"],
                        "local_micro": ["-v", "--log-format", "date,time,microseconds,shortfile"]}.items():
        logs[name] = root / f"{name}.log"
        procs.append(rclone_copy(weed_server, store.bucket, src, name, logs[name], *flags, "--stats", "300ms",
                                 "--bwlimit", "1M", env=NY, wait=False))
    for p in procs:
        p.wait(timeout=120)
    return logs


def _status_json(path, env) -> dict:
    out = subprocess.run([sys.executable, "-m", "pixel_tui", "status", "--json", "--stall-seconds", "600", str(path)],
                         capture_output=True, text=True, env={**os.environ, **env}, timeout=60)
    return json.loads(out.stdout)[0]


@pytest.mark.parametrize("name", ["utc", "local", "utc_vv", "local_micro"])
def test_status_under_new_york_reads_the_right_moment(ny_logs, name):
    path = ny_logs[name]
    mtime = os.stat(path).st_mtime
    doc = _status_json(path, NY)
    updated = datetime.fromisoformat(doc["updated_at"]).timestamp()
    assert abs(updated - mtime) < 5, (doc["updated_at"], datetime.fromtimestamp(mtime).isoformat())
    assert doc["state"] in ("finished", "running")  # never stalled by a 5 h offset


def test_utc_start_line_decides_even_when_mtime_cannot(ny_logs, tmp_path):
    """A -vv log names its --log-format: UTC is known even for a copy whose mtime says nothing."""
    copy = tmp_path / "copied.log"
    copy.write_bytes(ny_logs["utc_vv"].read_bytes())
    t = os.stat(ny_logs["utc_vv"]).st_mtime
    os.utime(copy, (t - 86400, t - 86400))  # touched a day later: the mtime check cannot decide
    doc = _status_json(copy, NY)
    assert abs(datetime.fromisoformat(doc["updated_at"]).timestamp() - t) < 5


def test_watcher_under_new_york(ny_logs, monkeypatch):
    """In-process, with time.tzset: the watcher's snapshot and progress times are the real moments."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        for name in ("utc", "local"):
            path = ny_logs[name]
            mtime = os.stat(path).st_mtime
            snap = read_current(path)
            assert abs(snap.updated_at.timestamp() - mtime) < 5, name
            watcher = LogWatcher([str(path)], lambda v: None, history=False)
            (view,) = watcher.poll_once()
            assert abs(view.progress_at - mtime) < 5 and abs(view.snapshot.last_line_at.timestamp() - mtime) < 5
            watcher.stop()
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()

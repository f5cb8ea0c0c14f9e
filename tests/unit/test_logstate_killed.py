"""A SIGKILLed rclone leaves a log that ends mid-run: stalled once past monitor.stall_seconds, never finished."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid

import pytest
from logfixtures import rclone_copy, small_source

from pixel_tui.cli import main
from pixel_tui.core.jobs.state import job_state
from pixel_tui.core.jobs.tail import read_current

FLAGS = {"text": ["-v"], "pid": ["-v", "--log-format", "date,time,pid"], "json": ["-v", "--use-json-log"],
         "oneline": ["-v", "--stats-one-line"], "nolevel": ["-v", "--log-format", "nolevel"]}


def _blocks(path) -> int:
    data = path.read_bytes() if path.exists() else b""
    return max(data.count(b"Transferred:   \t"), data.count(b'"stats":{'), data.count(b", ETA "))


@pytest.fixture(scope="module")
def killed_logs(weed_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("killed")
    store = weed_server.store("killed-" + uuid.uuid4().hex[:8])
    store.ensure_bucket()
    src = small_source(root / "src", sizes=(1_500_000, 1_200_000, 1_800_000))
    logs, procs = {}, []
    for name, flags in FLAGS.items():
        logs[name] = root / f"{name}.log"
        procs.append(rclone_copy(weed_server, store.bucket, src, name, logs[name], *flags, "--stats", "200ms",
                                 "--bwlimit", "500K", "--transfers", "2", wait=False))
    deadline = time.monotonic() + 30
    for name, proc in zip(FLAGS, procs):
        # Kill mid-run, after a few stats blocks: as the OOM killer or a reboot would.
        while _blocks(logs[name]) < 4:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    for proc in procs:
        assert proc.wait(10) == -signal.SIGKILL
    return logs


@pytest.mark.parametrize("name", list(FLAGS))
def test_killed_run_reads_running_then_stalled(killed_logs, name):
    path = killed_logs[name]
    snap = read_current(path)
    assert snap.has_stats and not snap.all_transferred and not snap.fatal
    mtime = os.stat(path).st_mtime
    progress = snap.progress_at.timestamp() if snap.progress_at else mtime
    states = [job_state(snap, now=mtime + dt, changed_at=mtime, progress_at=progress, stall_seconds=300).state
              for dt in (1, 100, 299, 301, 3600, 86400 * 30)]
    assert states[:2] == ["running", "running"] and states[3:] == ["stalled"] * 3
    assert "finished" not in states


def test_status_and_watcher_use_monitor_stall_seconds_from_config(killed_logs, tmp_path, capsys):
    """`status` and the dashboard read monitor.stall_seconds from the same config."""
    path = killed_logs["pid"]
    time.sleep(max(0.0, os.stat(path).st_mtime + 4 - time.time()))  # 4 s since rclone died
    conf = tmp_path / "config.toml"
    conf.write_text(f'[monitor]\nstall_seconds = 3\nlogs = ["{path}"]\n')
    code = main(["status", "--config", str(conf), "--json", str(path)])
    (doc,) = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["state"] == "stalled"
    assert doc["speed_bytes_per_s"] == 0 and doc["eta_seconds"] is None
    assert doc["stalled_for"] >= 3.5 and doc["progress_at"] is not None
    conf.write_text(f'[monitor]\nstall_seconds = 900\nlogs = ["{path}"]\n')
    code = main(["status", "--config", str(conf), "--json", str(path)])
    (doc,) = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["state"] == "running" and doc["stalled_for"] is None

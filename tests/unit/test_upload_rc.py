"""Uploads started by the app run with --rc on a loopback port (credentials from a 0600 secret in the
state dir), are remembered there, can be stopped and throttled, and are reaped when they end."""

from __future__ import annotations

import json
import os
import stat
import time

from rc_helpers import proc_state

from pixel_tui.cli import main
from pixel_tui.core.config import Settings
from pixel_tui.core.jobs.launched import launched, rc_secret, shown
from pixel_tui.core.jobs.rc import call
from pixel_tui.core.jobs.uploads import start_upload


def _wait(pred, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not (got := pred()):
        assert time.monotonic() < deadline, what
        time.sleep(0.1)
    return got


def _upload(weed_server, weed_store, rclone, drive_dir, tmp_path, bwlimit="100k"):
    folder = drive_dir / "slow"
    folder.mkdir()
    for i in range(3):
        (folder / f"s{i}.bin").write_bytes(os.urandom(400_000))
    settings = Settings(endpoint_url=weed_server.endpoint_url, bucket=weed_store.bucket, drive="drive:",
                        state_dir=str(tmp_path / "state"))
    creds = {"AWS_ACCESS_KEY_ID": weed_server.access_key, "AWS_SECRET_ACCESS_KEY": weed_server.secret_key}
    return settings, start_upload(settings, "slow", rclone=rclone, environ=creds, stats="200ms", bwlimit=bwlimit)


def test_upload_has_an_rc_endpoint_we_can_throttle_and_stop(weed_server, weed_store, rclone, drive_dir, tmp_path,
                                                             capsys):
    settings, job = _upload(weed_server, weed_store, rclone, drive_dir, tmp_path)
    state = tmp_path / "state"
    secret_file = state / "rc-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = rc_secret(state)
    assert secret and secret not in " ".join(job.argv)
    assert secret.encode() not in open(f"/proc/{job.pid}/cmdline", "rb").read()  # not on ps's command line

    (rec,) = launched(state)
    assert rec.pid == job.pid and rec.src == "drive:slow" and rec.log_file == str(job.log_file)
    assert secret not in (state / "uploads" / "launched.json").read_text()
    url = rec.rc_url(secret)

    def moved():
        try:
            return call(url, "core/stats").get("bytes")
        except OSError:  # rclone still starting its rc server
            return None

    _wait(moved, "the upload's rc endpoint never showed progress")

    cfg = ["--config", str(tmp_path / "none.toml"), "--bucket", weed_store.bucket]
    (tmp_path / "none.toml").write_text(f'[paths]\nstate_dir = "{state}"\n')
    assert main(["jobs", *cfg, "--json"]) == 0
    out = capsys.readouterr().out
    (row,) = json.loads(out)
    assert row["id"] == f"u{job.pid}" and row["kind"] == "upload" and row["state"] == "running"
    assert row["source"] == "drive:slow" and secret not in out

    assert main(["jobs", *cfg, "bwlimit", "50k", f"u{job.pid}"]) == 0
    assert secret not in capsys.readouterr().out
    assert call(url, "core/bwlimit")["bytesPerSecond"] == 50 * 1024

    assert main(["jobs", *cfg, "stop", f"u{job.pid}"]) == 0
    assert "stopped upload" in capsys.readouterr().out
    # Reaped by the app while it runs: gone from /proc, never left a zombie ('Z').
    _wait(lambda: proc_state(job.pid) is None, f"rclone {job.pid} not reaped: {proc_state(job.pid)}")
    assert not rec.alive()
    assert main(["jobs", *cfg, "stop", f"u{job.pid}"]) == 2  # nothing left to stop
    capsys.readouterr()


def test_finished_upload_is_reaped_and_remembered_after_restart(weed_server, weed_store, rclone, drive_dir, tmp_path):
    settings, job = _upload(weed_server, weed_store, rclone, drive_dir, tmp_path, bwlimit=None)
    states = []
    deadline = time.monotonic() + 60
    while (st := proc_state(job.pid)) is not None:
        states.append(st)
        assert time.monotonic() < deadline, "upload never ended"
        time.sleep(0.05)
    assert "Z" not in states[-3:] or proc_state(job.pid) is None
    for i in range(3):
        assert weed_store.head(f"gdrive/raw/slow/s{i}.bin").size == 400_000
    # "After a restart": a fresh read of the state dir still knows the upload and its log.
    (rec,) = shown(tmp_path / "state")
    assert rec.pid == job.pid and os.path.exists(rec.log_file) and not rec.alive()
    from pixel_tui.core.jobs.control import upload_row

    row = upload_row(settings, rec)
    assert row.state == "finished" and abs(row.bytes - 1_200_000) < 1000  # the log rounds

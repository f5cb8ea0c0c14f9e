"""A job on a Drive subfolder marks the right Drive rows (its source root: our argv, an rc job's srcFs,
`-vv` start lines, `monitor.sources`), and an upload started by an earlier run of the app shows after
a restart. Real rclone into SeaweedFS."""

from __future__ import annotations

import os
import subprocess

import pytest
from browser_helpers import build, settings_for, settle
from pilot_helpers import wait_for

from pixel_tui.core.binaries import find_binary
from pixel_tui.core.jobs.sources import drive_name, root_from_config, root_from_log
from pixel_tui.core.jobs.uploads import start_upload
from pixel_tui.tui.screens.monitor import MonitorScreen


def _slow_folder(drive_dir, name="sub/deeper"):
    folder = drive_dir / name
    folder.mkdir(parents=True)
    for i in range(2):
        (folder / f"s{i}.bin").write_bytes(os.urandom(600_000))
    return folder


def test_root_from_a_real_vv_log_and_from_config(rclone, drive_dir, weed_store, tmp_path):
    _slow_folder(drive_dir)
    log = tmp_path / "vv.log"
    subprocess.run([find_binary("rclone"), "copy", "drive:sub/deeper", f"s3test:{weed_store.bucket}/gdrive/raw/x",
                    "-vv", f"--log-file={log}"], env={**os.environ, **rclone.extra_env}, check=True, timeout=60)
    assert root_from_log(str(log)) == "drive:sub/deeper"
    plain = tmp_path / "plain.log"
    plain.write_text("2026/01/01 00:00:00 INFO  : s0.bin: Copied (new)\n")
    assert root_from_log(str(plain)) is None
    assert root_from_config(str(plain), {str(tmp_path / "*.log"): "gdrive:datasets/a"}) == "gdrive:datasets/a"
    assert drive_name("s0.bin", "drive:sub/deeper", "drive:") == "sub/deeper/s0.bin"
    assert drive_name("s0.bin", "gdrive:datasets/sub", "gdrive:datasets") == "sub/s0.bin"
    assert drive_name("f.json", "gdrive:datasets/sub/f.json", "gdrive:datasets") == "sub/f.json"  # a file root
    assert drive_name("s0.bin", "/elsewhere", "drive:") is None  # not a Drive job: marks nothing
    assert drive_name("s0.bin", None, "drive:") == "s0.bin"  # unknown: rclone's name as is


@pytest.mark.timeout(120)
async def test_upload_of_a_subfolder_from_an_earlier_run_marks_its_rows(weed_server, weed_store, rclone, drive_dir,
                                                                        tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    _slow_folder(drive_dir)
    (drive_dir / "s0.bin").write_bytes(b"a Drive-root file of the same name: not the one uploading")
    settings = settings_for(weed_server, weed_store.bucket, state_dir=str(tmp_path / "state"))
    # An earlier run of the app started it (then quit): only the state dir knows about it.
    job = start_upload(settings, "sub/deeper", rclone=rclone, bwlimit="80k", stats="250ms")
    try:
        app = build(settings, drive_dir)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            feed = app.job_feed
            assert str(job.log_file) in feed.sources()
            await wait_for(pilot, lambda: any(n.startswith("sub/deeper/s") for n in feed.in_flight_names(0)),
                           timeout=30, what="the upload's files under their Drive path")
            assert "s0.bin" not in feed.in_flight_names(0)  # the Drive root's s0.bin is not uploading
            drive = app.screen.drive
            await pilot.pause(0.3)
            assert drive.entries.markers.get("s0.bin") != "uploading"
            await pilot.press("m")
            await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), what="monitor")
            await wait_for(pilot, lambda: str(job.log_file) in app.screen.views, what="the earlier upload's job")
    finally:
        try:
            os.kill(job.pid, 15)
        except ProcessLookupError:
            pass

"""The home job strip says how far (`412.0 GiB / 675.0 GiB`) and why (`no progress for 15m00s`, `3 errors:
...`), never `0 B/s ETA -` for a failed job, and fits its line at every width; a snapshot of home at 80x24
with a failed job and folder totals. Real rclone logs, the session's SeaweedFS, the real rclone Drive remote."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from browser_helpers import FIXED_MTIME, FixedHomeApp, drive_env, seed, settings_for, settle
from pilot_helpers import wait_for
from rich.text import Text
from textual.app import App

from pixel_tui.core.jobs.parse import parse_bytes
from pixel_tui.core.jobs.state import job_state
from pixel_tui.tui.services import Services
from pixel_tui.tui.widgets.job_strip import JobStrip, strip_line

DATA = Path(__file__).parent / "data"


def _job(path: Path, after: float):
    snap = parse_bytes(path.read_bytes())
    at = snap.updated_at.timestamp()
    return snap, job_state(snap, now=at + after, changed_at=at, progress_at=snap.progress_at.timestamp(),
                           stall_seconds=600)


def plain(line: str) -> str:
    return Text.from_markup(line).plain


def test_every_line_fits_and_keeps_state_name_percent_and_reason():
    failed = _job(DATA / "failed_upload.log", 60)
    stalled = _job(DATA / "monitor_running.log", 900)
    running = _job(DATA / "monitor_running.log", 10)
    for width in range(40, 201):
        for (snap, status), state in ((failed, "FAILED"), (stalled, "STALLED"), (running, "RUNNING")):
            line = plain(strip_line("upload_raw_final.log", snap, status, 20, width))
            assert len(line) <= width, (width, line)
            assert state in line and "upload_raw_" in line and (" 61%" in line or " 70%" in line), (width, line)
    wide = plain(strip_line("upload_raw_final.log", *failed, 20, 140))
    assert "FAILED" in wide and "61% 412.0 GiB / 675.0 GiB 3 errors: PutObject, 403 AccessDenied: Access Denied." in wide
    assert "B/s" not in wide and "ETA" not in wide  # a failed job has no speed and no ETA to show
    narrow = plain(strip_line("upload_raw_final.log", *failed, 20, 78))
    assert narrow == " FAILED   upload_raw_final.log  61% 3 errors: PutObject, 403 AccessDenied: Ac…"  # bytes go first
    run = plain(strip_line("upload_raw_final.log", *running, 20, 78))
    assert run == " RUNNING  upload_raw_final.log  70% 3.1 MiB/s ETA 0s · 1 error: f4.bin: PutOb…"
    quiet = plain(strip_line("upload_raw_final.log", *_job(DATA / "monitor_running.log", 10), 20, 140))
    assert "70% 6.0 MiB / 8.6 MiB 3.1 MiB/s ETA 0s" in quiet


async def test_the_strip_fits_its_width_and_says_why(tmp_path):
    failed = tmp_path / "upload_failed.log"
    shutil.copy(DATA / "failed_upload.log", failed)
    stuck = tmp_path / "upload_raw_final.log"
    shutil.copy(DATA / "monitor_running.log", stuck)
    now = parse_bytes(stuck.read_bytes()).progress_at.timestamp() + 900

    class StripApp(App):
        def compose(self):
            yield JobStrip([str(failed), str(stuck), str(tmp_path / "next.log")], stall_seconds=600, clock=lambda: now)

    app = StripApp()
    async with app.run_test(size=(80, 10)) as pilot:
        strip = app.query_one(JobStrip)
        await wait_for(pilot, lambda: len(str(strip.render()).splitlines()) == 3, what="three lines")
        await pilot.pause(0.3)
        lines = str(strip.render()).splitlines()
        assert all(len(line) <= 78 for line in lines), lines
        assert "FAILED" in lines[0] and "3 errors: PutObject, 403 AccessDenied" in lines[0] and "B/s" not in lines[0]
        assert "STALLED" in lines[1] and "70% no progress for 15m00s · 1 error: f4.bin" in lines[1]
        assert "WAITING" in lines[2] and "next.log" in lines[2] and "no log yet" in lines[2]
        await pilot.resize_terminal(160, 10)
        await wait_for(pilot, lambda: "412.0 GiB / 675.0 GiB" in str(strip.render()), what="bytes when wide")
        assert "70% 6.0 MiB / 8.6 MiB no progress for 15m00s" in str(strip.render())


@pytest.mark.timeout(90)
def test_home_with_a_failed_job_and_folder_totals_snapshot_80x24(snap_compare, weed_server, drive_dir, monkeypatch,
                                                                  tmp_path):
    """A failed upload and a running one (the clock 30 s after their last blocks); Beta_downloaded/'s totals.
    At 80 columns the failed job's bytes give way to its reason; the running job keeps them."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    store = weed_server.store("snap-home-failed")  # a fixed name: it is shown on screen
    store.ensure_bucket()
    store.delete_many([o.key for o in store.walk("")])
    seed(drive_dir, store)
    os.utime(drive_dir, (FIXED_MTIME, FIXED_MTIME))
    failed, running = tmp_path / "upload_voice_notes.log", tmp_path / "upload_raw_final.log"
    shutil.copy(DATA / "failed_upload.log", failed)
    real = (DATA / "monitor_running.log").read_text()
    running.write_text(real[: real.index("ERROR")].rsplit("\n", 1)[0] + "\n")  # the same run before its error
    now = parse_bytes(failed.read_bytes()).updated_at.timestamp() + 30
    for log in (failed, running):
        os.utime(log, (now - 30, now - 30))
    settings = settings_for(weed_server, "snap-home-failed", logs=(str(failed), str(running)), stall_seconds=600)
    app = FixedHomeApp(Services(settings, drive_env(drive_dir)))
    app.now = now

    async def run_before(pilot):
        await settle(pilot)
        strip = app.screen.jobs
        await wait_for(pilot, lambda: len(strip.views) == 2 and "FAILED" in str(strip.render()), what="strip")
        await pilot.press("j", "s")  # Beta_downloaded/: its totals on the status line
        drive = app.screen.drive
        await wait_for(pilot, lambda: "uploaded" in drive.entries.info.get("Beta_downloaded/", ""), what="totals")
        await pilot.pause(0.6)  # two redraw ticks

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)

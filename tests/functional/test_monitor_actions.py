"""The monitor driven like a person: an rc job of a real `rclone rcd` as its own row, stopped with `s`
(after a confirmation) and throttled with `b`; an error line in full with Enter; the whole log with
`l`, `/` search and the errors-only filter."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pilot_helpers import wait_for
from rc_helpers import proc_state, running_rcd

from pixel_tui.core.config import Settings
from pixel_tui.core.jobs.rc import call
from pixel_tui.tui.app import make_app
from pixel_tui.tui.screens.monitor import MonitorScreen
from pixel_tui.tui.widgets.job_card import JobCard

DATA = Path(__file__).parent / "data"
PASS = "pilotRCpass"


@pytest.fixture
def rcd(rclone):
    """A real `rclone rcd` (see rc_helpers.running_rcd)."""
    with running_rcd(rclone, PASS) as url:
        yield url




def screen_text(app) -> str:
    return "\n".join(str(s.render()) for s in app.screen.query("Static") if s.display)


@pytest.mark.timeout(90)
async def test_rc_job_is_a_row_you_can_stop_and_throttle(rcd, drive_dir, weed_store, tmp_path):
    (drive_dir / "big").mkdir()
    for i in range(3):
        (drive_dir / "big" / f"p{i}.bin").write_bytes(os.urandom(1_000_000))
    jid = call(rcd, "sync/copy", {"srcFs": "drive:big", "dstFs": f"s3test:{weed_store.bucket}/gdrive/raw/big",
                                  "_async": True})["jobid"]
    app = make_app(Settings(rc_urls=(rcd,), bucket=weed_store.bucket, state_dir=str(tmp_path / "state")))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), what="monitor")
        screen = app.screen
        await wait_for(pilot, lambda: any(s.endswith(f"#job/{jid}") for s in screen.order), what="the rc job's row")
        await wait_for(pilot, lambda: "RUNNING" in screen.query_one(JobCard).text(), what="running")
        text = screen.query_one(JobCard).text()
        assert f"rc job {jid}" in text and "copy" in text and "gdrive/raw/big" in text and PASS not in text

        await pilot.press("b")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AskDialog", what="bandwidth prompt")
        await pilot.press(*"50k", "enter")
        await wait_for(pilot, lambda: call(rcd, "core/bwlimit")["bytesPerSecond"] == 50 * 1024, what="bwlimit 50k")

        await pilot.press("S")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog", what="stop confirmation")
        assert f"rc job {jid}" in screen_text(app) and PASS not in screen_text(app)
        await pilot.press("n")  # declined: nothing happens
        await pilot.pause(1.5)
        assert "RUNNING" in screen.query_one(JobCard).text()
        await pilot.press("S")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog", what="stop confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: "FAILED" in screen.query_one(JobCard).text(), timeout=20, what="stopped job")
        assert "context canceled" in screen.query_one(JobCard).text()
        assert call(rcd, "job/status", {"jobid": jid})["finished"]


@pytest.mark.timeout(60)
async def test_errors_newest_first_in_full_and_the_log_pane(rclone_logs, tmp_path):
    log = tmp_path / "upload_raw_final.log"
    base = (DATA / "monitor_running.log").read_bytes()
    extra = b"".join(b"2026/11/25 19:33:%02d ERROR : dir/file%02d.bin: Failed to copy: operation error S3: PutObject, "
                     b"https response error StatusCode: 500, RequestID: , HostID: , api error InternalError: "
                     b"We encountered an internal error. Please try again.\n" % (i, i) for i in range(8))
    log.write_bytes(base + extra + b"filler line\n" * 5000 + b"2026/11/25 19:40:00 NOTICE: the very end\n")
    app = make_app(Settings(logs=(str(log),), bucket="b"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), what="monitor")
        screen = app.screen
        card = screen.query_one(JobCard)
        await wait_for(pilot, lambda: "file07" in card.text(), what="the errors")
        errors = card.query_one(".job-errors")
        assert "file07" in errors.full[0]  # newest first
        assert all("RequestID" not in str(errors.get_option_at_index(i).prompt) for i in range(errors.option_count))
        errors.focus()
        await pilot.press("down", "enter")  # the second newest, in full
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ErrorDetail", what="error in full")
        assert "file06" in screen_text(app) and "RequestID" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back")

        screen.query_one("#monitor-list").focus()
        await pilot.press("L")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LogScreen", what="log pane")
        pane = app.screen
        await wait_for(pilot, lambda: "the very end" in screen_text(app), what="opens at the end")
        await pilot.press("e")  # errors only
        await wait_for(pilot, lambda: pane.errors_done and "errors only: 9 lines" in screen_text(app),
                       what="errors only")
        lines = [t for _, t in pane.page.lines]
        assert lines and all("ERROR" in t for t in lines)
        await pilot.press("e", "g")  # everything again, from the top
        await wait_for(pilot, lambda: pane.page.top == 0 and not pane.errors_only, what="top")
        await pilot.press("slash", *"file03", "enter")
        await wait_for(pilot, lambda: pane.page.lines and "file03" in pane.page.lines[0][1], what="search hit")
        await pilot.press("n")
        await pilot.pause(0.5)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back to the monitor")


@pytest.mark.timeout(120)
async def test_upload_started_with_u_is_stopped_with_s(weed_server, weed_store, drive_dir, tmp_path, monkeypatch):
    """`u` starts rclone under our rc control; `s` + `y` stops it; the card says so at once (its log
    says nothing more) and the process is reaped, not left a zombie."""
    from browser_helpers import build, settings_for

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    (drive_dir / "slowset").mkdir()
    for i in range(3):
        (drive_dir / "slowset" / f"p{i}.bin").write_bytes(os.urandom(800_000))
    app = build(settings_for(weed_server, weed_store.bucket, state_dir=str(tmp_path / "state")), drive_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), what="monitor")
        screen = app.screen
        await pilot.press("U")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UploadDialog", what="upload dialog")
        app.screen.query_one("#upload-bwlimit").value = "60k"
        await pilot.press(*"slowset", "enter")
        await wait_for(pilot, lambda: app.screen is screen, timeout=30, what="dialog closed")
        card = screen.query_one(JobCard)
        await wait_for(pilot, lambda: "RUNNING" in card.text() and "files" in card.text(), timeout=30,
                       what="the upload running")
        assert "from drive:slowset" in card.text()
        from pixel_tui.core.jobs.launched import launched

        (rec,) = launched(tmp_path / "state")
        await pilot.press("S")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog", what="confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: "FAILED" in card.text() and "rclone has exited" in card.text(), timeout=20,
                       what="the stopped upload read failed")
        await wait_for(pilot, lambda: proc_state(rec.pid) is None, what="rclone reaped (no zombie)")

"""The monitor screen and JobStrip driven with Pilot on real rclone logs, plus an upload from the dialog."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from pilot_helpers import wait_for
from textual.app import App
from textual.binding import Binding

from pixel_tui.core.config import Settings
from pixel_tui.core.jobs.parse import parse_bytes
from pixel_tui.tui import app as app_module
from pixel_tui.tui.app import PixelApp, make_app
from pixel_tui.tui.screens.monitor import MonitorScreen
from pixel_tui.tui.services import Services
from pixel_tui.tui.widgets.job_card import JobCard
from pixel_tui.tui.widgets.job_strip import JobStrip

DATA = Path(__file__).parent / "data"


def card_text(screen: MonitorScreen) -> str:
    """The selected job's card, as text."""
    return screen.query_one(JobCard).text()


@pytest.mark.timeout(60)
async def test_monitor_follows_a_real_log_and_goes_back(rclone_logs, tmp_path):
    real = rclone_logs.text.read_bytes()
    first = real.index(b"\n\n", real.index(b"Transferred:   \t")) + 2
    log = tmp_path / "upload_raw_final.log"
    log.write_bytes(real[:first])
    app = make_app(Settings(logs=(str(tmp_path / "*.log"), str(tmp_path / "later" / "next.log")), bucket="b"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), what="monitor screen")
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.order) == 2, what="two jobs in the list")
        # running above waiting, and the card is the top row's until the person moves
        await wait_for(pilot, lambda: screen.order == [str(log), str(tmp_path / "later" / "next.log")],
                       what="running above waiting")
        await wait_for(pilot, lambda: "RUNNING" in card_text(screen), what="running card")
        assert screen.query_one(JobCard).source == str(log)
        assert "part-" in card_text(screen)  # the files in flight, with their own bars
        await pilot.press("down")  # the next job in the list: its card below
        await wait_for(pilot, lambda: "WAITING" in card_text(screen), what="the waiting job's card")
        await pilot.press("up")
        await wait_for(pilot, lambda: "RUNNING" in card_text(screen), what="back to the running job")
        main = screen
        with open(log, "ab") as f:
            f.write(real[first:])
        final = parse_bytes(real)
        await wait_for(pilot, lambda: "100%" in card_text(main) and "files" in card_text(main)
                       and "4 / 4" in card_text(main), what="final numbers")
        assert screen.views[str(log)].snapshot.bytes == final.bytes
        await pilot.press("question_mark")  # the help lists the monitor's own keys
        assert "Upload" in str(app.screen.query_one("Static").render())
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("escape")
        assert not isinstance(app.screen, MonitorScreen)


@pytest.mark.timeout(90)
async def test_upload_from_the_monitor_becomes_a_watched_job(weed_server, weed_store, drive_dir, tmp_path,
                                                             monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    (drive_dir / "CoT_Heartbreak").mkdir()
    (drive_dir / "CoT_Heartbreak" / "part.json").write_bytes(b"x" * 300_000)
    settings = Settings(endpoint_url=weed_server.endpoint_url, bucket=weed_store.bucket, drive="drive:",
                        state_dir=str(tmp_path / "state"))
    app = make_app(settings, rclone_env={"RCLONE_CONFIG_DRIVE_TYPE": "alias",
                                         "RCLONE_CONFIG_DRIVE_REMOTE": str(drive_dir)})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), what="monitor screen")
        screen = app.screen
        await pilot.press("U")
        await wait_for(pilot, lambda: app.screen is not screen, what="dialog")
        await pilot.press("enter")  # empty path: refused, nothing started
        assert "Give a folder" in str(app.screen.query_one("#upload-error").render())
        for ch in "CoT_Heartbreak":
            await pilot.press(ch)
        assert f"s3://{weed_store.bucket}/gdrive/raw/CoT_Heartbreak" in str(app.screen.query_one("#upload-dest").render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, timeout=30, what="dialog closed")
        await wait_for(pilot, lambda: len(screen.order) == 1, what="the upload's job")
        screen.query_one(JobCard)  # the job has its card (raises if not)
        assert screen.selected.startswith(str(tmp_path / "state" / "uploads"))
        await wait_for(pilot, lambda: (v := screen.views.get(screen.selected)) is not None and v.snapshot is not None
                       and v.snapshot.has_stats and v.snapshot.bytes == 300_000, timeout=60, what="upload done")
    assert weed_store.head("gdrive/raw/CoT_Heartbreak/part.json").size == 300_000


@pytest.mark.timeout(60)
async def test_job_strip_is_self_contained(rclone_logs, tmp_path):
    failed = tmp_path / "failed.log"
    shutil.copy(rclone_logs.failed, failed)
    ok = tmp_path / "ok.log"
    shutil.copy(rclone_logs.text, ok)
    stuck = tmp_path / "stuck.log"
    shutil.copy(DATA / "monitor_running.log", stuck)
    now = parse_bytes(stuck.read_bytes()).progress_at.timestamp() + 900
    os.utime(stuck, (now - 840, now - 840))

    class StripApp(App):
        def compose(self):
            yield JobStrip([str(ok), str(failed), str(stuck)], stall_seconds=600, clock=lambda: now)

    app = StripApp()
    async with app.run_test(size=(80, 10)) as pilot:
        strip = app.query_one(JobStrip)
        await wait_for(pilot, lambda: len(str(strip.render()).splitlines()) == 3, what="three lines")
        lines = str(strip.render()).splitlines()
        assert "ok.log" in lines[0] and "100%" in lines[0]
        assert "FAILED" in lines[1] and "failed.log" in lines[1]
        assert "STALLED" in lines[2] and "70% no progress for 15m00s" in lines[2]


class FixedKeysApp(PixelApp, inherit_bindings=False):
    """The real app with a fixed set of app-wide keys, so the footer in the snapshot shows this screen's
    keys and does not change whenever another screen adds an app binding."""

    CSS_PATH = [str(Path(app_module.__file__).parent / css) for css in PixelApp.CSS_PATH]
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("m", "show('monitor')", "Monitor"),
                Binding("question_mark", "help", "Help", key_display="?")]


def test_monitor_snapshot_80x24(snap_compare, tmp_path):
    """A stalled job with an error and a failed one, with the clock frozen 15 minutes after the last block."""
    running = tmp_path / "monitor_running.log"
    shutil.copy(DATA / "monitor_running.log", running)
    snap = parse_bytes(running.read_bytes())
    now = snap.progress_at.timestamp() + 900
    os.utime(running, (now - 840, now - 840))
    missing = tmp_path / "next_upload.log"
    app = FixedKeysApp(Services(Settings(logs=(str(running), str(missing)), bucket="pixel-data", stall_seconds=600)))

    async def run_before(pilot):
        # What the chart shows after watching it for ten minutes: 3 MiB/s until the blocks stop, then
        # zero (the feed samples on a clock, frozen here at ``now``).
        from pixel_tui.core.jobs.rate_clock import RateClock

        feed = app.job_feed
        feed.clock = lambda: now
        clock = feed.rates[str(running)] = RateClock()
        for second in range(-600, 1):
            clock.tick(now + second, (min(second, -240) + 600) * 3 * 1024 * 1024)  # stuck for the last 4 min
        screen = MonitorScreen(clock=lambda: now)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: (v := screen.views.get(str(running))) is not None
                       and v.history.blocks == 2 and str(missing) in screen.views, what="history")
        # the feed's own 1 s tick has sampled "now" too (a zero: the view's bytes are not the series'),
        # so the picture is the same whenever the snapshot is taken
        await wait_for(pilot, lambda: len(clock.samples) > 601, what="a live sample")
        await pilot.pause(0.6)  # two redraw ticks

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.timeout(90)
async def test_story_1_stalled_job_restarted_reads_running(rclone, drive_dir, weed_store, tmp_path):
    """Maya's 3 a.m. story: STALLED with the 403 error listed; rclone restarted into the same log -> RUNNING."""
    log = tmp_path / "upload_raw_final.log"
    # The stuck run: its blocks dated long ago, the last line a 403 error.
    old = re.sub(rb"\d{4}/\d\d/\d\d", b"2020/01/01", (DATA / "monitor_running.log").read_bytes())
    log.write_bytes(old + b"2020/01/01 02:41:00 ERROR : big.bin: Failed to copy: googleapi: Error 403: "
                    b"Rate Limit Exceeded, rateLimitExceeded\n")
    os.utime(log, (time.time() - 900, time.time() - 900))
    for i in range(3):
        (drive_dir / f"shard-{i}.jsonl").write_bytes(os.urandom(400_000))

    app = make_app(Settings(logs=(str(log),), bucket=weed_store.bucket, stall_seconds=600))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), what="monitor screen")
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.order) == 1, what="card")
        card = screen
        await wait_for(pilot, lambda: "STALLED" in card_text(card), what="stalled")
        assert "no progress for" in card_text(card) and "rateLimitExceeded" in card_text(card)
        # She restarts rclone in tmux with the same --log-file: rclone appends to it.
        job = rclone.start_copy("drive:", f"s3test:{weed_store.bucket}/gdrive/raw", log, bwlimit="600k",
                                stats="250ms")
        try:
            await wait_for(pilot, lambda: "RUNNING" in card_text(card), timeout=30, what="running again")
            # The new run's numbers, and the old run's error lines are gone with it.
            await wait_for(pilot, lambda: "shard-" in card_text(card) or "100%" in card_text(card),
                           timeout=30, what="new run's numbers")
            assert "rateLimitExceeded" not in card_text(card)
        finally:
            try:
                os.kill(job.pid, 15)
                os.waitpid(job.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass

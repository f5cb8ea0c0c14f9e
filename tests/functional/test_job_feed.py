"""One job feed for the whole app: one watcher behind the strip, the monitor, the alerts and the Drive
pane's "uploading" markers; uploads the app starts are watched for the app's life. Pilot, real rclone
uploads into SeaweedFS."""

from __future__ import annotations

import os
import shutil

import pytest
from browser_helpers import build, seed, settings_for, settle
from pilot_helpers import wait_for

from pixel_tui.tui.screens.monitor import MonitorScreen
from pixel_tui.tui.widgets.job_card import JobCard


def _creds(monkeypatch, weed_server) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def watcher_workers(app) -> list:
    """Running workers that are not a browser pane's (listing, markers, totals) or the start-up check."""
    from pixel_tui.tui.dialogs.preview import PreviewScreen
    from pixel_tui.tui.widgets.pane import BrowserPane

    return [w for w in app.workers if w.is_running
            and not isinstance(w.node, (BrowserPane, PreviewScreen)) and w.group != "offer-resume"]


@pytest.mark.timeout(60)
async def test_one_watcher_serves_the_strip_the_monitor_and_the_alerts(weed_server, weed_store, drive_dir,
                                                                      monkeypatch, rclone_logs, tmp_path):
    _creds(monkeypatch, weed_server)
    seed(drive_dir, weed_store)
    log = tmp_path / "upload_a.log"
    shutil.copy(rclone_logs.text, log)
    app = build(settings_for(weed_server, weed_store.bucket, logs=(str(log),)), drive_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: str(log) in app.screen.jobs.views, what="the strip's job")
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), what="monitor")
        monitor = app.screen
        await wait_for(pilot, lambda: str(log) in monitor.views, what="the monitor's job")
        await pilot.pause(0.3)
        assert len(watcher_workers(app)) == 1, [(w.name, w.node) for w in watcher_workers(app)]


@pytest.mark.timeout(90)
async def test_upload_offered_by_p_is_watched_without_monitor_logs(weed_server, weed_store, drive_dir, monkeypatch,
                                                                  tmp_path):
    """No `monitor.logs`: the upload the app starts still feeds the Drive markers and its FINISHED alert."""
    _creds(monkeypatch, weed_server)
    seed(drive_dir, weed_store)
    (drive_dir / "zz big.bin").write_bytes(os.urandom(1_000_000))
    settings = settings_for(weed_server, weed_store.bucket, state_dir=str(tmp_path / "state"), stall_seconds=6,
                            bell=True)
    assert settings.logs == ()
    app = build(settings, drive_dir)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        drive = app.screen.drive
        drive.entries.select_name("zz big.bin")
        drive.entries.focus()
        assert drive.entries.markers["zz big.bin"] == "missing"
        await pilot.press("p")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UploadDialog", what="upload dialog")
        app.screen.query_one("#upload-bwlimit").value = "120k"  # in flight for a few stats blocks
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen", timeout=30, what="dialog closed")
        await wait_for(pilot, lambda: drive.entries.markers.get("zz big.bin") == "uploading", timeout=30,
                       what="the Drive marker of the file in flight")
        await wait_for(pilot, lambda: any("FINISHED" in n for n in notices(app)), timeout=60, what="FINISHED alert")
        assert bells
        await wait_for(pilot, lambda: drive.entries.markers.get("zz big.bin") == "uploaded", timeout=30,
                       what="the marker once the file is in raw")
    assert weed_store.head("gdrive/raw/zz big.bin").size == 1_000_000


@pytest.mark.timeout(90)
async def test_upload_from_the_monitor_is_still_there_when_it_is_reopened(weed_server, weed_store, drive_dir,
                                                                          monkeypatch, tmp_path):
    _creds(monkeypatch, weed_server)
    (drive_dir / "CoT_Heartbreak").mkdir()
    (drive_dir / "CoT_Heartbreak" / "part.json").write_bytes(b"x" * 300_000)
    app = build(settings_for(weed_server, weed_store.bucket, state_dir=str(tmp_path / "state")), drive_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), what="monitor screen")
        first = app.screen
        await pilot.press("U")
        await wait_for(pilot, lambda: app.screen is not first, what="dialog")
        await pilot.press(*"CoT_Heartbreak", "enter")
        await wait_for(pilot, lambda: app.screen is first, timeout=30, what="dialog closed")
        await wait_for(pilot, lambda: len(first.order) == 1, what="upload card")
        source = first.selected
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, MonitorScreen), what="monitor closed")
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), what="monitor again")
        again = app.screen
        assert again is not first
        await wait_for(pilot, lambda: again.order == [source] and again.query_one(JobCard).source == source, what="the card again")
        await wait_for(pilot, lambda: (v := again.views.get(source)) is not None and v.snapshot is not None
                       and v.snapshot.has_stats and v.snapshot.bytes == 300_000, timeout=60, what="upload done")


@pytest.mark.timeout(60)
async def test_the_feed_serves_a_second_app_built_on_the_same_services(rclone_logs, tmp_path):
    from pixel_tui.core.config import Settings
    from pixel_tui.core.jobs.parse import parse_bytes
    from pixel_tui.tui.app import PixelApp
    from pixel_tui.tui.services import Services

    real = rclone_logs.text.read_bytes()
    first = real.index(b"\n\n", real.index(b"Transferred:   \t")) + 2
    log = tmp_path / "upload_a.log"
    log.write_bytes(real[:first])
    services = Services(Settings(logs=(str(log),), bucket="b", endpoint_url="http://127.0.0.1:9"))

    def bytes_shown(app):
        view = app.screen.jobs.views.get(str(log))
        return view.snapshot.bytes if view is not None and view.snapshot is not None else None

    app = PixelApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bytes_shown(app) == parse_bytes(real[:first]).bytes, what="the first block")
    log.write_bytes(real)  # the job went on while no app was open
    app = PixelApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bytes_shown(app) == parse_bytes(real).bytes, what="the job's progress since")

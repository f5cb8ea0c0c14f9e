"""The app shell: header facts, the command palette reaching actions by name, alerts with the bell."""

from __future__ import annotations

import time
from pathlib import Path

from pixel_tui.core.config import Settings
from pixel_tui.tui.app import make_app

DATA = Path(__file__).parent / "data"


def _settings(tmp_path, **kw) -> Settings:
    base = dict(bucket="pixel-data", endpoint_url="http://127.0.0.1:9", drive=str(tmp_path / "drive"),
                state_dir=str(tmp_path / "state"))
    base.update(kw)
    (tmp_path / "drive").mkdir(exist_ok=True)
    return Settings(**base)


async def test_header_names_endpoint_bucket_config_and_read_only(tmp_path):
    from browser_helpers import screen_text

    app = make_app(_settings(tmp_path, read_only=True, config_file=str(tmp_path / "c.toml")))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        assert "http://127.0.0.1:9" in app.sub_title and "s3://pixel-data" in app.sub_title
        assert "c.toml" in app.sub_title
    # READ-ONLY is a badge on the header's right edge: never cut off, even at 80 columns
    app = make_app(_settings(tmp_path, read_only=True, config_file=str(tmp_path / ("a" * 60) / "c.toml")))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        assert header.rstrip().endswith("READ-ONLY"), header


async def test_palette_lists_screen_actions_by_name(tmp_path):
    app = make_app(_settings(tmp_path))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for name in ("Monitor", "Registry", "History", "Help", "Quit"):
            assert name in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Monitor")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert type(app.screen).__name__ == "MonitorScreen"


async def test_a_failing_upload_rings_the_bell_and_notifies(tmp_path):
    log = tmp_path / "upload_raw_final.log"
    log.write_text("")
    app = make_app(_settings(tmp_path, logs=(str(log),), bell=True))
    bells: list[float] = []
    app.bell = lambda: bells.append(time.time())  # the terminal bell itself cannot be observed headless
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(1.5)
        with log.open("a") as fp:
            fp.write("2026/11/25 10:00:00 NOTICE: \nTransferred:   \t   10 MiB / 100 MiB, 10%, 1 MiB/s, ETA 1m30s\n"
                     "Transferred:            1 / 10, 10%\nElapsed time:        10.0s\n\n")
        await pilot.pause(2.5)
        with log.open("a") as fp:
            fp.write("2026/11/25 10:00:05 CRITICAL: Failed to copy: 403 rateLimitExceeded\n")
        for _ in range(30):
            await pilot.pause(0.2)
            if bells:
                break
        assert bells, "no bell for a failed job"
        assert any("FAILED" in n.message for n in app._notifications)


def test_help_snapshot_80x24(snap_compare, tmp_path):
    """`?` over the monitor (no logs configured: a fixed screen) lists every key of that screen."""
    from pixel_tui.tui.dialogs.help import HelpScreen
    from pixel_tui.tui.screens.monitor import MonitorScreen

    app = make_app(_settings(tmp_path, bucket="snap-help", endpoint_url="http://127.0.0.1:9"))

    async def run_before(pilot):
        monitor = MonitorScreen(clock=lambda: 1_764_000_000.0)
        await app.push_screen(monitor)
        await pilot.pause(0.3)
        await app.push_screen(HelpScreen(monitor))
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)

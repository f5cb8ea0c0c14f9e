"""Every dialog brings its own styles: the upload dialog looks the same opened from home (p on a Drive item
not in raw yet) as from the monitor (u), whichever screen was visited before."""

from __future__ import annotations

import pytest
from browser_helpers import build, empty_fixed_bucket, seed, settings_for, settle

BUCKET = "snap-dialogs"  # a fixed name: the dialog shows it
PATH = "Beta_downloaded/part+2 %.json"


@pytest.fixture
def snap_app(weed_server, drive_dir, tmp_path, monkeypatch):
    """The app on a fixed-name bucket with known contents; Drive's Beta_downloaded/part+2 %.json is not in raw."""
    store = empty_fixed_bucket(weed_server, BUCKET, monkeypatch)
    seed(drive_dir, store)
    return build(settings_for(weed_server, BUCKET, state_dir=str(tmp_path / "state")), drive_dir, fixed=True)


async def _until(pilot, cond, what: str) -> None:
    from pilot_helpers import wait_for

    await wait_for(pilot, cond, what=what)
    await pilot.pause(0.2)


def test_upload_dialog_from_home_80x24(snap_compare, snap_app):
    """The monitor never opened: the dialog's rules must come with the dialog."""
    from pixel_tui.tui.dialogs.upload import UploadDialog
    from pixel_tui.tui.screens.monitor import MonitorScreen

    app = snap_app

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("j", "enter")  # into Beta_downloaded/
        await settle(pilot)
        await pilot.press("j")  # part+2 %.json: on Drive only
        assert app.screen.drive.entries.markers.get("part+2 %.json") == "missing"
        await pilot.press("p")
        await _until(pilot, lambda: isinstance(app.screen, UploadDialog), "the upload dialog")
        assert not any(isinstance(s, MonitorScreen) for s in app.screen_stack)
        app.clear_notifications()  # the toast saying why would cover the dialog's corner
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_upload_dialog_from_monitor_80x24(snap_compare, snap_app):
    """The same dialog opened with u on the monitor, the same path typed: the reference look."""
    from pixel_tui.tui.dialogs.upload import UploadDialog
    from pixel_tui.tui.screens.monitor import MonitorScreen

    app = snap_app

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("m")
        await _until(pilot, lambda: isinstance(app.screen, MonitorScreen), "the monitor")
        await pilot.press("U")
        await _until(pilot, lambda: isinstance(app.screen, UploadDialog), "the upload dialog")
        await pilot.press(*PATH)
        await _until(pilot, lambda: app.screen.query_one("#upload-path").value == PATH, "the typed path")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)

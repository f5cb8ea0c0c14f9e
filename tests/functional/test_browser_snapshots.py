"""Snapshots of the browser at 80x24 and 160x48 on fixed data (Drive mtimes fixed, S3 times hidden)."""

from __future__ import annotations

import pytest
from browser_helpers import build, empty_fixed_bucket, seed, settings_for, settle

BUCKET = "snap-browser"  # a fixed name: it is shown on screen


@pytest.fixture
def snap_app(weed_server, drive_dir, monkeypatch):
    """The app on a fixed-name bucket with known contents."""
    store = empty_fixed_bucket(weed_server, BUCKET, monkeypatch)
    seed(drive_dir, store)
    return build(settings_for(weed_server, BUCKET), drive_dir, fixed=True)


def test_browser_80x24(snap_compare, snap_app):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("j", "j")  # cursor on changed.json (differs)

    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=run_before)


def test_browser_160x48_with_totals_and_counterpart(snap_compare, snap_app):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("j", "s")  # Beta_downloaded/: totals and sync summary
        await settle(pilot)
        await pilot.press("k", "enter")  # into Alpha Set/
        await settle(pilot)
        await pilot.press("c")  # S3 pane follows to the raw counterpart
        await settle(pilot)

    assert snap_compare(snap_app, terminal_size=(160, 48), run_before=run_before)


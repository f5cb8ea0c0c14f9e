"""The trees follow what happened: an undo from the history refreshes exactly the S3 levels it changed,
keeping place, filter and marks (real SeaweedFS, real rclone, a real promotion)."""

from __future__ import annotations

import json

import pytest
from browser_helpers import build, settings_for, settle
from conftest import PROMO_REGISTRY
from pilot_helpers import wait_for

from pixel_tui.core.promotion import build_plan, execute

RAW = "gdrive/raw/"
COT = "gdrive/processed/cot_reasoning/"


@pytest.fixture
def promoted(weed_server, weed_store, drive_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    reg = tmp_path / "dataset_registry.json"
    reg.write_text(json.dumps(PROMO_REGISTRY, indent=4) + "\n")
    weed_store.put_bytes(RAW + "CoT_Heartbreak_and_Breakups_downloaded.json", b"{}" * 100)
    weed_store.put_bytes(COT + "already_there.json", b"{}")
    weed_store.put_bytes(COT + "another.json", b"{}")
    settings = settings_for(weed_server, weed_store.bucket, registry=str(reg), state_dir=str(tmp_path / "state"))
    plan = build_plan(weed_store, settings, [RAW + "CoT_Heartbreak_and_Breakups_downloaded.json"], "cot_reasoning")
    execute(weed_store, settings, plan)
    return build(settings, drive_dir), plan


async def test_undo_refreshes_the_processed_level_keeping_filter_and_marks(promoted):
    from pixel_tui.tui.screens.history import HistoryScreen

    app, plan = promoted
    copy = plan.items[0].dest.rsplit("/", 1)[-1]
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        home = app.screen
        await pilot.press("tab")
        home.s3.open_location(COT, select="another.json")
        await settle(pilot)
        entries = home.s3.entries
        assert copy in entries.level.names
        await pilot.press("slash", *"json", "enter")
        await pilot.press("space")  # mark another.json
        assert entries.marked == {"another.json"}
        await pilot.press("H")
        history = app.screen
        assert isinstance(history, HistoryScreen)
        await wait_for(pilot, lambda: history.rows, what="the history")
        await pilot.press("u", "y")
        await wait_for(pilot, lambda: history.rows and history.rows[0].status == "undone", what="the undo")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home and not home.s3.loading and
                       copy not in home.s3.entries.level.names, what="the processed level without the copy")
        await settle(pilot)
        assert home.s3.location == COT and entries.filter_text == "json"
        assert entries.marked == {"another.json"}, "marks survive the refresh"
        assert home.s3.selected_keys() == [COT + "another.json"]


async def test_a_finished_upload_refreshes_the_drive_markers_and_the_raw_level(weed_server, weed_store, drive_dir,
                                                                               monkeypatch, tmp_path):
    from browser_helpers import seed

    from pixel_tui.tui.dialogs.upload import UploadDialog

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    seed(drive_dir, weed_store)
    app = build(settings_for(weed_server, weed_store.bucket, state_dir=str(tmp_path / "state")), drive_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        home.s3.open_location("gdrive/raw/Beta_downloaded/")
        await pilot.press("j", "enter")  # Drive: Beta_downloaded/
        await settle(pilot)
        await pilot.press("j")
        assert home.drive.entries.markers["part+2 %.json"] == "missing"
        assert "part+2 %.json" not in home.s3.entries.level.names
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, UploadDialog), what="the upload dialog")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is home, what="back home")
        # No `r`: the job's end refreshes the affected levels.
        await wait_for(pilot, lambda: "part+2 %.json" in home.s3.entries.level.names, timeout=60,
                       what="the new object in the raw level")
        await wait_for(pilot, lambda: home.drive.entries.markers.get("part+2 %.json") == "uploaded", timeout=30,
                       what="the Drive marker")
        assert home.drive.location == "Beta_downloaded/" and home.drive.entries.current_name == "part+2 %.json"


async def test_undo_refused_for_a_changed_note_offers_the_copies_only(promoted):
    from pixel_tui.tui.screens.history import HistoryScreen

    app, plan = promoted
    reg = app.services.settings.registry
    doc = json.loads(open(reg).read())
    doc["datasets"]["cot_reasoning"]["CoT_Heartbreak_and_Breakups"]["notes"] = "checked"
    with open(reg, "w") as fh:
        fh.write(json.dumps(doc, indent=4) + "\n")
    edited = open(reg).read()
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        await pilot.press("H")
        history = app.screen
        assert isinstance(history, HistoryScreen)
        await wait_for(pilot, lambda: history.rows, what="the history")
        await pilot.press("u", "y")
        status = history.query_one("#history-status")
        await wait_for(pilot, lambda: "undo refused" in str(status.render()), what="the refusal")
        text = str(status.render())
        assert "(notes added)" in text and "path" not in text.split("(notes added)")[0].split("changed since")[1]
        assert "Press c to undo the copies only" in text
        await pilot.press("c", "y")
        await wait_for(pilot, lambda: history.rows and history.rows[0].status == "undone", what="the undo")
        assert "registry entry kept as it is now" in str(status.render())
    store = app.services.store
    assert store.head(plan.items[0].dest) is None
    assert open(reg).read() == edited

"""A unique name is enough on the screens too (issue 13): the registry screen's jump and its filter's Enter, and the
promote dialog's registry entry; an ambiguous name lists the candidates. Pilot on real SeaweedFS."""

from __future__ import annotations

import json

import pytest
from browser_helpers import build, settings_for, settle
from conftest import PROMO_REGISTRY
from pilot_helpers import wait_for

from pixel_tui.tui.dialogs.promote import PromoteScreen
from pixel_tui.tui.screens.registry import RegistryScreen

TWINS = "datasets/a/twin, datasets/b/twin"


def _notices(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


@pytest.fixture
def env(weed_server, weed_store, drive_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    doc = json.loads(json.dumps(PROMO_REGISTRY))
    doc["datasets"]["a"] = {"twin": {"path": "/mnt/gdrive/a/twin.json"}}
    doc["datasets"]["b"] = {"twin": {"path": "/mnt/gdrive/b/twin.json"}}
    reg = tmp_path / "dataset_registry.json"
    reg.write_text(json.dumps(doc, indent=4) + "\n")
    settings = settings_for(weed_server, weed_store.bucket, registry=str(reg), state_dir=str(tmp_path / "state"))
    return settings, weed_store, drive_dir, reg


@pytest.mark.timeout(90)
async def test_registry_jump_and_filter_enter_take_a_unique_name(env):
    from pixel_tui.tui.navigation import open_screen

    settings, _, drive_dir, _ = env
    app = build(settings, drive_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        open_screen(app, "registry", focus_key="priority_1")  # a jump by name alone
        await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen) and app.screen.reg is not None
                       and app.screen.table.current_key() == "datasets/priority_datasets/priority_1",
                       what="cursor on priority_1")
        screen = app.screen
        await pilot.press("slash", *"example_edge_source", "enter")
        await wait_for(pilot, lambda: screen.table.current_key() == "edge_case_sources/example_edge_source",
                       what="filter Enter on a unique name")
        await pilot.press("escape")
        await pilot.press("slash", *"datasets/b/twin", "enter")  # GROUP/NAME as typed
        await wait_for(pilot, lambda: screen.table.current_key() == "datasets/b/twin", what="GROUP/NAME")
        await pilot.press("escape")
        assert screen.jump_to("twin") is False  # ambiguous: the candidates are listed
        await pilot.pause(0.1)
        assert "'twin' names 2 datasets" in _notices(app) and TWINS in _notices(app)


@pytest.mark.timeout(120)
async def test_promote_dialog_registry_entry_by_unique_name_and_ambiguous_candidates(env):
    from textual.widgets import Input, Static

    settings, store, drive_dir, reg = env
    store.put_bytes("gdrive/raw/p1.jsonl", b"x" * 100)
    app = build(settings, drive_dir)
    async with app.run_test(size=(130, 42)) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        await pilot.press("p")
        dialog = app.screen
        assert isinstance(dialog, PromoteScreen)
        await wait_for(pilot, lambda: dialog._plan is not None, what="the first plan")
        dialog.query_one("#promote-reg-group", Input).value = ""  # the name alone
        dialog.query_one("#promote-reg-name", Input).value = "priority_1"
        dialog._replan()
        await wait_for(pilot, lambda: dialog._plan is not None, what="the plan by name")
        change = dialog._plan.items[0].registry
        assert (change.group, change.name) == ("datasets/priority_datasets", "priority_1") and change.before
        dialog.query_one("#promote-reg-name", Input).value = "twin"
        dialog._replan()
        message = dialog.query_one("#promote-message", Static)
        await wait_for(pilot, lambda: "names 2 datasets" in str(message.content), what="ambiguous name refused")
        assert TWINS in str(message.content) and dialog._plan is None

"""A multi-item promotion from the dialog: each item gets its own category, shown and changed per row; a registered
one keeps its group unless the operator changes its row (real SeaweedFS, real registry file)."""

from __future__ import annotations

import json

import pytest
from browser_helpers import build, screen_text, settings_for, settle
from conftest import PROMO_REGISTRY
from pilot_helpers import wait_for

from pixel_tui.core.registry.document import Registry

RAW = "gdrive/raw/"
HEART = RAW + "CoT_Heartbreak_and_Breakups_downloaded.json"
PSYCH = RAW + "Psych8k/"


@pytest.fixture
def two_items(weed_server, weed_store, drive_dir, tmp_path, monkeypatch):
    """Two raw items whose suggestions differ: CoT_Heartbreak (cot_reasoning) and Psych8k, registered under
    professional_therapeutic."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    doc = json.loads(json.dumps(PROMO_REGISTRY))
    doc["datasets"]["professional_therapeutic"] = {"psych8k": {
        "path": "/mnt/gdrive/datasets/Psych8k/psych8k_alpaca.json", "type": "professional",
        "stage": "stage1_foundation"}}
    reg = tmp_path / "dataset_registry.json"
    reg.write_text(json.dumps(doc, indent=4) + "\n")
    weed_store.put_bytes(HEART, b"{}")
    weed_store.put_bytes(PSYCH + "psych8k_alpaca.json", b"{}" * 8)
    app = build(settings_for(weed_server, weed_store.bucket, registry=str(reg), state_dir=str(tmp_path / "s")),
                drive_dir)
    return app, weed_store, reg


async def open_on_both(pilot):
    """S3 pane, mark both raw items, `p`; wait for the first plan. Returns the dialog."""
    from pixel_tui.tui.dialogs.promote import PromoteScreen

    app = pilot.app
    await settle(pilot)
    await pilot.press("tab", "space", "space")  # both raw items
    assert len(app.screen.s3.selected_keys()) == 2
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, PromoteScreen) and app.screen._plan is not None,
                   what="the plan")
    return app.screen


def row_categories(dialog) -> dict[str, str]:
    from pixel_tui.tui.dialogs.promote_items import ItemCategories

    table = dialog.query_one(ItemCategories)
    return {key: str(table.get_row(key)[0]) for key in table.keys}


async def test_each_marked_item_gets_its_own_category(two_items):
    app, store, reg = two_items
    async with app.run_test(size=(130, 42)) as pilot:
        dialog = await open_on_both(pilot)
        plan = dialog._plan
        by_src = {i.source: i for i in plan.items}
        psych = by_src[PSYCH]
        assert psych.category == "professional_therapeutic"
        assert psych.dest.startswith("gdrive/processed/professional_therapeutic/")
        assert (psych.registry.group, psych.registry.name) == ("datasets/professional_therapeutic", "psych8k")
        heart = by_src[HEART]
        assert heart.category == "cot_reasoning" and heart.registry.group == "datasets/cot_reasoning"


async def test_change_one_row_then_promote_lands_each_item_in_its_category(two_items):
    from pixel_tui.core.promotion.journal import Journal
    from pixel_tui.tui.dialogs.promote import PromoteScreen
    from pixel_tui.tui.dialogs.unsaved import UnsavedDialog

    app, store, reg = two_items
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_on_both(pilot)
        keys = dialog.keys
        # two rows, two categories, on screen at 80x24
        assert row_categories(dialog) == {HEART: "cot_reasoning", PSYCH: "professional_therapeutic"}
        text = screen_text(app)
        assert "professional_therapeutic" in text and "cot_reasoning" in text, text
        # the Category field follows the highlighted row
        table = dialog.query_one("#promote-items")
        table.focus()
        await pilot.pause()
        select = dialog.query_one("#promote-category")
        row = keys.index(PSYCH)
        await pilot.press(*(["j"] * row), *(["k"] * 0))
        await wait_for(pilot, lambda: select.value == "professional_therapeutic", what="the row's category")
        # Enter opens the chooser for that row; pick priority (the next one)
        await pilot.press("enter")
        await wait_for(pilot, lambda: select.expanded, what="the chooser")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: dialog._plan is not None and {i.source: i.category for i in dialog._plan.items}
                       == {HEART: "cot_reasoning", PSYCH: "priority"}, what="the new plan")
        assert row_categories(dialog) == {HEART: "cot_reasoning", PSYCH: "priority"}
        by_src = {i.source: i for i in dialog._plan.items}
        assert by_src[PSYCH].dest == "gdrive/processed/priority/psych8k/"
        assert (by_src[PSYCH].registry.group, by_src[PSYCH].registry.moved_from) == (
            "datasets/priority_datasets", "datasets/professional_therapeutic")
        assert '"psych8k"' in dialog._plan.registry_diff and "priority/psych8k/" in dialog._plan.registry_diff

        # Esc with a changed row asks before discarding it; Esc there keeps editing, the row kept
        table.focus()
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog), what="the discard question")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PromoteScreen), what="back in the dialog")
        assert row_categories(dialog) == {HEART: "cot_reasoning", PSYCH: "priority"}

        await wait_for(pilot, lambda: not dialog.query_one("#promote-go").disabled, what="Promote enabled")
        await pilot.press("y")
        await wait_for(pilot, lambda: dialog._finished is not None, timeout=60, what="the promotion")
        assert dialog._finished.status == "done", screen_text(app)
        plan_id = dialog._finished.id

    assert store.head("gdrive/processed/cot_reasoning/heartbreak_and_breakups.json") is not None
    assert store.head("gdrive/processed/priority/psych8k/psych8k_alpaca.json") is not None
    assert store.head("gdrive/processed/professional_therapeutic/psych8k/psych8k_alpaca.json") is None
    doc = Registry.from_text(reg.read_text())
    bucket = store.bucket
    assert doc.ref("datasets/professional_therapeutic", "psych8k") is None
    psych = doc.ref("datasets/priority_datasets", "psych8k").entry
    assert psych["path"] == f"s3://{bucket}/gdrive/processed/priority/psych8k/"
    assert psych["source_path"] == "/mnt/gdrive/datasets/Psych8k/psych8k_alpaca.json"
    assert psych["type"] == "professional"  # the entry moved with its fields
    heart = doc.ref("datasets/cot_reasoning", "CoT_Heartbreak_and_Breakups").entry
    assert heart["path"] == f"s3://{bucket}/gdrive/processed/cot_reasoning/heartbreak_and_breakups.json"
    journaled = Journal.find(app.services.settings, plan_id).state().plan
    assert {it["source"]: it["category"] for it in journaled["items"]} == {HEART: "cot_reasoning", PSYCH: "priority"}

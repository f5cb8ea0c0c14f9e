"""A multi-item promotion from the dialog: each item gets its own category; a registered one keeps its group."""

from __future__ import annotations

import json

from browser_helpers import build, settings_for, settle
from conftest import PROMO_REGISTRY
from pilot_helpers import wait_for

RAW = "gdrive/raw/"


async def test_each_marked_item_gets_its_own_category(weed_server, weed_store, drive_dir, tmp_path, monkeypatch):
    from pixel_tui.tui.dialogs.promote import PromoteScreen

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    doc = json.loads(json.dumps(PROMO_REGISTRY))
    doc["datasets"]["professional_therapeutic"] = {"psych8k": {
        "path": "/mnt/gdrive/datasets/Psych8k/psych8k_alpaca.json", "type": "professional",
        "stage": "stage1_foundation"}}
    reg = tmp_path / "dataset_registry.json"
    reg.write_text(json.dumps(doc, indent=4) + "\n")
    weed_store.put_bytes(RAW + "CoT_Heartbreak_and_Breakups_downloaded.json", b"{}")
    weed_store.put_bytes(RAW + "Psych8k/psych8k_alpaca.json", b"{}")
    app = build(settings_for(weed_server, weed_store.bucket, registry=str(reg), state_dir=str(tmp_path / "s")),
                drive_dir)
    async with app.run_test(size=(130, 42)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "space", "space")  # both raw items
        assert len(app.screen.s3.selected_keys()) == 2
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PromoteScreen) and app.screen._plan is not None,
                       what="the plan")
        plan = app.screen._plan
        by_src = {i.source: i for i in plan.items}
        psych = by_src[RAW + "Psych8k/"]
        assert psych.category == "professional_therapeutic"
        assert psych.dest.startswith("gdrive/processed/professional_therapeutic/")
        assert (psych.registry.group, psych.registry.name) == ("datasets/professional_therapeutic", "psych8k")
        heart = by_src[RAW + "CoT_Heartbreak_and_Breakups_downloaded.json"]
        assert heart.category == "cot_reasoning" and heart.registry.group == "datasets/cot_reasoning"

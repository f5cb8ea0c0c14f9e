"""Snapshots at 80x24 (a phone SSH client, tmux): the promote dialog must show its plan, not only its fields."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest
from browser_helpers import build, empty_fixed_bucket, screen_text, settings_for, settle
from conftest import PROMO_REGISTRY

BUCKET = "snap-layout"  # a fixed name: it is shown on screen
RAW_KEY = "gdrive/raw/CoT_Heartbreak_and_Breakups_downloaded.json"
REGISTRY_KEY = "registry/dataset_registry.json"  # in the bucket, so its location reads the same every run


@pytest.fixture
def layout_app(weed_server, drive_dir, tmp_path, monkeypatch):
    """The app on a fixed-name bucket holding the story-3 raw object and the registry."""
    store = empty_fixed_bucket(weed_server, BUCKET, monkeypatch)
    store.put_bytes(RAW_KEY, b"{" + b"x" * (37_000_000 - 2) + b"}")
    store.put_bytes(REGISTRY_KEY, (json.dumps(PROMO_REGISTRY, indent=4) + "\n").encode())
    settings = settings_for(weed_server, BUCKET, registry=f"s3://{BUCKET}/{REGISTRY_KEY}",
                            state_dir=str(tmp_path / "state"))
    return build(settings, drive_dir, fixed=True)


async def open_promote_with_plan(pilot) -> None:
    """Home -> S3 pane -> `p` on the raw object; wait until the plan is shown."""
    await settle(pilot)
    await pilot.press("tab", "p")
    deadline = time.monotonic() + 30
    while getattr(pilot.app.screen, "_plan", None) is None:
        assert time.monotonic() < deadline, f"no plan in time\n{screen_text(pilot.app)}"
        await pilot.pause(0.05)
    await pilot.pause(0.2)


def test_promote_dialog_80x24_shows_plan_and_registry_diff(snap_compare, layout_app):
    async def run_before(pilot):
        await open_promote_with_plan(pilot)
        text = screen_text(pilot.app)
        # story 3 at 80x24: counts, conflicts and the three changed registry lines are on screen
        assert "Objects: 1 (35.3 MiB)" in text and "conflicts: 0" in text, text
        changed = [ln for ln in text.splitlines() if ln.strip("│ ")[:1] in "+-" and '"' in ln]
        assert len(changed) == 3, text
        assert "Promote y" in text and "Cancel Esc" in text, text

    assert snap_compare(layout_app, terminal_size=(80, 24), run_before=run_before)


LONG_KEY = "gdrive/raw/therapist-sft-format/sessions_2024_second_quarter/Psych8k_counselling_transcripts/"


def test_promote_dialog_80x24_two_rows_and_a_long_path_wrapped_at_slashes(snap_compare, layout_app):
    """Two items, each with its own category row; the long folder's path breaks after a `/`, never inside a
    name, in the rows' plan lines and in the registry diff (issues 13 and 14)."""
    from pixel_tui.tui.dialogs.promote import PromoteScreen

    store = layout_app.services.store
    store.put_bytes(LONG_KEY + "part_0001.jsonl", b"{}" * 500)

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.push_screen(PromoteScreen([RAW_KEY, LONG_KEY]))
        deadline = time.monotonic() + 30
        while getattr(pilot.app.screen, "_plan", None) is None:
            assert time.monotonic() < deadline, f"no plan in time\n{screen_text(pilot.app)}"
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        text = screen_text(pilot.app)
        assert "cot_reasoning" in text and "professional_therapeutic" in text, text
        for part in ("therapist-sft-format/", "sessions_2024_second_quarter/", "Psych8k_counselling_transcripts/"):
            assert part in text.replace("│", "").replace(" ", ""), (part, text)  # each path part whole
        assert "Promote y" in text and "Cancel Esc" in text, text

    assert snap_compare(layout_app, terminal_size=(80, 24), run_before=run_before)


REG4 = {  # story 4 in small: one ok, one missing in S3 (a key typo), one size mismatch, one not migrated
    "description": "story 4 at 80x24",
    "datasets": {
        "professional_therapeutic": {
            "psych8k": {"path": f"s3://{BUCKET}/gdrive/processed/professional_therapeutic/psych8K_alpaca.json",
                        "type": "professional", "stage": "stage1_foundation", "size_mb": 1},
            "wendy_sessions": {"path": f"s3://{BUCKET}/gdrive/processed/professional_therapeutic/wendy.jsonl",
                               "type": "professional", "stage": "stage1_foundation", "size_mb": 1},
        },
        "priority_datasets": {
            "priority_1": {"path": f"s3://{BUCKET}/gdrive/processed/priority/priority_1_FINAL.jsonl",
                           "type": "curated_priority", "stage": "stage1_foundation", "size_mb": 40},
        },
    },
    "voice_persona": {"tim_fletcher": {"path": "/mnt/gdrive/datasets/voice/tim_fletcher", "type": "voice_profile",
                                       "stage": "stage4_voice_persona"}},
}
FIXED_PATH = f"s3://{BUCKET}/gdrive/processed/professional_therapeutic/psych8k_alpaca.json"


@pytest.fixture
def registry_app(weed_server, drive_dir, tmp_path, monkeypatch):
    """The app on the fixed-name bucket with the story-4 registry stored in it."""
    store = empty_fixed_bucket(weed_server, BUCKET, monkeypatch)
    for key in ("professional_therapeutic/psych8k_alpaca.json", "professional_therapeutic/wendy.jsonl",
                "priority/priority_1_FINAL.jsonl"):
        store.put_bytes("gdrive/processed/" + key, b"x" * 1_000_000)
    store.put_bytes(REGISTRY_KEY, (json.dumps(REG4, indent=4) + "\n").encode())
    settings = settings_for(weed_server, BUCKET, registry=f"s3://{BUCKET}/{REGISTRY_KEY}",
                            state_dir=str(tmp_path / "state"))
    return build(settings, drive_dir, fixed=True)


async def open_registry_checked(pilot):
    """Home -> `R`; wait until every S3 path was checked. Returns the registry screen."""
    from pixel_tui.tui.screens.registry import RegistryScreen

    await settle(pilot)
    await pilot.press("R")
    deadline = time.monotonic() + 30
    while True:
        screen = pilot.app.screen
        rows = screen.table.rows_all if isinstance(screen, RegistryScreen) else []
        if rows and all(r.status != "checking" for r in rows):
            break
        assert time.monotonic() < deadline, f"registry not checked in time\n{screen_text(pilot.app)}"
        await pilot.pause(0.05)
    await pilot.pause(0.2)
    return screen


def line_with(text: str, word: str) -> str:
    return next((ln for ln in text.splitlines() if word in ln), "")


def test_registry_80x24_status_next_to_name(snap_compare, registry_app):
    async def run_before(pilot):
        await open_registry_checked(pilot)
        text = screen_text(pilot.app)
        for name, status in (("psych8k", "missing in S3"), ("wendy_sessions", "ok"),
                             ("priority_1", "size mismatch"), ("tim_fletcher", "not migrated")):
            assert status in line_with(text, name), text
        # the path column is on screen: s3:// against /mnt/gdrive is what "not migrated" means
        assert "s3://snap-layout/" in line_with(text, "wendy_sessions"), text
        assert "/mnt/gdrive/" in line_with(text, "tim_fletcher"), text
        assert "psych8K_alpaca.json" in line_with(text, "psych8k"), "the typo'd tail stays visible"
        # the selected row's group, stage and type are on its detail line
        detail = line_with(text, "group ")
        assert "stage " in detail and "type " in detail, text

    assert snap_compare(registry_app, terminal_size=(80, 24), run_before=run_before)


async def test_registry_200_columns_shows_every_column_path_third(registry_app):
    async with registry_app.run_test(size=(200, 50)) as pilot:
        await open_registry_checked(pilot)
        header = screen_text(pilot.app).splitlines()[1]
        assert header.split() == ["name", "status", "path", "size", "group", "stage", "type", "source"], header
        # the typo'd key keeps its telling tail
        assert "psych8K_alpaca.json" in line_with(screen_text(pilot.app), "psych8k")


async def test_story_4_at_80x24_filter_edit_check_and_review(registry_app):
    from pixel_tui.tui.dialogs.prompts import DiffDialog
    from pixel_tui.tui.dialogs.registry_entry import EntryForm

    async with registry_app.run_test(size=(80, 24)) as pilot:
        registry = await open_registry_checked(pilot)
        await pilot.press("slash", *"missing", "enter")
        assert registry.table.row_count == 1 and "missing in S3" in line_with(screen_text(pilot.app), "psych8k")
        await pilot.press("enter")
        form = pilot.app.screen
        assert isinstance(form, EntryForm)
        await pilot.pause(0.1)
        box = form.query_one("#registry-form")
        assert box.max_scroll_y == 0, "the whole form fits at 80x24"
        text = screen_text(pilot.app)
        for label in ("group", "name", "path", "source path", "stage", "type", "size (MB)", "notes", "OK ^O"):
            assert label in text, text
        form.query_one("#f-path").value = FIXED_PATH
        deadline = time.monotonic() + 20
        while "exists in S3" not in screen_text(pilot.app):
            assert time.monotonic() < deadline, screen_text(pilot.app)
            await pilot.pause(0.05)
        assert form.query_one("#f-path").has_class("-ok")
        await pilot.press("ctrl+o")
        await pilot.pause(0.1)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        dialog = pilot.app.screen
        assert isinstance(dialog, DiffDialog)
        text = screen_text(pilot.app)
        assert "Save 2 changed lines" in text and "Cancel Esc" in text, text
        await pilot.press("escape")


class _FixedClock(datetime):
    """The promotion's clock for the snapshot: its id, plan, journal and audit times read the same every run."""

    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)


def test_history_details_80x24_say_what_was_promoted(snap_compare, layout_app, monkeypatch):
    """Story 3 to the end, then `H` and Enter: sources, destinations, bytes, verification, who, when, the diff."""
    from pixel_tui.core.promotion import audit, journal
    from pixel_tui.core.promotion import plan as plan_mod
    from pixel_tui.tui.dialogs.promotion_details import PromotionDetails

    for module in (plan_mod, journal, audit):
        monkeypatch.setattr(module, "datetime", _FixedClock)
    monkeypatch.setattr(plan_mod, "new_id", lambda: "20261201T030000Z-5ea1")
    monkeypatch.setattr(audit, "who", lambda: {"user": "ops", "host": "gpu-box"})

    async def run_before(pilot):
        await open_promote_with_plan(pilot)
        dialog = pilot.app.screen
        await pilot.press("y")
        deadline = time.monotonic() + 60
        while getattr(dialog, "_finished", None) is None:
            assert time.monotonic() < deadline, screen_text(pilot.app)
            await pilot.pause(0.1)
        await pilot.press("y", "H")
        await pilot.pause(0.5)
        await pilot.press("enter")
        deadline = time.monotonic() + 20
        while not (isinstance(pilot.app.screen, PromotionDetails) and "loading" not in screen_text(pilot.app)):
            assert time.monotonic() < deadline, screen_text(pilot.app)
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        text = screen_text(pilot.app)
        for part in ("Promotion 20261201T030000Z-5ea1 ", "by ops@gpu-box", "1/1 verified",
                     f"s3://{BUCKET}/{RAW_KEY}", "processed/", "35.3 MiB"):
            assert part in text, (part, text)
        pilot.app.clear_notifications()  # "promotion done" would otherwise be in the picture for its ~10 s
        await pilot.pause(0.1)

    assert snap_compare(layout_app, terminal_size=(80, 24), run_before=run_before)

"""Snapshots at 80x24 (a phone SSH client, tmux): the promote dialog must show its plan, not only its fields."""

from __future__ import annotations

import json
import time

import pytest

from browser_helpers import build, screen_text, settings_for, settle
from conftest import PROMO_REGISTRY

BUCKET = "snap-layout"  # a fixed name: it is shown on screen
RAW_KEY = "gdrive/raw/CoT_Heartbreak_and_Breakups_downloaded.json"
REGISTRY_KEY = "registry/dataset_registry.json"  # in the bucket, so its location reads the same every run


@pytest.fixture
def layout_app(weed_server, drive_dir, tmp_path, monkeypatch):
    """The app on a fixed-name bucket holding the story-3 raw object and the registry."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    store = weed_server.store(BUCKET)
    store.ensure_bucket()
    store.delete_many([o.key for o in store.walk("")])
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
        assert "Promote ^Y" in text and "Cancel Esc" in text, text

    assert snap_compare(layout_app, terminal_size=(80, 24), run_before=run_before)

"""Story 3, "Organise CoT_Heartbreak into processed", driven key by key against real SeaweedFS."""

from __future__ import annotations

import json
import threading
import time

import pytest
from browser_helpers import build, screen_text, settings_for, settle
from conftest import PROMO_REGISTRY

from pixel_tui.core.config import with_overrides
from pixel_tui.core.promotion.journal import Journal
from pixel_tui.core.storage.fastcopy import FastCopier
from pixel_tui.tui.dialogs.promote import PromoteScreen
from pixel_tui.tui.dialogs.undo import ConfirmUndo
from pixel_tui.tui.screens.history import HistoryScreen

N = 500
MiB = 1024 * 1024
SIZE = 37 * MiB  # the demo's object: the team's registry writes it as size_mb 37 (MiB-based)
RAW_KEY = "gdrive/raw/CoT_Heartbreak_and_Breakups_downloaded.json"
DEST = "gdrive/processed/cot_reasoning/heartbreak_and_breakups.json"


async def wait_until(pilot, cond, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        if cond():
            return
    workers = [(w.name, w.state.name, w.error) for w in pilot.app.workers]
    raise AssertionError(f"timed out waiting for {what}; workers {workers}\n{screen_text(pilot.app)}")


@pytest.fixture
def story(weed_server, weed_store, drive_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    reg = tmp_path / "dataset_registry.json"
    reg.write_text(json.dumps(PROMO_REGISTRY, indent=4) + "\n")
    weed_store.put_bytes(RAW_KEY, b"{" + b"x" * (SIZE - 2) + b"}")
    settings = settings_for(weed_server, weed_store.bucket, registry=str(reg), state_dir=str(tmp_path / "state"))
    return build(settings, drive_dir), weed_store, reg


async def test_story_3_promote_verify_registry_then_undo(story):
    app, store, reg = story
    original = reg.read_text()
    async with app.run_test(size=(130, 42)) as pilot:
        await settle(pilot)
        await pilot.press("tab")  # the S3 pane, cursor on the raw object
        assert app.screen.s3.selected_keys() == [RAW_KEY]
        await pilot.press("p")
        dialog = app.screen
        assert isinstance(dialog, PromoteScreen)
        await wait_until(pilot, lambda: dialog._plan is not None, what="the plan")
        q = dialog.query_one
        assert q("#promote-category").value == "cot_reasoning"
        assert q("#promote-name").value == "heartbreak_and_breakups.json"
        assert (q("#promote-reg-group").value, q("#promote-reg-name").value, q("#promote-reg-stage").value) == (
            "datasets/cot_reasoning", "CoT_Heartbreak_and_Breakups", "stage2_therapeutic_expertise")
        plan = dialog._plan
        assert plan.object_count == 1 and plan.total_bytes == SIZE and not plan.conflicts
        changed = [ln for ln in plan.registry_diff.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
        assert len(changed) == 3, changed  # path out, s3 path in, source path kept: size_mb 37 stays
        assert changed[0].strip().startswith('-"path": "/mnt/gdrive') or '"/mnt/gdrive' in changed[0]
        assert "s3://" in changed[1] and '"source_path": "/mnt/gdrive' in changed[2]
        text = screen_text(app)
        assert "Objects: 1 (37.0 MiB)" in text and "conflicts: 0" in text
        assert not q("#promote-go").disabled

        await pilot.press("ctrl+y")
        await wait_until(pilot, lambda: dialog._finished is not None, what="the promotion")
        bar = q("#promote-bar")
        assert bar.progress == bar.total
        assert "done: 1 copied, 0 skipped, 1 verified, registry saved" in screen_text(app)
        assert store.head(RAW_KEY) is not None, "copy mode keeps the raw object"
        assert store.head(DEST).size == SIZE
        entry = json.loads(reg.read_text())["datasets"]["cot_reasoning"]["CoT_Heartbreak_and_Breakups"]
        assert entry["size_mb"] == 37, "the same bytes keep the team's size_mb"
        assert entry["path"] == f"s3://{store.bucket}/{DEST}" and entry["source_path"].startswith("/mnt/gdrive")
        await pilot.press("ctrl+y")  # Close
        assert not isinstance(app.screen, PromoteScreen)
        # The raw tree now marks it promoted, though the copy has a new name.
        raw_name = RAW_KEY.rsplit("/", 1)[-1]
        await wait_until(pilot, lambda: app.screen.s3.entries.markers.get(raw_name) == "promoted",
                         what="the promoted marker")

        # The typo: undo from the history.
        await pilot.press("H")
        history = app.screen
        assert isinstance(history, HistoryScreen)
        await wait_until(pilot, lambda: history.rows, what="the history")
        assert history.rows[0].status == "done" and history.rows[0].objects == 1
        await pilot.press("u")
        assert isinstance(app.screen, ConfirmUndo)
        await pilot.press("y")
        await wait_until(pilot, lambda: history.rows and history.rows[0].status == "undone", what="the undo")
        assert "copies deleted" in screen_text(app)
    assert store.head(DEST) is None and store.head(RAW_KEY) is not None
    assert reg.read_text() == original


class CopyGate:
    """The one injected fault, slowness: past the first ``free`` copies, every copy waits until the test
    opens the gate, so a stop always lands mid-way however fast the server copies."""

    def __init__(self, free: int) -> None:
        self.free, self.started = free, 0
        self.lock = threading.Lock()
        self.holding = threading.Event()  # a copy is waiting at the gate
        self.open = threading.Event()

    def wrap(self, copy):
        def gated(copier, *args, **kwargs):
            with self.lock:
                self.started += 1
                held = self.started > self.free
            if held:
                self.holding.set()
                if not self.open.wait(60):
                    raise TimeoutError("the test never opened the copy gate")
            return copy(copier, *args, **kwargs)

        return gated


async def test_move_needs_a_second_confirmation_and_cancel_is_resumable(story, monkeypatch):
    app, store, reg = story
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: store.put_bytes(f"gdrive/raw/pack/{i:03d}.json", b"{}"), range(N)))
    app.services.settings = with_overrides(app.services.settings, concurrency=1)  # few copies in flight at the stop
    gate = CopyGate(free=5)
    monkeypatch.setattr(FastCopier, "copy", gate.wrap(FastCopier.copy))  # the copier execute() uses for small objects
    try:
        async with app.run_test(size=(130, 42)) as pilot:
            await settle(pilot)
            await pilot.press("tab")
            app.screen.s3.open_location("gdrive/raw/", select="pack/")
            await settle(pilot)
            assert app.screen.s3.selected_keys() == ["gdrive/raw/pack/"]
            await pilot.press("p")
            dialog = app.screen
            await wait_until(pilot, lambda: dialog._plan is not None, what="the plan")
            dialog.query_one("#promote-move").value = True
            await wait_until(pilot, lambda: dialog._plan is not None and dialog._plan.mode == "move", what="move plan")
            await pilot.press("ctrl+y")
            assert f"MOVE deletes {N} raw objects" in screen_text(app) and not dialog._promoting
            await pilot.press("ctrl+y")
            assert dialog._promoting
            await wait_until(pilot, lambda: "copy: " in screen_text(app), what="copying")
            await wait_until(pilot, gate.holding.is_set, what="a copy past the first few")
            await pilot.press("escape")  # stop: copies in flight finish, then it stops
            await wait_until(pilot, dialog._cancel.is_set, what="the stop request")
            gate.open.set()
            await wait_until(pilot, lambda: not dialog._promoting, what="the stop")
            plan_id = dialog._plan.id
            state = Journal.find(app.services.settings, plan_id).state()
            assert not state.done and 0 < len(state.copies) < N
            assert "Resume it from the history" in screen_text(app)
            assert store.head("gdrive/raw/pack/000.json") is not None, "no source deleted before verification"
            await pilot.press("escape")
            await pilot.press("H")
            history = app.screen
            await wait_until(pilot, lambda: history.rows, what="the history")
            assert history.rows[0].resumable
            await pilot.press("r")
            await wait_until(pilot, lambda: history.rows and history.rows[0].status == "done", what="the resume")
    finally:
        gate.open.set()  # never leave a copy thread waiting
    keys = [o.key for o in store.walk("gdrive/")]
    assert not [k for k in keys if k.startswith("gdrive/raw/pack/")]
    assert len([k for k in keys if k.startswith("gdrive/processed/cot_reasoning/pack/")]) == N


async def test_interrupted_promotion_is_offered_at_start(story):
    import threading

    from pixel_tui.core.promotion import Cancelled, build_plan, execute

    app, store, reg = story
    settings = app.services.settings
    plan = build_plan(store, settings, [RAW_KEY], "cot_reasoning")
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        execute(store, settings, plan, cancel=stop)
    async with app.run_test(size=(130, 42)) as pilot:
        await wait_until(pilot, lambda: any(plan.id in n.message for n in app._notifications), what="the offer")
        note = next(n for n in app._notifications if plan.id in n.message)
        assert "1 interrupted promotion(s)" in note.message and "Press H, then r" in note.message
        await pilot.press("H")
        history = app.screen
        await wait_until(pilot, lambda: history.rows, what="the history")
        assert history.rows[0].id == plan.id and history.rows[0].status == "cancelled"
        await pilot.press("r")
        await wait_until(pilot, lambda: history.rows and history.rows[0].status == "done", what="the resume")
    assert store.head(DEST).size == SIZE

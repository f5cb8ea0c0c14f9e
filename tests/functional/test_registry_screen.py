"""The registry screen driven with Pilot, following operator story 4 on a real SeaweedFS server."""

from __future__ import annotations

import json

import pytest
from pilot_helpers import wait_for

from pixel_tui.core.config import Settings
from pixel_tui.tui.app import make_app

MB = 1_000_000


@pytest.fixture
def s3_env(weed_server, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    return weed_server


def story_registry(store, tmp_path):
    b = store.bucket
    proc = f"s3://{b}/gdrive/processed"
    store.put_bytes("gdrive/processed/professional_therapeutic/psych8k.json", b"p" * MB)
    store.put_bytes("gdrive/processed/cot_reasoning/ok.json", b"x" * (2 * MB))
    store.put_bytes("gdrive/processed/priority/priority_1_FINAL.jsonl", b"y" * (3 * MB))
    doc = {
        "description": "story 4",
        "datasets": {
            "cot_reasoning": {
                "ok_one": {"path": f"{proc}/cot_reasoning/ok.json", "size_mb": 2, "stage": "stage2_therapeutic_expertise"},
                "on_drive": {"path": "/mnt/gdrive/datasets/on_drive.json", "stage": "stage2_therapeutic_expertise"},
            },
            "professional_therapeutic": {
                "psych8k": {"path": f"{proc}/professional_therapeutic/psych8K.json", "type": "professional",
                            "stage": "stage1_foundation"},
            },
            "priority_datasets": {
                "priority_1": {"path": f"{proc}/priority/priority_1_FINAL.jsonl", "size_mb": 40, "tier": 1},
            },
        },
        "voice_persona": {"voice": {"path": "/home/someone/voice", "stage": "stage4_voice_persona"}},
        "usage_notes": {"s3_is_canonical": "yes"},
    }
    p = tmp_path / "dataset_registry.json"
    p.write_text(json.dumps(doc, indent=4) + "\n")
    return p


def make(settings_kwargs):
    return make_app(Settings(**settings_kwargs))


@pytest.mark.timeout(120)
async def test_story_4_fix_the_registry_then_conflict(s3_env, weed_store, tmp_path):
    reg_path = story_registry(weed_store, tmp_path)
    app = make(dict(endpoint_url=s3_env.endpoint_url, bucket=weed_store.bucket, registry=str(reg_path),
                    state_dir=str(tmp_path / "state")))
    fixed = f"s3://{weed_store.bucket}/gdrive/processed/professional_therapeutic/psych8k.json"

    from pixel_tui.tui.dialogs.prompts import DiffDialog
    from pixel_tui.tui.dialogs.registry_entry import EntryForm
    from pixel_tui.tui.screens.registry import RegistryScreen

    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen), what="registry screen")
        screen = app.screen
        await wait_for(pilot, lambda: screen.report is not None and screen.report.probes, what="S3 validation")
        counts = screen.report.counts()
        assert counts == {"ok": 1, "not migrated": 2, "missing in S3": 1, "size mismatch": 1}
        assert screen.table.row_count == 5

        # filter to the missing one
        await pilot.press("slash")
        await pilot.press(*"missing")
        await wait_for(pilot, lambda: screen.table.row_count == 1, what="filter")
        assert screen.table.visible_keys() == ["datasets/professional_therapeutic/psych8k"]
        await pilot.press("enter")  # back to the table
        await pilot.press("enter")  # edit the selected row
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm), what="form")
        form = app.screen
        path_input = form.query_one("#f-path")
        await wait_for(pilot, lambda: path_input.has_class("-bad"), what="path shown missing")
        path_input.value = fixed
        await wait_for(pilot, lambda: path_input.has_class("-ok"), what="path turns green")
        assert "exists in S3" in str(form.query_one("#m-path").render())
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: app.screen is screen, what="form closed")
        assert screen.reg.dirty

        # Ctrl+S shows the diff: one changed line
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="diff dialog")
        body = [ln for ln in app.screen.diff_text.splitlines()[2:] if ln[:1] in "+-"]
        assert len(body) == 2
        assert body[0].startswith("-") and body[0].endswith('psych8K.json",')
        assert body[1].startswith("+") and body[1].endswith(f'"path": "{fixed}",')
        await pilot.press("enter")  # Save has the focus
        await wait_for(pilot, lambda: not screen.reg.dirty and not screen.busy, what="save")
        assert json.loads(reg_path.read_text())["datasets"]["professional_therapeutic"]["psych8k"]["path"] == fixed
        await wait_for(pilot, lambda: screen.report.statuses.get("datasets/professional_therapeutic/psych8k") == "ok",
                       what="status ok after save")

        # a teammate changes the file underneath: the notice appears
        doc = json.loads(reg_path.read_text())
        doc["voice_persona"]["voice"]["notes"] = "teammate"
        reg_path.write_text(json.dumps(doc, indent=4) + "\n")
        await wait_for(pilot, lambda: screen.disk_changed, what="changed-on-disk notice")
        assert screen.query_one("#registry-notice").display

        # an edit, then Ctrl+S: the save is refused and both versions are shown
        screen.table.filter_text = ""
        screen.table.show()
        screen.table.select_key("datasets/cot_reasoning/on_drive")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm), what="second form")
        app.screen.query_one("#f-type").value = "chain_of_thought"
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: app.screen is screen, what="second form closed")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="save diff")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog) and "Changed on disk" in
                       str(app.screen._title), what="conflict dialog")
        conflict = app.screen.diff_text
        assert '-            "notes": "teammate"' in conflict and '"type": "chain_of_thought"' in conflict
        assert json.loads(reg_path.read_text())["voice_persona"]["voice"]["notes"] == "teammate"
        assert "chain_of_thought" not in reg_path.read_text()
        assert screen.reg.dirty  # nothing lost

        # reload replays the edit on their version; saving now keeps both
        await pilot.press("enter")  # "Reload and reapply my edits"
        await wait_for(pilot, lambda: not screen.busy and not screen.disk_changed and app.screen is screen,
                       what="reload")
        assert screen.reg.dirty
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="diff after reload")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.reg.dirty and not screen.busy, what="second save")
        saved = json.loads(reg_path.read_text())
        assert saved["voice_persona"]["voice"]["notes"] == "teammate"
        assert saved["datasets"]["cot_reasoning"]["on_drive"]["type"] == "chain_of_thought"
        assert saved["datasets"]["professional_therapeutic"]["psych8k"]["path"] == fixed


@pytest.mark.timeout(120)
async def test_add_duplicate_move_delete_undo_redo_and_read_only(tmp_path):
    reg_path = tmp_path / "r.json"
    reg_path.write_text(json.dumps({"voice_persona": {"v": {"path": "/x", "stage": "stage4_voice_persona"}},
                                    "datasets": {"cot_reasoning": {}}}, indent=4) + "\n")
    original = reg_path.read_text()
    app = make(dict(registry=str(reg_path), read_only=True, state_dir=str(tmp_path / "state")))

    from pixel_tui.tui.dialogs.prompts import AskDialog, ConfirmDialog
    from pixel_tui.tui.dialogs.registry_entry import EntryForm
    from pixel_tui.tui.screens.registry import RegistryScreen

    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen) and app.screen.reg is not None,
                       what="loaded")
        screen = app.screen
        # add
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm), what="add form")
        form = app.screen
        await pilot.press("ctrl+o")  # empty name and path: refused, stays open
        assert isinstance(app.screen, EntryForm) and form.query_one("#f-name").has_class("-bad")
        form.query_one("#f-name").value = "v"
        await pilot.pause()
        assert form.query_one("#f-name").has_class("-bad")  # voice_persona/v exists
        form.query_one("#f-group").value = "datasets"
        await pilot.pause()
        assert form.query_one("#f-group").has_class("-bad")
        form.query_one("#f-group").value = "datasets/brand_new"
        await pilot.pause()
        assert form.query_one("#f-group").has_class("-warn")  # will be created
        form.query_one("#f-group").value = "voice_persona"
        form.query_one("#f-name").value = "w"
        form.query_one("#f-path").value = "/mnt/gdrive/datasets/w"
        form.query_one("#f-size_mb").value = "abc"
        await pilot.pause()
        assert form.query_one("#f-size_mb").has_class("-bad")
        form.query_one("#f-size_mb").value = "1.5"
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: app.screen is screen, what="add applied")
        assert screen.reg.ref("voice_persona", "w").entry == {"path": "/mnt/gdrive/datasets/w", "size_mb": 1.5}
        # duplicate
        screen.table.select_key("voice_persona/w")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, AskDialog), what="duplicate dialog")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.reg.ref("voice_persona", "w_copy") is not None, what="duplicate")
        # move to another group
        screen.table.select_key("voice_persona/w_copy")
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, AskDialog), what="move dialog")
        app.screen.query_one("#ask").value = "datasets/cot_reasoning"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.reg.ref("datasets/cot_reasoning", "w_copy") is not None, what="move")
        assert screen.reg.ref("voice_persona", "w_copy") is None
        # delete, declined then confirmed
        screen.table.select_key("voice_persona/v")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="confirm")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen, what="declined")
        assert screen.reg.ref("voice_persona", "v") is not None
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="confirm again")
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.reg.ref("voice_persona", "v") is None, what="deleted")
        # undo everything, step by step, then redo one
        for _ in range(4):
            await pilot.press("ctrl+z")
        await pilot.pause()
        assert screen.reg.render() == original and not screen.reg.dirty
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert screen.reg.ref("voice_persona", "w") is not None
        # read-only: Ctrl+S refuses, the file is untouched
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert app.screen is screen and reg_path.read_text() == original
        # sort and Esc back home
        await pilot.press("o")
        assert screen.table.sort_column == "status"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, RegistryScreen), what="back")


async def test_unparseable_registry_is_shown_not_touched(tmp_path):
    reg_path = tmp_path / "r.json"
    reg_path.write_text('{\n  "datasets": {\n    "g": {"a": 1,}\n  }\n}\n')
    before = reg_path.read_text()
    app = make(dict(registry=str(reg_path), state_dir=str(tmp_path / "state")))

    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("R")
        screen = app.screen
        summary = screen.query_one("#registry-summary")
        await wait_for(pilot, lambda: "line 3" in str(summary.render()), what="parse error shown")
        await pilot.press("ctrl+s", "a")
        await pilot.pause(0.1)
        assert reg_path.read_text() == before


@pytest.mark.timeout(120)
async def test_conflict_then_save_to_another_path(tmp_path):
    reg_path = tmp_path / "r.json"
    reg_path.write_text(json.dumps({"voice_persona": {"v": {"path": "/x"}}}, indent=4) + "\n")
    app = make(dict(registry=str(reg_path), state_dir=str(tmp_path / "state")))
    other = tmp_path / "mine.json"

    from pixel_tui.tui.dialogs.prompts import AskDialog, DiffDialog
    from pixel_tui.tui.screens.registry import RegistryScreen

    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen) and app.screen.reg is not None,
                       what="loaded")
        screen = app.screen
        screen.reg.update_fields("voice_persona", "v", type="mine")
        reg_path.write_text(json.dumps({"voice_persona": {"v": {"path": "/theirs"}}}, indent=4) + "\n")
        await wait_for(pilot, lambda: screen.disk_changed, what="notice")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="diff")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog) and "Changed on disk" in app.screen._title,
                       what="conflict")
        await pilot.click("#save_as")
        await wait_for(pilot, lambda: isinstance(app.screen, AskDialog), what="ask path")
        app.screen.query_one("#ask").value = str(other)
        await pilot.press("enter")
        await wait_for(pilot, lambda: other.exists() and not screen.busy, what="saved elsewhere")
        assert json.loads(other.read_text())["voice_persona"]["v"] == {"path": "/x", "type": "mine"}
        assert json.loads(reg_path.read_text())["voice_persona"]["v"] == {"path": "/theirs"}
        assert screen.reg.location == str(other) and not screen.reg.dirty
        assert not screen.query_one("#registry-notice").display


@pytest.mark.timeout(120)
async def test_registry_in_s3_other_machine_saves_first(s3_env, weed_store, tmp_path):
    key = "config/dataset_registry.json"
    weed_store.put_bytes(key, (json.dumps({"voice_persona": {"v": {"path": "/x"}}}, indent=4) + "\n").encode())
    app = make(dict(endpoint_url=s3_env.endpoint_url, bucket=weed_store.bucket,
                    registry=f"s3://{weed_store.bucket}/{key}", state_dir=str(tmp_path / "state")))

    from pixel_tui.tui.dialogs.prompts import DiffDialog
    from pixel_tui.tui.screens.registry import RegistryScreen

    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen) and app.screen.reg is not None,
                       what="loaded from S3")
        screen = app.screen
        screen.reg.update_fields("voice_persona", "v", type="ours")
        # the other operator's save lands first
        weed_store.put_bytes(key, (json.dumps({"voice_persona": {"v": {"path": "/x", "notes": "theirs"}}},
                                              indent=4) + "\n").encode())
        await wait_for(pilot, lambda: screen.disk_changed, what="notice for the S3 object")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="diff")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog) and "Changed on disk" in app.screen._title,
                       what="conflict")
        assert json.loads(weed_store.get_bytes(key)[0])["voice_persona"]["v"] == {"path": "/x", "notes": "theirs"}
        await pilot.press("enter")  # reload and reapply
        await wait_for(pilot, lambda: not screen.busy and app.screen is screen and not screen.disk_changed,
                       what="reloaded")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="diff again")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.reg.dirty and not screen.busy, what="saved to S3")
        assert json.loads(weed_store.get_bytes(key)[0])["voice_persona"]["v"] == {
            "path": "/x", "notes": "theirs", "type": "ours"}

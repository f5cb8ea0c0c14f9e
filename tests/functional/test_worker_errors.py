"""A worker that hits an unexpected error says so on its screen and keeps the app (and unsaved edits) alive."""

from __future__ import annotations

import json

import pytest
from pilot_helpers import wait_for

from pixel_tui.core.config import Settings
from pixel_tui.core.registry import backends
from pixel_tui.tui.app import make_app


def _registry(tmp_path):
    path = tmp_path / "dataset_registry.json"
    path.write_text(json.dumps({"voice_persona": {"v": {"path": "/x", "stage": "stage4_voice_persona"},
                                                  "w": {"path": "/y", "stage": "stage4_voice_persona"}}},
                               indent=4) + "\n")
    return path


@pytest.mark.timeout(120)
async def test_registry_save_failing_unexpectedly_keeps_the_app_and_the_edits(tmp_path, monkeypatch):
    from pixel_tui.tui.dialogs.prompts import ConfirmDialog, DiffDialog
    from pixel_tui.tui.screens.registry import RegistryScreen

    reg_path = _registry(tmp_path)
    original = reg_path.read_text()
    state = tmp_path / "state"
    app = make_app(Settings(registry=str(reg_path), state_dir=str(state)))

    def broken_write(self, data, loaded, backups):
        raise RuntimeError("the disk caught fire")

    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen) and app.screen.reg is not None,
                       what="loaded")
        screen = app.screen
        screen.table.select_key("voice_persona/v")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.reg.ref("voice_persona", "v") is None, what="deleted")

        # The one fault: the local backend's write raises something that is not a PixelError.
        monkeypatch.setattr(backends.LocalBackend, "write", broken_write)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="save diff")
        await pilot.press("enter")  # Save
        await wait_for(pilot, lambda: app.screen is screen and not screen.busy, what="the failed save")
        await wait_for(pilot, lambda: any("the disk caught fire" in str(n.message) for n in app._notifications),
                       what="the error on screen")

        assert app.is_running and app.screen is screen
        note = next(n for n in app._notifications if "the disk caught fire" in str(n.message))
        assert "RuntimeError: the disk caught fire" in str(note.message) and note.severity == "error"
        assert screen.reg.dirty and screen.reg.ref("voice_persona", "v") is None, "the unsaved edit is kept"
        assert screen.reg.ref("voice_persona", "w") is not None
        assert reg_path.read_text() == original

        log = state / "errors.log"
        assert log.exists(), "the traceback is logged in the state dir"
        text = log.read_text()
        assert "Traceback (most recent call last)" in text and "broken_write" in text
        assert "RuntimeError: the disk caught fire" in text

        # The fault gone, the same edits save.
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="save diff again")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and not screen.busy and not screen.reg.dirty,
                       what="the save")
    assert "voice_persona" in json.loads(reg_path.read_text())
    assert "v" not in json.loads(reg_path.read_text())["voice_persona"]

"""Nothing the operator typed is lost: quitting or leaving with unsaved registry edits asks first, a closed
terminal (a real SIGHUP to a real process) leaves a recovery file that the next start names, an edit field
keeps its text when focused. Real SeaweedFS, real files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pilot_helpers import wait_for

from pixel_tui.core.config import Settings
from pixel_tui.core.registry.recovery import recovery_path
from pixel_tui.tui.app import make_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(weed_server, weed_store, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    reg = tmp_path / "dataset_registry.json"
    reg.write_text(json.dumps({"datasets": {"cot_reasoning": {
        "one": {"path": "/mnt/gdrive/datasets/one/one.json", "stage": "stage2_therapeutic_expertise"}}}},
        indent=4) + "\n")
    settings = Settings(endpoint_url=weed_server.endpoint_url, bucket=weed_store.bucket, registry=str(reg),
                        state_dir=str(tmp_path / "state"), drive=str(tmp_path))
    return settings, reg


async def edit_path(pilot, app, typed: str):
    """R, Enter on the first entry, type at the end of the path (no select-all), Ctrl+O."""
    from pixel_tui.tui.dialogs.registry_entry import EntryForm
    from pixel_tui.tui.screens.registry import RegistryScreen

    await pilot.press("R")
    await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen) and app.screen.reg is not None,
                   what="the registry")
    screen = app.screen
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, EntryForm), what="the form")
    field = app.screen.query_one("#f-path")
    assert field.has_focus and field.selection.is_empty, "focusing a field selects nothing"
    before = field.value
    await pilot.press("backspace", *typed)  # one Backspace takes one character, not the whole path
    assert field.value == before[:-1] + typed
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: app.screen is screen, what="the form closed")
    assert screen.unsaved()
    return screen


async def test_q_with_unsaved_edits_asks_and_cancel_keeps_them(env):
    from pixel_tui.tui.dialogs.prompts import DiffDialog
    from pixel_tui.tui.dialogs.unsaved import UnsavedDialog

    settings, reg = env
    original = reg.read_text()
    app = make_app(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await edit_path(pilot, app, "X")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog), what="the question")
        await pilot.press("escape")  # cancel: keep editing
        await wait_for(pilot, lambda: app.screen is screen, what="back in the registry")
        assert app.is_running and screen.unsaved()
        await pilot.press("escape")  # leaving the screen asks too
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog), what="the question on Esc")
        await pilot.press("c")
        await wait_for(pilot, lambda: app.screen is screen, what="still in the registry")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog), what="the question again")
        await pilot.press("s")  # save: the diff first, then the save, then the quit
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="the diff")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.is_running, what="the quit after saving")
    entry = json.loads(reg.read_text())["datasets"]["cot_reasoning"]["one"]
    assert entry["path"] == "/mnt/gdrive/datasets/one/one.jsoX" and reg.read_text() != original


async def test_discard_quits_without_writing(env):
    from pixel_tui.tui.dialogs.unsaved import UnsavedDialog

    settings, reg = env
    original = reg.read_text()
    app = make_app(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await edit_path(pilot, app, "Y")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog), what="the question")
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.is_running, what="the quit")
    assert reg.read_text() == original


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux for a real terminal")
@pytest.mark.timeout(120)
def test_sighup_keeps_unsaved_edits_in_a_recovery_file_and_the_next_start_says_so(env, tmp_path):
    settings, reg = env
    original = reg.read_text()
    session = f"marks-hup-{os.getpid()}"
    home = tmp_path / "home"
    home.mkdir()
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(home), "XDG_STATE_HOME": str(home / "state"),
               "XDG_CONFIG_HOME": str(home / "config")}
    cmd = [sys.executable, "-m", "pixel_tui", "--registry", str(reg), "--endpoint-url", settings.endpoint_url,
           "--bucket", settings.bucket, "--drive", str(tmp_path)]
    state = ["env", *(f"{k}={environ[k]}" for k in ("PYTHONPATH", "HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME",
                                                     "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))]

    def screen() -> str:
        return _tmux("capture-pane", "-p", "-t", session)

    def until(cond, what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{screen()}"
            time.sleep(0.1)

    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36",
                    " ".join(_quote(a) for a in [*state, *cmd])], check=True, env=environ)
    try:
        until(lambda: "pixel-tui" in screen() and " entries" in screen(), "the app")
        pid = int(_tmux("list-panes", "-t", session, "-F", "#{pane_pid}").strip())
        _tmux("send-keys", "-t", session, "R")
        until(lambda: "cot_reasoning" in screen(), "the registry screen")
        _tmux("send-keys", "-t", session, "Enter")
        until(lambda: "source path" in screen(), "the form")
        _tmux("send-keys", "-t", session, "Z", "C-o")
        until(lambda: "source path" not in screen(), "the form closed")
        time.sleep(0.5)
        os.kill(_app_pid(pid), signal.SIGHUP)  # what a closed terminal sends
        rec = recovery_path(str(reg), home / "state" / "pixel-tui")
        until(rec.is_file, "the recovery file")
        assert rec == reg.with_name(reg.name + ".unsaved.json"), "next to the registry"
        assert json.loads(rec.read_text())["datasets"]["cot_reasoning"]["one"]["path"].endswith("one.jsonZ")
        assert reg.read_text() == original, "a hang-up does not save unasked"
        _tmux("kill-session", "-t", session)
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36",
                        " ".join(_quote(a) for a in [*state, *cmd])], check=True, env=environ)
        until(lambda: "recovered" in screen().lower() or str(rec.name) in screen(), "the notice at the next start")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def _app_pid(shell_pid: int) -> int:
    """The Python process in the pane (the pane's process itself, or its child when a shell is between)."""
    out = subprocess.run(["pgrep", "-P", str(shell_pid)], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else shell_pid


async def test_esc_on_a_changed_registry_form_asks_before_discarding(env):
    from pixel_tui.tui.dialogs.registry_entry import EntryForm
    from pixel_tui.tui.dialogs.unsaved import UnsavedDialog
    from pixel_tui.tui.screens.registry import RegistryScreen

    settings, reg = env
    app = make_app(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen) and app.screen.reg is not None,
                       what="the registry")
        screen = app.screen
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm), what="the form")
        form = app.screen
        await pilot.press("escape")  # nothing changed: closes at once
        await wait_for(pilot, lambda: app.screen is screen, what="closed unchanged")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryForm), what="the form again")
        form = app.screen
        await pilot.press(*"_v2")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog), what="the question")
        await pilot.press("escape")  # keep editing
        await wait_for(pilot, lambda: app.screen is form, what="back in the form")
        assert form.query_one("#f-path").value.endswith("_v2")
        await pilot.press("escape", "s")  # apply from the question
        await wait_for(pilot, lambda: app.screen is screen, what="applied")
        assert screen.unsaved() and "_v2" in screen.reg.render()


async def test_esc_on_a_changed_promotion_dialog_asks_before_discarding(env, weed_store):
    from browser_helpers import settle

    from pixel_tui.tui.dialogs.promote import PromoteScreen
    from pixel_tui.tui.dialogs.unsaved import UnsavedDialog

    settings, reg = env
    weed_store.put_bytes("gdrive/raw/CoT_Heartbreak_and_Breakups_downloaded.json", b"{}")
    app = make_app(settings)
    async with app.run_test(size=(130, 42)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "p")
        await wait_for(pilot, lambda: isinstance(app.screen, PromoteScreen) and app.screen._plan is not None,
                       what="the plan")
        dialog = app.screen
        await pilot.press("escape")  # untouched: closes
        await wait_for(pilot, lambda: not isinstance(app.screen, PromoteScreen), what="closed")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PromoteScreen) and app.screen._plan is not None,
                       what="the plan again")
        dialog = app.screen
        dialog.query_one("#promote-name").focus()
        await pilot.press(*"_x")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog), what="the question")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dialog, what="back in the dialog")
        assert dialog.query_one("#promote-name").value.endswith(".json_x")
        await pilot.press("escape", "d")
        await wait_for(pilot, lambda: not isinstance(app.screen, (PromoteScreen, UnsavedDialog)), what="discarded")

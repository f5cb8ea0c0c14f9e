"""`i` on a Drive row: the missing and differing files below it, exactly as `pixel-tui diff` prints them, loaded
in a worker (Esc cancels), moved with the list keys; `U` uploads exactly those files with the real rclone
into the session's SeaweedFS, and the job shows in the home strip. Driven with Pilot."""

from __future__ import annotations

import socket
import time
from dataclasses import replace

import pytest
from browser_helpers import build, screen_text, seed, settings_for, settle
from pilot_helpers import wait_for

from pixel_tui.cli import main
from pixel_tui.core.jobs.launched import launched
from pixel_tui.tui.app import make_app
from pixel_tui.tui.dialogs.folder_details import FolderDetails
from pixel_tui.tui.dialogs.upload import UploadDialog
from pixel_tui.tui.screens.home import HomeScreen

# Beside browser_helpers' Drive folder: names that `--files-from` would drop or trim, and markup. (A control
# character cannot come from a local Drive: rclone lists it as a lookalike, ␛; an S3 key can hold one.)
AWKWARD = {"Beta_downloaded/#hash.json": b"#", "Beta_downloaded/ lead.json": b"lead",
           "Beta_downloaded/[b]not bold.json": b"[]", "Beta_downloaded/[red]r.json": b"r!"}
ESC_KEY = "gdrive/raw/Beta_downloaded/esc\x1b]0;title\x07.json"  # only on S3: an "extra" row
MANY = 60  # missing files under "not uploaded yet/": more rows than the view's height


@pytest.fixture
def drive(weed_server, weed_store, drive_dir, monkeypatch, tmp_path):
    """The seeded Drive folder and bucket, the awkward names, many missing files; the CLI's env set too."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    seed(drive_dir, weed_store)
    for rel, data in AWKWARD.items():
        (drive_dir / rel).write_bytes(data)
    for i in range(MANY):
        (drive_dir / "not uploaded yet" / f"part-{i:03d}.jsonl").write_bytes(b"x" * (i + 1))
    for key, value in {"RCLONE_CONFIG_DRIVE_TYPE": "alias", "RCLONE_CONFIG_DRIVE_REMOTE": str(drive_dir),
                       "PIXEL_TUI_ENDPOINT_URL": weed_server.endpoint_url, "PIXEL_TUI_BUCKET": weed_store.bucket,
                       "PIXEL_TUI_DRIVE": "drive:", "PIXEL_TUI_STATE_DIR": str(tmp_path / "cli-state")}.items():
        monkeypatch.setenv(key, value)
    return settings_for(weed_server, weed_store.bucket, state_dir=str(tmp_path / "state"))


def diff_printed(capsys, path: str) -> list[str]:
    """What `pixel-tui diff PATH` prints, line by line."""
    capsys.readouterr()
    main(["diff", path])
    return capsys.readouterr().out.splitlines()


def shown_rows(details: FolderDetails) -> list[str]:
    """The view's text, line by line (the Static holds the whole listing, scrolled by the NavScroll)."""
    return str(details.query_one("#fd-rows").render()).splitlines()


async def open_details(pilot, app, name: str) -> FolderDetails:
    """Cursor on ``name`` in the Drive pane, `i`, and wait for the comparison."""
    app.screen.drive.entries.select_name(name)
    await pilot.press("i")
    await wait_for(pilot, lambda: isinstance(app.screen, FolderDetails) and app.screen.report is not None,
                   what="the folder's details")
    await pilot.pause(0.1)
    return app.screen


async def test_i_lists_what_diff_prints_with_counts_escaped(drive, drive_dir, weed_store, capsys):
    weed_store.put_bytes(ESC_KEY, b"esc")
    printed = diff_printed(capsys, "drive:Beta_downloaded")
    app = build(drive, drive_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        details = await open_details(pilot, app, "Beta_downloaded/")
        assert shown_rows(details)[: len(printed) - 1] == printed[:-1]
        assert shown_rows(details)[-1] == printed[-1]  # the summary line, after a blank one
        text = screen_text(app)
        assert "1/6 uploaded · 5 missing (20 B) · 0 differing · 1 only on S3" in text
        # data, not markup; the control character shown as its escape, never sent to the terminal
        assert "[b]not bold.json" in text and "esc\\u001b]0;title\\u0007.json" in text
        assert "\x1b" not in "".join(shown_rows(details))
        assert "Details: drive:Beta_downloaded" in text and "U uploads the missing files" in text
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_i_on_a_file_shows_the_whole_level_and_the_list_keys_move(drive, drive_dir, capsys):
    printed = diff_printed(capsys, "drive:")
    app = build(drive, drive_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        details = await open_details(pilot, app, "changed.json")  # a file: the level it is in
        rows = shown_rows(details)
        assert rows[: len(printed) - 1] == printed[:-1]
        assert any(r.startswith("differs") and r.endswith("changed.json (size)") for r in rows)
        box = details.query_one("#fd-box")
        assert app.focused is box and box.max_scroll_y > 0
        await pilot.press("G")
        assert box.scroll_y == box.max_scroll_y
        await pilot.press("g", "j", "j")
        assert box.scroll_y == 2
        await pilot.press("ctrl+d")
        assert box.scroll_y == 2 + box.size.height // 2
        await pilot.press("i")  # the key that opened it closes it
        assert isinstance(app.screen, HomeScreen)


@pytest.mark.timeout(120)
async def test_escape_cancels_a_comparison_that_is_still_running(weed_server, weed_store, monkeypatch, tmp_path):
    """A Drive remote whose server accepts and never answers: the view spins until Esc closes it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        settings = replace(settings_for(weed_server, weed_store.bucket, state_dir=str(tmp_path / "state")),
                           drive="stall:")
        app = make_app(settings, rclone_env={"RCLONE_CONFIG_STALL_TYPE": "http", "RCLONE_CONFIG_STALL_URL": url})
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.3)
            await pilot.press("i")  # nothing listed yet: the current level
            await wait_for(pilot, lambda: isinstance(app.screen, FolderDetails), what="the details view")
            details = app.screen
            await pilot.pause(0.6)
            assert "comparing the whole Drive remote with S3 raw… (Esc cancels)" in screen_text(app)
            assert details.report is None
            await pilot.press("U")  # nothing known yet: nothing to upload
            assert isinstance(app.screen, FolderDetails)
            started = time.monotonic()
            await pilot.press("escape")
            assert isinstance(app.screen, HomeScreen) and time.monotonic() - started < 2
            assert not [w for w in app.workers if w.group == "folder-details" and not w.is_cancelled and w.is_running]


@pytest.mark.timeout(120)
async def test_U_uploads_exactly_the_missing_and_ticked_differing_files(drive, drive_dir, weed_store, tmp_path):
    app = build(drive, drive_dir)
    before = {o.key: o.etag for o in weed_store.walk("")}
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.screen.jobs.display  # no logs configured: the strip is hidden
        details = await open_details(pilot, app, "changed.json")
        missing = sorted(i.path for i in details.report.missing)
        assert len(missing) == 2 + len(AWKWARD) + MANY and [i.path for i in details.report.differs] == ["changed.json"]
        await pilot.press("U")
        await wait_for(pilot, lambda: isinstance(app.screen, UploadDialog), what="the upload dialog")
        dialog = app.screen
        assert len(app.screen_stack) == 2  # in place of the details view: never three deep
        path = dialog.query_one("#upload-path")
        assert path.value == "" and path.disabled
        text = screen_text(app)
        assert f"only {len(missing)} missing files (" in text and "also the 1 differing file (8 B)" in text
        assert "[ ] also the 1 differing file" in text
        await pilot.click("#upload-differing")  # tick it: changed.json goes too
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "[x] also the 1 differing file" in text and "missing files (" in text and "and 1 differing file" in text
        await pilot.click("#upload-start")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), timeout=30, what="the upload started")
        state = tmp_path / "state"
        (rec,) = launched(state)
        listing = next((state / "uploads").glob("files_all_*.txt"))
        assert listing.read_text(encoding="utf-8").splitlines() == sorted(missing + ["changed.json"])
        strip = app.screen.jobs
        log_name = rec.log_file.rsplit("/", 1)[1]
        await wait_for(pilot, lambda: strip.display and log_name[:12] in str(strip.render()), what="the job in the strip")
        await wait_for(pilot, lambda: not rec.alive(), timeout=60, what="rclone to finish")
    after = {o.key: o.etag for o in weed_store.walk("")}
    assert sorted(set(after) - set(before)) == sorted("gdrive/raw/" + p for p in missing)
    changed = [k for k in before if after[k] != before[k]]
    assert changed == ["gdrive/raw/changed.json"]  # ticked; nothing else was copied again
    assert weed_store.get_bytes("gdrive/raw/Beta_downloaded/#hash.json")[0] == b"#"
    assert weed_store.get_bytes("gdrive/raw/Beta_downloaded/ lead.json")[0] == b"lead"

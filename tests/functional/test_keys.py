"""One key map everywhere (issue 14): the same key means one thing on every screen; j/k, g/G, pages and
half pages move in every list, table, preview and help; Esc clears then goes back; `~` goes home; screens
never stack three deep; dialogs confirm with y and cancel with n/Esc; `?` explains every marker and status.
Driven with Pilot on a real SeaweedFS bucket and a real rclone Drive remote."""

from __future__ import annotations

import json

import pytest
from browser_helpers import build, screen_text, seed, settings_for, settle
from pilot_helpers import wait_for

from pixel_tui.tui.app import PixelApp
from pixel_tui.tui.dialogs.folder_details import FolderDetails
from pixel_tui.tui.dialogs.help import HelpScreen
from pixel_tui.tui.dialogs.notice_log import NoticeLogScreen
from pixel_tui.tui.dialogs.preview import PreviewScreen
from pixel_tui.tui.dialogs.promote_items import ItemCategories
from pixel_tui.tui.dialogs.promotion_details import PromotionDetails
from pixel_tui.tui.dialogs.registry_versions import VersionsScreen
from pixel_tui.tui.keys import NavScroll, NavTable
from pixel_tui.tui.screens.history import HistoryScreen
from pixel_tui.tui.screens.home import HomeScreen
from pixel_tui.tui.screens.monitor import MonitorScreen
from pixel_tui.tui.screens.registry import RegistryScreen
from pixel_tui.tui.widgets.drive_pane import DrivePane
from pixel_tui.tui.widgets.entry_list import MARKERS, EntryList
from pixel_tui.tui.widgets.pane import BrowserPane
from pixel_tui.tui.widgets.registry_table import RegistryTable
from pixel_tui.tui.widgets.s3_pane import S3Pane

# Every screen and widget an operator types into outside a dialog.
MAIN_CLASSES = [PixelApp, HomeScreen, BrowserPane, DrivePane, S3Pane, EntryList, RegistryScreen, RegistryTable,
                HistoryScreen, NavTable, MonitorScreen, NavScroll, HelpScreen, PreviewScreen, NoticeLogScreen,
                PromotionDetails, FolderDetails, VersionsScreen, ItemCategories]
SCREEN_LOCAL = {"escape", "enter", "tab"}  # Esc is "back / close" and Enter "open / select" by design


def our_bindings(cls):
    """(key, description) of every binding pixel_tui declares on ``cls`` and its pixel_tui bases."""
    for klass in cls.__mro__:
        if not klass.__module__.startswith("pixel_tui"):
            continue
        for b in klass.__dict__.get("BINDINGS", []):
            for key in b.key.split(","):
                yield key.strip(), b.description


def test_no_key_means_one_thing_here_and_another_there():
    meanings: dict[str, set[str]] = {}
    for cls in MAIN_CLASSES:
        for key, description in our_bindings(cls):
            if key not in SCREEN_LOCAL:
                meanings.setdefault(key, set()).add(description)
    clashes = {k: v for k, v in meanings.items() if len(v) > 1}
    assert not clashes, clashes
    assert meanings["g"] == {"First"} and meanings["G"] == {"Last"}
    assert meanings["ctrl+d"] == {"Half page down"} and meanings["ctrl+u"] == {"Half page up"}


def test_dialogs_confirm_with_y_and_cancel_with_n_or_escape():
    from pixel_tui.tui.dialogs.promote import PromoteScreen
    from pixel_tui.tui.dialogs.prompts import ConfirmDialog, DiffDialog
    from pixel_tui.tui.dialogs.undo import ConfirmUndo

    for cls in (ConfirmDialog, DiffDialog, ConfirmUndo, PromoteScreen):
        keys = dict(our_bindings(cls))
        assert "y" in keys and "n" in keys and "escape" in keys, (cls.__name__, keys)
    assert "ctrl+y" not in dict(our_bindings(PromoteScreen)), "Ctrl+Y is redo in the registry"


@pytest.fixture
def browser(weed_server, weed_store, drive_dir, tmp_path, monkeypatch):
    """An app on a seeded Drive folder and bucket, with a registry of six entries."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    seed(drive_dir, weed_store)
    reg = tmp_path / "dataset_registry.json"
    datasets = {f"d{i}": {"path": f"/mnt/gdrive/datasets/d{i}.json", "stage": "stage1_foundation"} for i in range(6)}
    reg.write_text(json.dumps({"datasets": {"g": datasets}}, indent=4) + "\n")
    return build(settings_for(weed_server, weed_store.bucket, registry=str(reg), state_dir=str(tmp_path / "s")),
                 drive_dir)


async def test_list_keys_move_in_the_browser_list(browser):
    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        drive = browser.screen.drive.entries
        last = len(drive.view) - 1
        assert last >= 4
        for keys, want in ((["j"], 1), (["j", "k"], 0), (["G"], last), (["g"], 0), (["ctrl+d"], last),
                           (["ctrl+u"], 0), (["pagedown"], last), (["pageup"], 0), (["end"], last), (["home"], 0)):
            drive.cursor = 0
            await pilot.press(*keys)
            assert drive.cursor == want, (keys, drive.cursor)


async def test_list_keys_move_in_the_registry_table(browser):
    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(browser.screen, RegistryScreen) and browser.screen.table.row_count == 6,
                       what="registry rows")
        table = browser.screen.table
        assert table.has_focus
        for keys, want in ((["j"], 1), (["j", "k"], 0), (["G"], 5), (["g"], 0), (["ctrl+d"], 5),
                           (["ctrl+u"], 0)):
            table.move_cursor(row=0)
            await pilot.press(*keys)
            assert table.cursor_row == want, (keys, table.cursor_row)


async def test_list_keys_scroll_help_and_preview(browser):
    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(browser.screen, HelpScreen), what="help")
        await pilot.pause(0.2)
        box = browser.screen.query_one(NavScroll)
        assert box.has_focus and box.max_scroll_y > 0, "the help is taller than 24 lines: it must scroll"
        await pilot.press("G")
        assert box.scroll_y == box.max_scroll_y
        await pilot.press("g")
        assert box.scroll_y == 0
        await pilot.press("j")
        assert box.scroll_y == 1
        await pilot.press("ctrl+d")
        assert box.scroll_y > 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(browser.screen, HomeScreen), what="help closed")
        browser.screen.drive.entries.select_name("notes.txt")
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(browser.screen, PreviewScreen), what="preview")
        assert isinstance(browser.screen.focused, NavScroll), "the preview scrolls with the list keys"


async def test_escape_clears_the_filter_first_then_goes_back(browser):
    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        drive = browser.screen.drive
        await pilot.press("slash", *"note", "enter")
        assert drive.entries.filter_text == "note"
        await pilot.press("escape")
        assert drive.entries.filter_text == "" and isinstance(browser.screen, HomeScreen)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(browser.screen, RegistryScreen) and browser.screen.table.row_count,
                       what="registry")
        registry = browser.screen
        await pilot.press("slash", *"d1", "enter")
        assert registry.table.row_count == 1
        await pilot.press("escape")  # the filter goes, the screen stays
        assert browser.screen is registry and registry.table.row_count == 6
        await pilot.press("escape")
        assert isinstance(browser.screen, HomeScreen)


async def test_screens_never_stack_three_deep_and_tilde_goes_home(browser):
    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, cls in (("m", MonitorScreen), ("R", RegistryScreen), ("H", HistoryScreen), ("m", MonitorScreen)):
            await pilot.press(key)
            await wait_for(pilot, lambda: isinstance(browser.screen, cls), what=cls.__name__)
            assert len(browser.screen_stack) == 2, [type(s).__name__ for s in browser.screen_stack]
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(browser.screen, HelpScreen), what="help")
        await pilot.press("tilde")
        await wait_for(pilot, lambda: isinstance(browser.screen, HomeScreen), what="home")
        assert len(browser.screen_stack) == 1
        await pilot.press("escape")  # home has nowhere further back: it stays
        assert isinstance(browser.screen, HomeScreen)


async def test_help_explains_every_marker_and_registry_status(browser):
    from pixel_tui.core.registry.validate import KINDS

    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(browser.screen, HelpScreen), what="help")
        text = str(browser.screen.query_one(NavScroll).query_one("Static").render())
        for glyph, _ in MARKERS.values():
            assert f"\n{glyph} " in text, glyph
        for _, label in KINDS.values():
            assert f"\n{label} " in text, label
        assert "\nok " in text and "\nchecking " in text
        for key in ("j/k", "g/G", "^D/^U", "~"):
            assert key in text, key


async def test_footer_shows_help_and_quit_first_at_80_columns(browser):
    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, cls in (("", HomeScreen), ("R", RegistryScreen), ("H", HistoryScreen), ("m", MonitorScreen)):
            if key:
                await pilot.press(key)
                await wait_for(pilot, lambda: isinstance(browser.screen, cls), what=cls.__name__)
                await pilot.pause(0.2)
            footer = screen_text(browser).splitlines()[-1]
            assert footer.lstrip().startswith("? Help q Quit"), (cls.__name__, footer)


async def test_y_copies_the_s3_uri_the_drive_path_and_the_registry_key(browser):
    bucket = browser.services.settings.bucket
    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = browser.screen
        home.drive.entries.select_name("notes.txt")
        await pilot.press("y")
        assert browser.clipboard == "drive:notes.txt"
        await pilot.press("tab")
        home.s3.entries.select_name("only on s3.bin")
        await pilot.press("y")
        assert browser.clipboard == f"s3://{bucket}/gdrive/raw/only on s3.bin"
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(browser.screen, RegistryScreen) and browser.screen.table.row_count == 6,
                       what="registry rows")
        browser.screen.table.select_key("datasets/g/d3")
        await pilot.press("y")
        assert browser.clipboard == "datasets/g/d3"
        assert any("copied registry key: datasets/g/d3" in n.message for n in browser.notice_log.entries())

"""The browser panes' modes driven like a person (issue 14): sort (`o`), status filter (`f`), the S3 pane
following the Drive pane into raw (`F` unlinks), and Drive shortcuts marked ↪ (issue 12). Real rclone
on a local Drive folder and a real SeaweedFS bucket (browser_helpers.seed)."""

from __future__ import annotations

import pytest
from browser_helpers import screen_text, seeded_browser, settle
from pilot_helpers import wait_for
from textual.app import App

from pixel_tui.core.storage.listing import Level
from pixel_tui.core.storage.rclone import Rclone, entry_from_lsjson
from pixel_tui.tui.widgets.entry_list import EntryList


@pytest.fixture
def browser(weed_server, weed_store, drive_dir, monkeypatch):
    """An app on a seeded Drive folder and bucket (credentials through the AWS variables)."""
    return seeded_browser(weed_server, weed_store, drive_dir, monkeypatch)


def shown(entries: EntryList) -> list[str]:
    return [entries.level.names[i] for i in entries.view]


def status_of(pane) -> str:
    return pane.query_one("StatusLine").render().plain


async def test_sort_cycles_folders_first_keeping_the_cursor_row(browser):
    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        drive = browser.screen.drive
        entries = drive.entries
        listed = shown(entries)
        assert listed == ["Alpha Set/", "Beta_downloaded/", "changed.json", "not uploaded yet/", "notes.txt",
                          "plus+sign.json"]
        entries.select_name("notes.txt")
        await pilot.press("o")
        assert shown(entries) == ["Alpha Set/", "Beta_downloaded/", "not uploaded yet/", "changed.json", "notes.txt",
                                  "plus+sign.json"]
        assert entries.current_name == "notes.txt" and drive.border_title == "sort: name ↑"
        await pilot.press("o")  # largest first: notes.txt 23 B, plus+sign.json 14 B, changed.json 8 B
        assert shown(entries)[3:] == ["notes.txt", "plus+sign.json", "changed.json"]
        assert entries.current_name == "notes.txt" and entries.cursor == 3
        await pilot.pause(0.1)
        assert "sort: size ↓" in screen_text(browser)
        await pilot.press("o")  # same mtimes everywhere: newest first keeps the listing order, folders first
        assert shown(entries)[:3] == ["Alpha Set/", "Beta_downloaded/", "not uploaded yet/"]
        assert drive.border_title == "sort: time ↓"
        await pilot.press("o")
        assert shown(entries) == listed and entries.current_name == "notes.txt" and drive.border_title == ""
        # The sort stays while browsing: a folder opens sorted, and the S3 pane sorts on its own.
        await pilot.press("o", "o", "g", "enter")
        await settle(pilot)
        assert drive.location == "Alpha Set/" and shown(drive.entries) == ["records.jsonl", "meta.json"]
        assert browser.screen.s3.entries.sort == ""


class StreamApp(App):
    """One EntryList fed as a pane feeds it: chunks of a Level while the listing is still running."""

    def compose(self):
        yield EntryList()


async def test_sort_holds_while_a_big_level_streams_in():
    app = StreamApp()
    async with app.run_test(size=(80, 24)) as pilot:
        entries = app.query_one(EntryList)
        entries.reset("big/")
        entries.set_sort("size")
        sizes = {}
        for batch in range(22):  # 22,000 rows in pages of 1,000, as a big prefix arrives
            chunk = Level("big/")
            rows = [(f"f{batch:02d}-{i:04d}", (batch * 7919 + i * 104729) % 100_000 if i % 50 else -1, 0.0, "")
                    for i in range(1000)]
            chunk.add(rows)
            sizes.update((n, s) for n, s, _, _ in rows)
            entries.extend(chunk)
            if batch == 0:
                entries.select_name("f00-0002")
                await pilot.press("j")  # the operator moves while rows keep arriving
                picked = entries.current_name
            assert entries.current_name == picked, batch
            await pilot.pause(0)
        names = shown(entries)
        assert len(names) == 22_000
        known = [sizes[n] for n in names if sizes[n] >= 0]
        assert known == sorted(known, reverse=True)
        assert all(sizes[n] < 0 for n in names[len(known):]), "unknown sizes sort last"
        entries.set_filter("f01-")
        assert len(entries.view) == 1000 and entries.current_name is not None


async def test_status_filter_cycles_with_the_name_filter_and_esc_clears_it(browser):
    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        drive = browser.screen.drive
        entries = drive.entries
        await pilot.press("f")
        assert shown(entries) == ["not uploaded yet/"]
        assert "status missing ✗: 5 hidden" in status_of(drive)
        await pilot.pause(0.1)
        assert "status missing ✗: 5 hidden" in screen_text(browser), "fits the pane's status line at 80 columns"
        await pilot.press("f")
        assert shown(entries) == ["changed.json"]
        await pilot.press("slash", *"zz", "enter")
        await pilot.pause(0.1)
        assert shown(entries) == [] and "nothing matches (Esc clears)" in screen_text(browser)
        await pilot.press("escape", "f", "f")  # Esc cleared both: all -> missing -> differing again
        assert shown(entries) == ["changed.json"]
        await pilot.press("f")
        assert shown(entries) == ["Beta_downloaded/"] and "status partial ◐: 5 hidden" in status_of(drive)
        await pilot.press("f")
        assert len(shown(entries)) == 6 and "status " not in status_of(drive)
        # Combined with the name filter: differing rows whose name holds "JSON".
        await pilot.press("f", "f", "slash", *"JSON", "enter")
        assert shown(entries) == ["changed.json"]
        status = status_of(drive)
        assert "filter 'JSON': 1" in status and "status differing ≠: 5 hidden" in status
        await pilot.press("escape")  # Esc clears the filters first
        assert len(shown(entries)) == 6 and drive.status_kind == "" and entries.filter_text == ""
        # The status filter goes along into a folder: what is left to upload there.
        await pilot.press("f", "g")
        entries.select_name("not uploaded yet/")
        await pilot.press("f", "f", "f", "f")  # all -> missing again
        await pilot.press("enter")
        await settle(pilot)
        assert drive.location == "not uploaded yet/" and shown(entries) == ["big.txt"]


async def test_s3_status_filters_only_on_s3_not_promoted_unregistered(browser):
    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        s3 = browser.screen.s3
        await pilot.press("tab", "f")  # under raw: only on S3 lists the Drive folder once
        await wait_for(pilot, lambda: shown(s3.entries) == ["only on s3.bin"], what="only-on-S3 rows")
        assert s3.entries.markers["only on s3.bin"] == "extra"
        await pilot.pause(0.1)
        text = screen_text(browser)
        assert "+ only on s3.bin" in text and "status only on S3 +: 5 hidden" in text
        assert "status only on S3 +: 5 hidden" in status_of(s3)
        await pilot.press("f")
        assert "Alpha Set/" not in shown(s3.entries) and len(shown(s3.entries)) == 5  # ★ Alpha Set/ is promoted
        await pilot.press("f")
        assert len(shown(s3.entries)) == 6
        s3.open_location("gdrive/processed/priority/")
        await settle(pilot)
        await pilot.press("f")  # no registry here: the processed copy is unregistered
        assert shown(s3.entries) == ["Alpha Set/"] and "status unregistered ·: 0 hidden" in status_of(s3)
        s3.open_location("")  # the bucket root: a filter of processed/ does not follow it there
        await settle(pilot)
        assert s3.status_kind == "" and len(shown(s3.entries)) == 1
        await pilot.press("f")
        assert any("no status filter here" in str(n.message) for n in browser._notifications)


async def test_s3_follows_drive_into_raw_and_unlinks(browser):
    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = browser.screen
        drive, s3 = home.drive, home.s3
        assert s3.border_title == "linked"
        await pilot.press("tab", "slash", *"meta", "enter", "tab")  # the S3 pane's own filter
        await pilot.press("enter")  # Drive: Alpha Set/
        await settle(pilot)
        assert s3.location == "gdrive/raw/Alpha Set/" and s3.entries.filter_text == "meta"
        assert shown(s3.entries) == ["meta.json"]
        await pilot.press("backspace")
        await settle(pilot)
        assert s3.location == "gdrive/raw/"
        drive.entries.select_name("not uploaded yet/")
        await pilot.press("enter")
        await settle(pilot)
        # Not on S3: the nearest parent that is, saying so (as `c` does).
        assert drive.location == "not uploaded yet/" and s3.location == "gdrive/raw/"
        assert "not in S3 yet: not uploaded yet/" in status_of(s3)
        await pilot.press("backspace", "F")
        await settle(pilot)
        assert s3.border_title == "unlinked" and "unlinked" in screen_text(browser)
        drive.entries.select_name("Alpha Set/")
        await pilot.press("enter")
        await settle(pilot)
        assert drive.location == "Alpha Set/" and s3.location == "gdrive/raw/"
        await pilot.press("F")  # linking again jumps to the Drive pane's folder
        await settle(pilot)
        assert s3.border_title == "linked" and s3.location == "gdrive/raw/Alpha Set/"
        # Outside raw the S3 pane stays put (the operator went there on purpose).
        s3.open_location("gdrive/processed/")
        await settle(pilot)
        await pilot.press("backspace")
        await settle(pilot)
        assert drive.location == "" and s3.location == "gdrive/processed/"
        await pilot.press("question_mark")
        text = screen_text(browser)
        for words in ("Sort", "Status filter", "Link S3 to Drive"):
            assert words in text, words


class DriveShortcutRclone(Rclone):
    """The real rclone, except that one listed entry comes back as rclone's Drive backend lists a shortcut.

    A local remote has no IDs, so no listing of it can show a shortcut: this injects that one shape
    (the ID "<shortcut id>\\t<target id>", backend/drive shortcutSeparator) into the level listing.
    """

    def iter_level(self, remote_path, hashes=False, batch=500, cancelled=None):
        for page in super().iter_level(remote_path, hashes=hashes, batch=batch, cancelled=cancelled):
            yield [entry_from_lsjson({"Path": e.path, "Name": e.name, "Size": e.size, "IsDir": e.is_dir,
                                      "ModTime": e.modified.isoformat() if e.modified else "",
                                      "ID": "1ShOrTcUt\t1TaRgEt"}) if e.name == "plus+sign.json" else e
                   for e in page]


async def test_drive_shortcut_reads_shortcut_with_the_hint(browser):
    browser.services.rclone = DriveShortcutRclone(env=browser.services.rclone_env)
    async with browser.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        drive = browser.screen.drive
        assert drive.entries.markers["plus+sign.json"] == "shortcut"
        assert drive.entries.markers["notes.txt"] == "uploaded"
        drive.entries.select_name("plus+sign.json")
        await pilot.pause(0.1)
        text = screen_text(browser)
        assert "↪ plus+sign.json" in text
        assert "↪ shortcut · --drive-skip-shortcuts" in text, "the hint fits the pane's status line at 80 columns"

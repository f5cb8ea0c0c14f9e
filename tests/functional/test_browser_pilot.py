"""The Drive | S3 browser driven like a person, against real rclone and SeaweedFS."""

from __future__ import annotations

import pytest
from browser_helpers import DRIVE_FILES, build, screen_text, seed, seeded_browser, settings_for, settle

from pixel_tui.core.units import human_bytes
from pixel_tui.tui.dialogs.preview import PreviewScreen


@pytest.fixture
def browser(weed_server, weed_store, drive_dir, monkeypatch):
    """An app on a seeded Drive folder and bucket (credentials through the AWS variables)."""
    return seeded_browser(weed_server, weed_store, drive_dir, monkeypatch)


async def test_opens_both_sides_with_sync_markers(browser):
    async with browser.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        home = browser.screen
        drive, s3 = home.drive.entries, home.s3.entries
        assert drive.level.names == ["Alpha Set/", "Beta_downloaded/", "changed.json", "not uploaded yet/",
                                     "notes.txt", "plus+sign.json"]
        # Folders are marked from their whole subtree: partial is not "differs" (that is for content).
        assert drive.markers == {"changed.json": "differs", "not uploaded yet/": "missing",
                                 "notes.txt": "uploaded", "plus+sign.json": "uploaded",
                                 "Alpha Set/": "uploaded", "Beta_downloaded/": "partial"}
        assert drive.info["Beta_downloaded/"] == "1/2 uploaded" and drive.info["Alpha Set/"] == "2/2 uploaded"
        assert sorted(s3.level.names) == ["Alpha Set/", "Beta_downloaded/", "changed.json", "notes.txt",
                                          "only on s3.bin", "plus+sign.json"]
        assert s3.markers["Alpha Set/"] == "promoted" and not s3.markers["notes.txt"]
        text = screen_text(browser)
        assert "≠ changed.json" in text and "✗ not uploaded yet/" in text and "★ Alpha Set/" in text
        assert "◐ Beta_downloaded/" in text
        # The root's status line says what it counts (this level) and what the whole subtree holds.
        status = home.drive.query_one("StatusLine").render().plain
        total = sum(len(v) for v in DRIVE_FILES.values())
        assert "this level 2/3 uploaded" in status, status
        assert f"whole tree 5/8 uploaded, 2 missing, 1 differ, {human_bytes(total)}" in status, status
        assert "s3://" + browser.services.settings.bucket in text


async def test_open_folder_go_up_and_filter(browser):
    async with browser.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        drive = browser.screen.drive
        await pilot.press("j", "enter")  # Beta_downloaded/
        await settle(pilot)
        assert drive.location == "Beta_downloaded/"
        assert drive.entries.level.names == ["part 1.json", "part+2 %.json"]
        assert drive.entries.markers == {"part 1.json": "uploaded", "part+2 %.json": "missing"}
        await pilot.press("backspace")
        await settle(pilot)
        assert drive.location == "" and drive.entries.current_name == "Beta_downloaded/"
        await pilot.press("slash", *"JSON", "enter")
        assert [drive.entries.level.names[i] for i in drive.entries.view] == ["changed.json", "plus+sign.json"]
        assert "filter 'JSON': 2" in screen_text(browser)
        await pilot.press("r")  # refresh keeps the filter and the cursor row
        await settle(pilot)
        assert drive.entries.filter_text == "JSON" and len(drive.entries.view) == 2
        await pilot.press("escape")
        assert len(drive.entries.view) == 6
        await pilot.press("question_mark")  # help lists the browser's keys
        text = screen_text(browser)
        for key in ("Counterpart", "Filter", "Totals", "Preview", "Mark", "Other pane"):
            assert key in text


async def test_jump_to_counterpart_and_back(browser):
    async with browser.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        home = browser.screen
        await pilot.press("enter")  # Alpha Set/
        await settle(pilot)
        await pilot.press("j")
        name = home.drive.entries.current_name
        await pilot.press("c")
        await settle(pilot)
        assert home.s3.location == "gdrive/raw/Alpha Set/" and home.s3.entries.current_name == name
        assert home.focused is home.s3.entries
        await pilot.press("k", "c")  # back, from the other row
        await settle(pilot)
        assert home.drive.location == "Alpha Set/" and home.drive.entries.current_name == home.s3.entries.current_name
        assert home.focused is home.drive.entries


async def test_preview_json_pretty_printed(browser):
    async with browser.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "G", "v")  # S3 pane, last row: plus+sign.json
        await settle(pilot)
        assert isinstance(browser.screen, PreviewScreen)
        text = screen_text(browser)
        assert '"plus": true' in text and "content type" in text
        await pilot.press("escape")
        await pilot.press("tab", "enter")  # Drive pane: Alpha Set/
        await settle(pilot)
        await pilot.press("G", "enter")  # records.jsonl: Enter on a file previews it
        await settle(pilot)
        text = screen_text(browser)
        assert '{"q": "hi", "a": "hello"}' in text and "first 2 records" in text


async def test_folder_totals_and_marks_for_promotion(browser):
    async with browser.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        home = browser.screen
        await pilot.press("j", "s")  # totals of Beta_downloaded/ on the Drive side
        await settle(pilot)
        assert home.drive.entries.info["Beta_downloaded/"].endswith("1/2 uploaded, 1 missing (11 B)")
        assert home.drive.entries.markers["Beta_downloaded/"] == "partial"
        seen = []
        home.s3.post_message = lambda m, _orig=home.s3.post_message: (seen.append(m), _orig(m))[1]
        await pilot.press("tab", "s")  # totals of Alpha Set/ on S3
        await settle(pilot)
        assert home.s3.entries.info["Alpha Set/"].startswith("2 obj")
        await pilot.press("space", "space")
        raw = browser.services.settings.raw_prefix
        assert home.s3.selected_keys() == [raw + "Alpha Set/", raw + "Beta_downloaded/"]
        assert any(type(m).__name__ == "SelectionChanged" for m in seen)
        assert "2 marked" in screen_text(browser)


async def test_missing_bucket_shows_in_s3_pane_only(weed_server, drive_dir, weed_store, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    seed(drive_dir, weed_store)
    app = build(settings_for(weed_server, "no-such-bucket-here"), drive_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        assert home.s3.error and "does not exist" in home.s3.error[0]
        assert "what to do" in screen_text(app)
        assert len(home.drive.entries.level) == 6  # the Drive side works


async def test_unconfigured_drive_remote_shows_in_drive_pane_only(weed_server, weed_store, drive_dir, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    seed(drive_dir, weed_store)
    settings = settings_for(weed_server, weed_store.bucket).__class__(
        endpoint_url=weed_server.endpoint_url, bucket=weed_store.bucket, drive="gdrive:datasets")
    app = build(settings, drive_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        assert home.drive.error and "gdrive" in home.drive.error[0]
        assert "rclone config" in home.drive.error[1]
        assert len(home.s3.entries.level) == 6


async def test_unreachable_endpoint_is_reported_not_fatal(drive_dir, monkeypatch, weed_store, weed_server):
    from pixel_tui.core.config import Settings
    from pixel_tui.demo.seaweedfs import free_port

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    seed(drive_dir, weed_store)
    app = build(Settings(endpoint_url=f"http://127.0.0.1:{free_port()}", bucket="b", drive="drive:"), drive_dir)
    app.services.__dict__["store"] = app.services.store.__class__(
        "b", endpoint_url=app.services.settings.endpoint_url, max_attempts=1, connect_timeout=1)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, timeout=40)
        assert "cannot reach" in app.screen.s3.error[0]
        assert len(app.screen.drive.entries.level) == 6


async def test_large_level_streams_and_scrolls(weed_server, weed_store, drive_dir, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    keys = [f"gdrive/raw/many/item {i:05d}.json" for i in range(2500)]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: weed_store.put_bytes(k, b"{}"), keys))
    app = build(settings_for(weed_server, weed_store.bucket), drive_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        s3 = app.screen.s3.entries
        assert len(s3.level) == 2500
        await pilot.press("pagedown", "pagedown", "end")
        assert s3.current_name == "item 02499.json"
        assert "item 02499.json" in screen_text(app)
        await pilot.press("slash", *"0123", "enter")
        assert [s3.level.names[i] for i in s3.view] == ["item 00123.json", "item 01230.json", "item 01231.json",
                                                        "item 01232.json", "item 01233.json", "item 01234.json",
                                                        "item 01235.json", "item 01236.json", "item 01237.json",
                                                        "item 01238.json", "item 01239.json"]


async def test_files_in_the_live_rclone_log_show_as_uploading(weed_server, weed_store, drive_dir, monkeypatch,
                                                              rclone_logs, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    lines = rclone_logs.text.read_text().splitlines(keepends=True)
    start = next(i for i, ln in enumerate(lines) if ln.startswith(" * "))
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith(" * "))
    live = tmp_path / "live.log"
    live.write_text("".join(lines[: end + 1]))  # a real log, cut while files are in flight
    in_flight = [ln.split(":")[0].strip(" *") for ln in lines[start:end]]
    for name in ["part-0.bin", "part-2.bin", "done.bin"]:
        (drive_dir / name).write_bytes(b"x" * 10)
    weed_store.put_bytes("gdrive/raw/done.bin", b"x" * 10)
    app = build(settings_for(weed_server, weed_store.bucket, logs=(str(live),)), drive_dir)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        markers = app.screen.drive.entries.markers
        assert markers["done.bin"] == "uploaded"
        for name in ["part-0.bin", "part-2.bin"]:
            assert markers[name] == ("uploading" if name in in_flight else "missing")
        assert "↑" in screen_text(app)


async def test_command_palette_goes_to_processed(browser):
    async with browser.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"processed")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        home = browser.screen
        assert home.s3.location == "gdrive/processed/"
        assert home.s3.entries.level.names == ["priority/"]


async def test_access_denied_says_what_to_do(weed_server, weed_store, drive_dir, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    seed(drive_dir, weed_store)
    app = build(settings_for(weed_server, weed_store.bucket), drive_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        message, hint = app.screen.s3.error
        assert "access denied" in message and "credentials" in hint
        assert "not-the-secret" not in screen_text(app)  # secrets never shown
        assert len(app.screen.drive.entries.level) == 6


async def test_counterpart_of_a_file_missing_in_s3_lands_on_its_folder_and_says_so(browser):
    async with browser.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        home = browser.screen
        await pilot.press("j", "enter")  # Beta_downloaded/: part 1 uploaded, part+2 % missing
        await settle(pilot)
        home.drive.entries.select_name("part+2 %.json")
        assert home.drive.entries.markers["part+2 %.json"] == "missing"
        await pilot.press("c")
        await settle(pilot)
        raw = browser.services.settings.raw_prefix
        assert home.s3.location == raw + "Beta_downloaded/" and home.focused is home.s3.entries
        notes = [n.message for n in browser._notifications]
        assert any("part+2 %.json is not in S3 yet" in n and "Beta_downloaded/ would hold it" in n for n in notes), notes


async def test_with_a_scrollbar_sizes_keep_their_unit_and_no_horizontal_scrollbar(weed_server, weed_store,
                                                                                   drive_dir, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    keys = [f"gdrive/raw/shards/shard_{i:04d}.jsonl" for i in range(60)]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: weed_store.put_bytes(k, b"x" * 41_000), keys))
    app = build(settings_for(weed_server, weed_store.bucket), drive_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        s3 = app.screen.s3.entries
        assert len(s3.level) == 60 and s3.show_vertical_scrollbar
        assert not s3.show_horizontal_scrollbar, "no horizontal scrollbar for rows laid out to fit"
        rows = [ln for ln in screen_text(app).splitlines() if "shard_0000.jsonl" in ln]
        assert rows and "40.0 KiB" in rows[0], rows


async def test_folder_markers_from_the_subtree_survive_a_re_check_of_the_level(browser):
    async with browser.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        drive = browser.screen.drive
        assert drive.entries.markers["Beta_downloaded/"] == "partial"
        drive.set_live([])  # what the job feed does each tick; a change of files in flight re-checks the level
        drive._live_names = frozenset({"gone.bin"})
        drive.set_live([])
        await pilot.pause(drive.REMARK_SECONDS + 0.5)
        await settle(pilot)
        assert drive.entries.markers["Beta_downloaded/"] == "partial"
        assert drive.entries.markers["Alpha Set/"] == "uploaded"


async def test_both_panes_share_one_listing_of_the_raw_level_and_r_lists_it_again(browser):
    """The S3 pane shows raw/ and the Drive pane marks its root against raw/: one listing for both."""
    async with browser.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        levels = browser.services.levels
        assert levels.listed == 1
        assert browser.screen.drive.entries.markers["notes.txt"] == "uploaded"
        browser.screen.action_refresh_all()
        await settle(pilot)
        assert levels.listed == 2  # the refresh lists once more, again for both panes
        assert browser.screen.drive.entries.markers["notes.txt"] == "uploaded"


async def test_folder_totals_are_remembered_across_sessions_with_their_age(weed_server, weed_store, drive_dir,
                                                                           tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    seed(drive_dir, weed_store)
    settings = settings_for(weed_server, weed_store.bucket, state_dir=str(tmp_path / "state"))
    first = build(settings, drive_dir)
    async with first.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "s")  # totals of Alpha Set/ on S3: counted now
        await settle(pilot)
        assert first.screen.s3.entries.info["Alpha Set/"] == "2 obj 75 B"
    again = build(settings, drive_dir)  # the next session: shown at once from the snapshot, with its age
    async with again.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        info = again.screen.s3.entries.info["Alpha Set/"]
        assert info.startswith("2 obj 75 B · ") and info.endswith(" ago"), info
        assert "Beta_downloaded/" not in again.screen.s3.entries.info  # never counted


async def test_the_totals_spinner_leaves_the_status_line_when_the_count_is_in(browser):
    """The count arrived while its worker was still running, and nothing redrew the status line after:
    `⠋ totals… (Esc cancels)` stayed until the cursor moved."""
    async with browser.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        s3 = browser.screen.s3
        await pilot.press("tab", "s")  # totals of Alpha Set/ on S3
        await settle(pilot)
        await pilot.pause(0.6)  # past two spinner ticks: nothing else moves
        assert s3.entries.info["Alpha Set/"].startswith("2 obj")
        status = s3.query_one("StatusLine").render().plain
        assert "totals…" not in status, status

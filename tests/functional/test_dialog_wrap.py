"""Dialogs wrap paths after `/` and headings between words, and what the operator copies is the path itself
(issue 14). Line breaking as a function, then the promote dialog at 80x24 on a real SeaweedFS bucket."""

from __future__ import annotations

from browser_helpers import build, screen_text, settings_for, settle
from pilot_helpers import wait_for
from textual.geometry import Offset
from textual.selection import Selection

from pixel_tui.tui.dialogs.path_wrap import line_spans, selected_text, slash_wrapped

KEY = "gdrive/raw/therapist-sft-format/sessions_2024_second_quarter/CoT_Heartbreak_and_Breakups_downloaded.json"


def lines(text: str, width: int) -> list[str]:
    return [text[a:b] for a, b in line_spans(text, width)]


def test_paths_break_after_a_slash_and_headings_between_words():
    url = "s3://snap-layout/gdrive/processed/cot_reasoning/heartbreak_and_breakups.json"
    assert lines(url, 40) == ["s3://snap-layout/gdrive/processed/", "cot_reasoning/", "heartbreak_and_breakups.json"]
    assert lines(url, 50) == ["s3://snap-layout/gdrive/processed/cot_reasoning/", "heartbreak_and_breakups.json"]
    heading = "Promote 2 items into s3://a-bucket/gdrive/processed/"
    assert lines(heading, 30) == ["Promote 2 items into s3://", "a-bucket/gdrive/processed/"]
    # only a part wider than the whole line is cut inside; spaces at a break are dropped, newlines kept
    assert lines("x/" + "a" * 12 + "/b", 5) == ["x/", "aaaaa", "aaaaa", "aa/b"]
    assert lines("one  two\n\nthree", 4) == ["one", "two", "", "thre", "e"]
    assert lines("日本語/日本語", 4) == ["日本", "語/", "日本", "語"]  # wide characters count two cells


def test_wrapped_text_is_escaped_and_copies_as_it_was_given():
    wrapped = slash_wrapped("gdrive/raw/evil\x1b]0;title\x07/x.json")
    assert "\x1b" not in wrapped.plain and "\\u001b" in wrapped.plain
    spans = line_spans(KEY, 30)
    assert len(spans) > 2
    everything = selected_text(KEY, spans, Selection(None, None))
    assert everything == KEY and "\u200b" not in everything and "\n" not in everything
    # from the middle of the second line to the middle of the third: the same characters as in the key
    a, b = spans[1][0] + 3, spans[2][0] + 4
    assert selected_text(KEY, spans, Selection(Offset(3, 1), Offset(4, 2))) == KEY[a:b]


async def test_promote_dialog_wraps_its_source_at_slashes_and_copies_it_whole(weed_server, weed_store, drive_dir,
                                                                               tmp_path, monkeypatch):
    from pixel_tui.tui.dialogs.path_wrap import WrappedStatic
    from pixel_tui.tui.dialogs.promote import PromoteScreen

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    weed_store.put_bytes(KEY, b"{}")
    app = build(settings_for(weed_server, weed_store.bucket, state_dir=str(tmp_path / "s")), drive_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(PromoteScreen([KEY]))
        await wait_for(pilot, lambda: getattr(app.screen, "_plan", None) is not None, what="the plan")
        await pilot.pause(0.1)
        sources = app.screen.query_one("#promote-sources", WrappedStatic)
        assert sources.size.height == 2, "the long key takes two lines, not one cut line"
        text = screen_text(app)
        shown = [ln.strip("│ ") for ln in text.splitlines()]
        first = next(ln for ln in shown if ln.startswith("gdrive/raw/therapist"))
        assert first.endswith("/"), first
        assert "CoT_Heartbreak_and_Breakups_downloaded.json" in text, text  # the name is whole
        # a mouse selection of the source copies the key itself: no newline where it wrapped, no invisible mark
        copied, _ = sources.get_selection(Selection(None, None))
        assert copied == KEY
        app.copy_to_clipboard(copied)
        assert app.clipboard == KEY


async def test_undo_dialog_names_every_registry_entry_it_restores():
    """A promotion of two items restores two registry entries: the question says so (it said "the entry")."""
    from textual.app import App

    from pixel_tui.core.promotion.history import PromotionRow
    from pixel_tui.tui.dialogs.undo import ConfirmUndo

    def row(items: int) -> PromotionRow:
        return PromotionRow(id="20261201T030000Z-5ea1", status="done", mode="copy", category="cot_reasoning",
                            objects=3, bytes=3_000, sources="a, b", items=items)

    for items, copies_only, says in ((2, False, "restores the 2 registry entries"),
                                     (2, True, "keeps the 2 registry entries as they are now"),
                                     (1, False, "restores the registry entry"),
                                     (1, True, "keeps the registry entry as it is now")):
        app = App()
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(ConfirmUndo(row(items), copies_only))
            await pilot.pause(0.1)
            text = " ".join(screen_text(app).replace("█", " ").split())  # lines joined, dialog border out
            assert says in text and "3 copies" in text, text

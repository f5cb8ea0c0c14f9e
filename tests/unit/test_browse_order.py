"""The browser's row orders and status filters (core/browse/order.py), and Drive shortcuts marked from
rclone's Drive lsjson shapes (core/browse/levels.py rows_of, markers.py mark_drive_level)."""

from __future__ import annotations

import math
import random

from pixel_tui.core.browse.levels import rows_of
from pixel_tui.core.browse.markers import mark_drive_level, shortcut_note
from pixel_tui.core.browse.order import (
    DRIVE_STATUS_FILTERS,
    RowOrder,
    next_sort,
    next_status,
    sorted_rows,
    status_matches,
)
from pixel_tui.core.storage.listing import Level
from pixel_tui.core.storage.rclone import entry_from_lsjson

NAN = float("nan")


def level_of(rows) -> Level:
    level = Level("")
    level.add(rows)
    return level


def names_in(level: Level, order) -> list[str]:
    return [level.names[i] for i in order]


ROWS = [
    ("b.bin", 10, 300.0, ""),
    ("Zeta/", -1, 100.0, ""),
    ("doc.docx", -1, 200.0, ""),  # a Google Doc: size unknown
    ("a.txt", 500, NAN, ""),  # no modification time
    ("alpha/", -1, NAN, ""),
    ("C.json", 500, 400.0, ""),
]


def test_orders_put_folders_first_and_unknown_values_last():
    level = level_of(ROWS)
    assert names_in(level, sorted_rows(level, "name")) == ["alpha/", "Zeta/", "a.txt", "b.bin", "C.json", "doc.docx"]
    # Largest first; ties keep the listing order; a size rclone does not know sorts after every known one.
    assert names_in(level, sorted_rows(level, "size")) == ["Zeta/", "alpha/", "a.txt", "C.json", "b.bin", "doc.docx"]
    # Newest first; a folder or file with no time comes last of its group.
    assert names_in(level, sorted_rows(level, "time")) == ["Zeta/", "alpha/", "C.json", "b.bin", "doc.docx", "a.txt"]


def test_sort_cycle_and_status_cycle():
    assert [next_sort(s) for s in ("", "name", "size", "time")] == ["name", "size", "time", ""]
    kinds = [k for k, _ in DRIVE_STATUS_FILTERS]
    assert kinds == ["missing", "differs", "partial"]
    cycle, kind = [], ""
    for _ in range(4):
        kind = next_status(kinds, kind)
        cycle.append(kind)
    assert cycle == ["missing", "differs", "partial", ""]
    assert next_status(kinds, "unregistered") == ""  # a filter of another place starts over
    assert status_matches("missing", "missing") and not status_matches("missing", "uploaded")
    assert status_matches("unpromoted", "") and not status_matches("unpromoted", "promoted")
    assert status_matches("extra", "promoted", only_s3=True) and not status_matches("extra", "", only_s3=False)


def test_merging_streamed_batches_equals_sorting_the_whole_level():
    rnd = random.Random(7)
    for sort in ("name", "size", "time"):
        level = Level("")
        order = RowOrder(level, sort)
        for batch in range(30):  # a 21k level arriving in pages of 700, as a big S3 prefix does
            start = len(level)
            level.add((f"{rnd.choice('abAB')}{rnd.random():.6f}" + ("/" if rnd.random() < 0.1 else ""),
                       rnd.choice([-1, 0, 5, rnd.randrange(10**12)]),
                       NAN if rnd.random() < 0.05 else rnd.uniform(0, 2e9), "") for _ in range(700))
            order.merge(level, start)
            if batch == 20:
                order.drop_keys()  # as when a listing ends; a later merge recomputes them
        assert order.rows == sorted_rows(level, sort), sort
        assert len(order.rows) == 21_000


# rclone's Drive backend lists a shortcut as its target, with the ID "<shortcut id>\t<target id>"
# (backend/drive/drive.go shortcutSeparator); plain files and folders have one ID, Google Docs size -1.
DRIVE_LSJSON = [
    {"Path": "report.pdf", "Name": "report.pdf", "Size": 2048, "MimeType": "application/pdf",
     "ModTime": "2025-11-24T16:00:00.000Z", "IsDir": False, "ID": "1aB3cD4eF5gH6iJ7kL8mN9oP0qR"},
    {"Path": "link to report.pdf", "Name": "link to report.pdf", "Size": 2048, "MimeType": "application/pdf",
     "ModTime": "2025-11-24T16:00:00.000Z", "IsDir": False,
     "ID": "1ShOrTcUtIdAbCdEfGhIjKlMnOp\t1aB3cD4eF5gH6iJ7kL8mN9oP0qR"},
    {"Path": "shared sets", "Name": "shared sets", "Size": -1, "MimeType": "inode/directory",
     "ModTime": "2025-11-20T09:30:00.000Z", "IsDir": True, "ID": "1FoLdErShOrTcUt\t1TaRgEtFoLdEr"},
    {"Path": "Notes.docx", "Name": "Notes.docx", "Size": -1,
     "MimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "ModTime": "2025-11-21T10:00:00.000Z", "IsDir": False, "ID": "1DoCiD"},
    {"Path": "plain", "Name": "plain", "Size": -1, "MimeType": "inode/directory",
     "ModTime": "2025-11-20T09:30:00.000Z", "IsDir": True, "ID": "1PlAiNfOlDeR"},
]


def test_drive_rows_keep_which_entries_are_shortcuts():
    entries = [entry_from_lsjson(d) for d in DRIVE_LSJSON]
    found: set[str] = set()
    rows = rows_of(entries, found)
    assert found == {"link to report.pdf", "shared sets/"}
    assert [r[0] for r in rows] == ["report.pdf", "link to report.pdf", "shared sets/", "Notes.docx", "plain/"]
    assert rows[3][1] == -1 and rows[2][1] == -1  # the Doc's unknown size is kept, not 0
    assert not math.isnan(rows[0][2])


def test_shortcuts_read_shortcut_whatever_their_copy_holds():
    entries = [entry_from_lsjson(d) for d in DRIVE_LSJSON]
    found: set[str] = set()
    rows = rows_of(entries, found)
    s3_files = {"report.pdf": (2048, ""), "link to report.pdf": (2048, "")}
    marks = mark_drive_level("", rows, s3_files, {"plain/"}, shortcuts=found)
    assert marks.markers == {"report.pdf": "uploaded", "link to report.pdf": "shortcut", "shared sets/": "shortcut",
                             "Notes.docx": "missing"}
    # Without the shortcut names (what the level listing dropped before) the copy hides it.
    assert mark_drive_level("", rows, s3_files, {"plain/"}).markers["link to report.pdf"] == "uploaded"


def test_shortcut_hint_fits_the_status_line_and_names_the_flag():
    for width in (30, 36, 40, 60, 120):
        note = shortcut_note(width)
        assert note.startswith("↪") and "--drive-skip-shortcuts" in note
        assert len(note) <= max(width, 35)
    assert "skip_shortcuts /" in shortcut_note(60)

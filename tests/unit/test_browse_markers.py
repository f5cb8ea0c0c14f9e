"""The browser's markers and levels from core.browse, without a terminal: real rclone, real SeaweedFS,
real rclone logs, a real promotion journal."""

from __future__ import annotations

import os

from pixel_tui.core.browse.levels import drive_rows, drive_totals, s3_rows, s3_totals
from pixel_tui.core.browse.markers import (
    S3Marker,
    drive_markers,
    in_flight,
    s3_markers,
    transfer_matches,
    transfer_progress,
    uploading_now,
)
from pixel_tui.core.config import Settings
from pixel_tui.core.jobs.parse import Transfer
from pixel_tui.core.jobs.tail import LogWatcher

RAW = "gdrive/raw/"


def _cut_mid_transfer(log_text: str) -> str:
    """The log up to the end (blank line) of the first stats block that lists files in flight."""
    lines = log_text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith(" * "):
            j = i
            while j < len(lines) and lines[j].startswith(" * "):
                j += 1
            return "".join(lines[: j + 1])
    raise AssertionError("no transferring block in the log")


# -- uploading now ---------------------------------------------------------------------------------
def test_uploading_now_reads_the_live_transfer_list(rclone_logs, tmp_path):
    live = tmp_path / "live.log"
    live.write_text(_cut_mid_transfer(rclone_logs.text.read_text()))
    names = uploading_now(Settings(logs=(str(live),)))
    assert names and all(n.endswith(".bin") for n in names)
    assert set(names) <= {"part-0.bin", "sub/part-1.bin", "part-2.bin", "sub/part-3.bin"}
    assert uploading_now(Settings()) == []  # no log configured: no marker, no error
    assert uploading_now(Settings(logs=(str(tmp_path / "not there yet.log"),))) == []


def test_in_flight_names_from_watched_views_match_the_logs(rclone_logs, tmp_path):
    """What the app's job feed hands the Drive pane: the same names, from the watcher's views."""
    live = tmp_path / "live.log"
    live.write_text(_cut_mid_transfer(rclone_logs.text.read_text()))
    done = tmp_path / "done.log"
    done.write_bytes(rclone_logs.text.read_bytes())
    missing = tmp_path / "not there yet.log"
    watcher = LogWatcher([str(live), str(done), str(missing)], lambda view: None, history=False)
    views = watcher.poll_once()
    assert len(views) == 3
    assert in_flight(views) == uploading_now(Settings(logs=(str(live),)))
    assert in_flight(views) and in_flight([v for v in views if v.source != str(live)]) == []


def test_transfer_names_match_files_and_folders():
    assert transfer_matches("sub/part-1.bin", "sub/part-1.bin", False)
    assert transfer_matches("sub/part-1.bin", "sub/", True)
    assert not transfer_matches("sub/part-1.bin", "sub", False)
    assert not transfer_matches("subway/x", "sub/", True)
    # rclone shortens long names with an ellipsis in the middle
    assert transfer_matches("very/long/na…file.json", "very/long/name/of/the/file.json", False)
    assert transfer_matches("very/long/na…file.json", "very/", True)


def test_transfer_progress_file_folder_and_shortened_names():
    mib = 1024 * 1024
    ts = [Transfer("a/x.bin", mib, 4 * mib, 25, 1000.0, 30.0), Transfer("a/y.bin", 3 * mib, 4 * mib, 75, 500.0, 5.0),
          Transfer("b/long…name.bin", None, None, None, None, None)]
    assert transfer_progress(ts, "a/x.bin", False) == "[b]↑ 25%[/b] 1.0 MiB / 4.0 MiB · 1000 B/s · ETA 30s"
    assert transfer_progress(ts, "a/", True) == "[b]↑ 2 files 50%[/b] 4.0 MiB / 8.0 MiB · 1.5 KiB/s · ETA 30s"
    assert transfer_progress(ts, "b/long middle name.bin", False) == "[b]↑ ?%[/b] 0 B / 0 B · 0 B/s · ETA -"
    assert transfer_progress(ts, "a/z.bin", False) == ""
    assert transfer_progress(ts, "ab/", True) == ""


# -- Drive against raw -----------------------------------------------------------------------------
def test_drive_level_rows_markers_and_totals(rclone, drive_dir, weed_store):
    files = {"same.json": b"1234", "changed.json": b"new", "only drive.txt": b"x", "in flight.bin": b"yy",
             "Set A/a.json": b"a", "Set B/b.json": b"b", "Busy/c.json": b"c"}
    for rel, data in files.items():
        (drive_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (drive_dir / rel).write_bytes(data)
    for key, data in {"same.json": b"1234", "changed.json": b"older", "Set A/a.json": b"a",
                      "Busy/c.json": b"c"}.items():
        weed_store.put_bytes(RAW + key, data)
    settings = Settings(bucket=weed_store.bucket, endpoint_url=weed_store.endpoint_url, drive="drive:")

    rows = [r for batch in drive_rows(rclone, "drive:", "", hashes=False) for r in batch]
    by_name = {r[0]: r for r in rows}
    assert set(by_name) == {"same.json", "changed.json", "only drive.txt", "in flight.bin", "Set A/", "Set B/", "Busy/"}
    assert by_name["Set A/"][1] == -1 and by_name["same.json"][1] == 4

    marks = drive_markers(weed_store, settings, "", rows, uploading=["in flight.bin", "Busy/c.json"])
    assert marks.markers == {"same.json": "uploaded", "changed.json": "differs", "only drive.txt": "missing",
                             "in flight.bin": "uploading", "Set B/": "missing", "Busy/": "uploading"}
    assert marks.note == "this level 1/4 uploaded"  # says what it counts: this level's files
    again = drive_markers(weed_store, settings, "", rows, uploading=[], again=True)
    assert again.markers["Busy/"] == "" and again.markers["Set A/"] == ""
    assert again.markers["in flight.bin"] == "missing"

    nested = [r for batch in drive_rows(rclone, "drive:", "Set A/", hashes=False) for r in batch]
    assert drive_markers(weed_store, settings, "Set A/", nested).markers == {"a.json": "uploaded"}
    assert drive_totals(rclone, weed_store, "drive:Set A", RAW + "Set A/") == ("1 file 1 B · 1/1 uploaded", "uploaded")
    assert drive_totals(rclone, weed_store, "drive:Set B", RAW + "Set B/")[1] == "missing"


def test_s3_level_rows_and_totals(weed_store):
    weed_store.put_bytes(RAW + "dir/", b"")  # a folder-marker key, as some tools leave
    weed_store.put_bytes(RAW + "dir/one.json", b"1" * 10)
    weed_store.put_bytes(RAW + "dir/sub/two.json", b"2" * 20)
    rows = [r for batch in s3_rows(weed_store, RAW + "dir/") for r in batch]
    assert sorted((r[0], r[1]) for r in rows) == [("one.json", 10), ("sub/", -1)]
    counts: list[str] = []
    assert s3_totals(weed_store, RAW + "dir/", progress=counts.append) == "3 obj 30 B"
    assert s3_totals(weed_store, RAW + "nothing/") == "0 obj 0 B"


# -- S3 raw promoted, processed registered -----------------------------------------------------------
def test_s3_markers_from_processed_registry_and_journals(weed_promo_env):
    from pixel_tui.core.promotion import build_plan, execute
    from pixel_tui.core.promotion.undo import undo

    env = weed_promo_env
    store, settings = env.store, env.settings
    cot = "gdrive/processed/cot_reasoning/"
    env.put(RAW + "CoT_Heartbreak_and_Breakups_downloaded.json", os.urandom(1000))
    env.put(RAW + "Set A/x.json", b"x")
    env.put(RAW + "plain.json", b"p")
    env.put(cot + "Set A/x.json", b"x")  # a same-named copy: promoted without a journal
    plan = build_plan(store, settings, [f"s3://{store.bucket}/{RAW}CoT_Heartbreak_and_Breakups_downloaded.json"],
                      "cot_reasoning")
    assert execute(store, settings, plan).status == "done"  # copied under a new name, registered

    marker = S3Marker(lambda: store, settings)
    names = ["CoT_Heartbreak_and_Breakups_downloaded.json", "Set A/", "plain.json"]
    raw = marker.level(RAW, names)
    assert raw.markers == {"CoT_Heartbreak_and_Breakups_downloaded.json": "promoted", "Set A/": "promoted",
                           "plain.json": ""}
    assert raw.note == "2 promoted"
    proc = marker.level(cot, ["heartbreak_and_breakups.json", "Set A/"])
    assert proc.markers == {"heartbreak_and_breakups.json": "registered", "Set A/": "unregistered"}
    assert proc.note == "1/2 in the registry"
    assert marker.level("gdrive/processed/", ["cot_reasoning/"]) is None  # the category list has no marks
    assert marker.level("elsewhere/", ["x"]) is None

    undo(store, settings, plan.id)
    kept = marker.level(RAW, names)  # the index is kept for the session...
    assert kept.markers["CoT_Heartbreak_and_Breakups_downloaded.json"] == "promoted"
    marker.reset()  # ...until a refresh
    assert marker.level(RAW, names).markers["CoT_Heartbreak_and_Breakups_downloaded.json"] == ""


def test_s3_markers_read_the_index_only_where_needed():
    settings = Settings(bucket="b")

    def index():
        raise AssertionError("the index is not needed here")

    assert s3_markers(settings, "", ["gdrive/"], index) is None
    assert s3_markers(settings, "gdrive/processed/", ["cot_reasoning/"], index) is None


def test_a_folder_with_some_files_uploaded_and_none_differing_is_partial(rclone, weed_store, drive_dir):
    from pixel_tui.core.browse.markers import subtree_marks
    from pixel_tui.core.browse.reconcile import diff_remote

    files = {"top.json": b"t", "wendy/p1.jsonl": b"1" * 1000, "wendy/p2.jsonl": b"2" * 1000,
             "wendy/p3.jsonl": b"3" * 1000, "wendy/p4.jsonl": b"4" * 1000, "edited/e.json": b"new",
             "all/a.json": b"a", "none/n.json": b"n"}
    for rel, data in files.items():
        (drive_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (drive_dir / rel).write_bytes(data)
    for rel in ("top.json", "wendy/p1.jsonl", "wendy/p2.jsonl", "wendy/p3.jsonl", "all/a.json"):
        weed_store.put_bytes(RAW + rel, files[rel])
    weed_store.put_bytes(RAW + "edited/e.json", b"older")

    assert drive_totals(rclone, weed_store, "drive:wendy", RAW + "wendy/") == (
        "4 files 3.9 KiB · 3/4 uploaded, 1 missing (1000 B)", "partial")
    assert drive_totals(rclone, weed_store, "drive:edited", RAW + "edited/")[1] == "differs"
    assert drive_totals(rclone, weed_store, "drive:none", RAW + "none/")[1] == "missing"

    report = diff_remote(rclone, "drive:", weed_store, RAW, hashes=False)
    marks = subtree_marks(report, uploading=["none/"])
    assert marks.markers == {"wendy/": "partial", "edited/": "differs", "all/": "uploaded"}, "↑ is kept"
    assert marks.info["wendy/"] == "3/4 uploaded" and marks.info["none/"] == "0/1 uploaded"
    assert marks.note == "whole tree 5/8 uploaded, 2 missing, 1 differ, 3.9 KiB"

"""Drive-vs-S3 reconciliation and S3 markers, on awkward names, against real rclone and S3."""

from __future__ import annotations

import hashlib

from pixel_tui.core.browse.reconcile import (
    Sync,
    compare_file,
    compare_maps,
    diff_remote,
    level_sync,
    processed_index,
    processed_markers,
    raw_markers,
    registry_keys,
    with_ancestors,
)
from pixel_tui.core.storage.s3url import plain_md5

AWKWARD = {
    "plain.json": b'{"a": 1}',
    "with space/inner file.jsonl": b"{}\n{}\n",
    "ünïcödé – ✓/données.json": "é".encode() * 10,
    "plus+sign.json": b"+",
    "percent%41.json": b"%41",
    "amp & angle.txt": b"&<>",
    "long_" * 40 + "name.json": b"long",
}


def _md5(b: bytes) -> str:
    return hashlib.md5(b).hexdigest()


def test_compare_file_rules():
    assert compare_file(3, None, None, None) is Sync.MISSING
    assert compare_file(3, None, 4, "x") is Sync.DIFFERS
    assert compare_file(3, _md5(b"abc"), 3, _md5(b"abc")) is Sync.UPLOADED
    assert compare_file(3, _md5(b"abc"), 3, _md5(b"abd")) is Sync.DIFFERS
    # a multipart ETag is not an MD5: size decides
    assert compare_file(3, _md5(b"abc"), 3, "0123456789abcdef0123456789abcdef-4") is Sync.UPLOADED
    assert compare_file(3, None, 3, _md5(b"zzz")) is Sync.UPLOADED  # no Drive MD5: size decides
    assert plain_md5('"ABCDEF0123456789ABCDEF0123456789"') == "abcdef0123456789abcdef0123456789"


def test_compare_maps_trailing_slash_and_marker_keys_are_distinct():
    drive = {"x": (1, None), "dir/a": (2, None)}
    s3 = {"x/": (0, None), "dir/a": (2, None), "extra": (5, None)}
    report = compare_maps(drive, s3)
    assert [i.path for i in report.missing] == ["x"]  # the folder marker x/ is not the file x
    assert [i.path for i in report.uploaded] == ["dir/a"]
    assert [i.path for i in report.extra] == ["extra", "x/"]
    assert report.summary() == "1/2 uploaded, 1 missing (1 B), 2 extra on S3"
    assert not report.ok


def test_diff_remote_on_real_drive_and_s3(rclone, drive_dir, weed_store):
    for rel, data in AWKWARD.items():
        (drive_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (drive_dir / rel).write_bytes(data)
    raw = "gdrive/raw/"
    uploaded = ["plain.json", "ünïcödé – ✓/données.json", "percent%41.json", "long_" * 40 + "name.json"]
    for rel in uploaded:
        weed_store.put_bytes(raw + rel, AWKWARD[rel])
    weed_store.put_bytes(raw + "plus+sign.json", b"++")  # differs by size
    weed_store.put_bytes(raw + "amp & angle.txt", b"&<!")  # same size, different bytes
    weed_store.put_bytes(raw + "only on s3.bin", b"123")
    weed_store.put_bytes(raw + "empty folder/", b"")  # folder marker: not a file
    report = diff_remote(rclone, "drive:", weed_store, raw, hashes=True)
    assert sorted(i.path for i in report.uploaded) == sorted(uploaded)
    assert [i.path for i in report.missing] == ["with space/inner file.jsonl"]
    assert {i.path: i.reason for i in report.differs} == {"amp & angle.txt": "md5", "plus+sign.json": "size"}
    assert [i.path for i in report.extra] == ["only on s3.bin"]
    assert report.md5_checked
    assert report.summary().startswith("4/7 uploaded, 1 missing")
    folders = report.folders()
    assert folders["with space"].text() == "0/1 uploaded"
    assert folders["ünïcödé – ✓"].complete
    # without MD5s (a local "Drive" makes them expensive) the same-size change goes unnoticed
    cheap = diff_remote(rclone, "drive:", weed_store, raw)
    assert "amp & angle.txt" in [i.path for i in cheap.uploaded] and not cheap.md5_checked
    data = report.to_json()
    assert data["missing"] == [{"path": "with space/inner file.jsonl", "drive_size": 6, "s3_size": None, "reason": "",
                                "check": "", "kind": "file", "count": 1}]
    assert data["md5_checked"] and data["checks"] == {"md5": 5, "size": 1}


def test_level_sync_uploading_wins_over_missing():
    drive = [("a", 1, None), ("b b", 2, None), ("c+%", 3, None)]
    s3 = {"a": (1, None), "b b": (5, None)}
    marks = level_sync(drive, s3, uploading=["c+%", "a"])
    assert marks == {"a": Sync.UPLOADED, "b b": Sync.DIFFERS, "c+%": Sync.UPLOADING}


def test_raw_and_processed_markers():
    raw, proc, cats = "gdrive/raw/", "gdrive/processed/", ["priority", "cot"]
    processed_keys = ["gdrive/processed/priority/Set A/x.json", "gdrive/processed/cot/one+%.jsonl",
                      "gdrive/processed/cot/ünï/"]
    promoted = processed_index(processed_keys, proc, cats)
    refs = with_ancestors(registry_keys(
        ["s3://b/gdrive/raw/referenced raw.json", "/mnt/gdrive/datasets/ignored", "s3://other/gdrive/raw/x",
         "s3://b/gdrive/processed/priority/by ref"], "b"))
    names = ["Set A/", "one+%.jsonl", "ünï/", "referenced raw.json", "by ref/", "by ref", "plain", "Set A"]
    marks = raw_markers(names, raw, "", promoted, refs, proc, cats)
    assert marks == {"Set A/": "promoted", "one+%.jsonl": "promoted", "ünï/": "promoted",
                     "referenced raw.json": "promoted", "by ref/": "promoted", "by ref": "promoted",
                     "plain": "", "Set A": ""}  # the file "Set A" is not the folder "Set A/"
    nested = raw_markers(["x.json", "y.json"], raw, "Set A/", promoted, refs, proc, cats)
    assert nested == {"x.json": "promoted", "y.json": ""}
    pm = processed_markers(["by ref/", "by ref", "Set A/"], "gdrive/processed/priority/", refs)
    assert pm == {"by ref/": "registered", "by ref": "registered", "Set A/": "unregistered"}


def test_with_ancestors_handles_markers_and_deep_keys():
    idx = with_ancestors(["a/b/c.json", "m/", "x"])
    assert idx == {"a/b/c.json", "a/b/", "a/", "m/", "x"}

"""Folder totals remembered per endpoint and bucket: complete counts only, shown with their age."""

from __future__ import annotations

from pixel_tui.core.browse.levels import remembered_totals, s3_totals
from pixel_tui.core.browse.totals_snapshot import TotalsSnapshots


def test_a_complete_count_is_remembered_and_a_cancelled_one_is_not(store, tmp_path):
    for i in range(7):
        store.put_bytes(f"big/part-{i}.jsonl", b"x" * 100)
    store.put_bytes("small/a.json", b"a")
    snaps = TotalsSnapshots(tmp_path, store.endpoint_url, store.bucket)
    assert s3_totals(store, "big/", snapshots=snaps) == "7 obj 700 B"
    assert s3_totals(store, "small/", cancelled=lambda: True, snapshots=snaps)  # cancelled at once
    again = TotalsSnapshots(tmp_path, store.endpoint_url, store.bucket)  # the next session
    got = again.get("big/")
    assert (got.count, got.bytes) == (7, 700)
    assert again.get("small/") is None
    shown = remembered_totals(again, "", ["big/", "small/", "file.json"], now=got.at + 3725)
    assert shown == {"big/": "7 obj 700 B · 1h02m ago"}


def test_snapshots_are_kept_per_endpoint_and_bucket_and_a_damaged_file_is_empty(tmp_path):
    a = TotalsSnapshots(tmp_path, "http://127.0.0.1:1", "b1")
    a.put("p/", 3, 30, at=100.0)
    assert TotalsSnapshots(tmp_path, "http://127.0.0.1:1", "b2").get("p/") is None
    assert TotalsSnapshots(tmp_path, "http://127.0.0.1:2", "b1").get("p/") is None
    assert TotalsSnapshots(tmp_path, "http://127.0.0.1:1", "b1").get("p/").count == 3
    a.path.write_text("{damaged")
    fresh = TotalsSnapshots(tmp_path, "http://127.0.0.1:1", "b1")
    assert fresh.get("p/") is None
    fresh.put("p/", 4, 40)
    assert TotalsSnapshots(tmp_path, "http://127.0.0.1:1", "b1").get("p/").count == 4

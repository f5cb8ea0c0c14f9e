"""`diff` as a streaming merge (issue 16): the same report whatever order the two listings arrive in,
uploaded files counted and not kept, Drive files waiting for S3 capped, on the real rclone and SeaweedFS."""

from __future__ import annotations

import random
import time

import pytest

from pixel_tui.core.browse import diff_merge
from pixel_tui.core.browse.diff_merge import DiffMerge, S3Feed
from pixel_tui.core.browse.reconcile import (
    CHECK_MD5,
    KIND_DOCUMENT,
    KIND_SHORTCUT,
    DriveFile,
    compare_files,
    diff_remote,
)

MD5 = "0123456789abcdef0123456789abcdef"
DRIVE = [
    DriveFile("same.json", 3, MD5), DriveFile("dir/a.txt", 4, None), DriveFile("dir/deep/b.txt", 5, None),
    DriveFile("dup.json", 2, None), DriveFile("dir/changed.txt", 9, None), DriveFile("md5 differs", 3, "f" * 32),
    DriveFile("missing.bin", 7, None), DriveFile("Notes.docx", -1, None, KIND_DOCUMENT),
    DriveFile("dup.json", 2, None),  # after its first was judged: a duplicate name, the first taken back
    DriveFile("link/x.json", 1, None, KIND_SHORTCUT), DriveFile("twice missing", 1, None),
    DriveFile("twice missing", 1, None), DriveFile("dir/a2.txt", 4, None),
]
S3 = {"same.json": (3, f'"{MD5}"'), "dir/a.txt": (4, "e" * 32), "dir/deep/b.txt": (5, "e" * 32),
      "dup.json": (2, "e" * 32), "dir/changed.txt": (8, "e" * 32), "md5 differs": (3, "a" * 32),
      "Notes.docx": (4096, "e" * 32), "link/x.json": (1, "e" * 32), "only on s3": (1, "e" * 32),
      "dir/a2.txt": (4, "e" * 32)}


def _feed(order: list[tuple[str, object]], keep: bool = True):
    merge = DiffMerge("drive:", "gdrive/raw/", keep_uploaded=keep)
    for side, what in order:
        if side == "s3":
            merge.add_s3(what, *S3[what])
        else:
            merge.add_drive(what)
    merge.finish_s3()
    return merge.finish()


def test_any_interleaving_of_the_listings_gives_the_same_report():
    want = compare_files(DRIVE, S3, "drive:", "gdrive/raw/").to_json()
    assert want["summary"] == ("5/10 uploaded, 1 missing (7 B), 2 differ, 2 duplicate names (4 files), "
                               "1 shortcut, 1 extra on S3")
    assert [d["path"] for d in want["duplicates"]] == ["dup.json", "twice missing"]
    assert want["duplicates"][0]["reason"] == "2 Drive files, one of them is on S3"
    assert want["checks"] == {"size only": 3, "size unknown": 1, "size": 1, CHECK_MD5: 2}
    rng = random.Random(16)
    for _ in range(200):
        drive = [("drive", f) for f in DRIVE]
        s3 = [("s3", k) for k in sorted(S3)]
        order = []
        while drive or s3:  # each side keeps its own order, the two interleave at random
            side = drive if (drive and (not s3 or rng.random() < 0.5)) else s3
            order.append(side.pop(0))
        assert _feed(order).to_json() == want, order


def test_uploaded_files_are_counted_not_kept():
    order = [("s3", k) for k in sorted(S3)] + [("drive", f) for f in DRIVE]
    counted, kept = _feed(order, keep=False), _feed(order)
    assert counted.uploaded == [] and len(kept.uploaded) == counted.uploaded_count == 5
    assert counted.summary() == kept.summary() and counted.checks() == kept.checks()
    assert counted.folders() == kept.folders() and counted.folders(0) == kept.folders(0)
    assert counted.file_bytes == kept.file_bytes == (sum(max(i.drive_size, 0) for i in kept.uploaded + kept.missing
                                                         + kept.differs), 1)
    assert "uploaded" not in counted.to_json() and counted.to_json()["uploaded_count"] == 5
    with pytest.raises(ValueError):
        counted.combined()  # it would need every uploaded path


def test_drive_files_waiting_for_s3_stay_under_the_cap(monkeypatch):
    monkeypatch.setattr(diff_merge, "PENDING_CAP", 50)
    n = 1000
    merge = DiffMerge()
    peak = [0]

    def pages(gone):
        deadline = time.monotonic() + 10
        while len(merge.drive_only) < 50 and time.monotonic() < deadline:
            time.sleep(0.01)  # S3 lags: Drive runs ahead to the cap first
        for k in range(0, n, 100):
            peak[0] = max(peak[0], len(merge.drive_only))
            yield [(f"f{i:04d}", 1, None) for i in range(k, k + 100)]

    drive = ([(f"f{i:04d}", 1, None, "file") for i in range(k, k + 10)] for k in range(n - 10, -10, -10))  # reverse order
    feed = S3Feed(pages, merge)
    feed.drive(drive)
    feed.close()
    report = merge.finish()
    assert report.uploaded_count == n and not report.missing and not report.extra
    assert 50 <= peak[0] <= 50 + 10  # the cap, plus one Drive batch


def test_diff_remote_streams_real_listings_without_keeping_uploaded(rclone, drive_dir, weed_store):
    for i in range(300):
        p = drive_dir / f"folder {i // 100}" / f"file {i:03d}.txt"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x" * (i % 5))
        if i % 50:
            weed_store.put_bytes(f"gdrive/raw/folder {i // 100}/file {i:03d}.txt", b"x" * (i % 5 + (i == 7)))
    weed_store.put_bytes("gdrive/raw/folder 9/", b"")  # a folder marker: not a file, not extra
    weed_store.put_bytes("gdrive/raw/extra.txt", b"e")
    report = diff_remote(rclone, "drive:", weed_store, "gdrive/raw", hashes=False, keep_uploaded=False)
    assert report.summary() == "293/300 uploaded, 6 missing (0 B), 1 differ, 1 extra on S3"
    assert report.uploaded == [] and [i.path for i in report.differs] == ["folder 0/file 007.txt"]
    assert {f: s.uploaded for f, s in report.folders().items() if f} == {"folder 0": 97, "folder 1": 98,
                                                                       "folder 2": 98}
    kept = diff_remote(rclone, "drive:", weed_store, "gdrive/raw", hashes=False)
    assert kept.summary() == report.summary() and len(kept.uploaded) == 293

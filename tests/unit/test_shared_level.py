"""One S3 level listed once for both panes: the S3 pane's rows and the Drive pane's markers."""

from __future__ import annotations

import threading

import pytest

from pixel_tui.core.browse.levels import s3_rows
from pixel_tui.core.browse.markers import drive_markers
from pixel_tui.core.browse.shared_level import SharedLevels
from pixel_tui.core.config import Settings
from pixel_tui.core.errors import S3Error

RAW = "gdrive/raw/"


def _seed(store, n: int = 2500) -> None:
    from concurrent.futures import ThreadPoolExecutor

    keys = [f"{RAW}f{i:05d}.json" for i in range(n)] + [RAW, f"{RAW}Folder/x.json", f"{RAW}zz/deep/y.json"]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: store.put_bytes(k, b"x" * (len(k) % 7)), keys))


def test_consumers_of_one_level_share_one_listing_and_see_what_a_plain_listing_sees(store):
    _seed(store)
    plain = [r for batch in s3_rows(store, RAW) for r in batch]
    assert len(plain) == 2502  # 2500 files, two folders; the level's own marker key is not an entry
    shared = SharedLevels()
    got: dict[int, list] = {}

    def consume(k: int) -> None:
        got[k] = [r for batch in s3_rows(store, RAW, shared=shared) for r in batch]

    threads = [threading.Thread(target=consume, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert shared.listed == 1

    def same(a, b):  # NaN mtimes of folders compare unequal: compare them as text
        return [tuple(map(str, r)) for r in a] == [tuple(map(str, r)) for r in b]

    assert all(same(got[k], plain) for k in range(3))
    level = shared.level(store, RAW)  # finished a moment ago: reused
    assert shared.listed == 1 and len(level) == 2502
    list(s3_rows(store, RAW, shared=shared))  # the S3 pane opening it again asks for a fresh listing
    assert shared.listed == 2


def test_drive_markers_join_the_s3_panes_listing_and_recheck_fresh(store):
    _seed(store, 20)
    cfg = Settings(bucket=store.bucket, endpoint_url=store.endpoint_url)
    shared = SharedLevels()
    names = [r[0] for b in s3_rows(store, RAW, shared=shared) for r in b]
    assert {"Folder/", "zz/", "f00000.json"} <= set(names) and "" not in names
    size = len(f"{RAW}f00001.json") % 7
    rows = [("f00001.json", size, 0.0, ""), ("f00002.json", 99, 0.0, ""), ("gone.json", 1, 0.0, ""),
            ("Folder/", -1, 0.0, ""), ("Nope/", -1, 0.0, "")]
    marks = drive_markers(store, cfg, "", rows, shared=shared)
    assert shared.listed == 1  # the markers used the S3 pane's listing
    assert marks.markers == {"f00001.json": "uploaded", "f00002.json": "differs", "gone.json": "missing",
                             "Nope/": "missing"}
    store.put_bytes(f"{RAW}gone.json", b"g")
    again = drive_markers(store, cfg, "", rows, again=True, shared=shared)
    assert shared.listed == 2 and again.markers["gone.json"] == "uploaded"  # a re-check lists again


def test_an_empty_drive_level_lists_nothing(store):
    shared = SharedLevels()
    cfg = Settings(bucket=store.bucket, endpoint_url=store.endpoint_url)
    assert drive_markers(store, cfg, "", [], shared=shared).markers == {}
    assert shared.listed == 0


def test_a_failed_listing_reaches_every_consumer_and_is_not_reused(s3_server):
    missing = s3_server.store("no-such-bucket-for-shared-level")
    shared = SharedLevels()
    for _ in range(2):
        with pytest.raises(S3Error):
            shared.level(missing, RAW)
    assert shared.listed == 2


def test_since_takes_only_a_listing_started_after_it_and_shares_that_one(store):
    import time

    _seed(store, 5)
    shared = SharedLevels()
    shared.level(store, RAW)
    pressed = time.monotonic()  # `r` in both panes
    store.put_bytes(f"{RAW}new.json", b"n")
    assert "new.json" in shared.level(store, RAW, since=pressed).names  # the S3 pane: a new listing
    assert shared.listed == 2
    assert "new.json" in shared.level(store, RAW, since=pressed).names  # the Drive markers: the same one
    assert shared.listed == 2

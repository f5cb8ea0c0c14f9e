"""A listing's pages are fetched ahead of their reader, but only a few (issue 16): a reader that stops
(a diff waiting for rclone) must not make the whole listing pile up in memory."""

from __future__ import annotations

import time

from pixel_tui.core.storage import s3 as s3mod


def test_pages_are_fetched_only_a_few_ahead_of_the_reader(weed_store):
    for i in range(60):
        weed_store.put_bytes(f"many/k{i:03d}", b"")
    fetched = []
    real = weed_store.client.list_objects_v2

    def counting(**kw):  # the real call, counted
        fetched.append(kw.get("ContinuationToken"))
        return real(**kw)

    weed_store.client.list_objects_v2 = counting
    try:
        pages = weed_store._list_pages({"Bucket": weed_store.bucket, "Prefix": "many/", "MaxKeys": 2})
        first = next(pages)
        assert len(first["Contents"]) == 2
        time.sleep(1.5)  # room for an unbounded read-ahead to run through all 30 pages
        assert len(fetched) <= 2 + s3mod.LIST_AHEAD, len(fetched)
        keys = [c["Key"] for c in first["Contents"]] + [c["Key"] for r in pages for c in r["Contents"]]
        assert keys == [f"many/k{i:03d}" for i in range(60)] and len(fetched) == 30
    finally:
        weed_store.client.list_objects_v2 = real

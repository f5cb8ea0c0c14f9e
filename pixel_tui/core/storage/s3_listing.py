"""Listings of the S3 store: one level page by page, the first key, a recursive walk, tree totals.

A mixin of S3Store (s3.py), which brings the client, the bucket and the error mapping. Pages are
pipelined (the next one is asked for as soon as the current body shows its token) and bounded
(LIST_AHEAD) so a reader that pauses holds a few pages, not the whole listing.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator

from pixel_tui.core.storage.objects import LevelPage, S3Object
from pixel_tui.core.storage.objects import object_from_listing as _obj
from pixel_tui.core.storage.walk_split import walk_split

# Pages a listing requests ahead of its reader (pipelining hides the round trip; a bound keeps a
# paused reader, e.g. a diff waiting for rclone, from holding the whole listing).
LIST_AHEAD = 4


class ListingMethods:
    """Listing methods of S3Store; uses its ``client``, ``bucket`` and ``_errors``."""

    def iter_level(self, prefix: str, page_size: int = 1000) -> Iterator[LevelPage]:
        """List one level under ``prefix`` (Delimiter='/'), one page at a time as it arrives."""
        kwargs = {"Bucket": self.bucket, "Prefix": prefix, "Delimiter": "/", "MaxKeys": page_size}
        for resp in self._list_pages(kwargs):
            yield LevelPage(
                [p["Prefix"] for p in resp.get("CommonPrefixes", ())],
                [_obj(c) for c in resp.get("Contents", ())],
            )

    def first(self, prefix: str) -> S3Object | None:
        """The first object under ``prefix`` in key order, from a recursive listing of one key."""
        with self._errors("list", prefix):
            resp = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=1)
        contents = resp.get("Contents") or ()
        return _obj(contents[0]) if contents else None

    def walk(self, prefix: str, cancelled: Callable[[], bool] | None = None) -> Iterator[S3Object]:
        """Every object under ``prefix``, recursively (no delimiter)."""
        kwargs = {"Bucket": self.bucket, "Prefix": prefix, "MaxKeys": 1000}
        for resp in self._list_pages(kwargs, cancelled):
            for c in resp.get("Contents", ()):
                yield _obj(c)

    def _list_pages(self, kwargs: dict, cancelled: Callable[[], bool] | None = None) -> Iterator[dict]:
        """ListObjectsV2 responses in order, pipelined: page N+1 is requested as soon as page N's
        raw body shows its continuation token, while page N is still being parsed (fastlist); at most
        LIST_AHEAD pages beyond the one the reader has, so a reader that pauses holds a few pages, not
        the whole listing."""
        from pixel_tui.core.storage.fastlist_fence import early_token

        client = self.client
        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="s3-list")
        where = kwargs.get("Prefix")
        lead = [0]  # pages requested and not yet handed to the reader
        lock = threading.Lock()

        def fetch(kw: dict):
            ahead: list = []

            def on_token(token: str) -> None:
                with lock:
                    if lead[0] >= LIST_AHEAD:
                        return  # far enough ahead: the reader asks for this page when it gets there
                    lead[0] += 1
                try:
                    ahead.append((token, pool.submit(fetch, {**kw, "ContinuationToken": token})))
                except RuntimeError:  # the listing was abandoned meanwhile
                    pass

            with early_token(on_token), self._errors("list", where):
                resp = client.list_objects_v2(**kw)
            return resp, ahead

        future = pool.submit(fetch, kwargs)
        try:
            while future is not None:
                if cancelled and cancelled():
                    return
                resp, ahead = future.result()
                token = resp.get("NextContinuationToken") if resp.get("IsTruncated") else None
                future = None
                if token:
                    if ahead and ahead[0][0] == token:
                        future = ahead[0][1]
                        with lock:
                            lead[0] -= 1  # the reader has reached it
                    else:  # not asked yet (far ahead, or an odd XML the raw-bytes scan missed): ask now
                        for _, stale in ahead:
                            stale.cancel()
                        with lock:
                            lead[0] -= len(ahead)
                        future = pool.submit(fetch, {**kwargs, "ContinuationToken": token})
                yield resp
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def tree_size(self, prefix: str, cancelled: Callable[[], bool] | None = None) -> tuple[int, int]:
        """(object count, total bytes) under ``prefix``, recursively."""
        count = total = 0
        for obj in walk_split(self, prefix, cancelled):  # a sum: order does not matter
            count += 1
            total += obj.size
        return count, total

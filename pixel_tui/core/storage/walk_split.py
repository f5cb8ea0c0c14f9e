"""A recursive listing split at the prefix's first-level folders, the folders listed side by side.

Why: a ListObjectsV2 listing is a chain (each page needs the previous page's token), so one listing
waits for the server once per 1,000 keys, and on SeaweedFS the server's time per page is most of a
listing. Listing the first-level folders side by side (each one still a chain) keeps the server busy
on more than one core: 100k keys in 100 folders took 1.1 s instead of 1.8 s (`bench_scale.py --only
diff`). Ranges by StartAfter would split any level, but SeaweedFS reads ``StartAfter=<a folder's
name>`` as "after that folder's whole subtree", so only Prefix splits are used.

The keys come in no particular order: only for callers that need none (the diff's hash join, totals).
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from pixel_tui.core.storage.objects import S3Object
    from pixel_tui.core.storage.s3 import S3Store

WORKERS = 4  # folders listed at once: beyond ~4 the 2-core test machine gained nothing
MAX_SPLIT = 256  # more first-level folders than this: one recursive listing (a request per folder would cost more)
BATCH = 1000
_QUEUED = 8  # batches waiting for a reader that pauses: memory stays at a few pages


def walk_split(store: "S3Store", prefix: str, cancelled: Callable[[], bool] | None = None,
               workers: int = WORKERS, max_split: int = MAX_SPLIT) -> Iterator["S3Object"]:
    """Every object under ``prefix`` (as ``store.walk``), in no particular order."""
    subs: list[str] = []
    cut = len(prefix)
    own_marker = False
    for page in store.iter_level(prefix):
        if cancelled is not None and cancelled():
            return
        subs += page.prefixes
        for obj in page.objects:  # the level's own files
            if obj.key == prefix:
                own_marker = True
            else:
                yield obj
    if own_marker:
        # SeaweedFS's delimiter listing shows an emptied folder as its own marker key, where a
        # recursive listing (walk) shows nothing: a marker counts when the recursive listing has it.
        first = store.first(prefix)
        if first is not None and first.key == prefix:
            yield first
    if len(subs) > max_split or workers <= 1:
        for obj in store.walk(prefix, cancelled):
            if "/" in obj.key[cut:]:  # the level's own objects came above
                yield obj
        return
    yield from _side_by_side(store, subs, cancelled, workers)


def _side_by_side(store: "S3Store", subs: list[str], cancelled, workers: int) -> Iterator["S3Object"]:
    stop = threading.Event()
    out: queue.Queue = queue.Queue(maxsize=_QUEUED)
    done = object()

    def gone() -> bool:
        return stop.is_set() or (cancelled is not None and cancelled())

    def put(item) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def one(sub: str) -> None:
        batch: list = []
        try:
            for obj in store.walk(sub, gone):
                batch.append(obj)
                if len(batch) >= BATCH:
                    if not put(batch):
                        return
                    batch = []
            if batch:
                put(batch)
        except BaseException as exc:  # handed to the reader, raised there
            put(exc)
        finally:
            put(done)

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="s3-split")
    try:
        for sub in subs:
            pool.submit(one, sub)
        left = len(subs)
        while left:
            item = out.get()
            if item is done:
                left -= 1
            elif isinstance(item, BaseException):
                raise item
            elif cancelled is not None and cancelled():
                return
            else:
                yield from item
    finally:
        stop.set()  # a reader that stops early (or an error) stops every folder at its next page
        pool.shutdown(wait=False, cancel_futures=True)

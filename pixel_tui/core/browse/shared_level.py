"""One S3 level listed once for every pane that needs it (the S3 pane's rows, the Drive pane's markers).

Opening `raw/` in the S3 pane while the Drive pane marks its root against `raw/` used to list the
same level twice. A `SharedLevels` runs each listing in one producer thread and keeps its pages as
column stores (`Level` chunks, ~120 bytes a row); every consumer replays the chunks so far and then
waits for the next ones, so a consumer that arrives mid-listing costs nothing more. A finished
listing is reused for ``reuse_seconds`` by consumers that accept one (``fresh=False``); only the
newest ``keep`` listings are held, and a listing pushed out stops at its next page.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Callable, Iterator

from pixel_tui.core.storage.listing import Level

if TYPE_CHECKING:
    from pixel_tui.core.storage.s3 import S3Store


class _Listing:
    __slots__ = ("key", "started_at", "chunks", "done_at", "error", "dropped")

    def __init__(self, key: tuple) -> None:
        self.key = key
        self.started_at = time.monotonic()
        self.chunks: list[Level] = []
        self.done_at: float | None = None
        self.error: BaseException | None = None
        self.dropped = False


class SharedLevels:
    """One-level listings shared between consumers (thread-safe)."""

    def __init__(self, reuse_seconds: float = 10.0, keep: int = 2) -> None:
        self.reuse_seconds = reuse_seconds
        self.keep = keep
        self._cond = threading.Condition()
        self._listings: list[_Listing] = []  # oldest first
        self.listed = 0  # listings started (what the tests and the bench count)

    def chunks(self, store: "S3Store", prefix: str, fresh: bool = True,
               cancelled: Callable[[], bool] | None = None, since: float | None = None) -> Iterator[Level]:
        """The level under ``prefix`` as Level chunks (names relative to ``prefix``), as they arrive.

        ``since`` (time.monotonic()): only a listing started at or after it will do, e.g. the moment
        the operator pressed `r`, so both panes refreshed together still share one. ``fresh``: since
        now (a listing still running is joined). Otherwise one running, or finished within
        ``reuse_seconds``, is taken. Raises what the listing raised.
        """
        listing = self._join_or_start(store, prefix, fresh, since)
        i = 0
        while True:
            with self._cond:
                while i >= len(listing.chunks) and listing.done_at is None and listing.error is None:
                    if cancelled is not None and cancelled():
                        return
                    self._cond.wait(0.2)
                if i < len(listing.chunks):
                    chunk = listing.chunks[i]
                elif listing.error is not None:
                    raise listing.error
                else:
                    return
            i += 1
            yield chunk
            if cancelled is not None and cancelled():
                return

    def level(self, store: "S3Store", prefix: str, fresh: bool = False, since: float | None = None) -> Level:
        """The whole level in one Level (waits for the listing to finish); ``fresh``/``since`` as chunks()."""
        out = Level(prefix)
        for chunk in self.chunks(store, prefix, fresh=fresh, since=since):
            out.extend(chunk)
        return out

    def _join_or_start(self, store: "S3Store", prefix: str, fresh: bool, since: float | None) -> _Listing:
        key = (store.endpoint_url, store.bucket, prefix)
        now = time.monotonic()
        with self._cond:
            for listing in reversed(self._listings):
                if listing.key != key or listing.error is not None:
                    continue
                if since is not None:
                    if listing.started_at >= since:
                        return listing
                elif listing.done_at is None or (not fresh and now - listing.done_at <= self.reuse_seconds):
                    return listing
                break
            listing = _Listing(key)
            self._listings = [x for x in self._listings if x.key != key] + [listing]
            for old in self._listings[:-self.keep]:
                old.dropped = True
            self._listings = self._listings[-self.keep:]
            self.listed += 1
        threading.Thread(target=self._produce, args=(store, prefix, listing), name="s3-level", daemon=True).start()
        return listing

    def _produce(self, store: "S3Store", prefix: str, listing: _Listing) -> None:
        try:
            for page in store.iter_level(prefix):
                if listing.dropped:
                    raise RuntimeError("listing superseded")  # nobody is left to read it
                chunk = Level(prefix)
                chunk.add_page(page)
                if prefix in page.prefixes or any(o.key == prefix for o in page.objects):
                    chunk = _without_own_marker(chunk)
                with self._cond:
                    listing.chunks.append(chunk)
                    self._cond.notify_all()
        except BaseException as exc:  # handed to every consumer
            with self._cond:
                listing.error = exc
                self._cond.notify_all()
            return
        with self._cond:
            listing.done_at = time.monotonic()
            self._cond.notify_all()


def _without_own_marker(chunk: Level) -> Level:
    """The level's own folder-marker key ('a/b/' listed under 'a/b/', name '') is not an entry."""
    out = Level(chunk.prefix)
    out.add((n, chunk.sizes[i], chunk.mtimes[i], chunk.etag(i)) for i, n in enumerate(chunk.names) if n != "")
    return out

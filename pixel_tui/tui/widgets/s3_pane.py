"""Right pane: the S3 bucket through boto3, with promotion/registry markers and a selection API."""

from __future__ import annotations

import threading

from textual import on
from textual.message import Message

from pixel_tui.core.storage.s3url import s3_url
from pixel_tui.tui.widgets.entry_list import EntryList
from pixel_tui.tui.widgets.pane import BrowserPane, MarkersUpdated


class S3Pane(BrowserPane):
    """The bucket, one prefix level at a time, opening at the raw prefix.

    For the promotion dialog: ``selected_keys()`` gives the marked keys/prefixes (or the cursor
    one), and ``S3Pane.SelectionChanged`` is posted whenever that changes.
    """

    title = "S3"

    class SelectionChanged(Message):
        """The keys ``selected_keys()`` returns changed."""

        def __init__(self, pane: "S3Pane", keys: list[str]) -> None:
            super().__init__()
            self.pane = pane
            self.keys = keys

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._marker = None  # the session's S3Marker, made on first need; keeps its index until a refresh
        self._marker_lock = threading.Lock()

    @property
    def bucket(self) -> str:
        """The configured bucket."""
        return self.app.services.settings.bucket or "?"

    def start_location(self) -> str:
        """Open at the raw prefix, where Drive lands."""
        return self.app.services.settings.raw_prefix

    def crumbs(self) -> list[str]:
        """s3://bucket › parts."""
        return [f"s3://{self.bucket}", *[p for p in self.location.split("/") if p]]

    def key(self, name: str) -> str:
        """Full key (or prefix, for folders) of an entry of the current level."""
        return self.location + name

    def copy_target(self, name: str) -> tuple[str, str]:
        """The entry's s3:// URI."""
        from pixel_tui.core.storage.s3url import s3_url

        return s3_url(self.app.services.settings.bucket, self.key(name)), "S3 URI"

    def selected_keys(self) -> list[str]:
        """Marked keys and prefixes (prefixes end in '/'); the cursor entry when nothing is marked."""
        entries = self.entries
        if entries.marked:
            names = entries.level.names
            return [self.key(n) for n in names if n in entries.marked]
        name = entries.current_name
        return [self.key(name)] if name else []

    @on(EntryList.MarksChanged)
    @on(EntryList.Highlighted)
    def _selection(self, event) -> None:
        self.post_message(self.SelectionChanged(self, self.selected_keys()))
        self._update_status()

    _refreshed_at: float | None = None  # when `r` was pressed: list again

    def list_level(self, location: str, cancelled):
        """ListObjectsV2 pages (delimiter '/'), pipelined by the store."""
        services = self.app.services
        # Shared with the Drive pane's markers of the same level; `r` asks for a fresh listing.
        since, self._refreshed_at = self._refreshed_at, None
        yield from services.levels.chunks(services.store, location, fresh=False, cancelled=cancelled, since=since)

    @property
    def marker(self):
        """The session's S3 markers (they read processed/, the registry and the journals on first need).

        Made by the first listing's worker, not on mount: the marker engine is not needed to paint.
        """
        with self._marker_lock:
            if self._marker is None:
                from pixel_tui.core.browse.markers import S3Marker

                services = self.app.services
                self._marker = S3Marker(lambda: services.store, services.settings)
            return self._marker

    def after_level(self, gen: int, location: str, level) -> None:
        """Under raw: promoted or not; under processed/<category>/: registered or not."""
        from pixel_tui.core.browse.levels import remembered_totals

        remembered = remembered_totals(self.app.services.totals, location, level.names)
        if remembered:  # counted before (maybe in an earlier session): shown at once, with their age
            self.post_message(MarkersUpdated(gen, info=remembered))
        marks = self.marker.level(location, level.names)
        if marks is not None:
            self.post_message(MarkersUpdated(gen, marks.markers, note=marks.note))

    def action_refresh(self) -> None:
        """Reload, and re-read what the markers depend on (processed prefix, registry)."""
        if self._marker is not None:
            self._marker.reset()
        import time

        self._refreshed_at = time.monotonic()
        super().action_refresh()

    def totals_for(self, location: str, name: str, progress) -> tuple[str, str]:
        """Objects and bytes under a prefix, with running counts."""
        from textual.worker import get_current_worker

        from pixel_tui.core.browse.levels import s3_totals

        worker = get_current_worker()
        services = self.app.services
        return s3_totals(services.store, location + name, lambda: worker.is_cancelled, progress,
                         snapshots=services.totals), ""

    def open_file(self, name: str) -> None:
        """Preview an object (one bounded ranged GET)."""
        from pixel_tui.core.browse.preview import preview_s3
        from pixel_tui.tui.dialogs.preview import PreviewScreen

        store_getter, key = (lambda: self.app.services.store), self.key(name)
        self.app.push_screen(PreviewScreen(s3_url(self.bucket, key), lambda: preview_s3(store_getter(), key)))

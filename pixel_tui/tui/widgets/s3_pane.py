"""Right pane: the S3 bucket through boto3, with promotion/registry markers and a selection API."""

from __future__ import annotations

from textual import on
from textual.message import Message

from pixel_tui.core.browse.levels import remembered_totals, s3_totals
from pixel_tui.core.browse.markers import S3Marker
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
        self.marker: S3Marker | None = None  # set on mount; keeps its index until a refresh

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

    def on_mount(self) -> None:
        """The session's S3 markers (they read processed/, the registry and the journals on first need).

        Textual then runs BrowserPane.on_mount itself (handlers run for each class), which opens the root.
        """
        services = self.app.services
        self.marker = S3Marker(lambda: services.store, services.settings)

    def after_level(self, gen: int, location: str, level) -> None:
        """Under raw: promoted or not; under processed/<category>/: registered or not."""
        remembered = remembered_totals(self.app.services.totals, location, level.names)
        if remembered:  # counted before (maybe in an earlier session): shown at once, with their age
            self.post_message(MarkersUpdated(gen, info=remembered))
        marks = self.marker.level(location, level.names)
        if marks is not None:
            self.post_message(MarkersUpdated(gen, marks.markers, note=marks.note))

    def action_refresh(self) -> None:
        """Reload, and re-read what the markers depend on (processed prefix, registry)."""
        self.marker.reset()
        import time

        self._refreshed_at = time.monotonic()
        super().action_refresh()

    def totals_for(self, location: str, name: str, progress) -> tuple[str, str]:
        """Objects and bytes under a prefix, with running counts."""
        from textual.worker import get_current_worker

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

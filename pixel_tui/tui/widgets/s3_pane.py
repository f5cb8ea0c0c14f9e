"""Right pane: the S3 bucket through boto3, with promotion/registry markers and a selection API."""

from __future__ import annotations

from textual import on
from textual.message import Message

from pixel_tui.core.browse.reconcile import (
    processed_index,
    processed_markers,
    raw_markers,
    registry_keys,
    with_ancestors,
)
from pixel_tui.core.storage.listing import epoch as _epoch
from pixel_tui.core.storage.s3url import s3_url
from pixel_tui.core.units import human_bytes
from pixel_tui.tui.widgets.entry_list import EntryList
from pixel_tui.tui.widgets.pane import BrowserPane, MarkersUpdated


def registry_paths(settings, store_factory) -> list[str]:
    """Every dataset path of the configured registry ([] when none is configured)."""
    if not settings.registry:
        return []
    from pixel_tui.core.registry.document import Registry

    return [d.path for d in Registry.load(settings.registry, store_factory).datasets()]


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
        self._index: tuple[set[str], set[str]] | None = None  # (promoted rels, registry ref index)

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

    def list_level(self, location: str, cancelled):
        """ListObjectsV2 pages (delimiter '/'), pipelined by the store."""
        store = self.app.services.store
        cut = len(location)
        for page in store.iter_level(location):
            if cancelled():
                return
            rows = [(p[cut:], -1, float("nan"), "") for p in page.prefixes]
            # The level's own folder-marker key ("a/b/" listed under "a/b/") is not an entry.
            rows += [(o.key[cut:], o.size, _epoch(o.last_modified), o.etag) for o in page.objects if o.key != location]
            yield rows

    def _indexes(self) -> tuple[set[str], set[str]]:
        if self._index is None:
            services = self.app.services
            settings = services.settings
            from pixel_tui.core.storage.s3 import store_factory

            keys = (o.key for o in services.store.walk(settings.processed_prefix))
            promoted = processed_index(keys, settings.processed_prefix, settings.categories)
            from pixel_tui.core.promotion.history import promoted_sources

            refs = with_ancestors(registry_keys(
                registry_paths(settings, store_factory(settings)), settings.bucket or ""))
            # A promotion under a new name leaves no same-named copy: its journal says what it promoted.
            refs |= promoted_sources(settings)
            self._index = (promoted, refs)
        return self._index

    def after_level(self, gen: int, location: str, rows: list) -> None:
        """Under raw: promoted or not; under processed/<category>/: registered or not."""
        settings = self.app.services.settings
        raw, proc = settings.raw_prefix, settings.processed_prefix
        names = [r[0] for r in rows]
        if location.startswith(raw):
            promoted, refs = self._indexes()
            marks = raw_markers(names, raw, location[len(raw):], promoted, refs, proc, settings.categories)
            done = sum(1 for v in marks.values() if v)
            self.post_message(MarkersUpdated(gen, marks, note=f"{done} promoted"))
        elif location.startswith(proc) and location != proc:
            _, refs = self._indexes()
            marks = processed_markers(names, location, refs)
            done = sum(1 for v in marks.values() if v == "registered")
            self.post_message(MarkersUpdated(gen, marks, note=f"{done}/{len(marks)} in the registry"))

    def action_refresh(self) -> None:
        """Reload, and re-read what the markers depend on (processed prefix, registry)."""
        self._index = None
        super().action_refresh()

    def totals_for(self, location: str, name: str, progress) -> tuple[str, str]:
        """Objects and bytes under a prefix, with running counts."""
        store = self.app.services.store
        count = total = 0
        from textual.worker import get_current_worker

        worker = get_current_worker()
        for obj in store.walk(location + name, lambda: worker.is_cancelled):
            count += 1
            total += obj.size
            if count % 5000 == 0:
                progress(f"counting {count:,}…")
        return f"{count:,} obj {human_bytes(total)}", ""

    def open_file(self, name: str) -> None:
        """Preview an object (one bounded ranged GET)."""
        from pixel_tui.core.browse.preview import preview_s3
        from pixel_tui.tui.dialogs.preview import PreviewScreen

        store_getter, key = (lambda: self.app.services.store), self.key(name)
        self.app.push_screen(PreviewScreen(s3_url(self.bucket, key), lambda: preview_s3(store_getter(), key)))

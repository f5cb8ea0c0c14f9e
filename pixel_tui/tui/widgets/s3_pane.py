"""Right pane: the S3 bucket through boto3, with promotion/registry markers and a selection API."""

from __future__ import annotations

import threading

from textual import on, work
from textual.message import Message

from pixel_tui.core.browse.order import PROCESSED_STATUS_FILTERS, RAW_STATUS_FILTERS, status_matches
from pixel_tui.core.errors import render_error
from pixel_tui.core.printable import one_line
from pixel_tui.core.storage.s3url import s3_url
from pixel_tui.tui.widgets.entry_list import EntryList, fit_name
from pixel_tui.tui.widgets.pane import BrowserPane, MarkersUpdated
from pixel_tui.tui.widgets.pane_messages import OnlyOnS3
from pixel_tui.tui.widgets.status_line import esc


class S3Pane(BrowserPane):
    """The bucket, one prefix level at a time, opening at the raw prefix.

    For the promotion dialog: ``selected_keys()`` gives the marked keys/prefixes (or the cursor
    one), and ``S3Pane.SelectionChanged`` is posted whenever that changes.
    """

    title = "S3"
    linked = True  # follows the Drive pane into raw/<same folder> (story 2); HomeScreen toggles it (F)
    _follow: str | None = None  # the raw prefix a follow asked for, while it looks for the nearest one there
    _follow_note = ""  # "<folder> not in S3 yet" when it landed on a parent
    _only_s3: frozenset = frozenset()  # rows of the level with no Drive counterpart ...
    _only_s3_gen = -1  # ... of this level generation

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
        if self.status_kind == "extra":
            self._post_only_s3(gen, location, level.names)

    # -- status filters: under raw "only on S3" and "not promoted"; under processed/<category>/ "unregistered"
    def status_filters(self, location: str) -> tuple[tuple[str, str], ...]:
        """The statuses S3 rows have where ``location`` is."""
        settings = self.app.services.settings
        if location.startswith(settings.raw_prefix):
            return RAW_STATUS_FILTERS
        if location.startswith(settings.processed_prefix) and location != settings.processed_prefix:
            return PROCESSED_STATUS_FILTERS
        return ()

    def status_keeps(self, kind: str, name: str) -> bool:
        """Markers decide, except "only on S3", which the Drive listing of the same folder decides."""
        only = self._only_s3_gen == self.gen and name in self._only_s3
        return status_matches(kind, self.entries.markers.get(name, ""), only)

    def set_status_filter(self, kind: str) -> None:
        """As BrowserPane's; "only on S3" first lists the Drive folder (once per level shown)."""
        super().set_status_filter(kind)
        if kind == "extra" and self._only_s3_gen != self.gen and not self.loading:
            self._find_only_s3(self.gen, self.location, list(self.entries.level.names))

    @work(thread=True, exclusive=True, group="only-s3", exit_on_error=False)
    def _find_only_s3(self, gen: int, location: str, names: list[str]) -> None:
        try:
            self._post_only_s3(gen, location, names)
        except Exception as exc:  # the filter then shows nothing: say why
            self.post_message(MarkersUpdated(gen, note="Drive listing failed: " + render_error(exc, one_line=True)))

    def _post_only_s3(self, gen: int, location: str, names: list[str]) -> None:
        from pixel_tui.core.browse.levels import only_on_s3

        services = self.app.services
        rel = location[len(services.settings.raw_prefix):]
        self.post_message(OnlyOnS3(gen, only_on_s3(services.rclone, services.settings.drive, rel, names)))

    @on(OnlyOnS3)
    def _only_s3_found(self, msg: OnlyOnS3) -> None:
        if msg.gen != self.gen:
            return
        self._only_s3, self._only_s3_gen = frozenset(msg.names), msg.gen
        markers = self.entries.markers
        for name in msg.names:
            if not markers.get(name):  # a promoted row keeps its ★: only the filter says it is only here
                markers[name] = "extra"
        self.entries.refresh_markers()
        self._update_status()

    # -- following the Drive pane --------------------------------------------------------------------
    def title_badges(self) -> list[str]:
        """The sort, then whether the pane follows the Drive pane."""
        return [*super().title_badges(), "linked" if self.linked else "unlinked"]

    def follow(self, prefix: str) -> None:
        """Open the raw ``prefix`` the Drive pane moved to, keeping this pane's filters; where S3 has no such
        folder yet, land on the nearest parent that has objects and say so (as `c` does)."""
        if prefix == self.location and self._follow is None:
            return
        self.open_location(prefix, keep_filter=True, following=prefix)

    def open_location(self, location: str, select: str | None = None, keep_filter: bool = False,
                      following: str | None = None) -> None:
        """BrowserPane's; ``following``: the raw prefix a follow is looking for."""
        self._follow = following
        self._follow_note = ""
        super().open_location(location, select=select, keep_filter=keep_filter)

    def level_done(self) -> None:
        """A followed folder with nothing in S3: go up until something is there; then say what is missing."""
        want, raw = self._follow, self.app.services.settings.raw_prefix
        if want is None:
            return
        if not len(self.entries.level) and self.location != raw and self.location.startswith(raw):
            parts = self.location.rstrip("/").split("/")
            self.open_location("/".join(parts[:-1]) + "/", keep_filter=True, following=want)
            return
        self._follow = None
        if self.location != want:
            self._follow_note = want[len(self.location):]  # what is missing below where it landed
            self._update_status()

    def live_note(self) -> str:
        """Where a follow landed short of the Drive folder: which folder is not in S3 yet (on one line)."""
        if not self._follow_note:
            return ""
        head = "not in S3 yet: "
        width = self.query_one("StatusLine").size.width or 40
        return f"[b]{head}[/b]{esc(fit_name(one_line(self._follow_note), max(8, width - len(head))))}"

    def action_refresh(self) -> None:
        """Reload, and re-read what the markers depend on (processed prefix, registry)."""
        if self._marker is not None:
            self._marker.reset()
        self._only_s3_gen = -1
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

"""Left pane: the Drive remote through rclone, with sync markers against S3 raw."""

from __future__ import annotations

from textual import on, work
from textual.binding import Binding
from textual.message import Message

from pixel_tui.core.browse.order import DRIVE_STATUS_FILTERS
from pixel_tui.core.errors import render_error
from pixel_tui.core.storage.rclone import join_remote
from pixel_tui.tui.job_feed import feed_of
from pixel_tui.tui.messages import JobViewChanged
from pixel_tui.tui.widgets.entry_list import EntryList
from pixel_tui.tui.widgets.pane import BrowserPane, MarkersUpdated


class DrivePane(BrowserPane):
    """The Drive remote, one level at a time.

    It follows the app's job feed: ``set_live(transfers)`` gets the files rclone is transferring now;
    with the cursor on one of them (or a folder holding some) the status line shows their progress,
    and the markers say "uploading" for them.
    """

    BINDINGS = [Binding("i", "details", "Details")]  # the missing and differing files below, as `diff` lists them

    title = "Drive"
    _cheap_hashes: bool | None = None
    live_transfers: tuple = ()
    _live_names: frozenset = frozenset()
    _remark_pending = False
    _refreshed_at: float | None = None  # when `r` was pressed: the next markers use a listing from after it
    _live_dirty = False
    _shortcuts: dict = {}  # {location: names of the Drive shortcuts among its rows} of the level listed last
    REMARK_SECONDS = 2.0  # markers follow files starting/finishing at most this often
    LIVE_SECONDS = 0.25  # the cursor entry's progress redraws at most this often

    def on_mount(self) -> None:
        """Subscribe to the job feed; timers for the live progress and for re-marking the level when the
        files in flight change. (Textual runs BrowserPane.on_mount too, which opens the root.)"""
        self._live_views: dict = {}
        self._feed = feed_of(self.app)
        self._feed.subscribe(self)
        self.set_interval(self.LIVE_SECONDS, self._flush_live)
        self.set_interval(self.REMARK_SECONDS, self._remark_if_pending)

    def on_unmount(self) -> None:
        """No more views for this pane."""
        self._feed.unsubscribe(self)

    def on_job_view_changed(self, message: JobViewChanged) -> None:
        """Keep the newest view of each job; the timer hands their files in flight over (coalescing)."""
        self._live_views[message.view.source] = message.view
        self._live_dirty = True

    def _flush_live(self) -> None:
        if self._live_dirty:
            self._live_dirty = False
            from pixel_tui.core.browse.markers import transfers_of

            self.set_live(transfers_of(self._live_views.values(), self.root))

    def set_live(self, transfers) -> None:
        """New transferring lists from the watched jobs: refresh the cursor entry's progress, and the
        markers when a file started or finished."""
        self.live_transfers = tuple(transfers)
        names = frozenset(t.name for t in self.live_transfers)
        if names != self._live_names:
            self._live_names = names
            self._remark_pending = True
        self._update_status()

    def _remark_if_pending(self) -> None:
        if not self._remark_pending or self.loading or self.error or self.workers_running("markers"):
            return
        self._remark_pending = False
        self._remark(self.gen, self.location, self.entries.level)

    @work(thread=True, exclusive=True, group="markers", exit_on_error=False)
    def _remark(self, gen: int, location: str, level) -> None:
        try:
            self.after_level(gen, location, level, again=True)
        except Exception as exc:  # markers are extra: say so, keep the listing
            self.post_message(MarkersUpdated(gen, note="markers unavailable: " + render_error(exc, one_line=True)))

    def live_note(self) -> str:
        """Upload progress of the cursor entry while rclone transfers it; the hint on a shortcut."""
        name = self.entries.current_name
        if name and self.entries.markers.get(name) == "shortcut":
            from pixel_tui.core.browse.markers import shortcut_note

            return shortcut_note(self.query_one("StatusLine").size.width or 40)
        if not name or not self.live_transfers:
            return ""
        from pixel_tui.core.browse.markers import transfer_progress

        return transfer_progress(self.live_transfers, self.location + name, name.endswith("/"))

    def status_filters(self, location: str) -> tuple[tuple[str, str], ...]:
        """Missing, differing and partial rows: what is left to upload (RcloneView's compare view)."""
        return DRIVE_STATUS_FILTERS

    class Navigated(Message):
        """The Drive pane opened another folder (the S3 pane follows it into raw when linked)."""

        def __init__(self, location: str) -> None:
            super().__init__()
            self.location = location

    def open_location(self, location: str, select: str | None = None, keep_filter: bool = False) -> None:
        """Open ``location``; say so when it is another folder than the one shown."""
        moved = location != self.location
        super().open_location(location, select=select, keep_filter=keep_filter)
        if moved:
            self.post_message(self.Navigated(location))

    @on(EntryList.Highlighted)
    def _cursor_moved(self, event) -> None:
        if self.live_transfers:
            self._update_status()

    @property
    def root(self) -> str:
        """The configured Drive remote path, e.g. gdrive:datasets."""
        return self.app.services.settings.drive

    def crumbs(self) -> list[str]:
        """Drive <remote> › parts."""
        return [f"Drive {self.root}", *[p for p in self.location.split("/") if p]]

    def copy_target(self, name: str) -> tuple[str, str]:
        """The entry's rclone path (remote:folder/name)."""
        return self.remote_path(name), "Drive path"

    def remote_path(self, name: str = "") -> str:
        """rclone path of the current folder (or an entry in it)."""
        return join_remote(self.root, self.location, name)

    def list_level(self, location: str, cancelled):
        """rclone lsjson of one folder, in batches; MD5s only when the remote has them cheaply."""
        # The comparison engine loads with the first listing (a worker), not before the first frame.
        from pixel_tui.core.browse.levels import drive_rows
        from pixel_tui.core.browse.reconcile import hashes_are_cheap

        rclone = self.app.services.rclone
        if self._cheap_hashes is None:
            self._cheap_hashes = hashes_are_cheap(rclone, self.root)
        found: set[str] = set()
        self._shortcuts = {location: found}  # rows keep no IDs: the listing says which are shortcuts
        yield from drive_rows(rclone, self.root, location, self._cheap_hashes, cancelled, shortcuts=found)

    def after_level(self, gen: int, location: str, level, again: bool = False) -> None:
        """Markers: each file against its raw counterpart; folders missing when S3 has no such prefix.

        ``again``: a re-check of a shown level, so folders that are neither also get an (empty) marker.
        """
        from pixel_tui.core.browse.markers import drive_markers, subtree_marks
        from pixel_tui.core.browse.reconcile import diff_remote

        services = self.app.services
        uploading = self._feed.in_flight_names()  # waits for the feed's first look at the logs
        n = len(level)  # a level only grows while shown: read the rows listed so far
        names, sizes, mtimes = level.names, level.sizes, level.mtimes
        rows = [(names[i], sizes[i], mtimes[i], level.etag(i)) for i in range(n)]
        # A re-check or an `r` wants a new S3 listing; opening a level joins the S3 pane's listing of it.
        since, self._refreshed_at = self._refreshed_at, None
        shortcuts = self._shortcuts.get(location, set())
        marks = drive_markers(services.store, services.settings, location, rows, uploading, again=again,
                              shared=services.levels, since=since, shortcuts=shortcuts)
        self.post_message(MarkersUpdated(gen, marks.markers, note=marks.note))
        if again or not any(name.endswith("/") for name, *_ in rows):
            return
        # Then the whole subtree, once: folders read partial / N of M uploaded, and the status line says
        # what lies below this level as well as what the level itself counts.
        report = diff_remote(services.rclone, join_remote(self.root, location), services.store,
                             services.settings.raw_prefix + location, hashes=self._cheap_hashes,
                             keep_uploaded=False)
        busy = [n for n, v in marks.markers.items() if v == "uploading"]
        sub = subtree_marks(report, busy)
        for name in shortcuts:
            sub.markers.pop(name, None)  # a shortcut folder keeps ↪ (its totals still show beside it)
        self.post_message(MarkersUpdated(gen, sub.markers, info=sub.info, subtree=sub.note))

    def action_refresh(self) -> None:
        """Reload the level; its markers then compare against a new S3 listing."""
        import time

        self._refreshed_at = time.monotonic()
        super().action_refresh()

    def action_details(self) -> None:
        """i: the missing and differing files under the cursor folder (or this level), with their sizes."""
        from pixel_tui.tui.dialogs.folder_details import FolderDetails

        name = self.entries.current_name
        folder = self.location + name if name and name.endswith("/") else self.location
        self.app.push_screen(FolderDetails(folder, hashes=self._cheap_hashes))

    def totals_for(self, location: str, name: str, progress) -> tuple[str, str]:
        """Files, bytes and sync summary of a Drive folder against its raw copy."""
        from pixel_tui.core.browse.levels import drive_totals

        services = self.app.services
        progress("comparing…")
        return drive_totals(services.rclone, services.store, join_remote(self.root, location, name),
                            services.settings.raw_prefix + location + name, hashes=self._cheap_hashes)

    def open_file(self, name: str) -> None:
        """Preview a Drive file (bounded read through rclone cat)."""
        from pixel_tui.core.browse.preview import preview_drive
        from pixel_tui.tui.dialogs.preview import PreviewScreen
        from pixel_tui.tui.widgets.entry_list import format_time

        entries = self.entries
        row = entries.current_row
        size = entries.level.sizes[row] if row is not None else None
        modified = format_time(entries.level.mtimes[row]) if row is not None else ""
        rclone, path = self.app.services.rclone, self.remote_path(name)
        self.app.push_screen(PreviewScreen(path, lambda: preview_drive(rclone, path, size, modified)))

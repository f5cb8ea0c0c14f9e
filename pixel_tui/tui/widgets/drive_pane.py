"""Left pane: the Drive remote through rclone, with sync markers against S3 raw."""

from __future__ import annotations

from textual import on, work

from pixel_tui.core.browse.reconcile import Sync, diff_remote, hashes_are_cheap, level_sync
from pixel_tui.core.errors import render_error
from pixel_tui.core.storage.listing import epoch as _epoch
from pixel_tui.core.storage.rclone import join_remote
from pixel_tui.core.units import human_bytes
from pixel_tui.tui.widgets.entry_list import EntryList
from pixel_tui.tui.widgets.pane import BrowserPane, MarkersUpdated


def transfer_matches(transfer: str, rel: str, folder: bool) -> bool:
    """rclone names a transfer by its path, shortened with '…' in the middle when long."""
    if "…" in transfer:
        head, _, tail = transfer.partition("…")
        if folder:
            return head.startswith(rel) or rel.startswith(head)
        return rel.startswith(head) and rel.endswith(tail) and len(rel) >= len(head) + len(tail)
    return transfer.startswith(rel) if folder else transfer == rel


def uploading_now(settings) -> list[str]:
    """Paths rclone logs list as transferring right now (empty when no log is configured)."""
    if not settings.logs:
        return []
    try:
        from pixel_tui.core.jobs.tail import expand_sources, read_current
    except ImportError:  # the monitor's modules are optional here
        return []
    names: list[str] = []
    for path in expand_sources(settings.logs):
        try:
            snap = read_current(path)
        except OSError:
            continue
        names += [t.name for t in snap.transferring]
    return names


def transfer_progress(transfers, rel: str, folder: bool) -> str:
    """Live progress of a Drive path from rclone's transferring lists ('' when nothing of it is in flight).

    A file: its percent, bytes, speed and ETA. A folder: the same summed over its files in flight.
    """
    from pixel_tui.core.units import human_duration, human_rate

    mine = [t for t in transfers if transfer_matches(t.name, rel, folder)]
    if not mine:
        return ""
    done = sum(t.bytes or 0 for t in mine)
    size = sum(t.size or 0 for t in mine)
    speed = sum(t.speed or 0.0 for t in mine)
    etas = [t.eta for t in mine if t.eta is not None]
    pct = f"{100 * done / size:.0f}%" if size else "?%"
    what = f"{len(mine)} files " if folder else ""
    eta = human_duration(max(etas)) if etas else "-"
    return f"[b]↑ {what}{pct}[/b] {human_bytes(done)} / {human_bytes(size)} · {human_rate(speed)} · ETA {eta}"


class DrivePane(BrowserPane):
    """The Drive remote, one level at a time.

    ``set_live(transfers)`` gives it the files rclone is transferring now (from the home screen's job
    strip); with the cursor on one of them (or a folder holding some) the status line shows their progress.
    """

    title = "Drive"
    _cheap_hashes: bool | None = None
    live_transfers: tuple = ()
    _live_names: frozenset = frozenset()
    _remark_pending = False
    REMARK_SECONDS = 2.0  # markers follow files starting/finishing at most this often

    def on_mount(self) -> None:
        """The pane's own start, plus the timer that re-marks the level when the files in flight change."""
        super().on_mount()
        self.set_interval(self.REMARK_SECONDS, self._remark_if_pending)

    def set_live(self, transfers) -> None:
        """New transferring lists from the watched logs: refresh the cursor entry's progress, and the
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
        level = self.entries.level
        rows = [(level.names[i], level.sizes[i], level.mtimes[i], level.etag(i)) for i in range(len(level))]
        self._remark(self.gen, self.location, rows)

    @work(thread=True, exclusive=True, group="markers", exit_on_error=False)
    def _remark(self, gen: int, location: str, rows: list) -> None:
        try:
            self.after_level(gen, location, rows, again=True)
        except Exception as exc:  # markers are extra: say so, keep the listing
            self.post_message(MarkersUpdated(gen, note="markers unavailable: " + render_error(exc, one_line=True)))

    def live_note(self) -> str:
        """Upload progress of the cursor entry while rclone transfers it."""
        name = self.entries.current_name
        if not name or not self.live_transfers:
            return ""
        return transfer_progress(self.live_transfers, self.location + name, name.endswith("/"))

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

    def remote_path(self, name: str = "") -> str:
        """rclone path of the current folder (or an entry in it)."""
        return join_remote(self.root, self.location, name)

    def list_level(self, location: str, cancelled):
        """rclone lsjson of one folder, in batches; MD5s only when the remote has them cheaply."""
        rclone = self.app.services.rclone
        if self._cheap_hashes is None:
            self._cheap_hashes = hashes_are_cheap(rclone, self.root)
        for batch in rclone.iter_level(join_remote(self.root, location), hashes=self._cheap_hashes,
                                       cancelled=cancelled):
            rows = [(e.name + "/" if e.is_dir else e.name, -1 if e.is_dir else e.size, _epoch(e.modified),
                     e.md5 or "") for e in batch]
            yield rows

    def after_level(self, gen: int, location: str, rows: list, again: bool = False) -> None:
        """Markers: each file against its raw counterpart; folders missing when S3 has no such prefix.

        ``again``: a re-check of a shown level, so folders that are neither also get an (empty) marker.
        """
        services = self.app.services
        settings = services.settings
        prefix = settings.raw_prefix + location
        s3_files: dict[str, tuple[int, str]] = {}
        s3_dirs: set[str] = set()
        for page in services.store.iter_level(prefix):
            s3_dirs.update(p[len(prefix):] for p in page.prefixes)
            for o in page.objects:
                s3_files[o.key[len(prefix):]] = (o.size, o.etag)
        busy = [t for t in uploading_now(settings)]
        files = [(n, size, md5 or None) for n, size, _, md5 in rows if not n.endswith("/")]
        busy_files = [n for n, _, _ in files if any(transfer_matches(t, location + n, False) for t in busy)]
        markers = {n: s.value for n, s in level_sync(files, s3_files, busy_files).items()}
        for name, *_ in rows:
            if name.endswith("/"):
                if any(transfer_matches(t, location + name, True) for t in busy):
                    markers[name] = Sync.UPLOADING.value
                elif name not in s3_dirs:
                    markers[name] = Sync.MISSING.value
                elif again:
                    markers[name] = ""  # clears an "uploading" from an earlier look
        done = sum(1 for v in markers.values() if v == "uploaded")
        note = f"{done}/{len(files)} files uploaded"
        self.post_message(MarkersUpdated(gen, markers, note=note))

    def totals_for(self, location: str, name: str, progress) -> tuple[str, str]:
        """Files, bytes and sync summary of a Drive folder against its raw copy."""
        services = self.app.services
        progress("comparing…")
        report = diff_remote(services.rclone, join_remote(self.root, location, name), services.store,
                             services.settings.raw_prefix + location + name, hashes=self._cheap_hashes)
        files = report.uploaded + report.missing + report.differs
        total = sum(i.drive_size or 0 for i in files)
        summary = report.folders(depth=0).get("")
        status = summary.text() if summary else "0/0 uploaded"
        marker = Sync.UPLOADED.value if report.ok else (Sync.DIFFERS.value if report.uploaded or report.differs
                                                        else Sync.MISSING.value)
        return f"{len(files)} files {human_bytes(total)} · {status}", marker

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

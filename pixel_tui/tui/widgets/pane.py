"""One side of the browser: breadcrumb, filter, the virtual entry list and a status line.

Subclasses (Drive, S3) say how to list a level; loading runs in a thread worker that streams
rows to the pane as messages, so the first rows show while a 100k level is still arriving.
"""

from __future__ import annotations

import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input
from textual.worker import get_current_worker

from pixel_tui.core.errors import error_parts, render_error
from pixel_tui.core.storage.listing import Level
from pixel_tui.core.units import plural
from pixel_tui.tui.spinner import SPINNER
from pixel_tui.tui.widgets.breadcrumb import Breadcrumb
from pixel_tui.tui.widgets.entry_list import EntryList
from pixel_tui.tui.widgets.pane_messages import (  # noqa: F401 - moved there; importers of this module keep working
    LevelFailed,
    LevelLoaded,
    LevelRows,
    MarkersUpdated,
)
from pixel_tui.tui.widgets.pane_modes import PaneModes
from pixel_tui.tui.widgets.pane_totals import PaneTotals
from pixel_tui.tui.widgets.status_line import StatusLine, esc

BATCH_SECONDS = 0.25  # rows are handed to the UI at most this often (after the first batch)


class BrowserPane(PaneModes, PaneTotals, Vertical):
    """Breadcrumb + filter + EntryList + status; navigation common to Drive and S3."""

    BINDINGS = [
        Binding("l,right", "open", "Open", show=False),
        Binding("h,left,backspace", "up", "Up"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("r", "refresh", "Reload"),
        Binding("s", "totals", "Totals"),
        Binding("v", "preview", "Preview"),
        Binding("y", "copy", "Copy"),  # OSC 52: the s3:// URI or the Drive path of the cursor row
        # o orders every list (the registry's too); f cycles the status filter. Listed in `?`, not the footer.
        Binding("o", "sort", "Sort", show=False),
        Binding("f", "status_filter", "Status filter", show=False),
        Binding("escape", "escape", "Clear filter / cancel", show=False),
    ]

    title = "pane"

    def __init__(self, *, show_times: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.location = ""
        self.gen = 0
        self.loading = False
        self.loaded_at = 0.0
        self.error: tuple[str, str] | None = None
        self._show_times = show_times
        self._started = 0.0
        self._spin = 0
        self._note = ""
        self._subtree_note = ""
        self._folder_marks: dict[str, str] = {}
        self._totals: dict[tuple[str, str], str] = {}  # (location, name) -> info, cached for the session
        self.status_kind = ""  # the status filter (core/browse/order.py), '' for all rows

    def compose(self) -> ComposeResult:
        yield Breadcrumb(classes="breadcrumb")
        yield Input(placeholder="filter this level (Enter keeps, Esc clears)", classes="filter")
        yield EntryList(show_times=self._show_times)
        yield StatusLine(classes="pane-status")

    @property
    def entries(self) -> EntryList:
        """The list widget."""
        return self.query_one(EntryList)

    def on_mount(self) -> None:
        """Hide the filter, start the spinner clock, open the root."""
        self.query_one(Input).display = False
        self.refresh_title()
        self.set_interval(0.25, self._tick)  # each repaint costs the compositor ~20 ms: keep them rare
        # The first listing (and the boto3 import it brings) starts after the first frame: a thread
        # importing holds the GIL in long stretches and would delay that frame.
        self._after_first_paint = True
        self.open_location(self.start_location())

    # -- to override -----------------------------------------------------------------------------
    def start_location(self) -> str:
        """Where the pane opens."""
        return ""

    def crumbs(self) -> list[str]:
        """Breadcrumb parts of the current location."""
        return [self.title, *[p for p in self.location.split("/") if p]]

    def list_level(self, location: str, cancelled):
        """Yield Level chunks, or lists of (name, size or -1, mtime, etag) rows (runs in a thread)."""
        raise NotImplementedError

    def after_level(self, gen: int, location: str, level: Level) -> None:
        """Compute markers from the whole listed level (runs in a thread)."""

    def totals_for(self, location: str, name: str, progress) -> tuple[str, str]:
        """(folder totals text, marker or '') (runs in a thread)."""
        raise NotImplementedError

    def copy_target(self, name: str) -> tuple[str, str]:
        """(text to copy for the entry ``name``, what it is), e.g. ("s3://b/k", "S3 URI")."""
        return "", "path"

    def action_copy(self) -> None:
        """y: copy the cursor row's full path (OSC 52)."""
        from pixel_tui.tui.clipboard import copy_text

        name = self.entries.current_name
        text, what = self.copy_target(name) if name else ("", "path")
        copy_text(self.app, text, what)

    def open_file(self, name: str) -> None:
        """Enter on a file (preview)."""

    def live_note(self) -> str:
        """Extra status text about the cursor entry (markup-safe), e.g. its upload progress."""
        return ""

    # -- navigation ------------------------------------------------------------------------------
    def open_location(self, location: str, select: str | None = None, keep_filter: bool = False) -> None:
        """Show ``location`` (a folder path ending in '/' or ''), optionally selecting ``select``."""
        self.location = location
        self.gen += 1
        self.error = None
        self._note = ""
        self._subtree_note = ""
        self._folder_marks: dict[str, str] = {}  # folder markers from the subtree, kept over re-checks
        entries = self.entries
        if self.status_kind and self.status_kind not in dict(self.status_filters(location)):
            self.status_kind = ""  # e.g. "only on S3" when leaving raw/: nothing to filter by there
            entries.keep = None
        if not keep_filter:
            entries.filter_text = ""
            self.query_one(Input).display = False
        entries.reset(location, "loading…")
        self._select_when_loaded = select
        self._keep_marks: set[str] = set()  # action_refresh() sets the marks to keep after this call
        self.query_one(Breadcrumb).parts = self.crumbs()
        self.loading = True
        self._started = time.monotonic()
        self._update_status()
        if getattr(self, "_after_first_paint", False):
            self._after_first_paint = False
            self.call_after_refresh(self._load_if_current, self.gen, location)
        else:
            self._load(self.gen, location)

    def _load_if_current(self, gen: int, location: str) -> None:
        if gen == self.gen:  # not if the operator already went elsewhere
            self._load(gen, location)

    @work(thread=True, exclusive=True, group="list", exit_on_error=False)
    def _load(self, gen: int, location: str) -> None:
        worker = get_current_worker()
        started = time.monotonic()
        # Rows are held once, as columns: the batch in flight to the UI and the whole level for the
        # markers computed after the listing (list_level yields Level chunks or lists of row tuples).
        pending = Level("")
        seen = Level("")
        last = 0.0
        try:
            for rows in self.list_level(location, lambda: worker.is_cancelled):
                if worker.is_cancelled:
                    return
                if not isinstance(rows, Level):
                    packed = Level("")
                    packed.add(rows)
                    rows = packed
                pending.extend(rows)
                seen.extend(rows)
                now = time.monotonic()
                if not last or now - last >= BATCH_SECONDS:
                    self.post_message(LevelRows(gen, pending))
                    pending, last = Level(""), now
            if len(pending):
                self.post_message(LevelRows(gen, pending))
            self.post_message(LevelLoaded(gen, time.monotonic() - started))
        except Exception as exc:  # shown in this pane; the other pane keeps working
            self.post_message(LevelFailed(gen, *error_parts(exc)))
            return
        try:
            self.after_level(gen, location, seen)
        except Exception as exc:  # markers are extra: say so, keep the listing
            self.post_message(MarkersUpdated(gen, note="markers unavailable: " + render_error(exc, one_line=True)))

    @on(LevelRows)
    def _rows(self, msg: LevelRows) -> None:
        if msg.gen != self.gen:
            return
        entries = self.entries
        entries.empty_text = ""
        entries.extend(msg.chunk)
        wanted = self._select_when_loaded
        # Only the new rows can hold it: keeps a 100k level linear while it streams in.
        if wanted and wanted not in msg.chunk.names and not wanted.endswith("/") and wanted + "/" in msg.chunk.names:
            wanted = wanted + "/"  # a registry path names a folder without its trailing '/'
        if wanted and wanted in msg.chunk.names:
            entries.select_name(wanted)
            self._select_when_loaded = None
        self._update_status()

    @on(LevelLoaded)
    def _loaded(self, msg: LevelLoaded) -> None:
        if msg.gen != self.gen:
            return
        self.loading = False
        self.loaded_at = msg.elapsed
        entries = self.entries
        entries.flush()
        if not len(entries.level):
            entries.empty_text = "(empty)"
            entries.refresh()
        for (loc, name), info in self._totals.items():
            if loc == self.location:
                entries.info[name] = info
        keep, self._keep_marks = getattr(self, "_keep_marks", set()), set()
        if keep:
            names = set(entries.level.names)
            entries.marked = {n for n in keep if n in names}
            entries.post_message(entries.MarksChanged(entries))
            entries.refresh()
        self._update_status()
        self.level_done()

    def level_done(self) -> None:
        """The level finished loading (hook: the S3 pane, following the Drive pane, may go up from here)."""

    @on(LevelFailed)
    def _failed(self, msg: LevelFailed) -> None:
        if msg.gen != self.gen:
            return
        self.loading = False
        self.error = (msg.message, msg.hint)
        self.entries.empty_text = "cannot list this level (see below)"
        self.entries.refresh()
        self._update_status()

    @on(MarkersUpdated)
    def _markers(self, msg: MarkersUpdated) -> None:
        if msg.cache:
            self._totals[msg.cache] = msg.info[msg.cache[1]]
        if msg.gen != self.gen:
            return
        entries = self.entries
        if msg.subtree:
            self._folder_marks = dict(msg.markers)
        elif self._folder_marks:
            # A re-check of the level clears folder markers it cannot judge: the subtree's still stand.
            msg.markers.update({n: self._folder_marks[n] for n, v in msg.markers.items()
                                if not v and n in self._folder_marks})
        entries.markers.update(msg.markers)
        entries.info.update(msg.info)
        if msg.note:
            self._note = msg.note
        if msg.subtree:
            self._subtree_note = msg.subtree
        entries.refresh_markers()
        self._update_status()

    def _tick(self) -> None:
        if self.loading or self.workers_running("totals"):
            self._spin = (self._spin + 1) % len(SPINNER)
            self._update_status()

    def workers_running(self, group: str) -> bool:
        """True while a worker of ``group`` on this pane runs."""
        return any(w.group == group and w.is_running and w.node is self for w in self.app.workers)

    def _update_status(self) -> None:
        status = self.query_one(StatusLine)
        entries = self.entries
        if self.error:
            message, hint = self.error
            status.show(f"[b]error:[/b] {esc(message)}" + (f"\n[b]what to do:[/b] {esc(hint)}" if hint else ""),
                        error=True)
            return
        n = len(entries.level)
        shown = len(entries.view)
        parts = []
        if self.loading:
            parts.append(f"{SPINNER[self._spin]} loading {n:,}")
        if entries.filter_text:
            parts.append(f"filter '{esc(entries.filter_text)}': {shown:,}")
        if self.status_kind:
            label = dict(self.status_filters(self.location)).get(self.status_kind, self.status_kind)
            parts.append(f"status {label}: {n - shown:,} hidden")
        if entries.marked:
            parts.append(f"{len(entries.marked)} marked")
        if self.workers_running("totals"):
            parts.append(f"{SPINNER[self._spin]} totals… (Esc cancels)")
        if self._note:
            parts.append(esc(self._note))
        if self._subtree_note:
            parts.append(esc(self._subtree_note))
        if not self.loading:
            # Last: at 80 columns the two status lines are for what the markers mean, the count can be cut.
            dirs = entries.level.n_dirs
            parts.append(plural(n, "entry", "entries") + (f" ({plural(dirs, 'folder')})" if dirs else ""))
        live = self.live_note() or self.cursor_info()
        # The cursor row's upload progress or folder totals go first: at 80 columns the pane's two status
        # lines are all there is, and a row has no room for `1,204/1,210 uploaded · 6 missing (2.3 GiB)`.
        status.show((f"{live}\n" if live else "") + " · ".join(parts))

    def cursor_info(self) -> str:
        """`name: folder totals` of the cursor row once `s` computed them (markup-safe), else ''."""
        name = self.entries.current_name
        info = self.entries.info.get(name, "") if name else ""
        return f"[b]{esc(name)}[/b]: {esc(info)}" if info else ""

    @on(EntryList.Highlighted)
    def _cursor_info_moved(self, event: EntryList.Highlighted) -> None:
        if event.entry_list is self.entries:
            self._update_status()

    # -- actions ---------------------------------------------------------------------------------
    def action_open(self) -> None:
        """Open the cursor folder, or preview the cursor file."""
        name = self.entries.current_name
        if name is None:
            return
        if name.endswith("/"):
            self.open_location(self.location + name)
        else:
            self.open_file(name)

    @on(EntryList.Activated)
    def _activated(self, msg: EntryList.Activated) -> None:
        msg.stop()
        self.action_open()

    def action_up(self) -> None:
        """Go to the parent folder, keeping the folder we came from selected."""
        if not self.location:
            return
        parts = self.location.rstrip("/").split("/")
        parent = "/".join(parts[:-1])
        self.open_location(parent + "/" if parent else "", select=parts[-1] + "/")

    def action_refresh(self) -> None:
        """Reload this level, keeping the filter, the cursor row and the marks (of rows still there)."""
        marked = set(self.entries.marked)
        self.open_location(self.location, select=self.entries.current_name, keep_filter=True)
        self._keep_marks = marked

    def affected_by(self, prefixes) -> bool:
        """True when this level shows something under one of ``prefixes`` (or holds one of them)."""
        return any(self.location.startswith(p) or p.startswith(self.location) for p in prefixes)

    def action_filter(self) -> None:
        """Show the filter box."""
        box = self.query_one(Input)
        box.display = True
        box.value = self.entries.filter_text
        box.focus()

    @on(Input.Changed, ".filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.entries.set_filter(event.value)
        self._update_status()

    @on(Input.Submitted, ".filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.display = False
        self.entries.focus()

    def action_escape(self) -> None:
        """Cancel running totals, else clear the filters (the name filter and the status filter)."""
        if self.workers_running("totals"):
            self.workers.cancel_group(self, "totals")
            self._note = "totals cancelled"
        elif self.entries.filter_text or self.query_one(Input).display or self.status_kind:
            box = self.query_one(Input)
            box.value = ""
            box.display = False
            self.status_kind = ""
            self.entries.keep = None
            self.entries.set_filter("")
            self.entries.focus()
        self._update_status()

    def action_preview(self) -> None:
        """Preview the cursor file."""
        name = self.entries.current_name
        if name and not name.endswith("/"):
            self.open_file(name)

"""A virtual list of one level's entries: draws only the visible rows (Line API), so 100k is fine."""

from __future__ import annotations

import math
import time
from datetime import datetime, timezone
from typing import Callable

from rich.segment import Segment
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from pixel_tui.core.browse.order import RowOrder
from pixel_tui.core.printable import one_line
from pixel_tui.core.storage.listing import Level
from pixel_tui.core.units import human_bytes
from pixel_tui.tui.keys import move_bindings

# Marker glyphs and the component class that colours them.
MARKERS = {
    "uploaded": ("✓", "ok"), "missing": ("✗", "bad"), "differs": ("≠", "warn"), "uploading": ("↑", "busy"),
    "partial": ("◐", "partial"),
    "extra": ("+", "warn"), "duplicate": ("‼", "bad"), "shortcut": ("↪", "warn"), "promoted": ("★", "ok"), "registered": ("✓", "ok"), "unregistered": ("·", "warn"),
}


RESIZE_SECONDS = 0.5


def format_time(ts: float) -> str:
    """POSIX seconds as 'YYYY-MM-DD HH:MM' UTC ('' when unknown)."""
    if math.isnan(ts):
        return ""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M")


def fit_name(name: str, width: int) -> str:
    """``name`` in ``width`` cells; a cut folder name keeps its trailing '/' (`mental_health_coun…/`)."""
    if len(name) <= width:
        return name
    if name.endswith("/") and width >= 3:
        return name[: width - 2] + "…/"
    return name[: width - 1] + "…"


class EntryList(ScrollView, can_focus=True):
    """Rows of a Level with a cursor, marks (space), an optional name filter and per-row markers."""

    BINDINGS = [
        *move_bindings({"down": "cursor(1)", "up": "cursor(-1)", "first": "jump(0)", "last": "jump(-1)",
                        "page_down": "page(1)", "page_up": "page(-1)", "half_down": "half_page(1)",
                        "half_up": "half_page(-1)"}),
        Binding("space", "toggle_mark", "Mark"),
    ]
    COMPONENT_CLASSES = {
        "entry-list--cursor", "entry-list--dir", "entry-list--dim", "entry-list--mark",
        "entry-list--ok", "entry-list--bad", "entry-list--warn", "entry-list--busy", "entry-list--partial",
    }
    DEFAULT_CSS = """
    EntryList { height: 1fr; overflow-x: hidden; }
    EntryList > .entry-list--cursor { background: $accent 40%; }
    EntryList:focus > .entry-list--cursor { background: $accent; color: $text; }
    EntryList > .entry-list--dir { color: $primary; text-style: bold; }
    EntryList > .entry-list--dim { color: $text-muted; }
    EntryList > .entry-list--mark { color: $warning; text-style: bold; }
    EntryList > .entry-list--ok { color: $success; }
    EntryList > .entry-list--bad { color: $error; }
    EntryList > .entry-list--warn { color: $warning; }
    EntryList > .entry-list--busy { color: $accent; }
    EntryList > .entry-list--partial { color: $secondary; }
    """

    class Highlighted(Message):
        """The cursor moved to another row (or the rows changed under it)."""

        def __init__(self, entry_list: "EntryList", name: str | None) -> None:
            super().__init__()
            self.entry_list = entry_list
            self.name = name

    class Activated(Message):
        """Enter on a row."""

        def __init__(self, entry_list: "EntryList", name: str) -> None:
            super().__init__()
            self.entry_list = entry_list
            self.name = name

    class MarksChanged(Message):
        """The set of marked rows changed."""

        def __init__(self, entry_list: "EntryList") -> None:
            super().__init__()
            self.entry_list = entry_list

    def __init__(self, *, show_times: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.level = Level("")
        self.view: list[int] | range = range(0)
        self.cursor = 0
        self.filter_text = ""
        self.sort = ""  # core/browse/order.py SORTS: '' is the listing's own order
        self._order: RowOrder | None = None  # row numbers in ``sort`` order (None: as listed)
        self.keep: Callable[[str], bool] | None = None  # the status filter (by row name)
        self.markers: dict[str, str] = {}
        self.info: dict[str, str] = {}
        self.marked: set[str] = set()
        self.show_times = show_times
        self.empty_text = ""
        self._last_highlight: str | None = None
        self._resized_at = 0.0

    # -- data ------------------------------------------------------------------------------------
    def reset(self, prefix: str = "", empty_text: str = "") -> None:
        """Start a new level (rows arrive with extend()); the sort and the status filter stay."""
        self.level = Level(prefix)
        self.view = range(0)
        self._order = RowOrder(self.level, self.sort) if self.sort else None
        self.cursor = 0
        self.markers = {}
        self.info = {}
        self.marked = set()
        self.empty_text = empty_text
        self._refresh_view(keep=None)

    def extend(self, chunk: Level) -> None:
        """Append a chunk of rows (built off the UI thread); the cursor stays on its row."""
        start = len(self.level)
        first_new = len(self.view)
        self.level.extend(chunk)
        if self._order is not None or self.keep is not None:
            # Sorted or status-filtered: new rows may land above the cursor, which follows its row.
            keep = self.current_row
            if self._order is not None:
                self._order.merge(self.level, start)
            self._rebuild(keep)
            self._resize(force=False, first_new=0)
            self._announce()
            return
        if not self.filter_text:
            self.view = range(len(self.level))
        else:
            needle = self.filter_text.lower()
            names = self.level.names
            assert isinstance(self.view, list)
            self.view.extend(i for i in range(start, len(self.level)) if needle in names[i].lower())
        self._resize(force=False, first_new=first_new)
        self._announce()

    def set_filter(self, text: str) -> None:
        """Show only rows whose name contains ``text`` (case-insensitive)."""
        self.filter_text = text
        self._refresh_view(self.current_row)

    def set_sort(self, sort: str) -> None:
        """Order the rows by ``sort`` (core/browse/order.py SORTS; '' as listed); the cursor keeps its row."""
        keep = self.current_row
        self.sort = sort
        self._order = RowOrder(self.level, sort) if sort else None
        self._refresh_view(keep)

    def set_keep(self, keep: Callable[[str], bool] | None) -> None:
        """Show only rows whose name ``keep`` accepts (a status filter; None shows all)."""
        self.keep = keep
        self._refresh_view(self.current_row)

    def _refresh_view(self, keep: int | None) -> None:
        """Recompute the shown rows; the cursor stays on row ``keep`` when it is still shown."""
        self._rebuild(keep)
        self._resize()
        self._announce()

    def _rebuild(self, keep: int | None) -> None:
        rows = self._order.rows if self._order is not None else range(len(self.level))
        names = self.level.names
        wanted = self.keep
        if self.filter_text:
            needle = self.filter_text.lower()
            self.view = [i for i in rows if needle in names[i].lower() and (wanted is None or wanted(names[i]))]
        elif wanted is not None:
            self.view = [i for i in rows if wanted(names[i])]
        else:
            self.view = rows  # the order itself (rebuilt, never shared with a filter)
        self.cursor = 0
        if keep is not None:
            try:
                self.cursor = self.view.index(keep)
            except ValueError:
                return
            self._scroll_to_cursor()

    def _resize(self, force: bool = True, first_new: int = 0) -> None:
        """Sync the scrollable height with the rows. Setting virtual_size relayouts the screen, so
        while a big level streams in it is done at most every RESIZE_SECONDS once the view is full;
        rows arriving below the visible window need no repaint at all."""
        self.cursor = max(0, min(self.cursor, len(self.view) - 1))
        now = time.monotonic()
        full = self.virtual_size.height >= 2 * max(self.size.height, 1)
        if force or not full or now - self._resized_at >= RESIZE_SECONDS:
            self._resized_at = now
            self.virtual_size = Size(self._row_width, len(self.view))
        if force or first_new <= int(self.scroll_offset.y) + self.size.height:
            self.refresh()

    def flush(self) -> None:
        """The level is complete: make the scrollable height exact (and drop the sort keys kept for merging)."""
        if self._order is not None:
            self._order.drop_keys()
        self._resize(force=True)

    # -- queries ---------------------------------------------------------------------------------
    @property
    def current_row(self) -> int | None:
        """Index into ``level`` of the cursor row (None when empty)."""
        return self.view[self.cursor] if len(self.view) else None

    @property
    def current_name(self) -> str | None:
        """Name of the cursor row ('/'-terminated for folders)."""
        row = self.current_row
        return None if row is None else self.level.names[row]

    def select_name(self, name: str) -> bool:
        """Move the cursor to ``name`` if it is shown; True when found."""
        names = self.level.names
        for pos, row in enumerate(self.view):
            if names[row] == name:
                self.cursor = pos
                self._scroll_to_cursor()
                self._announce()
                return True
        return False

    # -- actions ---------------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        """Move the cursor by ``delta`` rows."""
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        """Move one screen up or down."""
        self._move(self.cursor + direction * max(1, self.size.height - 1))

    def action_half_page(self, direction: int) -> None:
        """Move half a screen up or down (Ctrl+U / Ctrl+D)."""
        self._move(self.cursor + direction * max(1, self.size.height // 2))

    def action_jump(self, where: int) -> None:
        """First (0) or last (-1) row."""
        self._move(0 if where == 0 else len(self.view) - 1)

    def action_toggle_mark(self) -> None:
        """Mark or unmark the cursor row, then move down."""
        name = self.current_name
        if name is None:
            return
        self.marked.symmetric_difference_update({name})
        self.post_message(self.MarksChanged(self))
        self._move(self.cursor + 1)
        self.refresh()

    def _move(self, pos: int) -> None:
        if not len(self.view):
            return
        pos = max(0, min(pos, len(self.view) - 1))
        if pos >= self.virtual_size.height:
            self._resize(force=True)  # moving past rows that arrived since the last resize
        if pos != self.cursor:
            self.refresh_line(self.cursor - int(self.scroll_offset.y))
            self.cursor = pos
            self._scroll_to_cursor()
            self.refresh_line(self.cursor - int(self.scroll_offset.y))
        self._announce()

    def _scroll_to_cursor(self) -> None:
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, force=True, immediate=True)
        self.refresh()

    def _announce(self) -> None:
        name = self.current_name
        if name != self._last_highlight:
            self._last_highlight = name
            self.post_message(self.Highlighted(self, name))

    def on_click(self, event) -> None:
        """Click selects a row; a second click on it opens it."""
        pos = int(self.scroll_offset.y) + event.y
        if 0 <= pos < len(self.view):
            if pos == self.cursor and self.current_name is not None:
                self.post_message(self.Activated(self, self.current_name))
            self._move(pos)

    def key_enter(self) -> None:
        """Enter opens the cursor row."""
        if self.current_name is not None:
            self.post_message(self.Activated(self, self.current_name))

    def on_resize(self) -> None:
        """Columns depend on the width."""
        self.virtual_size = Size(self._row_width, len(self.view))

    # -- drawing ---------------------------------------------------------------------------------
    @property
    def _row_width(self) -> int:
        """Columns a row may use: inside the vertical scrollbar when there is one (else the unit is cut off)."""
        return self.scrollable_content_region.width or self.size.width

    def render_line(self, y: int) -> Strip:
        """One screen line: the row at scroll offset + y, or blank."""
        width = self._row_width
        pos = int(self.scroll_offset.y) + y
        if pos >= len(self.view):
            text = self.empty_text
            if not text and len(self.level) and (self.filter_text or self.keep is not None):
                text = "nothing matches (Esc clears)"
            if pos == 0 and text:
                return Strip([Segment(text[:width], self.get_component_rich_style("entry-list--dim"))])
            return Strip.blank(width, self.rich_style)
        row = self.view[pos]
        level = self.level
        name = level.names[row]
        size = level.sizes[row]
        base = self.rich_style
        if pos == self.cursor:
            base = base + self.get_component_rich_style("entry-list--cursor")
        mark = "▌" if name in self.marked else " "
        glyph, kind = MARKERS.get(self.markers.get(name, ""), (" ", ""))
        folder = name.endswith("/")
        # -1: a folder, or a file whose size the remote does not know (a Google Doc, an http remote)
        size_text = human_bytes(size) if size >= 0 else ("" if folder else "?")
        info = self.info.get(name, "")
        time_text = format_time(level.mtimes[row]) if self.show_times and width >= 50 else ""
        # A folder has no size: its name takes that room. Folder totals show in the row only when they fit
        # whole; the pane's status line shows them for the cursor row at any width.
        right = f"{size_text:>9}" if not folder else ""
        if info and width >= 50 and len(info) <= width // 3:
            right = f"{info} {right}" if right else info
        if time_text:
            right = f"{right}  {time_text}" if right else time_text
        name_width = max(4, width - 3 - len(right) - (1 if right else 0))
        label = one_line(name)  # a key's ESC or BEL would be obeyed by the terminal
        shown = fit_name(label, name_width)
        name_style = base + self.get_component_rich_style("entry-list--dir") if folder else base
        segments = [
            Segment(mark, base + self.get_component_rich_style("entry-list--mark")),
            Segment(glyph, base + self.get_component_rich_style(f"entry-list--{kind}") if kind else base),
            Segment(" ", base),
            Segment(f"{shown:<{name_width}}", name_style),
            Segment(" ", base),
            Segment(right, base + self.get_component_rich_style("entry-list--dim") if pos != self.cursor else base),
        ]
        return Strip(segments).adjust_cell_length(width, base)

    def refresh_markers(self) -> None:
        """Redraw after markers/info changed (they are looked up by name at draw time); a status filter
        looks at the markers, so the shown rows are recomputed under it."""
        if self.keep is not None:
            self._refresh_view(self.current_row)
        self.refresh()


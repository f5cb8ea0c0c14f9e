"""A compact line per watched job (name, bar, speed, ETA, state), for embedding in any screen.

It shows every job of the app's job feed (the configured `monitor.logs` and rc endpoints, and the
uploads the app started) and redraws itself at most four times a second. Given log paths/globs, it
adds them to the feed; in an app without a feed it gets one of its own (tui/job_feed.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from rich.cells import cell_len, set_cell_size
from rich.markup import escape
from textual.message import Message
from textual.widgets import Static

from pixel_tui.core.jobs.report import job_reason, shown_eta, shown_speed
from pixel_tui.core.jobs.state import JobStatus, job_state
from pixel_tui.core.printable import one_line
from pixel_tui.core.units import human_bytes, human_duration, human_rate, plural
from pixel_tui.tui.job_feed import default_clock, feed_of
from pixel_tui.tui.messages import JobViewChanged
from pixel_tui.tui.widgets.job_card import STATE_STYLE, bar, job_name

if TYPE_CHECKING:
    from pixel_tui.core.jobs.tail import JobView

# Busy jobs first when the strip has fewer lines than jobs.
_STATE_ORDER = {"stalled": 0, "failed": 1, "running": 2, "waiting": 3}
NAME_WIDTH, MIN_NAME, BAR = 24, 12, 12
REASON_STYLE = {"failed": "bold red", "stalled": "bold yellow", "running": "yellow", "waiting": "dim"}
MIN_REASON = 16  # below this a reason says nothing: the name shrinks, then the speed goes, to make room


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending in '…' when cut."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)).rstrip() + "…" if width > 0 else ""


def strip_line(name: str, snap, status: JobStatus, name_width: int = NAME_WIDTH, width: int | None = None) -> str:
    """One job as a line of markup that fits ``width`` cells: state, name, bar, %, bytes, speed and ETA, and
    the reason (`no progress for 14m00s`, `3 errors: ...`).

    When narrow, the bar goes first, then the names' common column width, then the bytes; then, if the
    reason has less than MIN_REASON cells, the name shrinks (to MIN_NAME) and the speed goes; the reason is
    cut last: the state, the name, the % and why stay.
    """
    stats = snap is not None and snap.has_stats
    pct = f"{snap.percent:3.0f}%" if stats and snap.percent is not None else ""
    size = f"{human_bytes(snap.bytes)} / {human_bytes(snap.total_bytes)}" if stats else ""
    rate = ""  # a failed or stalled job has no speed and no ETA worth showing (never `0 B/s ETA -`)
    if stats and status.state == "running":
        rate = f"{human_rate(shown_speed(snap, status))} ETA {human_duration(shown_eta(snap, status))}"
    elif stats and status.state == "finished" and snap.average_speed:  # no average known: no `0 B/s avg`
        rate = f"{human_rate(snap.average_speed)} avg"
    reason = one_line(job_reason(snap, status))
    optional = {"bar": " " * BAR, "bytes": size, "rate": rate}  # by what each costs
    keep = {k for k, v in optional.items() if v}
    name = one_line(name)

    def used(nw: int, with_reason: bool = True) -> int:
        cells = [9, nw, len(pct), *(cell_len(optional[k]) for k in keep)]
        if with_reason:
            cells.append(cell_len(reason))
        if with_reason and reason and "rate" in keep:
            cells.append(1)  # the '·' between the speed and the reason
        return sum(cells) + len([c for c in cells if c]) - 1  # one space between parts

    if width is not None:
        if used(name_width) > width:
            keep.discard("bar")
        if used(name_width) > width:
            name_width = min(name_width, cell_len(name))  # the names' column gives up its alignment first
        if used(name_width) > width:
            keep.discard("bytes")
        # The name gives way only as far as the reason needs to say something (MIN_REASON); then it is cut.
        want = min(cell_len(reason), MIN_REASON) + 1 + (2 if reason and "rate" in keep else 0) if reason else 0
        while used(name_width, False) + want > width and name_width > MIN_NAME:
            name_width -= 1
        room = width - used(name_width, False) - 1 - (2 if "rate" in keep else 0)
        if reason and "rate" in keep and room < min(cell_len(reason), MIN_REASON):
            keep.discard("rate")
        if reason:
            reason = _cut(reason, max(1, width - used(name_width, False) - 1 - (2 if "rate" in keep else 0)))
    bits = [f"[{STATE_STYLE[status.state]}]{status.state.upper():^9}[/]",
            escape(set_cell_size(_cut(name, name_width), name_width))]
    if "bar" in keep:
        bits.append(bar(snap.percent / 100 if stats and snap.percent is not None else None, BAR))
    bits += [t for t in (pct, size if "bytes" in keep else "", rate if "rate" in keep else "") if t]
    if reason and "rate" in keep:
        bits.append("·")
    if reason:
        bits.append(f"[{REASON_STYLE.get(status.state, 'dim')}]{escape(reason)}[/]")
    return " ".join(bits)


class JobsUpdated(Message):
    """The strip redrew with new job data; ``views`` maps each source to its newest JobView."""

    def __init__(self, views: dict[str, JobView]) -> None:
        super().__init__()
        self.views = views


class JobStrip(Static):
    """One line per job; colours follow the job's state.

    With ``max_lines`` set and more jobs than lines, the busiest jobs are shown and the last line
    counts the rest. After each redraw carrying new data it posts ``JobsUpdated`` (a few per second at most).
    """

    DEFAULT_CSS = """
    JobStrip { height: auto; max-height: 8; padding: 0 1; background: $boost; }
    """

    def __init__(self, sources: list[str] | None = None, rc_urls: tuple[str, ...] | None = None,
                 stall_seconds: float | None = None, clock: Callable[[], float] = default_clock,
                 max_lines: int | None = None, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._sources, self._rc_urls, self._stall = sources, rc_urls, stall_seconds
        self.clock = clock
        self.max_lines = max_lines
        self.views: dict[str, JobView] = {}
        self._feed = None
        self._dirty = False
        self._new_data = False

    def on_mount(self) -> None:
        """Subscribe to the job feed (settings give the defaults) and redraw on a timer."""
        settings = getattr(getattr(self.app, "services", None), "settings", None)
        rc_urls = self._rc_urls if self._rc_urls is not None else tuple(getattr(settings, "rc_urls", ()))
        if self._stall is None:
            self._stall = float(getattr(settings, "stall_seconds", 600.0))
        self._feed = feed = feed_of(self.app, self._sources or (), rc_urls)
        self.display = feed.has_jobs
        feed.subscribe(self)
        self.set_interval(0.25, self._flush)
        self.set_interval(1.0, self._tick)

    def on_unmount(self) -> None:
        """No more views for this strip."""
        if self._feed is not None:
            self._feed.unsubscribe(self)

    def on_job_view_changed(self, message: JobViewChanged) -> None:
        """Keep the newest view; drawing waits for the timer (coalescing)."""
        message.stop()
        self.views[message.view.source] = message.view
        self._dirty = self._new_data = True
        if not self.display:
            self.display = True  # an upload started here shows even with no logs configured

    def _tick(self) -> None:
        self._dirty = True

    def on_resize(self) -> None:
        """Fit the lines to the new width."""
        self._dirty = True

    def _flush(self) -> None:
        if self._dirty:
            self._dirty = False
            self.update(self.strip_text())
        if self._new_data:
            self._new_data = False
            self.post_message(JobsUpdated(dict(self.views)))

    def strip_text(self) -> str:
        """The strip's text: one line per job."""
        now = self.clock()
        jobs = []
        for source, view in self.views.items():
            status = job_state(view.snapshot if view.exists else None, now=now, changed_at=view.changed_at,
                               progress_at=view.progress_at, stall_seconds=self._stall or 600.0)
            jobs.append((source, view, status))
        hidden = 0
        if self.max_lines and len(jobs) > self.max_lines:
            jobs.sort(key=lambda j: _STATE_ORDER.get(j[2].state, 9))  # stable: same-state jobs keep their order
            hidden = len(jobs) - (self.max_lines - 1)
            jobs = jobs[: self.max_lines - 1]
        width = self.content_size.width or None  # None before the first layout: nothing dropped
        name_width = min(NAME_WIDTH, max((len(job_name(src)) for src, _, _ in jobs), default=0))
        lines = [strip_line(job_name(source), view.snapshot if view.exists else None, status, name_width, width)
                 for source, view, status in jobs]
        if hidden:
            lines.append(f"[dim]+{plural(hidden, 'more job')}: m opens the monitor[/]")
        return "\n".join(lines)

"""A compact line per watched job (name, bar, speed, ETA, state), for embedding in any screen.

It shows every job of the app's job feed (the configured `monitor.logs` and rc endpoints, and the
uploads the app started) and redraws itself at most four times a second. Given log paths/globs, it
adds them to the feed; in an app without a feed it gets one of its own (tui/job_feed.py).
"""

from __future__ import annotations

from typing import Callable

from rich.markup import escape
from textual.message import Message
from textual.widgets import Static

from pixel_tui.core.jobs.report import shown_eta, shown_speed
from pixel_tui.core.jobs.state import job_state
from pixel_tui.core.jobs.tail import JobView
from pixel_tui.core.units import human_duration, human_rate, plural
from pixel_tui.tui.job_feed import default_clock, feed_of
from pixel_tui.tui.messages import JobViewChanged
from pixel_tui.tui.widgets.job_card import STATE_STYLE, bar, job_name

# Busy jobs first when the strip has fewer lines than jobs.
_STATE_ORDER = {"stalled": 0, "failed": 1, "running": 2, "waiting": 3}


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
        lines = []
        for source, view, status in jobs:
            snap = view.snapshot
            pct = snap.percent if snap else None
            state = f"[{STATE_STYLE[status.state]}]{status.state.upper():^9}[/]"
            detail = (f"{'' if pct is None else f'{pct:3.0f}%'} {human_rate(shown_speed(snap, status))}"
                      f" ETA {human_duration(shown_eta(snap, status))}"
                      if snap and snap.has_stats else "")
            if status.state == "stalled" and status.stalled_for is not None:
                detail = f"{'' if pct is None else f'{pct:3.0f}%'} no progress for {human_duration(status.stalled_for)}"
            lines.append(f"{state} {escape(job_name(source))[:24]:<24} {bar(None if pct is None else pct / 100, 12)} {detail}")
        if hidden:
            lines.append(f"[dim]+{plural(hidden, 'more job')}: m opens the monitor[/]")
        return "\n".join(lines)

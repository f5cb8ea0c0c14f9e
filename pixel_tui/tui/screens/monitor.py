"""`m`: the live transfer monitor. One card per job of the app's job feed (logs from `monitor.logs`, rc
endpoints from `monitor.rc_urls`, uploads the app started). Esc goes back; `u` starts an upload."""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from pixel_tui.core.jobs.state import job_state
from pixel_tui.core.jobs.tail import JobView, expand_sources
from pixel_tui.tui.keys import move_bindings
from pixel_tui.tui.job_feed import JobFeed, default_clock, feed_of
from pixel_tui.tui.messages import JobViewChanged
from pixel_tui.tui.widgets.job_card import JobCard
from pixel_tui.tui.widgets.app_header import AppHeader
from pixel_tui.tui.widgets.key_footer import KeyFooter

EMPTY = ("No rclone logs are watched. Set [b]monitor.logs[/b] (paths or globs) or [b]monitor.rc_urls[/b] "
         "in the config file, or press [b]U[/b] to start an upload.")


class MonitorScreen(Screen):
    """Every job's state, bars, speed chart, files in flight and error lines, live."""

    CSS_PATH = "../styles/monitor.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("U", "upload", "Upload"),  # u is undo in the history
        *move_bindings({m: f"scroll('{m}')" for m in ("down", "up", "first", "last", "page_down", "page_up",
                                                     "half_down", "half_up")}),
    ]

    def __init__(self, clock: Callable[[], float] = default_clock, extra_sources: list[str] | None = None) -> None:
        super().__init__()
        self.clock = clock
        self.extra_sources = list(extra_sources or [])
        self.views: dict[str, JobView] = {}
        self._dirty: set[str] = set()
        self._feed: JobFeed | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(EMPTY, id="monitor-empty")
        yield VerticalScroll(id="monitor-jobs")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Subscribe to the job feed (with speed histories); redraw changed cards 4x a second and every
        card once a second."""
        self.sub_title = "Monitor"
        self._feed = feed = feed_of(self.app, self.extra_sources)
        self.query_one("#monitor-empty").display = not feed.has_jobs
        # Cards for logs that do not exist yet show "waiting" at once, in config order.
        for path in expand_sources(feed.sources()):
            self._card(path)
        feed.watch_history()
        feed.subscribe(self)
        self.set_interval(0.25, self._flush)
        self.set_interval(1.0, self._tick)

    def on_unmount(self) -> None:
        """No more views for this screen (the feed goes on for the app)."""
        if self._feed is not None:
            self._feed.unsubscribe(self)

    def _card(self, source: str) -> JobCard:
        card_id = "job-" + str(abs(hash(source)))
        found = self.query(f"#{card_id}")
        if found:
            return found.first(JobCard)
        card = JobCard(source, id=card_id)
        self.query_one("#monitor-jobs", VerticalScroll).mount(card)
        self.query_one("#monitor-empty").display = False
        return card

    def on_job_view_changed(self, message: JobViewChanged) -> None:
        """Keep the newest view of each job; drawing waits for the timer, so bursts coalesce."""
        self.views[message.view.source] = message.view
        self._dirty.add(message.view.source)

    def _tick(self) -> None:
        self._dirty.update(self.views)

    def _flush(self) -> None:
        if not self._dirty:
            return
        dirty, self._dirty = self._dirty, set()
        stall = self.app.services.settings.stall_seconds
        now = self.clock()
        for source in sorted(dirty):
            view = self.views.get(source)
            if view is None:
                continue
            status = job_state(view.snapshot if view.exists else None, now=now, changed_at=view.changed_at,
                               progress_at=view.progress_at, stall_seconds=stall)
            card = self._card(source)
            if card.is_mounted:
                card.show(view, status)
            else:
                self._dirty.add(source)  # mounted on the next frame; draw it then

    def action_scroll(self, direction: str) -> None:
        """The list keys (j/k, g/G, pages, half pages) scroll the job list."""
        jobs = self.query_one("#monitor-jobs", VerticalScroll)
        half = max(1, jobs.size.height // 2)
        moves = {"down": jobs.scroll_down, "up": jobs.scroll_up, "first": jobs.scroll_home, "last": jobs.scroll_end,
                 "page_down": jobs.scroll_page_down, "page_up": jobs.scroll_page_up,
                 "half_down": lambda: jobs.scroll_relative(y=half), "half_up": lambda: jobs.scroll_relative(y=-half)}
        moves[direction]()

    def action_upload(self) -> None:
        """Ask for a Drive path and start a detached upload; its log then shows here."""
        if self.app.services.read_only:
            self.notify("Read-only mode: uploads are disabled.", severity="warning")
            return
        from pixel_tui.tui.dialogs.upload import UploadDialog

        def started(job) -> None:
            if job is None:
                return
            self._card(str(job.log_file))  # the dialog put its log in the app's job feed
            self.notify(f"rclone started (pid {job.pid}); log {job.log_file.name}")

        self.app.push_screen(UploadDialog(), started)

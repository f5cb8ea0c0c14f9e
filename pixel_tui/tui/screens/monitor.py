"""`m`: the live transfer monitor, for the 3 a.m. operator at 80x24.

A compact list, one line per job (htop/k9s style), ordered by state (failed, stalled, running,
waiting, finished), and below it the card of the selected job: bars, a speed chart against the
clock, files in flight and its error lines, newest first. Keys act on the selected job: `S` stops
it, `b` changes its bandwidth, `L` opens its whole log; `U` starts an upload. Jobs come from the
app's job feed (logs from `monitor.logs`, rc jobs from `monitor.rc_urls`, uploads the app started).
"""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pixel_tui.core.jobs.rc_watch import view_state
from pixel_tui.core.jobs.state import JobStatus
from pixel_tui.core.jobs.tail import JobView, expand_sources
from pixel_tui.core.printable import one_line
from pixel_tui.core.units import human_bytes, human_rate
from pixel_tui.tui.job_feed import JobFeed, default_clock, feed_of
from pixel_tui.tui.keys import move_bindings
from pixel_tui.tui.messages import JobViewChanged
from pixel_tui.tui.widgets.app_header import AppHeader
from pixel_tui.tui.widgets.job_card import STATE_STYLE, ErrorChosen, JobCard, job_name
from pixel_tui.tui.widgets.key_footer import KeyFooter

EMPTY = ("No rclone logs are watched. Set [b]monitor.logs[/b] (paths or globs) or [b]monitor.rc_urls[/b] "
         "in the config file, or press [b]U[/b] to start an upload.")
ORDER = {"failed": 0, "stalled": 1, "running": 2, "waiting": 3, "finished": 4}
SHORT = {"failed": "FAIL", "stalled": "STALL", "running": "RUN", "waiting": "WAIT", "finished": "DONE"}


def job_line(source: str, view: JobView | None, status: JobStatus, width: int) -> Text:
    """One row of the job list: state, name, percent, bytes, speed, errors."""
    snap = view.snapshot if view is not None and view.exists else None
    right = ""
    if snap is not None and snap.has_stats:
        pct = f"{snap.percent:3.0f}%" if snap.percent is not None else "  ?%"
        live = status.state == "running"  # a stalled or ended job's last speed is history, not now
        right = f"{pct} {human_bytes(snap.bytes):>9} {human_rate(snap.speed) if live else '':>12}"
    if snap is not None and (snap.errors or snap.last_errors):
        right += f" {max(snap.errors, len(snap.last_errors)):>3} err"
    name_w = max(10, width - len(right) - 9)
    name = one_line(job_name(source))
    name = name if len(name) <= name_w else "…" + name[-(name_w - 1):]
    line = Text()
    line.append(f" {SHORT[status.state]:<5} ", style=STATE_STYLE[status.state])
    line.append(f" {name:<{name_w}} ")
    line.append(right, style="red" if status.state == "failed" else "")
    return line


class MonitorScreen(Screen):
    """Every job in a line, the selected one in full, live."""

    CSS_PATH = "../styles/monitor.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("S", "stop", "Stop"),
        Binding("b", "bwlimit", "Bandwidth"),
        Binding("L", "log", "Log"),
        Binding("U", "upload", "Upload"),  # u is undo in the history
        Binding("tab", "focus_next", "Errors", show=False),
        *move_bindings({m: f"move('{m}')" for m in ("down", "up", "first", "last", "page_down", "page_up",
                                                    "half_down", "half_up")}),
    ]

    def __init__(self, clock: Callable[[], float] = default_clock, extra_sources: list[str] | None = None) -> None:
        super().__init__()
        self.clock = clock
        self.extra_sources = list(extra_sources or [])
        self.views: dict[str, JobView] = {}
        self.statuses: dict[str, JobStatus] = {}
        self.order: list[str] = []  # sources in list order
        self.selected: str | None = None
        self._chosen = False  # the person moved the cursor: keep their job, else follow the top row
        self._cursor = -1  # the row the screen itself put the cursor on
        self._dirty = False
        self._feed: JobFeed | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(EMPTY, id="monitor-empty")
        yield OptionList(id="monitor-list", compact=True)
        with VerticalScroll(id="monitor-detail"):
            yield JobCard(id="monitor-card")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Subscribe to the job feed; redraw 4x a second when something changed, and every second."""
        self.sub_title = "Monitor"
        self._feed = feed = feed_of(self.app, self.extra_sources)
        self.query_one("#monitor-empty").display = not feed.has_jobs
        for path in expand_sources(feed.sources()):  # logs still to come show "waiting" at once
            self.views.setdefault(path, JobView(path))
        feed.watch_history()
        feed.subscribe(self)
        self.query_one("#monitor-list").focus()
        self._dirty = True
        self._flush()
        self.set_interval(0.25, self._flush)
        self.set_interval(1.0, self._tick)

    def on_unmount(self) -> None:
        """No more views for this screen (the feed goes on for the app)."""
        if self._feed is not None:
            self._feed.unsubscribe(self)

    def on_job_view_changed(self, message: JobViewChanged) -> None:
        """Keep the newest view of each job; drawing waits for the timer, so bursts coalesce."""
        self.views[message.view.source] = message.view
        self._dirty = True

    def _tick(self) -> None:
        self._dirty = True

    def _flush(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        stall = self.app.services.settings.stall_seconds
        now = self.clock()
        self.statuses = {s: self._state(v, now, stall) for s, v in self.views.items()}
        order = sorted(self.views, key=lambda s: (ORDER[self.statuses[s].state], job_name(s)))
        jobs = self.query_one("#monitor-list", OptionList)
        width = max(40, self.app.size.width - 2)
        prompts = [job_line(s, self.views[s], self.statuses[s], width) for s in order]
        if self.selected not in self.views or not self._chosen:
            self.selected = order[0] if order else None
        rebuilt = order != self.order or len(prompts) != jobs.option_count
        if rebuilt:
            jobs.clear_options()
            jobs.add_options([Option(p, id=f"job-{i}") for i, p in enumerate(prompts)])
            self.order = order
        else:
            for i, p in enumerate(prompts):
                jobs.replace_option_prompt_at_index(i, p)
        jobs.styles.height = min(max(1, len(order)), 6)
        jobs.display = bool(order)
        if self.selected in order:
            index = order.index(self.selected)
            if jobs.highlighted != index or rebuilt:
                self._cursor = index  # the Highlighted event this causes is ours, not a person's move
                jobs.highlighted = index
        self.query_one("#monitor-empty").display = not order
        card = self.query_one(JobCard)
        card.display = self.selected is not None
        if self.selected is not None and card.is_mounted:
            clock = self._feed.rates.get(self.selected) if self._feed else None
            ended = self._feed is not None and self.selected in self._feed.ended
            card.show(self.views[self.selected], self.statuses[self.selected], clock, now,
                      note="rclone has exited" if ended else "")

    def _state(self, view: JobView, now: float, stall: float) -> JobStatus:
        """The view's state; an upload of ours whose rclone exited is over, whatever its log last said."""
        status = view_state(view, now=now, stall_seconds=stall)
        ended = self._feed is not None and view.source in self._feed.ended
        if ended and status.state in ("running", "waiting", "stalled"):
            snap = view.snapshot if view.exists else None
            done = snap is not None and snap.all_transferred
            return JobStatus("finished" if done else "failed", status.quiet_for, status.stalled_for)
        return status

    @on(OptionList.OptionHighlighted, "#monitor-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index == self._cursor:
            self._cursor = -1  # our own move, not the person's
            return
        if event.option_index < len(self.order) and self.order[event.option_index] != self.selected:
            self.selected = self.order[event.option_index]
            self._chosen = True
            self._dirty = True
            self._flush()

    @on(ErrorChosen)
    def _error_chosen(self, event: ErrorChosen) -> None:
        from pixel_tui.tui.dialogs.job_actions import ErrorDetail

        self.app.push_screen(ErrorDetail(event.line))

    # -- acting on the selected job ---------------------------------------------------------------------
    def _selected_view(self) -> JobView | None:
        return self.views.get(self.selected) if self.selected else None

    def action_stop(self) -> None:
        """Stop the selected job, after a confirmation."""
        view = self._selected_view()
        if view is None:
            return
        if self.app.services.read_only:
            self.notify("Read-only mode: jobs cannot be stopped from here.", severity="warning")
            return
        self._act(view, "stop", None)

    def action_bwlimit(self) -> None:
        """Ask for a bandwidth limit and set it on the selected job's rclone."""
        view = self._selected_view()
        if view is None:
            return
        from pixel_tui.tui.dialogs.prompts import AskDialog

        def answered(rate: str | None) -> None:
            if rate:
                self._act(view, "bwlimit", rate)

        self.app.push_screen(AskDialog(f"Bandwidth limit for [b]{job_name(view.source)}[/b]", "",
                                       "bytes per second: 10M, 512k, 10M:1M (up:down), off"), answered)

    @work(thread=True, group="job-action")
    def _act(self, view: JobView, action: str, rate: str | None) -> None:
        """Find the job's rc endpoint (state dir, config) off the UI thread, then confirm or act."""
        from pixel_tui.core.errors import PixelError, render_error
        from pixel_tui.tui.dialogs.job_actions import stop, target_of, throttle

        feed = self._feed
        target = target_of(view, feed.rc_urls if feed else (), self.app.services.settings.state_path)
        if target is None:
            self.app.call_from_thread(self.notify, f"{job_name(view.source)} has no rc endpoint to act on "
                                      "(only rc jobs and uploads started here, while they run)", severity="warning")
            return
        if action == "stop" and rate is None:
            self.app.call_from_thread(self._confirm_stop, view, target)
            return
        try:
            done = stop(target) if action == "stop" else throttle(target, rate or "")
        except PixelError as exc:
            self.app.call_from_thread(self.notify, render_error(exc, one_line=True), severity="error")
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"{target.label}: {getattr(exc, 'reason', None) or exc}",
                                      severity="error")
        else:
            self.app.call_from_thread(self.notify, done)

    def _confirm_stop(self, view: JobView, target) -> None:
        from pixel_tui.tui.dialogs.prompts import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self._act(view, "stop", "confirmed")

        self.app.push_screen(ConfirmDialog(f"Stop [b]{job_name(view.source)}[/b]?\n{target.label}\n"
                                           "rclone ends it now; files already copied stay."), answered)

    def action_log(self) -> None:
        """The selected job's whole log, searchable."""
        view = self._selected_view()
        if view is None or "://" in view.source:
            self.notify("An rc job has no log file here.", severity="warning")
            return
        from pixel_tui.tui.screens.monitor_log import LogScreen

        self.app.push_screen(LogScreen(view.source))

    def action_move(self, direction: str) -> None:
        """The list keys (j/k, g/G, pages, half pages) move through the job list."""
        jobs = self.query_one("#monitor-list", OptionList)
        moves = {"down": jobs.action_cursor_down, "up": jobs.action_cursor_up, "first": jobs.action_first,
                 "last": jobs.action_last, "page_down": jobs.action_page_down, "page_up": jobs.action_page_up,
                 "half_down": jobs.action_page_down, "half_up": jobs.action_page_up}
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
            source = str(job.log_file)
            self.views.setdefault(source, JobView(source))
            self.selected, self._chosen = source, True
            self._dirty = True
            self.notify(f"rclone started (pid {job.pid}); log {job.log_file.name}")

        self.app.push_screen(UploadDialog(), started)

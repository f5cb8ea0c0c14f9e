"""One watched rclone job in full: state, bars, speed, ETA, sparkline, files in flight, error lines."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from pixel_tui.core.errors import redact
from pixel_tui.core.jobs.report import shown_eta, shown_speed
from pixel_tui.core.jobs.state import JobStatus
from pixel_tui.core.jobs.tail import JobView
from pixel_tui.core.printable import one_line
from pixel_tui.core.units import human_bytes, human_duration, human_rate

STATE_STYLE = {
    "running": "bold black on green",
    "finished": "bold white on blue",
    "failed": "bold white on red",
    "stalled": "bold black on yellow",
    "waiting": "bold black on grey70",
}
MAX_INFLIGHT = 4


def bar(fraction: float | None, width: int) -> str:
    """A text progress bar: `██████░░░░` (all light when the fraction is unknown)."""
    if fraction is None:
        return "[dim]" + "░" * width + "[/]"
    full = max(0, min(width, int(round(fraction * width))))
    return "[green]" + "█" * full + "[/][dim]" + "░" * (width - full) + "[/]"


def job_name(source: str) -> str:
    """The label of a job: a log's file name, an rc endpoint's URL."""
    return redact(source) if "://" in source else Path(source).name  # rc URLs carry user:pass@


def ago(seconds: float | None) -> str:
    """'12s ago', or '' when unknown."""
    return "" if seconds is None else f"{human_duration(seconds)} ago"


class JobCard(Vertical):
    """Everything about one job; `show(view, status)` redraws it (UI thread only)."""

    def __init__(self, source: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.border_title = job_name(source)

    def compose(self) -> ComposeResult:
        yield Static(classes="job-head")
        yield Static(classes="job-bars")
        yield Sparkline([], summary_function=max, classes="job-speed")
        yield Static(classes="job-inflight")
        yield Static(classes="job-errors")

    def show(self, view: JobView, status: JobStatus) -> None:
        """Redraw from a view and its state."""
        for state in STATE_STYLE:
            self.set_class(state == status.state, f"-{state}")
        snap = view.snapshot if view.exists else None
        head = f"[{STATE_STYLE[status.state]}] {status.state.upper()} [/] "
        if status.state == "stalled" and status.stalled_for is not None:
            head += f"[b]no progress for {human_duration(status.stalled_for)}[/]  "
        if view.error:
            head += f"[red]{escape(one_line(view.error))}[/]  "
        elif not view.exists:
            head += "[dim]waiting for the log to appear[/]  "
        head += f"[dim]updated {ago(status.quiet_for)}[/]" if status.quiet_for is not None else ""
        if status.condition_text:
            head += f"\n[b red]{escape(status.condition_text)}[/]"
        if status.reason:
            head += f"\n[dim]{escape(status.reason)}[/]"
        self.query_one(".job-head", Static).update(head)
        bars = self.query_one(".job-bars", Static)
        inflight = self.query_one(".job-inflight", Static)
        errors = self.query_one(".job-errors", Static)
        spark = self.query_one(".job-speed", Sparkline)
        attempts = (snap.error_attempts or (None,) * len(snap.last_errors)) if snap else ()
        errors.update("\n".join(f"[red]![/] {escape(one_line(e))}" if a is None else
                                f"[yellow]! attempt {a} failed, retried:[/] {escape(one_line(e))}"
                                for e, a in zip(snap.last_errors, attempts)) if snap else "")
        errors.display = bool(snap and snap.last_errors)
        if snap is None or not snap.has_stats:
            bars.update("[dim]no stats block yet[/]" if snap is not None else "")
            bars.display = snap is not None
            inflight.display = spark.display = False
            return
        bars.display = True
        # From the terminal's width, not the card's: the card has no size until its first layout,
        # and the bars must not change length with it.
        width = max(10, min(40, self.app.size.width - 44))
        pct = snap.percent
        files_frac = snap.transfers / snap.total_transfers if snap.total_transfers else None
        lines = [
            f"bytes {bar(None if pct is None else pct / 100, width)} {human_bytes(snap.bytes)} / "
            f"{human_bytes(snap.total_bytes)}" + (f" {pct:.0f}%" if pct is not None else ""),
            f"files {bar(files_frac, width)} {snap.transfers} / {snap.total_transfers}",
            f"[b]{human_rate(shown_speed(snap, status))}[/]{' avg' if status.state == 'finished' else ''}"
            f"  ETA {human_duration(shown_eta(snap, status))}  elapsed {human_duration(snap.elapsed)}"
            f"  checks {snap.checks}/{snap.total_checks}  "
            + (f"[red]errors {snap.errors}[/]" if snap.errors else "errors 0"),
        ]
        bars.update("\n".join(lines))
        speeds = view.history.speeds
        spark.data = speeds
        spark.display = len(speeds) >= 2
        rows = []
        # Names get whatever the terminal leaves after the bar and numbers (about 44 columns).
        name_w = max(24, min(90, self.app.size.width - 48))
        for t in snap.transferring[:MAX_INFLIGHT]:
            frac = None if t.percent is None else t.percent / 100
            name = one_line(t.name)  # log text is data: its controls must not reach the terminal
            name = name if len(name) <= name_w else "…" + name[-(name_w - 1):]
            rows.append(f" > {escape(name):<{name_w}} {bar(frac, 10)} "
                        f"{'?' if t.percent is None else t.percent:>3}% {human_bytes(t.size):>9} {human_rate(t.speed)}")
        if len(snap.transferring) > MAX_INFLIGHT:
            rows.append(f"   … and {len(snap.transferring) - MAX_INFLIGHT} more")
        inflight.update("\n".join(rows))
        inflight.display = bool(rows)

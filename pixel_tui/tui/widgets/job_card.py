"""The selected job in full: state, bars, speed chart, files in flight, and its error lines (newest
first, one line each, scrollable; Enter shows one in full)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pixel_tui.core.errors import redact
from pixel_tui.core.jobs.error_lines import tidy
from pixel_tui.core.jobs.report import shown_eta, shown_speed
from pixel_tui.core.printable import one_line
from pixel_tui.core.units import human_bytes, human_duration, human_rate

if TYPE_CHECKING:  # annotations only: the home screen's first frame needs neither the log parser nor plotext
    from pixel_tui.core.jobs.rate_clock import RateClock
    from pixel_tui.core.jobs.state import JobStatus
    from pixel_tui.core.jobs.tail import JobView

STATE_STYLE = {
    "running": "bold black on green",
    "finished": "bold white on blue",
    "failed": "bold white on red",
    "stalled": "bold black on yellow",
    "waiting": "bold black on grey70",
}
MAX_INFLIGHT = 3


def bar(fraction: float | None, width: int) -> str:
    """A text progress bar: `██████░░░░` (all light when the fraction is unknown)."""
    if fraction is None:
        return "[dim]" + "░" * width + "[/]"
    full = max(0, min(width, int(round(fraction * width))))
    return "[green]" + "█" * full + "[/][dim]" + "░" * (width - full) + "[/]"


def job_name(source: str) -> str:
    """The label of a job: a log's file name, an rc job's `host:port#job/N`, an endpoint's URL."""
    if "://" in source:
        return redact(source).split("://", 1)[1]  # rc URLs may carry user:pass@
    return Path(source).name


def ago(seconds: float | None) -> str:
    """'12s ago', or '' when unknown."""
    return "" if seconds is None else f"{human_duration(seconds)} ago"


class ErrorChosen(Message):
    """Enter on an error line: ``line`` is the whole original line."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


class ErrorList(OptionList):
    """A job's error lines, newest first; Enter posts ErrorChosen with the full line."""

    def __init__(self, **kwargs) -> None:
        super().__init__(compact=True, **kwargs)
        self.full: list[str] = []

    def set_errors(self, lines: list[str], notes: list[str] | None = None) -> None:
        """Show ``lines`` (oldest first, as logged) newest first, one tidy line each, after its note
        (e.g. "retried:" for an error of a failed attempt)."""
        notes = list(notes or [""] * len(lines))
        newest = list(reversed(lines))
        newest_notes = list(reversed(notes))
        if newest == self.full and newest_notes == getattr(self, "_notes", None):
            return
        keep = self.highlighted
        self.full, self._notes = newest, newest_notes
        self.clear_options()
        # OptionList wraps long prompts: cut each to the width, so one error is one row
        width = max(20, (self.size.width or self.app.size.width - 4) - 1)
        rows = []
        for e, note in zip(newest, newest_notes):
            text = (note + " " if note else "") + one_line(tidy(e))
            rows.append(Option(Text(text if len(text) <= width else text[: width - 1] + "…", no_wrap=True)))
        self.add_options(rows)
        if newest:
            self.highlighted = min(keep or 0, len(newest) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter: the full line."""
        event.stop()
        self.post_message(ErrorChosen(self.full[event.option_index]))


class JobCard(Vertical):
    """Everything about one job; `show(view, status, clock, now)` redraws it (UI thread only)."""

    def __init__(self, source: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.border_title = job_name(source) if source else ""

    def compose(self) -> ComposeResult:
        yield Static(classes="job-head")
        yield Static(classes="job-where")
        yield Static(classes="job-bars")
        from pixel_tui.tui.widgets.speed_chart import SpeedChart  # plotext: only once a card is on screen

        yield SpeedChart(classes="job-speed")
        yield Static(classes="job-inflight")
        yield Static("[b]errors[/b] [dim]newest first · Enter: in full[/]", classes="job-errors-title")
        yield ErrorList(classes="job-errors")

    def text(self) -> str:
        """What the card shows as plain text (tests, and a person reading a capture)."""
        parts = [str(s.render()) for s in self.query(Static) if s.display]
        errors = self.query_one(ErrorList)
        if errors.display:
            parts += [tidy(e) for e in errors.full]
        return "\n".join(parts)

    def show(self, view: JobView, status: JobStatus, clock: RateClock | None = None, now: float = 0.0,
             note: str = "") -> None:
        """Redraw from a view, its state and its clock-sampled speed."""
        if view.source != self.source:
            self.source = view.source
            self.border_title = job_name(view.source)
        for state in STATE_STYLE:
            self.set_class(state == status.state, f"-{state}")
        snap = view.snapshot if view.exists else None
        head = f"[{STATE_STYLE[status.state]}] {status.state.upper()} [/] "
        if status.state == "stalled" and status.stalled_for is not None:
            head += f"[b]no progress for {human_duration(status.stalled_for)}[/]  "
        if note:
            head += f"[b]{escape(note)}[/]  "
        if view.error:
            head += f"[red]{escape(one_line(view.error))}[/]  "
        elif not view.exists:
            head += "[dim]waiting for the log to appear[/]  "
        head += f"[dim]updated {ago(status.quiet_for)}[/]" if status.quiet_for is not None else ""
        if status.condition_text:
            head += f"\n[b red]{escape(one_line(status.condition_text))}[/]"
        if status.reason:
            head += f"\n[dim]{escape(one_line(status.reason))}[/]"
        self.query_one(".job-head", Static).update(head)
        self._where(view)
        bars = self.query_one(".job-bars", Static)
        inflight = self.query_one(".job-inflight", Static)
        errors = self.query_one(ErrorList)
        chart = self.query_one(".job-speed")
        attempts = (snap.error_attempts or (None,) * len(snap.last_errors)) if snap else ()
        # errors of an attempt that rclone retried (and maybe then succeeded) say so
        errs = list(snap.last_errors) if snap else []
        errors.set_errors(errs, ["" if a is None else f"[attempt {a}, retried]" for a in attempts])
        errors.display = bool(errs)
        self.query_one(".job-errors-title").display = bool(errs)
        if snap is None or not snap.has_stats:
            bars.update("[dim]no stats block yet[/]" if snap is not None else "")
            bars.display = snap is not None
            inflight.display = chart.display = False
            return
        bars.display = True
        width = max(10, min(40, self.app.size.width - 44))
        pct = snap.percent
        files_frac = snap.transfers / snap.total_transfers if snap.total_transfers else None
        bars.update("\n".join([
            f"bytes {bar(None if pct is None else pct / 100, width)} {human_bytes(snap.bytes)} / "
            f"{human_bytes(snap.total_bytes)}" + (f" {pct:.0f}%" if pct is not None else ""),
            f"files {bar(files_frac, width)} {snap.transfers} / {snap.total_transfers}",
            f"[b]{human_rate(shown_speed(snap, status))}[/]{' avg' if status.state == 'finished' else ''}"
            f"  ETA {human_duration(shown_eta(snap, status))}  elapsed {human_duration(snap.elapsed)}"
            f"  checks {snap.checks}/{snap.total_checks}  "
            + (f"[red]errors {snap.errors}[/]" if snap.errors else "errors 0"),
        ]))
        chart.display = True
        chart.show_rates(clock, now)
        rows = []
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

    def _where(self, view: JobView) -> None:
        job = getattr(view, "job", None)
        where = self.query_one(".job-where", Static)
        if job is not None:
            err = f"  [red]{escape(one_line(job.error))}[/]" if job.error else ""
            where.update(f"[dim]rc job {job.id} · {job.operation}[/] {escape(one_line(job.src or '?'))} → "
                         f"{escape(one_line(job.dst or '?'))}{err}")
        elif view.root:
            where.update(f"[dim]from[/] {escape(one_line(view.root))}")
        else:
            where.update("")
        where.display = bool(job is not None or view.root)

"""Acting on the monitor's selected job: stop it, change its bandwidth, read an error line in full.

What the action reaches: an rc job (`job/stop`, `core/bwlimit` on its endpoint) or an upload this app
started (its own `--rc` endpoint: `core/quit`, `core/bwlimit`). The rc calls run in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pixel_tui.core.errors import redact
from pixel_tui.core.jobs.tail import JobView


@dataclass(frozen=True)
class Target:
    """Where an action on a job goes: ``url`` has the credentials (never shown), ``label`` is safe."""

    label: str
    url: str
    job_id: int | None  # an rc job's id; None for our upload (stopped with core/quit)


def target_of(view: JobView, rc_urls: tuple[str, ...], state_path) -> Target | None:
    """The rc endpoint behind a view (worker thread: may read the state dir); None when it has none."""
    from pixel_tui.core.jobs.launched import launched, rc_secret
    from pixel_tui.core.jobs.rc import display_url

    job = getattr(view, "job", None)
    endpoint = getattr(view, "endpoint", "")
    if endpoint:
        for url in rc_urls:
            if display_url(url) == endpoint:
                if job is not None:
                    return Target(f"rc job {job.id} on {endpoint}", url, job.id)
                return None  # an endpoint with no rc job: nothing of its own to stop
        return None
    for rec in reversed(launched(state_path)):
        if rec.log_file == view.source and rec.alive():
            return Target(f"upload (rclone pid {rec.pid})", rec.rc_url(rc_secret(state_path)),
                          None)
    return None


def stop(target: Target) -> str:
    """Stop what the target names; returns what was done."""
    from pixel_tui.core.jobs.rc import quit_rclone, stop_job

    if target.job_id is None:
        quit_rclone(target.url)
    else:
        stop_job(target.url, target.job_id)
    return f"stopped {target.label}"


def throttle(target: Target, rate: str) -> str:
    """Set the bandwidth limit of the rclone behind the target."""
    from pixel_tui.core.jobs.rc import set_bwlimit

    return f"{target.label}: bandwidth limit {set_bwlimit(target.url, rate)} (for every job of that rclone)"


class ErrorDetail(ModalScreen[None]):
    """One error line in full, wrapped; Esc or Enter closes."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape,enter,q", "app.pop_screen", "Close")]

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = redact(line)

    def compose(self) -> ComposeResult:
        with Vertical(classes="registry-dialog", id="error-detail"):
            yield Static("[b]Error line[/b]  [dim]Esc closes[/]")
            with VerticalScroll():
                yield Static(escape(self.line), id="error-full")

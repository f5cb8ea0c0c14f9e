"""App-wide alerts: an upload that finishes, fails or stalls, or a promotion that ends, raises a
notification and rings the terminal bell (which reaches an operator in another tmux window)."""

from __future__ import annotations

import time

from pixel_tui.tui.messages import JobViewChanged

ALERT_STATES = {"finished": "information", "failed": "error", "stalled": "warning"}


class JobAlerts:
    """Mixin for the App: follows every job of the app's feed (`self.job_feed`) and reports state changes."""

    def start_alerts(self) -> None:
        """Subscribe to the job feed (configured logs, rc endpoints, uploads started here) and re-check
        states every 5 s (a job finishes by going quiet, which brings no new view)."""
        self._alert_states: dict[str, str] = {}
        self._alert_views: dict = {}
        self.job_feed.subscribe(self)
        self.set_interval(5.0, self._check_alerts)

    def on_job_view_changed(self, message: JobViewChanged) -> None:
        """Keep the newest view of each job and check whether its state changed."""
        self._alert_views[message.view.source] = message.view
        self._check_alerts()

    def _check_alerts(self) -> None:
        from pixel_tui.core.jobs.state import job_state
        from pixel_tui.tui.widgets.job_card import job_name

        stall = self.services.settings.stall_seconds
        feed = self.job_feed
        for source, view in self._alert_views.items():
            status = job_state(view.snapshot if view.exists else None, now=time.time(), changed_at=view.changed_at,
                               progress_at=view.progress_at, stall_seconds=stall)
            before = self._alert_states.get(source)
            if before is None and feed.added(source):
                before = "waiting"  # an upload started here: even its first look (failed already?) is news
            self._alert_states[source] = status.state
            # The first look at a configured job is not news: alert only on a change seen while running.
            if before is None or before == status.state:
                continue
            if status.state in ALERT_STATES:
                self.alert(f"{job_name(source)}: {status.state.upper()}", ALERT_STATES[status.state])
            if status.state == "finished":
                # What it uploaded is now in raw: the Drive markers and the raw levels are stale.
                self.refresh_trees(drive=True, s3_prefixes=[self.services.settings.raw_prefix])
            elif before == "stalled" and status.state == "running":
                self.alert(f"{job_name(source)}: moving again", "information")

    def alert(self, text: str, severity: str = "information") -> None:
        """Notify, and ring the bell unless `ui.bell = false`."""
        self.notify(text, severity=severity, timeout=10 if severity == "information" else 30)
        if self.services.settings.bell:
            self.bell()

    def on_promotion_finished(self, message) -> None:
        """A promotion ended (its dialog says the details)."""
        r = message.result
        self.alert(f"promotion done: {r.copied:,} copied, {r.verified:,} verified")
        self.refresh_trees(s3_prefixes=self._promotion_prefixes())

    def _promotion_prefixes(self) -> list[str]:
        """The S3 levels a promotion or an undo changes: raw (promoted markers) and processed (the copies)."""
        s = self.services.settings
        return [s.raw_prefix, s.processed_prefix]

    def on_promotion_undone(self, message) -> None:
        """An undo deleted copies and restored the registry: the S3 trees below are stale."""
        self.refresh_trees(s3_prefixes=self._promotion_prefixes())

    def refresh_trees(self, drive: bool = False, s3_prefixes=()) -> None:
        """Reload exactly the levels an event changed (each keeps its place, filter and marks): the Drive
        panes when ``drive``, the S3 panes showing something under ``s3_prefixes``."""
        for screen in self.screen_stack:
            if drive:
                for pane in screen.query("DrivePane"):
                    pane.action_refresh()
            for pane in screen.query("S3Pane"):
                if pane.affected_by(s3_prefixes):
                    pane.action_refresh()

    def on_promotion_stopped(self, message) -> None:
        """A promotion stopped with an error (resumable from the history)."""
        self.alert(f"promotion stopped: {message.error}", "error")

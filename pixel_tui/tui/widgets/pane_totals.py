"""Folder totals of a browser pane (`s`): counted in a worker, shown as they run, cancelled by Esc.

A mixin of BrowserPane, which provides ``entries``, ``gen``, ``location``, ``totals_for`` (what a count
is on its side: S3 objects or Drive files) and the status line.
"""

from __future__ import annotations

from textual import work
from textual.worker import Worker, get_current_worker

from pixel_tui.core.errors import render_error
from pixel_tui.tui.widgets.pane_messages import MarkersUpdated


class PaneTotals:
    """`s` on a folder row: its totals, with running counts."""

    def action_totals(self) -> None:
        """Count objects and bytes under the cursor folder (cached; Esc cancels)."""
        name = self.entries.current_name
        if name is None or not name.endswith("/"):
            self.app.notify("totals are for folders: put the cursor on one", severity="warning")
            return
        self._run_totals(self.gen, self.location, name)
        self._update_status()

    @work(thread=True, exclusive=True, group="totals", exit_on_error=False)
    def _run_totals(self, gen: int, location: str, name: str) -> None:
        worker = get_current_worker()

        def progress(text: str) -> None:
            if not worker.is_cancelled:
                self.post_message(MarkersUpdated(gen, info={name: text}))

        try:
            info, marker = self.totals_for(location, name, progress)
        except Exception as exc:
            self.post_message(MarkersUpdated(gen, info={name: "totals failed"}, note=render_error(exc, one_line=True)))
            return
        if worker.is_cancelled:
            self.post_message(MarkersUpdated(gen, info={name: ""}))
            return
        self.post_message(MarkersUpdated(gen, {name: marker} if marker else None, info={name: info},
                                         cache=(location, name)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Redraw the status line when the count's worker ends."""
        # By name, not @on: Textual collects @on handlers only from its own classes, not from a mixin.
        # A count's result arrives while its worker still runs, so the status line drawn then shows the
        # spinner; _tick stops redrawing once nothing runs. Redraw when the totals worker ends.
        if event.worker.group == "totals" and not event.worker.is_running:
            self._update_status()

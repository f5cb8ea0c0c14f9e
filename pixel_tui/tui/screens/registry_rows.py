"""The registry screen's rows: local checks at once, S3 validation in a worker, then the table and its summary.

``RegistryRows`` is mixed into ``RegistryScreen`` (registry.py), which owns ``reg``, ``report``, ``generation``,
``table``, ``settings`` and ``read_only``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from pixel_tui.core.printable import one_line
from pixel_tui.core.units import plural
from pixel_tui.tui.widgets.registry_table import make_row
from pixel_tui.tui.worker_errors import reported

if TYPE_CHECKING:
    from pixel_tui.core.registry.document import Registry
    from pixel_tui.core.registry.validate import Report


class RegistryValidated(Message):
    """A validation run against S3 finished for edit generation ``generation``."""

    def __init__(self, report: "Report", generation: int) -> None:
        super().__init__()
        self.report, self.generation = report, generation


class _Snapshot:
    """What validation reads, taken on the UI thread so workers never see a half-made edit."""

    def __init__(self, reg: "Registry") -> None:
        self._refs, self._odd = reg.datasets(), reg.odd_entries()

    def datasets(self):
        return self._refs

    def odd_entries(self):
        return self._odd


class RegistryRows:
    """Validation and the table of a RegistryScreen: redraw with local checks now, S3 answers when they come."""

    def checker(self):
        """The S3 checker shared by the table and the form (answers cached)."""
        if self._checker is None:
            from pixel_tui.core.registry.validate import S3Checker

            self._checker = S3Checker(self._factory)
        return self._checker

    @work(thread=True, exclusive=True, group="registry-validate")
    def _validate(self, snapshot: _Snapshot, generation: int, fresh: bool = False) -> None:
        from pixel_tui.core.errors import PixelError
        from pixel_tui.core.registry.validate import validate

        worker = get_current_worker()
        with reported(self, "S3 validation"):  # the local statuses stay on screen either way
            try:
                report = validate(snapshot, bucket=self.settings.bucket, checker=self.checker(),
                                  cancelled=lambda: worker.is_cancelled, fresh=fresh)
            except PixelError as exc:  # e.g. no bucket configured: say so
                self.app.call_from_thread(self.notify, f"S3 validation failed: {exc}", severity="error")
                return
            if not worker.is_cancelled:
                self.post_message(RegistryValidated(report, generation))

    def on_registry_validated(self, event: RegistryValidated) -> None:
        """Show the S3 answers, unless the registry was edited since the run started."""
        if event.generation != self.generation:
            return  # the registry was edited since: a newer run is on its way
        self.report = event.report
        self._s3_seen = {r.key: (r.path, event.report.statuses.get(r.key, "")) for r in self.reg.datasets()}
        self._show_rows(event.report)

    # -- table ------------------------------------------------------------------------------------
    def _refresh(self, fresh: bool = False) -> None:
        """Redraw with local checks now, then validate against S3 in a worker."""
        from pixel_tui.core.registry.validate import validate
        from pixel_tui.core.storage.s3url import is_s3_url

        self.generation += 1
        snapshot = _Snapshot(self.reg)
        local = validate(snapshot, bucket=self.settings.bucket)
        # Local rules cannot say "ok" for an S3 path: keep the last S3 answer while the path is
        # unchanged, else show "checking" until the worker's answer arrives.
        for ref in snapshot.datasets():
            if local.statuses.get(ref.key) == "ok" and is_s3_url(ref.path):
                seen_path, status = self._s3_seen.get(ref.key, ("", ""))
                local.statuses[ref.key] = status if seen_path == ref.path else "checking"
        self._show_rows(local)
        self._validate(snapshot, self.generation, fresh)

    def _show_rows(self, report: "Report") -> None:
        refs = self.reg.datasets()
        self.table.show([make_row(r, report.statuses.get(r.key, "checking")) for r in refs])
        self.show_detail()
        counts = ", ".join(f"{n} {s}" for s, n in sorted(report.counts().items(), key=lambda kv: -kv[1]))
        summary = Text(f"{plural(len(refs), 'entry', 'entries')}: {counts}   {one_line(self.reg.location)}   ")
        if self.reg.dirty:
            summary.append("modified", style="bold").append(" (Ctrl+S to review and save)  ")
        self.query_one("#registry-summary", Static).update(summary)

    def action_revalidate(self) -> None:
        """Check every S3 path again, ignoring cached answers."""
        if self.reg is not None:
            self._refresh(fresh=True)

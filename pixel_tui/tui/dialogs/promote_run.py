"""The promote dialog's run: execute the plan in a worker, show progress (bar, rate, ETA), stop, say how it ended.

``PromotionRun`` is mixed into ``PromoteScreen`` (promote.py), which owns ``_cancel``, ``_promoting``,
``_finished`` and ``_say``. The progress message is shared with the history screen's resume.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.widgets import Button, ProgressBar, Static

from pixel_tui.core.units import plural
from pixel_tui.tui.messages import PromotionFinished, PromotionProgressed, PromotionStopped
from pixel_tui.tui.worker_errors import reported

if TYPE_CHECKING:
    from pixel_tui.core.promotion import Plan


class PromotionRun:
    """Start, follow and stop the promotion of a PromoteScreen."""

    def _start(self, plan: "Plan") -> None:
        """Lock the form, show the bar, copy in a worker."""
        self._promoting = True
        self._touched = False  # the choices are in the journal now: closing loses nothing
        self._cancel.clear()
        for w in self.query("Input, Select, Checkbox"):
            w.disabled = True
        self.query_one("#promote-go", Button).disabled = True
        self.query_one("#promote-cancel", Button).label = "Stop Esc"
        bar = self.query_one("#promote-bar", ProgressBar)
        bar.display = self.query_one("#promote-progress", Static).display = True
        bar.update(total=max(plan.total_bytes, 1), progress=0)
        self._say("copying…")
        self._execute(plan)

    @work(thread=True, exclusive=True, group="promote-run")
    def _execute(self, plan: "Plan") -> None:
        from pixel_tui.core.errors import PixelError
        from pixel_tui.core.promotion import execute

        services = self.app.services
        # An unexpected error is journaled by execute() (resumable), logged and shown here.
        with reported(self, "the promotion", lambda text: PromotionStopped(text, plan.id)):
            try:
                result = execute(services.store, services.settings, plan,
                                 progress=lambda p: self.post_message(PromotionProgressed(p)), cancel=self._cancel)
            except PixelError as exc:
                self.post_message(PromotionStopped(str(exc), plan.id))
            else:
                self.post_message(PromotionFinished(result))

    def on_promotion_progressed(self, msg: PromotionProgressed) -> None:
        """Move the bar; objects, bytes, rate, ETA."""
        from pixel_tui.core.units import human_bytes, human_duration, human_rate

        p = msg.progress
        bar = self.query_one("#promote-bar", ProgressBar)
        if p.phase == "copy":
            bar.update(total=max(p.bytes_total, 1), progress=p.bytes_done)
        text = (f"{p.phase}: {p.objects_done:,}/{plural(p.objects_total, 'object')}  {human_bytes(p.bytes_done)}/"
                f"{human_bytes(p.bytes_total)}  {human_rate(p.rate)}  ETA {human_duration(p.eta)}")
        self.query_one("#promote-progress", Static).update(text)

    def on_promotion_finished(self, msg: PromotionFinished) -> None:
        """Say what was done; Promote becomes Close."""
        from pixel_tui.core.units import human_duration

        r = msg.result
        self._promoting, self._finished = False, r
        bar = self.query_one("#promote-bar", ProgressBar)
        bar.update(total=1, progress=1)
        saved = "registry saved" if r.registry_diff else "registry unchanged"
        moved = f", {plural(r.sources_deleted, 'raw object')} deleted" if r.sources_deleted else ""
        kept = getattr(r, "sources_kept_changed", None) or []
        if kept:
            moved += f", {len(kept):,} changed raw objects kept (re-written after verification)"
        self._say(f"done: {r.copied:,} copied, {r.skipped:,} skipped, {r.verified:,} verified, {saved}{moved} "
                  f"({human_duration(r.seconds)}). Undo from the history (H).")
        go = self.query_one("#promote-go", Button)
        go.label, go.disabled = "Close y", False
        self.query_one("#promote-cancel", Button).display = False
        go.focus()

    def on_promotion_stopped(self, msg: PromotionStopped) -> None:
        """Say why it stopped and that it can be resumed from the history."""
        self._promoting = False
        self._say(f"{msg.error}\nResume it from the history (H, then C).", error=True)
        self.query_one("#promote-cancel", Button).label = "Close Esc"

    def _stop(self) -> None:
        """Stop after the copies in flight (the promotion stays resumable)."""
        self._cancel.set()
        self._say("stopping after the copies in flight…")

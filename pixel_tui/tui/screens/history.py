"""`H`: the promotion history. Undo a promotion, resume an interrupted one; offered at start when one is pending."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from pixel_tui.core.units import plural
from pixel_tui.tui.dialogs.undo import ConfirmUndo
from pixel_tui.tui.keys import NavTable
from pixel_tui.tui.messages import PromotionProgressed, PromotionUndone
from pixel_tui.tui.widgets.app_header import AppHeader
from pixel_tui.tui.widgets.key_footer import KeyFooter
from pixel_tui.tui.worker_errors import reported

if TYPE_CHECKING:
    from pixel_tui.core.promotion.history import PromotionRow


class HistoryLoaded(Message):
    """The list of promotions was read from the journals and the audit log (``error`` says why it was not)."""

    def __init__(self, rows: list["PromotionRow"], error: str = "") -> None:
        super().__init__()
        self.rows, self.error = rows, error


class HistoryActionDone(Message):
    """An undo or resume finished (``ok``) or was refused/failed; ``text`` says what happened.

    ``copies_only``: the promotion whose undo was refused only because its registry entry changed since."""

    def __init__(self, text: str, ok: bool, copies_only: str = "") -> None:
        super().__init__()
        self.text, self.ok, self.copies_only = text, ok, copies_only


class HistoryScreen(Screen):
    """Promotions, newest first: status, mode, category, objects, bytes, who, sources."""

    CSS_PATH = "../styles/history.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter,i", "details", "Details"),
        Binding("u", "undo", "Undo"),
        Binding("K", "undo_copies", "Undo copies only (keep entry)", show=False),  # c is "counterpart"
        Binding("C", "resume", "Continue (resume)"),  # r reloads on every screen
        Binding("S", "stop", "Stop"),
        Binding("r,ctrl+r", "reload", "Reload"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[PromotionRow] = []
        self._busy = False
        self._cancel = threading.Event()
        self._copies_only = ""  # the promotion whose undo may delete the copies and keep the entry

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("Promotions, newest first (Enter details, u undo, C resume an interrupted one, S stop it)", classes="pane-title")
        table = NavTable(id="history-table", cursor_type="row", zebra_stripes=True)
        # what an operator scans for first (status, category, size) fits at 80 columns; sources last
        table.add_columns("id", "status", "category", "objects", "size", "mode", "who", "sources")
        yield table
        yield Static(id="history-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Load the list."""
        self.action_reload()
        self.query_one(DataTable).focus()

    def action_reload(self) -> None:
        """Read journals and audit log again."""
        self._load()

    @work(thread=True, exclusive=True, group="history-load")
    def _load(self) -> None:
        from pixel_tui.core.promotion.history import list_promotions

        with reported(self, "reading the history", lambda text: HistoryLoaded([], text)):
            self.post_message(HistoryLoaded(list_promotions(self.app.services.settings)))

    def on_history_loaded(self, msg: HistoryLoaded) -> None:
        """Fill the table, keeping the cursor row (or say why the list could not be read)."""
        from pixel_tui.core.units import human_bytes

        if msg.error:
            self._status(msg.error, error=True)
            return
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self.rows = msg.rows
        for r in msg.rows:
            table.add_row(r.id, r.status, r.category, f"{r.objects:,}", human_bytes(r.bytes), r.mode,
                          f"{r.user}@{r.host}" if r.user else "", r.sources, key=r.id)
        if msg.rows:
            table.move_cursor(row=min(row, len(msg.rows) - 1))
        elif not self._busy:
            self._status("no promotions yet")

    def _current(self) -> "PromotionRow | None":
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _status(self, text: str, error: bool = False) -> None:
        w = self.query_one("#history-status", Static)
        w.update(escape(text))
        w.set_class(error, "-error")

    def action_details(self) -> None:
        """Enter: what the cursor promotion did, in full."""
        from pixel_tui.tui.dialogs.promotion_details import PromotionDetails

        row = self._current()
        if row is not None:
            self.app.push_screen(PromotionDetails(row.id))

    def on_data_table_row_selected(self, event) -> None:
        """Enter on a row (the table takes Enter itself): the details."""
        event.stop()
        self.action_details()

    def action_undo(self) -> None:
        """Ask, then delete the copies and restore the registry entry."""
        row = self._current()
        if row is None or self._busy:
            return
        if self.app.services.read_only:
            self._status("undo is disabled in read-only mode", error=True)
            return
        if row.status != "done":
            self._status(f"{row.id} is {row.status}: only a finished promotion can be undone", error=True)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._busy = True
                self._status(f"undoing {row.id}…")
                self._undo(row.id)

        self.app.push_screen(ConfirmUndo(row), answered)

    def action_undo_copies(self) -> None:
        """After a refusal that only the registry entry caused: delete the copies, keep the entry as it is now."""
        row = self._current()
        if row is None or self._busy or row.id != self._copies_only:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._busy = True
                self._status(f"undoing the copies of {row.id}…")
                self._undo(row.id, copies_only=True)

        self.app.push_screen(ConfirmUndo(row, copies_only=True), answered)

    @work(thread=True, exclusive=True, group="history-action")
    def _undo(self, promotion_id: str, copies_only: bool = False) -> None:
        from pixel_tui.core.errors import PixelError
        from pixel_tui.core.promotion.errors import UndoRefused
        from pixel_tui.core.promotion.undo import undo
        from pixel_tui.core.units import plural

        services = self.app.services
        with reported(self, f"undoing {promotion_id}", lambda text: HistoryActionDone(text, False)):
            try:
                r = undo(services.store, services.settings, promotion_id, copies_only=copies_only)
            except UndoRefused as exc:
                if exc.registry_only:
                    self.post_message(HistoryActionDone(
                        f"undo refused: {exc.message}. Press K to undo the copies only and keep the registry "
                        "entry as it is now.", False, copies_only=promotion_id))
                else:
                    self.post_message(HistoryActionDone(f"undo refused: {exc}", False))
            except PixelError as exc:
                self.post_message(HistoryActionDone(f"undo refused: {exc}", False))
            else:
                restored = f", {plural(r.restored_sources, 'raw object')} restored" if r.restored_sources else ""
                entry = "registry entry kept as it is now" if r.copies_only else "registry entry restored"
                self.app.post_message(PromotionUndone(r.id))
                self.post_message(HistoryActionDone(
                    f"undone {r.id}: {plural(r.deleted, 'copy', 'copies')} deleted{restored}, {entry}", True))

    def action_resume(self) -> None:
        """Finish an interrupted promotion (verified objects are skipped)."""
        row = self._current()
        if row is None or self._busy:
            return
        if not row.resumable:
            self._status(f"{row.id} is {row.status}: nothing to resume", error=True)
            return
        if self.app.services.read_only:
            self._status("promotion is disabled in read-only mode", error=True)
            return
        self._busy = True
        self._cancel.clear()
        self._status(f"resuming {row.id}…")
        self._resume(row.id)

    def action_stop(self) -> None:
        """Stop a running resume after the copies in flight."""
        if self._busy:
            self._cancel.set()

    @work(thread=True, exclusive=True, group="history-action")
    def _resume(self, promotion_id: str) -> None:
        from pixel_tui.core.errors import PixelError
        from pixel_tui.core.promotion import resume

        services = self.app.services
        with reported(self, f"resuming {promotion_id}", lambda text: HistoryActionDone(text, False)):
            try:
                r = resume(services.store, services.settings, promotion_id,
                           progress=lambda p: self.post_message(PromotionProgressed(p)), cancel=self._cancel)
            except PixelError as exc:
                self.post_message(HistoryActionDone(f"resume stopped: {exc}", False))
            else:
                self.post_message(HistoryActionDone(
                    f"{r.id} {r.status}: {r.copied:,} copied, {r.verified:,} verified", True))

    def on_promotion_progressed(self, msg: PromotionProgressed) -> None:
        """Show the resume's progress in the status line."""
        p = msg.progress
        self._status(f"{p.phase}: {p.objects_done:,}/{plural(p.objects_total, 'object')} ({p.fraction:.0%})")

    def on_history_action_done(self, msg: HistoryActionDone) -> None:
        """Say what happened and reload the list."""
        self._busy = False
        self._copies_only = msg.copies_only
        self._status(msg.text, error=not msg.ok)
        self.action_reload()


def offer_resume(app) -> None:
    """At start: look for interrupted promotions (in a worker) and notify, pointing at the history."""

    def check() -> None:
        from pixel_tui.core.promotion.journal_index import incomplete
        from pixel_tui.core.units import plural

        with reported(app, "looking for interrupted promotions"):
            try:
                ids = [j.id for j, _ in incomplete(app.services.settings)]
            except OSError:
                return
            if ids:
                app.call_from_thread(
                    app.notify,
                    f"{plural(len(ids), 'interrupted promotion')}, latest {ids[-1]}. Press H, then C to resume.",
                    title="Resume promotion?", severity="warning", timeout=30,
                )

    app.run_worker(check, thread=True, group="offer-resume", exclusive=True)

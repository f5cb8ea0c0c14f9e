"""`l` on a job: its whole log, one row per line, read by byte offsets (a 2 GB log opens at once:
nothing is indexed or loaded whole). `/` searches (n / N next and previous), `e` shows only the
error lines, Esc goes back. Every read runs in a worker; the pane only draws what it is given."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from pixel_tui.core.errors import redact
from pixel_tui.core.jobs import log_pages
from pixel_tui.core.printable import one_line
from pixel_tui.core.units import human_bytes, plural


@dataclass
class Page:
    """What the pane shows: lines (offset, text) from ``top`` (a byte offset, or an index in errors mode)."""

    top: int
    lines: list[tuple[int, str]]
    size: int
    note: str = ""


class PageRead(Message):
    """A worker read a page."""

    def __init__(self, page: Page) -> None:
        super().__init__()
        self.page = page


class ErrorsFound(Message):
    """The errors-only scan found more lines (or finished)."""

    def __init__(self, offsets: list[int], done: bool) -> None:
        super().__init__()
        self.offsets, self.done = offsets, done


class LogScreen(Screen):
    """One log, virtualised by byte offset."""

    CSS_PATH = "../styles/monitor.tcss"
    AUTO_FOCUS = None  # the keys are the screen's; the search line takes focus only when opened
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("n", "next(1)", "Next"),
        Binding("N", "next(-1)", "Prev", show=False),
        Binding("e", "errors", "Errors only"),
        Binding("j,down", "move(1)", "Down", show=False),
        Binding("k,up", "move(-1)", "Up", show=False),
        Binding("pagedown,space", "page(1)", "PgDn", show=False),
        Binding("pageup", "page(-1)", "PgUp", show=False),
        Binding("g,home", "home", "Top", show=False),
        Binding("G,end", "end", "End"),
    ]

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.page = Page(0, [], 0)
        self.errors_only = False
        self.errors: list[int] = []
        self.errors_done = False
        self.query_text = ""
        self._follow_end = True

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="log-lines")
        yield Static(id="log-status")
        # disabled (so never focused) until `/` opens it: the pane's keys must reach the screen
        yield Input(placeholder="search (Enter; n / N next, previous)", id="log-search", compact=True, disabled=True)
        yield Footer()

    @property
    def rows(self) -> int:
        """Lines that fit in the pane."""
        return max(1, self.query_one("#log-lines").size.height or (self.app.size.height - 4))

    def on_mount(self) -> None:
        """Open at the end: the newest lines are the ones a person looks for first."""
        self.sub_title = f"Log {self.path}"
        self.query_one("#log-search").display = False
        self._read("end", 0)

    # -- reading (workers) --------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="log-read", exit_on_error=False)
    def _read(self, how: str, arg: int) -> None:
        path, rows = self.path, self.rows
        try:
            size = log_pages.size(path)
            if self.errors_only:
                top = {"end": max(0, len(self.errors) - rows), "home": 0}.get(how, arg)
                top = max(0, min(top, max(0, len(self.errors) - 1)))
                lines = [ln for off in self.errors[top:top + rows] for ln in log_pages.read_lines(path, off, 1)]
                note = f"errors only: {plural(len(self.errors), 'line')}" + ("" if self.errors_done else " (scanning…)")
                self.post_message(PageRead(Page(top, lines, size, note)))
                return
            if how == "end":
                top = log_pages.last_page(path, rows)
            elif how == "home":
                top = 0
            elif how == "down":
                ahead = log_pages.read_lines(path, self.page.top, arg + rows)
                top = ahead[min(arg, max(0, len(ahead) - rows))][0] if len(ahead) > rows else self.page.top
            elif how == "up":
                top = log_pages.back_lines(path, self.page.top, arg)
            else:  # "at": a byte offset (a search hit)
                top = log_pages.line_start(path, arg)
            self.post_message(PageRead(Page(top, log_pages.read_lines(path, top, rows), size)))
        except OSError as exc:
            self.post_message(PageRead(Page(0, [], 0, f"cannot read the log: {exc.strerror or exc}")))

    @work(thread=True, exclusive=True, group="log-search", exit_on_error=False)
    def _search(self, text: str, start: int, backwards: bool) -> None:
        worker_cancelled = self._cancelled_flag()
        try:
            hit = log_pages.search(self.path, text, start, worker_cancelled, backwards=backwards)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"search failed: {exc.strerror or exc}", severity="error")
            return
        if hit is None:
            self.app.call_from_thread(self.notify, f"{text!r} not found {'above' if backwards else 'below'}")
            return
        self._read("at", hit)

    def _cancelled_flag(self):
        from textual.worker import get_current_worker

        worker = get_current_worker()
        return lambda: worker.is_cancelled

    @work(thread=True, exclusive=True, group="log-errors", exit_on_error=False)
    def _scan_errors(self) -> None:
        cancelled = self._cancelled_flag()
        sent = [0]

        def progress(found: list[int]) -> None:
            if len(found) - sent[0] >= 200:
                sent[0] = len(found)
                self.post_message(ErrorsFound(found, False))

        try:
            found = log_pages.error_offsets(self.path, cancelled, progress=progress)
        except OSError:
            found = []
        self.post_message(ErrorsFound(found, True))

    # -- drawing (UI thread) ------------------------------------------------------------------------
    def on_page_read(self, message: PageRead) -> None:
        """Draw the page."""
        self.page = page = message.page
        width = max(10, self.app.size.width)
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, (_, line) in enumerate(page.lines):
            row = Text(one_line(redact(line))[: width * 4], no_wrap=True, overflow="ellipsis")
            if "ERROR" in line or "CRITICAL" in line or '"level":"error"' in line:
                row.stylize("red")
            if self.query_text:
                row.highlight_words([self.query_text], style="reverse", case_sensitive=False)
            text.append_text(row)
            if i < len(page.lines) - 1:
                text.append("\n")
        if not page.lines:
            text = Text("(no error lines)" if self.errors_only else "(empty log)", style="dim")
        self.query_one("#log-lines", Static).update(text)
        where = f"{human_bytes(page.lines[0][0] if page.lines else 0)} of {human_bytes(page.size)}"
        pct = f" ({100 * page.lines[0][0] / page.size:.0f}%)" if page.lines and page.size else ""
        status = f"{where}{pct}"
        if page.note:
            status += f" · {page.note}"
        if self.query_text:
            status += f" · search {self.query_text!r}"
        self.query_one("#log-status", Static).update(status)

    def on_errors_found(self, message: ErrorsFound) -> None:
        """More error lines: redraw if they are on screen."""
        self.errors, self.errors_done = message.offsets, message.done
        if self.errors_only:
            self._read("at-index", self.page.top)

    # -- keys ---------------------------------------------------------------------------------------
    def action_move(self, n: int) -> None:
        """One line down (1) or up (-1)."""
        if self.errors_only:
            self._read("index", self.page.top + n)
        else:
            self._read("down" if n > 0 else "up", abs(n))

    def action_page(self, n: int) -> None:
        """A page down or up."""
        step = max(1, self.rows - 1)
        if self.errors_only:
            self._read("index", self.page.top + n * step)
        else:
            self._read("down" if n > 0 else "up", step)

    def action_home(self) -> None:
        """The first line."""
        self._read("home", 0)

    def action_end(self) -> None:
        """The last lines."""
        self._read("end", 0)

    def action_errors(self) -> None:
        """Toggle: only the error lines (found by a background scan of the whole log)."""
        self.errors_only = not self.errors_only
        if self.errors_only and not self.errors_done:
            self._scan_errors()
        self._read("end", 0)

    def action_search(self) -> None:
        """Open the search line."""
        box = self.query_one("#log-search", Input)
        box.display = True
        box.disabled = False
        box.focus()
        box.value = ""
        self.call_after_refresh(setattr, box, "value", "")  # not the "/" that opened it

    @on(Input.Submitted, "#log-search")
    def _submitted(self, event: Input.Submitted) -> None:
        self.query_text = event.value.strip()
        event.input.display = False
        event.input.disabled = True
        self.set_focus(None)
        if self.query_text:
            if self.errors_only:
                self.errors_only = False
            start = self.page.lines[0][0] + 1 if self.page.lines else 0
            self._search(self.query_text, start, False)

    def action_next(self, direction: int) -> None:
        """The next (1) or previous (-1) line matching the search."""
        if not self.query_text or self.errors_only:
            return
        if direction > 0:
            start = self.page.lines[0][0] + 1 if self.page.lines else 0
            self._search(self.query_text, start, False)
        else:
            self._search(self.query_text, self.page.lines[0][0] if self.page.lines else 0, True)

    def action_back(self) -> None:
        """Close the search line, or go back to the monitor."""
        box = self.query_one("#log-search", Input)
        if box.display:
            box.display = False
            box.disabled = True
            self.set_focus(None)
            return
        self.app.pop_screen()

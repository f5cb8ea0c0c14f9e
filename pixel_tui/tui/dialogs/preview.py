"""Preview of one file or object: metadata and its first lines, loaded in a worker."""

from __future__ import annotations

from typing import Callable

from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from pixel_tui.core.browse.preview import Preview
from pixel_tui.core.printable import one_line, printable
from pixel_tui.tui.worker_errors import reported


class PreviewLoaded(Message):
    """The preview is ready (or failed: ``error``)."""

    def __init__(self, preview: Preview | None, error: str = "") -> None:
        super().__init__()
        self.preview = preview
        self.error = error


class PreviewScreen(ModalScreen[None]):
    """Bounded preview; Esc, q or v closes."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape,q,v", "dismiss", "Close")]

    def __init__(self, title: str, load: Callable[[], Preview]) -> None:
        super().__init__()
        self._title = title
        self._load_fn = load

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="preview-box"):
            yield Static(Text(one_line(self._title), style="bold"), id="preview-title")
            yield Static("loading…", id="preview-meta")
            yield Static("", id="preview-body")

    def on_mount(self) -> None:
        """Load in a thread: a ranged read can take a moment on a slow endpoint."""
        self.query_one("#preview-box").border_title = "Preview"
        self.query_one("#preview-box").border_subtitle = "Esc closes"
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        from pixel_tui.core.errors import PixelError, render_error

        # shown in the dialog; an unexpected error is logged too
        with reported(self, "the preview", lambda text: PreviewLoaded(None, text)):
            try:
                self.post_message(PreviewLoaded(self._load_fn()))
            except (PixelError, OSError) as exc:
                self.post_message(PreviewLoaded(None, render_error(exc)))

    @on(PreviewLoaded)
    def _show(self, msg: PreviewLoaded) -> None:
        meta = self.query_one("#preview-meta", Static)
        body = self.query_one("#preview-body", Static)
        if msg.preview is None:
            meta.update(Text(msg.error, style="bold red"))
            return
        p = msg.preview
        # Text objects, not markup: a key or a value may hold '[' and ']' (and controls, escaped here).
        rows = [(k, one_line(v), "") for k, v in p.meta.items()]
        if p.note:
            rows.append(("note", printable(p.note), ""))
        if p.truncated:
            rows.append(("", "first lines only (bounded read)", "italic"))
        meta.update(Text("\n").join(Text.assemble((f"{k:>14}", "dim"), "  ", (v, style)) for k, v, style in rows))
        if p.kind == "json":
            body.update(Syntax(printable(p.text), "json", theme="ansi_dark", word_wrap=True))
        elif p.text:
            body.update(Text(printable(p.text)))
        else:
            body.update(Text(f"({p.kind})", style="dim"))

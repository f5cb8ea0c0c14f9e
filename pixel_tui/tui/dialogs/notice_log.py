"""`N`: the notifications shown so far, newest first (a toast gone too fast is still here)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from pixel_tui.tui.keys import HOME_FROM_POPUP, NavScroll
from pixel_tui.tui.notices import Notice

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "information": ""}


class NoticeLogScreen(ModalScreen[None]):
    """The notice log; Esc or N closes; the list keys scroll."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("N", "dismiss", "Notifications", show=False),
                HOME_FROM_POPUP]

    def __init__(self, notices: list[Notice]) -> None:
        super().__init__()
        self._notices = notices

    def compose(self) -> ComposeResult:
        text = Text()
        for n in self._notices:
            text.append(n.line() + "\n", style=SEVERITY_STYLE.get(n.severity, ""))
        if not self._notices:
            text.append("no notifications yet", style="dim")
        with NavScroll(id="notice-box"):
            yield Static(text, id="notice-text")

    def on_mount(self) -> None:
        """Title the box and focus it for scrolling."""
        box = self.query_one(NavScroll)
        box.border_title = f"Notifications ({len(self._notices)})"
        box.border_subtitle = "Esc closes"
        box.focus()

"""Enter in the history: what one promotion did (sources, destinations, bytes, registry diff, verification,
who and when), read from its journal in a worker."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from pixel_tui.tui.dialogs.path_wrap import WrappedStatic, slash_wrapped
from pixel_tui.tui.keys import HOME_FROM_POPUP, NavScroll
from pixel_tui.tui.worker_errors import reported

STYLES = {"heading": "bold underline", "bad": "red", "warn": "yellow", "": ""}


class DetailsLoaded(Message):
    """The promotion's lines, or why they could not be read."""

    def __init__(self, lines: list[tuple[str, str]], error: str = "") -> None:
        super().__init__()
        self.lines, self.error = lines, error


def render_details(lines: list[tuple[str, str]]) -> Text:
    """The (section, text) lines as styled text; diff lines coloured by their first character."""
    out = Text()
    for kind, line in lines:
        if kind == "heading" and out:
            out.append("\n")
        style = STYLES.get(kind, "")
        if kind == "diff":
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
        lead = len(line) - len(line.lstrip(" "))
        # Leading spaces as no-break spaces: the wrapper drops plain ones, and a diff's indent is its meaning.
        out.append("\u00a0" * lead + line[lead:] + "\n", style=style)
    return out


class PromotionDetails(ModalScreen[None]):
    """One promotion in full; Esc closes, the list keys scroll."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("i", "dismiss", "Details", show=False),
                HOME_FROM_POPUP]

    def __init__(self, promotion_id: str) -> None:
        super().__init__()
        self.promotion_id = promotion_id

    def compose(self) -> ComposeResult:
        with NavScroll(id="details-box"):
            yield WrappedStatic("loading…", id="details-text")

    def on_mount(self) -> None:
        """Read the journal in a thread."""
        box = self.query_one(NavScroll)
        box.border_title = f"Promotion {self.promotion_id}"
        box.border_subtitle = "Esc closes"
        box.focus()
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        from pixel_tui.core.errors import PixelError, render_error
        from pixel_tui.core.promotion.details import promotion_details

        with reported(self, "the promotion's details", lambda text: DetailsLoaded([], text)):
            try:
                self.post_message(DetailsLoaded(promotion_details(self.app.services.settings, self.promotion_id)))
            except (PixelError, OSError) as exc:
                self.post_message(DetailsLoaded([], render_error(exc)))

    @on(DetailsLoaded)
    def _show(self, msg: DetailsLoaded) -> None:
        # The first heading names the promotion, which the border title already does: 80x24 has no line to spare.
        lines = msg.lines[1:] if msg.lines[:1] and msg.lines[0][0] == "heading" else msg.lines
        text = Text(msg.error, style="bold red") if msg.error else render_details(lines)
        self.query_one("#details-text", Static).update(slash_wrapped(text))  # paths break after a `/`

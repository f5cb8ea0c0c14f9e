"""The browser pane's status line, and the escape its markup needs for names."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatusLine(Widget):
    """The pane's status: repainted in place (no relayout) as rows stream in and the spinner turns."""

    text: reactive[str] = reactive("", layout=False)

    def show(self, text: str, error: bool = False) -> None:
        """Set the text; the error style (and taller box) only switches when the state changes."""
        if self.has_class("error-box") != error:
            self.set_class(error, "error-box")
        self.text = text

    def render(self) -> Text:
        """Markup to Text."""
        return Text.from_markup(self.text)


def esc(text: str) -> str:
    """``text`` shown as written inside the status line's markup (a '[' in a name is not a tag)."""
    return text.replace("[", r"\[")

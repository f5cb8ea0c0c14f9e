"""Where a pane is: `Drive › datasets › sub`, keeping the tail visible when space runs out."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class Breadcrumb(Widget):
    """One line of path parts; the root is bold, the last part highlighted."""

    DEFAULT_CSS = """
    Breadcrumb { height: 1; padding: 0 1; background: $boost; }
    """

    parts: reactive[list[str]] = reactive(list, always_update=True)

    def render(self) -> Text:
        """Parts joined by ›, cut from the left so the current folder stays visible."""
        parts = self.parts or [""]
        text = Text()
        for i, part in enumerate(parts):
            if i:
                text.append(" › ", style="dim")
            style = "bold" if i == 0 else ("bold reverse" if i == len(parts) - 1 else "")
            text.append(part, style=style)
        width = max(1, self.size.width - 2)
        if text.cell_len > width:
            plain = text.plain
            text = Text("…" + plain[len(plain) - width + 1:], style="bold")
        return text

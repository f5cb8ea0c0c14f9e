"""`?`: every binding of the screen underneath, with its description."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def binding_rows(screen: Screen) -> list[tuple[str, str]]:
    """(key, description) for every binding active on ``screen``, app bindings included."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for node in [screen, *screen.ancestors_with_self[1:], *_focused_chain(screen)]:
        for binding in getattr(node, "BINDINGS", []):
            if isinstance(binding, tuple):
                binding = Binding(*binding)
            key = binding.key_display or binding.key
            keys = {k.strip() for k in binding.key.split(",")}
            # A key already listed is shadowed by the nearer binding: list each key once.
            if keys <= seen or not binding.description:
                continue
            seen |= keys
            rows.append((key, binding.description))
    return rows


def _focused_chain(screen: Screen) -> list:
    focused = screen.focused
    return list(focused.ancestors_with_self) if focused else []


class HelpScreen(ModalScreen[None]):
    """Lists the keys of the screen it was opened from."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self._rows = binding_rows(under)
        self._title = type(under).__name__.removesuffix("Screen") or "Keys"

    def compose(self) -> ComposeResult:
        width = max((len(k) for k, _ in self._rows), default=4) + 2
        lines = [f"[b]{self._title} keys[/b]", ""]
        lines += [f"[b]{k:<{width}}[/b]{d}" for k, d in self._rows]
        lines += ["", "Ctrl+P opens the command palette. Esc goes back."]
        with VerticalScroll():
            yield Static("\n".join(lines), markup=True)

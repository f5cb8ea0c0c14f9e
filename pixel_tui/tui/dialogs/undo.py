"""`u` in the history: what undoing a promotion deletes and restores, confirmed with y."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

if TYPE_CHECKING:
    from pixel_tui.core.promotion.history import PromotionRow


class ConfirmUndo(ModalScreen[bool]):
    """States what undo will delete and restore; y/Enter confirms."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape,n", "answer(False)", "No"), Binding("y", "answer(True)", "Yes")]

    def __init__(self, row: "PromotionRow", copies_only: bool = False) -> None:
        super().__init__()
        self.row, self.copies_only = row, copies_only

    def compose(self) -> ComposeResult:
        from pixel_tui.core.units import human_bytes

        r = self.row
        with Vertical(id="confirm-undo"):
            yield Label(f"[b]Undo promotion {escape(r.id)}?[/b]")
            yield Static(escape(f"Deletes the {r.objects:,} copies it made ({human_bytes(r.bytes)}) in {r.category}"
                                f"{', copies moved sources back first' if r.mode == 'move' else ''}, and "
                                + ("keeps the registry entry as it is now." if self.copies_only else
                                   "restores the registry entry. Refused if either changed since.")))
            with Horizontal():
                yield Button("Undo (y)", id="confirm-yes", variant="warning", compact=True)
                yield Button("Keep (n)", id="confirm-no", compact=True)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, yes: bool) -> None:
        """y: undo; n/Esc: keep."""
        self.dismiss(yes)

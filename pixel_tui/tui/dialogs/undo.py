"""`u` in the history: what undoing a promotion deletes and restores, confirmed with y."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from pixel_tui.tui.dialogs.path_wrap import WrappedStatic, slash_wrapped

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
        from pixel_tui.core.units import human_bytes, plural

        r = self.row
        entries = "the registry entry" if r.items <= 1 else f"the {r.items:,} registry entries"
        with Vertical(id="confirm-undo"):
            yield WrappedStatic(slash_wrapped(f"Undo promotion {r.id}?", style="bold"))
            yield WrappedStatic(slash_wrapped(f"Deletes the {plural(r.objects, 'copy', 'copies')} it made ({human_bytes(r.bytes)}) in {r.category}"
                                f"{', copies moved sources back first' if r.mode == 'move' else ''}, and "
                                + (f"keeps {entries} as {'it is' if r.items <= 1 else 'they are'} now." if self.copies_only else
                                   f"restores {entries}. Refused if any changed since.")))
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

"""Unsaved changes: save, discard or cancel, asked before anything typed is thrown away."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from pixel_tui.tui.dialogs.path_wrap import WrappedStatic, slash_wrapped

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


class UnsavedDialog(ModalScreen[str]):
    """States what is unsaved; s saves (when offered), d discards, Esc/c cancels (keeps editing)."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("s", f"answer('{SAVE}')", "Save"), Binding("d", f"answer('{DISCARD}')", "Discard"),
                Binding("escape,c", f"answer('{CANCEL}')", "Cancel")]

    def __init__(self, what: str, can_save: bool = True) -> None:
        super().__init__()
        self._what, self._can_save = what, can_save

    def compose(self) -> ComposeResult:
        with Vertical(classes="registry-dialog", id="unsaved-dialog"):
            yield WrappedStatic(slash_wrapped(self._what))
            with Horizontal(classes="form-buttons"):
                if self._can_save:
                    yield Button("Save (s)", id=SAVE, variant="primary", compact=True)
                yield Button("Discard (d)", id=DISCARD, variant="error", compact=True)
                yield Button("Cancel Esc", id=CANCEL, compact=True)

    def on_mount(self) -> None:
        self.query_one(f"#{CANCEL}", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(str(event.button.id))

    def action_answer(self, choice: str) -> None:
        """Close with the choice (save only when offered)."""
        if choice == SAVE and not self._can_save:
            return
        self.dismiss(choice)

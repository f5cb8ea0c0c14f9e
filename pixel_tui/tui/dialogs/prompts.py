"""Small dialogs of the registry screen: confirm, ask for a group, show a diff before saving."""

from __future__ import annotations

from rich.syntax import Syntax
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from pixel_tui.tui.dialogs.path_wrap import WrappedStatic, markup_wrapped


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; y or Enter confirms, n or Esc declines."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="registry-dialog"):
            yield WrappedStatic(markup_wrapped(self._question))
            with Horizontal(classes="form-buttons"):
                yield Button("Yes (y)", id="yes", variant="error", compact=True)
                yield Button("No (n)", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        """Close with the answer."""
        self.dismiss(value)


class AskDialog(ModalScreen[str | None]):
    """Ask for one line of text (a group, a new name); Enter answers, Esc cancels."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "", hint: str = "") -> None:
        super().__init__()
        self._question, self._value, self._hint = question, value, hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="registry-dialog"):
            yield WrappedStatic(markup_wrapped(self._question))
            yield Input(self._value, id="ask", select_on_focus=False)
            if self._hint:
                yield Static(self._hint, classes="field-msg")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)


class DiffDialog(ModalScreen[str | None]):
    """A unified diff with actions; y or Enter on the first button takes the first action, n or Esc cancels."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape,n", "cancel", "Cancel"), Binding("y", "first", "Yes")]

    def __init__(self, title: str, diff: str, actions: list[tuple[str, str]]) -> None:
        super().__init__()
        self._title, self._diff, self._actions = title, diff, actions

    def compose(self) -> ComposeResult:
        with Vertical(id="registry-diff"):
            yield Static(self._title, classes="pane-title")
            with VerticalScroll():
                yield Static(Syntax(self._diff or "(no difference)", "diff", theme="ansi_dark", word_wrap=True),
                             id="diff-text")
            with Horizontal(classes="form-buttons"):
                for i, (action_id, label) in enumerate(self._actions):
                    yield Button(label, id=action_id, variant="primary" if i == 0 else "default", compact=True)
                # With no action the dialog only shows a diff: its one button closes it.
                yield Button("Cancel Esc" if self._actions else "Close Esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    @property
    def diff_text(self) -> str:
        """The diff shown (for tests and copy)."""
        return self._diff

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "cancel" else event.button.id)

    def action_cancel(self) -> None:
        """Close without acting."""
        self.dismiss(None)

    def action_first(self) -> None:
        """y: the first (primary) action."""
        self.dismiss(self._actions[0][0] if self._actions else None)

"""Home screen: Drive (rclone) on the left, S3 (boto3) on the right, lazily, one level at a time."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header

from .home_commands import BrowserCommands
from ..widgets.drive_pane import DrivePane
from ..widgets.entry_list import EntryList
from ..widgets.s3_pane import S3Pane


class HomeScreen(Screen):
    """Drive | S3 browser with sync markers, counterpart jumps and previews."""

    # Styles: styles/home.tcss, listed in PixelApp.CSS_PATH (Textual skips a default screen's CSS_PATH).
    COMMANDS = {BrowserCommands}
    BINDINGS = [
        Binding("tab", "switch_pane", "Other pane", priority=True),
        Binding("c", "counterpart", "Counterpart"),
    ]

    def __init__(self, show_s3_times: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self._show_s3_times = show_s3_times

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            yield DrivePane(id="drive")
            yield S3Pane(id="s3", show_times=self._show_s3_times)
        yield Footer()

    def on_mount(self) -> None:
        """Start in the Drive pane."""
        self.query_one("#drive EntryList", EntryList).focus()

    @property
    def drive(self) -> DrivePane:
        """The left pane."""
        return self.query_one(DrivePane)

    @property
    def s3(self) -> S3Pane:
        """The right pane."""
        return self.query_one(S3Pane)

    def _active(self):
        focused = self.focused
        if focused is not None:
            for pane in (self.drive, self.s3):
                if focused is pane or pane in focused.ancestors:
                    return pane
        return self.drive

    def action_switch_pane(self) -> None:
        """Tab: focus the other pane's list."""
        other = self.s3 if self._active() is self.drive else self.drive
        other.entries.focus()

    def action_counterpart(self) -> None:
        """Jump to the same item on the other side (Drive path <-> raw prefix), and back."""
        raw = self.app.services.settings.raw_prefix
        pane = self._active()
        name = pane.entries.current_name
        if pane is self.drive:
            self.s3.open_location(raw + self.drive.location, select=name)
            self.s3.entries.focus()
            return
        if not self.s3.location.startswith(raw):
            self.notify(f"only items under {raw} have a Drive counterpart", severity="warning")
            return
        self.drive.open_location(self.s3.location[len(raw):], select=name)
        self.drive.entries.focus()

    def action_refresh_all(self) -> None:
        """Reload both panes (each keeps its filter and cursor)."""
        self.drive.action_refresh()
        self.s3.action_refresh()

"""The header of every screen: title and subtitle, and a READ-ONLY badge on the right that is never cut."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Header, Static
from textual.widgets._header import HeaderIcon, HeaderTitle


class ReadOnlyBadge(Static):
    """` READ-ONLY ` in reverse colours, docked right where Textual puts its clock."""

    DEFAULT_CSS = """
    ReadOnlyBadge {
        dock: right;
        width: auto;
        padding: 0 1;
        background: $warning;
        color: $background;
        text-style: bold;
    }
    """


class AppHeader(Header):
    """Header with the badge when the app is read-only (the subtitle no longer carries it)."""

    def compose(self) -> ComposeResult:
        """Icon, title, and the badge (or an empty right edge)."""
        yield HeaderIcon().data_bind(Header.icon)
        yield HeaderTitle()
        services = getattr(self.app, "services", None)
        if services is not None and services.read_only:
            yield ReadOnlyBadge("READ-ONLY")

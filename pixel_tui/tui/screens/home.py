"""Home screen: Drive and S3 side by side (filled in by the browser issue)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class HomeScreen(Screen):
    """Drive | S3 browser."""

    def compose(self) -> ComposeResult:
        yield Header()
        s = self.app.services.settings
        yield Static(f"Drive: {s.drive}    S3: s3://{s.bucket}/{s.raw_prefix}", classes="pane-title")
        yield Footer()

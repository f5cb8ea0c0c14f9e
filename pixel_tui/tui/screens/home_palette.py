"""Command palette (Ctrl+P) entries of the Drive | S3 browser."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from pixel_tui.core.storage.s3url import s3_url


class BrowserCommands(Provider):
    """Places to jump to and actions on the current panes."""

    def _commands(self):
        screen = self.screen
        settings = self.app.services.settings
        return [
            ("Go to S3 raw prefix", s3_url(settings.bucket, settings.raw_prefix),
             partial(screen.s3.open_location, settings.raw_prefix)),
            ("Go to S3 processed prefix", s3_url(settings.bucket, settings.processed_prefix),
             partial(screen.s3.open_location, settings.processed_prefix)),
            ("Go to S3 bucket root", s3_url(settings.bucket), partial(screen.s3.open_location, "")),
            ("Go to Drive root", settings.drive, partial(screen.drive.open_location, "")),
            ("Jump to counterpart", "same item on the other side (c)", screen.action_counterpart),
            ("Refresh both panes", "reload, keeping filters and cursors (r)", screen.action_refresh_all),
        ]

    async def discover(self) -> Hits:
        """Every command, for an empty query."""
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """Commands matching the query."""
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)

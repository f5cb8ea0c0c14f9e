"""The pixel-tui App: global bindings, screen switching, and make_app() shared by CLI, demo and tests."""

from __future__ import annotations

import os
from functools import partial
from typing import TYPE_CHECKING, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding

from pixel_tui.tui.alerts import JobAlerts
from pixel_tui.tui.navigation import go_home, open_screen
from pixel_tui.tui.notices import TOAST_CSS, Notices
from pixel_tui.tui.services import Services

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings
    from pixel_tui.tui.job_feed import JobFeed

class PixelApp(Notices, JobAlerts, App):
    """Drive | S3 browser at home; monitor, registry and history one key away."""

    TITLE = "pixel-tui"
    CSS_PATH = ["styles/app.tcss", "styles/home.tcss"]  # home: the default screen's CSS_PATH is not loaded
    CSS = TOAST_CSS
    NOTIFICATION_TIMEOUT = 6
    # The same keys on every screen (tui/keys.py has the list keys); the footer shows ? and q first.
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("tilde", "home", "Home", key_display="~", show=False),
        Binding("m", "show('monitor')", "Monitor"),
        Binding("R", "show('registry')", "Registry"),
        Binding("H", "show('history')", "History"),
        Binding("N", "notifications", "Notifications", show=False),
        Binding("p", "promote", "Promote"),
    ]

    def __init__(self, services: Services, **kwargs) -> None:
        super().__init__(**kwargs)
        self._notices_init()
        self.services = services
        self.sub_title = self._subtitle()

    def _subtitle(self) -> str:
        s = self.services.settings
        parts = [s.endpoint_url or "AWS", f"s3://{s.bucket or '?'}", f"drive {s.drive}"]
        parts.append(f"config {_short_path(s.config_file)}" if s.config_file else "no config file")
        return " · ".join(parts)

    @property
    def job_feed(self) -> "JobFeed":
        """The one feed of watched jobs that every view subscribes to (see tui/job_feed.py)."""
        return self.services.feed

    def on_mount(self) -> None:
        """Start the job feed and the alerts; offer to resume interrupted promotions (the startup
        benchmark leaves after the first frame)."""
        if os.environ.get("PIXEL_TUI_BENCH_EXIT_AFTER_PAINT"):
            self.call_after_refresh(self.exit)
            return
        from pixel_tui.tui.screens.history import offer_resume

        self.job_feed.start(self)
        offer_resume(self)
        self.start_alerts()

    def on_unmount(self) -> None:
        """Wake the feed's watcher so it ends now: quitting waits for its thread."""
        self.job_feed.stop()

    def action_promote(self) -> None:
        """Open the promote dialog for the selected raw items (S3 pane, or Drive items mapped to raw)."""
        from pixel_tui.tui.dialogs.promote import open_promote

        open_promote(self)

    def get_default_screen(self):
        """The home screen: Drive and S3 side by side."""
        from pixel_tui.tui.screens.home import HomeScreen

        return HomeScreen()

    def action_show(self, name: str) -> None:
        """Open one of the main screens (monitor, registry, history); Esc comes back."""
        open_screen(self, name)

    def action_home(self) -> None:
        """Back to the Drive | S3 browser from any screen (popups close too)."""
        go_home(self)

    def action_notifications(self) -> None:
        """The notifications shown so far, newest first."""
        from pixel_tui.tui.dialogs.notice_log import NoticeLogScreen

        self.push_screen(NoticeLogScreen(self.notice_log.entries()))

    def action_help(self) -> None:
        """Show every binding of the current screen."""
        from pixel_tui.tui.dialogs.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        """The command palette reaches every action by name: the screen's bindings, then the app's."""
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = binding.key_display or key
            yield SystemCommand(binding.description, f"key: {shown}", partial(self.run_action, binding.action, active.node))
        yield from super().get_system_commands(screen)


def _short_path(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if path.startswith(home + os.sep) else path


def make_app(settings: "Settings", rclone_env: dict[str, str] | None = None, **kwargs) -> PixelApp:
    """Build the app from settings; the one factory used by the CLI, the demo and the tests."""
    return PixelApp(Services(settings, rclone_env), **kwargs)

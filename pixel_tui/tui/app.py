"""The pixel-tui App: global bindings, screen switching, and make_app() shared by CLI, demo and tests."""

from __future__ import annotations

import os
from functools import partial
from typing import TYPE_CHECKING, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding

from pixel_tui.core.errors import redact
from pixel_tui.core.printable import printable
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

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Textual's notify, but plain text by default: messages quote keys, names and errors, which
        may hold '[' (markup) or control characters; both are shown, never interpreted."""
        super().notify(printable(message), title=printable(title), severity=severity, timeout=timeout,
                       markup=markup)

    def _subtitle(self) -> str:
        s = self.services.settings
        # An endpoint may carry user:password@; the header is on screen for hours, shared over SSH.
        parts = [redact(s.endpoint_url) if s.endpoint_url else "AWS", f"s3://{s.bucket or '?'}", f"drive {s.drive}"]
        parts.append(f"config {_short_path(s.config_file)}" if s.config_file else "no config file")
        return " · ".join(parts)

    @property
    def job_feed(self) -> "JobFeed":
        """The one feed of watched jobs that every view subscribes to (see tui/job_feed.py)."""
        return self.services.feed

    def on_mount(self) -> None:
        """Start the job feed and the alerts; offer to resume interrupted promotions (the startup
        benchmark leaves after the first frame)."""
        stamp = os.environ.get("PIXEL_TUI_BENCH_EXIT_AFTER_PAINT")
        if stamp:  # bench/bench_startup.py: the wall-clock time of the first frame, then leave
            self.call_after_refresh(self._bench_painted, stamp)
            return
        from pixel_tui.tui.screens.history import offer_resume

        self.job_feed.start(self)
        offer_resume(self)
        self.start_alerts()
        self._watch_hangup()
        self.run_worker(self._say_recovery, thread=True, group="registry-recovery")

    def _bench_painted(self, stamp: str) -> None:
        import time

        with open(stamp, "w") as fh:
            fh.write(repr(time.time()))
        self.exit()

    # -- nothing typed is lost ------------------------------------------------------------------------
    def _unsaved_screens(self) -> list:
        return [s for s in self.screen_stack if getattr(s, "unsaved", None) and s.unsaved()]

    async def action_quit(self) -> None:
        """Quit; with unsaved registry edits, ask first (save / discard / cancel)."""
        unsaved = self._unsaved_screens()
        if not unsaved:
            self.exit()
            return
        unsaved[-1].leave_then(self.exit)

    def _watch_hangup(self) -> None:
        """A closed terminal (SIGHUP) keeps unsaved registry edits in a recovery file before the app ends."""
        import asyncio
        import signal

        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hung_up)
        except (NotImplementedError, RuntimeError, ValueError):  # no signals here (not the main thread)
            pass

    def _hung_up(self) -> None:
        from pixel_tui.core.registry.recovery import write_recovery

        # Written here, not in a worker: the process is about to end and nobody is there to ask.
        for screen in self._unsaved_screens():
            try:
                write_recovery(screen.reg.location, screen.reg.render(), self.services.settings.state_path)
            except OSError:
                continue
        self.exit(return_code=129)

    def _say_recovery(self) -> None:
        """At start: say where unsaved edits of an earlier session were kept (runs in a worker)."""
        from pixel_tui.core.registry.recovery import pending_recovery

        settings = self.services.settings
        path = pending_recovery(settings.registry, settings.state_path)
        if path is not None:
            self.call_from_thread(
                self.notify, f"Unsaved registry edits from a session that was closed were kept in {path}. "
                f"Compare it with {settings.registry}, reapply what you need, then delete it.",
                title="Registry edits recovered", severity="warning", timeout=60)

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

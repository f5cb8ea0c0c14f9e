"""Home screen: Drive (rclone) on the left, S3 (boto3) on the right, lazily, one level at a time;
below them a compact strip of the watched uploads (hidden while the job feed watches nothing)."""

from __future__ import annotations

from typing import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen

from pixel_tui.core.storage.s3url import key_in_bucket, s3_url
from pixel_tui.tui.job_feed import default_clock
from pixel_tui.tui.keys import BROWSER_MODES_HELP
from pixel_tui.tui.navigation import open_screen
from pixel_tui.tui.widgets.app_header import AppHeader
from pixel_tui.tui.widgets.drive_pane import DrivePane
from pixel_tui.tui.widgets.entry_list import EntryList
from pixel_tui.tui.widgets.job_strip import JobStrip
from pixel_tui.tui.widgets.key_footer import KeyFooter
from pixel_tui.tui.widgets.s3_pane import S3Pane

STRIP_LINES = 3  # at 80x24 the trees keep the room: three jobs, or two and a "+N more" line


class RegistryEntryFound(Message):
    """The registry entries whose path references ``key`` (best first; empty when none)."""

    def __init__(self, key: str, matches: list[str], error: str = "") -> None:
        super().__init__()
        self.key, self.matches, self.error = key, matches, error


def entries_for_key(refs, bucket: str, key: str) -> list[str]:
    """Dataset keys whose s3:// path references ``key``: the exact path first, then an entry holding the
    key (a dataset folder above it), then entries inside it (``key`` a prefix)."""
    exact, above, below = [], [], []
    want = key.rstrip("/")
    for ref in refs:
        path = key_in_bucket(ref.path, bucket)
        if path is None:
            continue
        path = path.rstrip("/")
        if path == want:
            exact.append(ref.key)
        elif want.startswith(path + "/"):
            above.append((-len(path), ref.key))  # the deepest folder first
        elif key.endswith("/") and path.startswith(want + "/"):
            below.append(ref.key)
    return exact + [k for _, k in sorted(above)] + below


class HomeScreen(Screen):
    """Drive | S3 browser with sync markers, counterpart jumps, previews and the watched uploads."""

    # Styles: styles/home.tcss, listed in PixelApp.CSS_PATH (Textual skips a default screen's CSS_PATH).
    COMMANDS = {lambda: _browser_commands()}
    HELP_SECTIONS = [("Browser modes (each pane)", BROWSER_MODES_HELP)]
    # Focus lands on the Drive list directly: each focus change restyles every node (~0.1 s at startup).
    AUTO_FOCUS = "#drive EntryList"
    BINDINGS = [
        Binding("tab", "switch_pane", "Other pane", priority=True),
        Binding("c", "counterpart", "Counterpart"),
        Binding("e", "registry_entry", "Registry entry"),
        Binding("F", "toggle_link", "Link S3 to Drive", show=False),  # listed in `?`; the S3 title says which
    ]

    def __init__(self, show_s3_times: bool = True, clock: Callable[[], float] = default_clock, **kwargs) -> None:
        super().__init__(**kwargs)
        self._show_s3_times = show_s3_times
        self._clock = clock

    def show_s3_location(self, prefix: str, name: str) -> None:
        """Open ``prefix`` in the S3 pane with the cursor on ``name``, and focus it."""
        self.s3.open_location(prefix, select=name)
        self.s3.entries.focus()

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal(id="panes"):
            yield DrivePane(id="drive")
            yield S3Pane(id="s3", show_times=self._show_s3_times)
        yield JobStrip(id="home-jobs", clock=self._clock, max_lines=STRIP_LINES)
        yield KeyFooter()

    def on_mount(self) -> None:
        """Start in the Drive pane (AUTO_FOCUS does it on the first show; this covers a missing match)."""
        entries = self.query_one("#drive EntryList", EntryList)
        if self.focused is None:
            entries.focus()

    @property
    def drive(self) -> DrivePane:
        """The left pane."""
        return self.query_one(DrivePane)

    @property
    def s3(self) -> S3Pane:
        """The right pane."""
        return self.query_one(S3Pane)

    @property
    def jobs(self) -> JobStrip:
        """The strip of watched uploads."""
        return self.query_one(JobStrip)

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
            marker = self.drive.entries.markers.get(name or "", "")
            if name and marker in ("missing", "uploading"):
                # Nothing to land on: show the folder that would hold it, with no row picked for it.
                folder = raw + self.drive.location
                self.s3.open_location(folder)
                self.s3.entries.focus()
                now = "uploading now, " if marker == "uploading" else ""
                self.notify(f"{name} is not in S3 yet ({now}{s3_url(self.app.services.settings.bucket, folder)} "
                            "would hold it)", severity="warning")
                return
            self.s3.open_location(raw + self.drive.location, select=name)
            self.s3.entries.focus()
            return
        if not self.s3.location.startswith(raw):
            self.notify(f"only items under {raw} have a Drive counterpart", severity="warning")
            return
        self.drive.open_location(self.s3.location[len(raw):], select=name)
        self.drive.entries.focus()

    @on(DrivePane.Navigated)
    def _drive_moved(self, message: DrivePane.Navigated) -> None:
        """Story 2: "the raw prefix on the right jumps to the same folder" while the S3 pane is linked and in raw."""
        raw = self.app.services.settings.raw_prefix
        if self.s3.linked and self.s3.location.startswith(raw):
            self.s3.follow(raw + message.location)

    def action_toggle_link(self) -> None:
        """F: the S3 pane follows the Drive pane into raw (linking jumps there now), or stays where it is."""
        s3 = self.s3
        s3.linked = not s3.linked
        s3.refresh_title()
        if s3.linked:
            s3.follow(self.app.services.settings.raw_prefix + self.drive.location)
            self.notify("S3 linked: it follows the Drive pane into raw", timeout=3)
        else:
            self.notify("S3 unlinked: it stays where it is", timeout=3)

    def action_refresh_all(self) -> None:
        """Reload both panes (each keeps its filter and cursor)."""
        self.drive.action_refresh()
        self.s3.action_refresh()

    def action_registry_entry(self) -> None:
        """Open the registry on the entry whose path references the S3 cursor item (or the S3 location)."""
        if not self.app.services.settings.registry:
            self.notify("no registry configured (registry.location)", severity="warning")
            return
        name = self.s3.entries.current_name if self._active() is self.s3 else None
        self._find_entry(self.s3.location + (name or ""))

    @work(thread=True, exclusive=True, group="registry-find", exit_on_error=False)
    def _find_entry(self, key: str) -> None:
        from pixel_tui.core.errors import render_error
        from pixel_tui.core.registry.document import Registry
        from pixel_tui.core.storage.s3 import store_factory

        settings = self.app.services.settings
        try:
            reg = Registry.load(settings.registry, store_factory(settings), max_bytes=settings.registry_max_bytes)
        except Exception as exc:  # shown as a notice; the browser keeps working
            self.post_message(RegistryEntryFound(key, [], render_error(exc)))
            return
        self.post_message(RegistryEntryFound(key, entries_for_key(reg.datasets(), settings.bucket or "", key)))

    @on(RegistryEntryFound)
    def _entry_found(self, message: RegistryEntryFound) -> None:
        url = s3_url(self.app.services.settings.bucket, message.key)
        if message.error:
            self.notify(f"cannot read the registry: {message.error}", severity="error")
            return
        if not message.matches:
            self.notify(f"no registry entry references {url}", severity="warning")
            return
        open_screen(self.app, "registry", focus_key=message.matches[0])
        if len(message.matches) > 1:
            self.notify(f"{len(message.matches)} entries reference {url}; the cursor is on the first")


def _browser_commands():
    """The palette's provider, imported when Ctrl+P first opens (textual.command is not needed to paint)."""
    from pixel_tui.tui.screens.home_palette import BrowserCommands

    return BrowserCommands

"""`V` in the registry: its versions in a versioned bucket (who, when), Enter a diff against the current one,
`t` restores one after a y/n confirm showing the diff. Listing, reading and restoring run in thread workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from pixel_tui.core.printable import one_line
from pixel_tui.tui.dialogs.prompts import DiffDialog
from pixel_tui.tui.keys import HOME_FROM_POPUP, NavTable
from pixel_tui.tui.worker_errors import reported

if TYPE_CHECKING:
    from pixel_tui.core.registry.document import Registry
    from pixel_tui.core.registry.versions import RegistryVersion

RESTORED = "restored"  # what the popup returns when a version was restored (the screen reloads)


class VersionsLoaded(Message):
    """The registry's versions, or why there are none to show."""

    def __init__(self, found: list["RegistryVersion"], error: str = "") -> None:
        super().__init__()
        self.found, self.error = found, error


class VersionDiff(Message):
    """The diff from the current version to one version; ``restore`` when it is asked for a restore."""

    def __init__(self, version: "RegistryVersion | None", diff: str, restore: bool, error: str = "") -> None:
        super().__init__()
        self.version, self.diff, self.restore, self.error = version, diff, restore, error


class VersionRestored(Message):
    """A restore finished (``error`` empty) or was refused."""

    def __init__(self, short_id: str, error: str = "") -> None:
        super().__init__()
        self.short_id, self.error = short_id, error


class VersionsScreen(ModalScreen[str | None]):
    """The versions of the registry object, newest first; Esc closes."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("enter", "diff", "Diff with current"),
        Binding("t", "restore", "Restore"),
        Binding("V", "dismiss", "Versions", show=False),
        HOME_FROM_POPUP,
    ]

    def __init__(self, registry: "Registry", read_only: bool = False) -> None:
        super().__init__()
        # A copy of what the screen loaded: the worker restores on it, never on the screen's own object, and the
        # save is conditional on the version the operator has been looking at.
        from pixel_tui.core.registry.document import Registry

        self._reg = Registry(registry.baseline, registry.location, registry.backend, registry.version)
        self._dirty = registry.dirty
        self._read_only = read_only
        self.found: list[RegistryVersion] = []
        self._busy = False
        self.said = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="versions-box"):
            yield Static(f"Versions of {one_line(self._reg.location)}", classes="pane-title", markup=False)
            yield NavTable(id="versions-table", cursor_type="row", zebra_stripes=True)
            yield Static("reading the versions…", id="versions-status", markup=False)

    def on_mount(self) -> None:
        """Read the versions."""
        self.query_one(NavTable).focus()
        self._load()

    @work(thread=True, exclusive=True, group="registry-versions")
    def _load(self) -> None:
        from pixel_tui.core.errors import PixelError
        from pixel_tui.core.registry.versions import versions

        with reported(self, "reading the registry's versions", lambda text: VersionsLoaded([], text)):
            try:
                self.post_message(VersionsLoaded(versions(self._reg)))
            except PixelError as exc:
                self.post_message(VersionsLoaded([], str(exc)))

    def on_versions_loaded(self, msg: VersionsLoaded) -> None:
        """Fill the table (or say why there is nothing)."""
        from pixel_tui.core.units import human_bytes, plural

        if msg.error:
            self._say(msg.error, error=True)
            return
        self.found = msg.found
        table = self.query_one(NavTable)
        # Widths from the values: the columns were made before any row was there.
        table.clear(columns=True)
        who = max([3] + [len(one_line(v.author)) for v in msg.found])
        for label, width in (("version", 12), ("saved (UTC)", 19), ("who", who), ("size", 9), ("", 7)):
            table.add_column(label, width=width)
        for v in msg.found:
            # The author is whatever wrote the metadata: shown as text, never read as markup.
            table.add_row(v.short_id, v.when(), Text(one_line(v.author)),
                          "deleted" if v.deleted else human_bytes(v.size), "current" if v.current else "",
                          key=v.version_id)
        self._say(f"{plural(len(msg.found), 'version')} · Enter diff with the current one · t restore · Esc close")

    def _say(self, text: str, error: bool = False) -> None:
        self.said = text  # the status line's text (tests read it)
        self.query_one("#versions-status", Static).update(Text(one_line(text), style="red" if error else ""))

    def _selected(self) -> "RegistryVersion | None":
        table = self.query_one(NavTable)
        if not self.found or not 0 <= table.cursor_row < len(self.found):
            return None
        return self.found[table.cursor_row]

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_diff()

    def action_diff(self) -> None:
        """Enter: the diff from the current version to the selected one."""
        version = self._selected()
        if version is not None and not self._busy:
            self._diff(version, restore=False)

    def action_restore(self) -> None:
        """t: show what restoring the selected version changes, and restore it on y / Enter."""
        version = self._selected()
        if version is None or self._busy:
            return
        if self._read_only:
            self._say("read-only mode: the registry is not written", error=True)
        elif self._dirty:
            self._say("the registry has unsaved edits: save or discard them before restoring", error=True)
        elif version.current:
            self._say(f"version {version.short_id} is the current one: nothing to restore")
        else:
            self._diff(version, restore=True)

    @work(thread=True, exclusive=True, group="registry-versions")
    def _diff(self, version: "RegistryVersion", restore: bool) -> None:
        from pixel_tui.core.errors import PixelError
        from pixel_tui.core.registry.versions import diff_texts, label, version_text

        with reported(self, "reading a registry version", lambda text: VersionDiff(None, "", restore, text)):
            try:
                current = next(v for v in self.found if v.current)
                now = self._reg.baseline if current.deleted else version_text(self._reg, current)
                old = version_text(self._reg, version)
            except (PixelError, StopIteration) as exc:
                self.post_message(VersionDiff(version, "", restore, str(exc) or "no current version"))
                return
            diff = diff_texts(now, old.removeprefix("\ufeff"), self._reg.location, "current", label(version))
            self.post_message(VersionDiff(version, diff, restore))

    def on_version_diff(self, msg: VersionDiff) -> None:
        """Show the diff: read-only for Enter, with a Restore button (y / Enter) for t."""
        if msg.error:
            self._say(msg.error, error=True)
            return
        version = msg.version
        if not msg.restore:
            # DiffDialog's title is markup: the author (S3 metadata, anyone's) is escaped.
            self.app.push_screen(DiffDialog(f"Current (-) vs {version.short_id} (+) · {version.when()} · "
                                            f"{escape(one_line(version.author))}", msg.diff, []))
            return

        def answered(choice: str | None) -> None:
            if choice == "restore" and not self._busy:
                self._busy = True
                self._say(f"restoring version {version.short_id}…")
                self._restore(version)

        # Short enough for one line at 80 columns; the diff's own header names the author.
        self.app.push_screen(DiffDialog(f"Restore {version.short_id} ({version.when()})? current (-), restored (+)",
                                        msg.diff, [("restore", "Restore as a new version")]), answered)

    @work(thread=True, exclusive=True, group="registry-versions")
    def _restore(self, version: "RegistryVersion") -> None:
        from pixel_tui.core.errors import PixelError, render_error
        from pixel_tui.core.registry.versions import restore

        with reported(self, "restoring a registry version", lambda text: VersionRestored(version.short_id, text)):
            try:
                restore(self._reg, self.found, version.version_id, backups=self.app.services.settings.backups)
            except PixelError as exc:
                self.post_message(VersionRestored(version.short_id, render_error(exc, one_line=True)))
                return
            self.post_message(VersionRestored(version.short_id))

    def on_version_restored(self, msg: VersionRestored) -> None:
        """Restored: close (the registry screen reloads). Refused: say why and stay."""
        self._busy = False
        if msg.error:
            self._say(msg.error, error=True)
            return
        self.app.notify(f"restored version {msg.short_id} of the registry (saved as a new version)")
        self.dismiss(RESTORED)

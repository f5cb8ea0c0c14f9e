"""`R`: the registry editor. Every dataset with its validation status; edit, undo, diff, safe save.

The Registry object is edited on the UI thread only; loading, validation against S3, the disk watch and
saving run in thread workers that post messages back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from pixel_tui.core.printable import one_line
from pixel_tui.core.units import plural
from pixel_tui.tui.screens.registry_edits import RegistryEditing
from pixel_tui.tui.screens.registry_rows import RegistryRows
from pixel_tui.tui.screens.registry_storage import RegistryStorage
from pixel_tui.tui.widgets.app_header import AppHeader
from pixel_tui.tui.widgets.key_footer import KeyFooter
from pixel_tui.tui.widgets.registry_table import COLUMNS, RegistryTable

if TYPE_CHECKING:
    from pixel_tui.core.registry.document import Registry
    from pixel_tui.core.registry.validate import Report


class RegistryScreen(RegistryEditing, RegistryStorage, RegistryRows, Screen):
    """Table of every dataset across groups, with validation, editing, undo and a diff before saving."""

    CSS_PATH = "../styles/registry.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("enter", "edit", "Edit"),  # e opens the registry entry from the browser
        Binding("a", "add", "Add"),
        Binding("d", "duplicate", "Duplicate"),
        Binding("x,delete", "delete", "Delete"),
        Binding("M", "move", "Move to group"),  # g is "first row" in every list
        Binding("o", "sort", "Sort"),  # o orders every list; s is the browser's totals
        Binding("ctrl+z", "undo", "Undo"),
        Binding("ctrl+y", "redo", "Redo"),
        Binding("ctrl+s", "save", "Save"),
        Binding("r,ctrl+r", "reload", "Reload"),  # r reloads on every screen
        Binding("f5", "revalidate", "Re-check S3"),
        Binding("V", "versions", "Versions"),  # the registry's history in a versioned bucket
        Binding("c", "show_in_s3", "Counterpart"),
        Binding("y", "copy", "Copy"),  # OSC 52: the dataset's registry key (group/name)  # c: the same item elsewhere, as in the browser
    ]
    WATCH_SECONDS = 1.0

    def __init__(self, focus_key: str | None = None) -> None:
        super().__init__()
        # dataset to put the cursor on once loaded (a jump from the S3 pane): GROUP/NAME or a unique NAME
        self._focus_key = focus_key
        self.reg: Registry | None = None
        self.report: Report | None = None
        self.generation = 0
        self.busy = False  # a save or reload is running in a worker: no edits meanwhile
        self.disk_changed = False
        self._checker = None
        self._s3_seen: dict[str, tuple[str, str]] = {}  # key -> (path, status) from the last S3 validation
        self.save_caveat = ""  # set on load where the registry's server ignores conditional writes
        self._after_save = None  # what a save asked for by leave_then() lets happen once it succeeded

    # -- layout -----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("", id="registry-notice")
        yield Input(placeholder="filter: words matching any column (e.g. missing)", id="registry-filter", compact=True)
        yield RegistryTable(id="registry-table")
        yield Static("", id="registry-detail", markup=False)
        yield Static("loading the registry…", id="registry-summary")
        yield KeyFooter()

    @property
    def table(self) -> RegistryTable:
        """The dataset table."""
        return self.query_one(RegistryTable)

    @property
    def settings(self):
        """The app's settings."""
        return self.app.services.settings

    @property
    def read_only(self) -> bool:
        """True when saving is disabled."""
        return self.app.services.read_only

    def on_mount(self) -> None:
        self.query_one("#registry-filter").display = False
        self.query_one("#registry-notice").display = False
        self.table.focus()
        self._load()
        self.set_interval(self.WATCH_SECONDS, self._poll_disk)

    # -- navigation -------------------------------------------------------------------------------
    def action_back(self) -> None:
        """Esc: clear the filter first, then leave the screen; with unsaved edits, ask first (save / discard /
        cancel)."""
        filt = self.query_one("#registry-filter", Input)
        if filt.has_focus or filt.value or filt.display:
            filt.value = ""
            filt.display = False
            self.table.filter_text = ""
            self.table.show()
            self.table.focus()
            return
        self.leave_then(self.app.pop_screen)

    def unsaved(self) -> bool:
        """True when the registry holds edits that are not saved."""
        return self.reg is not None and self.reg.dirty

    def leave_then(self, after) -> None:
        """Run ``after`` (leave the screen, quit) once nothing typed would be lost: at once when nothing is
        unsaved; else ask, and save first (then ``after`` follows the save) or discard, or stay."""
        from pixel_tui.tui.dialogs.unsaved import DISCARD, SAVE, UnsavedDialog

        if not self.unsaved():
            after()
            return
        changed = sum(1 for line in self.reg.diff().splitlines()[2:] if line[:1] in "+-")

        def answered(choice: str | None) -> None:
            if choice == DISCARD:
                after()
            elif choice == SAVE:
                self._after_save = after
                self.action_save()

        self.app.push_screen(UnsavedDialog(
            f"The registry {self.reg.location} has unsaved edits ({plural(changed, 'changed line')}). "
            "Save them, discard them, or cancel and keep editing?", can_save=not self.read_only), answered)

    def action_show_in_s3(self) -> None:
        """Back to the browser with the S3 pane on the cursor entry's path."""
        from pixel_tui.tui.navigation import show_in_s3

        ref = self._current()
        if ref is None:
            return
        show_in_s3(self.app, ref.path)

    def action_versions(self) -> None:
        """V: the registry's versions in its bucket (who, when); diff and restore one."""
        from pixel_tui.core.registry.backends import S3Backend
        from pixel_tui.tui.dialogs.registry_versions import RESTORED, VersionsScreen

        if self.reg is None:
            return
        if not isinstance(self.reg.backend, S3Backend):
            self.notify(f"{self.reg.location} is a local file: versions exist only for a registry in a versioned "
                        "S3 bucket (local saves keep backups in the state dir)", severity="warning")
            return

        def closed(result: str | None) -> None:
            if result == RESTORED and not self.busy:
                self.busy = True
                self._reload(self.reg)

        self.app.push_screen(VersionsScreen(self.reg, read_only=self.read_only), closed)

    def action_copy(self) -> None:
        """y: copy the cursor dataset's registry key (OSC 52)."""
        from pixel_tui.tui.clipboard import copy_text

        key = self.table.current_key()
        copy_text(self.app, key or "", "registry key")

    def action_filter(self) -> None:
        """Show the filter box."""
        filt = self.query_one("#registry-filter", Input)
        filt.display = True
        filt.focus()

    @on(Input.Changed, "#registry-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.filter_text = event.value
        self.table.show()
        self.show_detail()

    @on(Input.Submitted, "#registry-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        # Enter on a dataset's name (or GROUP/NAME) puts the cursor on it, as a jump does.
        if event.value.strip():
            self.jump_to(event.value, quiet=True)
        self.table.focus()

    def jump_to(self, address: str, quiet: bool = False) -> bool:
        """Put the cursor on the dataset ``address`` names (GROUP/NAME, or a NAME alone when unique); an
        ambiguous name lists its candidates; an unknown one says so unless ``quiet`` (a filter's words)."""
        from pixel_tui.core.registry.lookup import AmbiguousName, NameNotFound, find_dataset

        if self.reg is None:
            return False
        try:
            ref = find_dataset(self.reg, address)
        except AmbiguousName as exc:
            self.notify(f"{exc.message}; {exc.hint}", severity="warning", timeout=10)
            return False
        except NameNotFound as exc:
            if not quiet:
                self.notify(exc.message, severity="warning")
            return False
        self.table.select_key(ref.key)
        self.show_detail()
        return True

    def action_sort(self) -> None:
        """Sort by the next column (again on the same column reverses)."""
        cols = list(COLUMNS)
        current = self.table.sort_column
        nxt = cols[(cols.index(current) + 1) % len(cols)] if current else "status"
        self.table.sort_by(nxt)
        self.notify(f"sorted by {nxt}", timeout=2)

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        self.table.sort_by(str(event.column_key.value))

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        """The cursor row's full path and the columns the width left out, under the table."""
        row = self.table.current_row()
        # registry text is data: shown escaped, never read as markup
        text = f"{one_line(row.path)}\n{one_line(row.detail())}" if row is not None else ""
        self.query_one("#registry-detail", Static).update(Text(text))

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_edit()

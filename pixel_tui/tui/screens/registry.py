"""`R`: the registry editor. Every dataset with its validation status; edit, undo, diff, safe save.

The Registry object is edited on the UI thread only; loading, validation against S3, the disk watch and
saving run in thread workers that post messages back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import get_current_worker

from pixel_tui.tui.dialogs.prompts import AskDialog, ConfirmDialog, DiffDialog
from pixel_tui.tui.dialogs.registry_entry import EntryForm, FormResult
from pixel_tui.tui.widgets.registry_table import COLUMNS, RegistryTable, make_row

if TYPE_CHECKING:
    from pixel_tui.core.registry.document import Registry
    from pixel_tui.core.registry.validate import Report


class RegistryLoaded(Message):
    """The registry file/object was read (``error`` set when it could not be)."""

    def __init__(self, registry: "Registry | None", error: str = "") -> None:
        super().__init__()
        self.registry, self.error = registry, error


class RegistryValidated(Message):
    """A validation run against S3 finished for edit generation ``generation``."""

    def __init__(self, report: "Report", generation: int) -> None:
        super().__init__()
        self.report, self.generation = report, generation


class DiskChanged(Message):
    """The disk watch found the stored registry changed (or back to the loaded version)."""

    def __init__(self, changed: bool) -> None:
        super().__init__()
        self.changed = changed


class RegistrySaved(Message):
    """A save finished: ``error`` empty on success; ``theirs`` holds the stored text on a conflict."""

    def __init__(self, error: str = "", conflict: bool = False, theirs: str | None = None) -> None:
        super().__init__()
        self.error, self.conflict, self.theirs = error, conflict, theirs


class RegistryReloaded(Message):
    """A reload finished; ``failed`` lists the session's edits that no longer apply."""

    def __init__(self, failed: list[str], error: str = "") -> None:
        super().__init__()
        self.failed, self.error = failed, error


class _Snapshot:
    """What validation reads, taken on the UI thread so workers never see a half-made edit."""

    def __init__(self, reg: "Registry") -> None:
        self._refs, self._odd = reg.datasets(), reg.odd_entries()

    def datasets(self):
        return self._refs

    def odd_entries(self):
        return self._odd


class RegistryScreen(Screen):
    """Table of every dataset across groups, with validation, editing, undo and a diff before saving."""

    CSS_PATH = "../styles/registry.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("enter,e", "edit", "Edit"),
        Binding("a", "add", "Add"),
        Binding("d", "duplicate", "Duplicate"),
        Binding("x,delete", "delete", "Delete"),
        Binding("g", "move", "Move to group"),
        Binding("s", "sort", "Sort"),
        Binding("ctrl+z", "undo", "Undo"),
        Binding("ctrl+y", "redo", "Redo"),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+r", "reload", "Reload"),
        Binding("f5", "revalidate", "Re-check S3"),
        Binding("o", "show_in_s3", "Show in S3"),
    ]
    WATCH_SECONDS = 1.0

    def __init__(self, focus_key: str | None = None) -> None:
        super().__init__()
        self._focus_key = focus_key  # dataset to put the cursor on once loaded (a jump from the S3 pane)
        self.reg: Registry | None = None
        self.report: Report | None = None
        self.generation = 0
        self.busy = False  # a save or reload is running in a worker: no edits meanwhile
        self.disk_changed = False
        self._checker = None
        self._s3_seen: dict[str, tuple[str, str]] = {}  # key -> (path, status) from the last S3 validation

    # -- layout -----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="registry-notice")
        yield Input(placeholder="filter: words matching any column (e.g. missing)", id="registry-filter", compact=True)
        yield RegistryTable(id="registry-table")
        yield Static("loading the registry…", id="registry-summary")
        yield Footer()

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

    # -- workers ----------------------------------------------------------------------------------
    def _factory(self, bucket: str):
        from pixel_tui.core.storage.s3 import S3Store

        services = self.app.services
        if bucket == self.settings.bucket:
            return services.store
        return S3Store.from_settings(self.settings, bucket=bucket)

    def checker(self):
        """The S3 checker shared by the table and the form (answers cached)."""
        if self._checker is None:
            from pixel_tui.core.registry.validate import S3Checker

            self._checker = S3Checker(self._factory)
        return self._checker

    @work(thread=True, exclusive=True, group="registry-load")
    def _load(self) -> None:
        from pixel_tui.core.errors import PixelError
        from pixel_tui.core.registry.document import Registry

        location = self.settings.registry
        if not location:
            self.post_message(RegistryLoaded(None, "no registry configured: pass --registry or set registry.location"))
            return
        try:
            reg = Registry.load(location, self._factory, backup_dir=self.settings.state_path / "registry-backups")
        except PixelError as exc:
            self.post_message(RegistryLoaded(None, str(exc)))
            return
        self.post_message(RegistryLoaded(reg))

    @work(thread=True, exclusive=True, group="registry-validate")
    def _validate(self, snapshot: _Snapshot, generation: int, fresh: bool = False) -> None:
        from pixel_tui.core.errors import render_error
        from pixel_tui.core.registry.validate import validate

        worker = get_current_worker()
        try:
            report = validate(snapshot, bucket=self.settings.bucket, checker=self.checker(),
                              cancelled=lambda: worker.is_cancelled, fresh=fresh)
        except Exception as exc:  # noqa: BLE001 - e.g. no bucket configured: say so, keep local statuses
            self.app.call_from_thread(self.notify, f"S3 validation failed: {render_error(exc)}", severity="error")
            return
        if not worker.is_cancelled:
            self.post_message(RegistryValidated(report, generation))

    def _poll_disk(self) -> None:
        if self.reg is not None and not self.busy:
            self._watch_disk(self.reg)

    @work(thread=True, exclusive=True, group="registry-watch")
    def _watch_disk(self, reg: "Registry") -> None:
        try:
            changed = reg.changed_on_disk()
        except Exception:  # noqa: BLE001 - a flaky endpoint must not spam the user every second
            return
        self.post_message(DiskChanged(changed))

    @work(thread=True, exclusive=True, group="registry-save")
    def _save(self, reg: "Registry") -> None:
        from pixel_tui.core.errors import PixelError
        from pixel_tui.core.registry.document import RegistryConflict

        try:
            reg.save(backups=self.settings.backups)
        except RegistryConflict as exc:
            try:
                theirs = reg.stored_text()
            except PixelError:
                theirs = ""
            self.post_message(RegistrySaved(str(exc.message), conflict=True, theirs=theirs))
            return
        except PixelError as exc:
            self.post_message(RegistrySaved(str(exc)))
            return
        self.post_message(RegistrySaved())

    @work(thread=True, exclusive=True, group="registry-save")
    def _reload(self, reg: "Registry") -> None:
        from pixel_tui.core.errors import PixelError

        try:
            failed = reg.reload(keep_edits=True)
        except PixelError as exc:
            self.post_message(RegistryReloaded([], str(exc)))
            return
        self.post_message(RegistryReloaded(failed))

    # -- message handlers -------------------------------------------------------------------------
    @on(RegistryLoaded)
    def _loaded(self, event: RegistryLoaded) -> None:
        if event.registry is None:
            self.query_one("#registry-summary", Static).update(f"[red]{event.error}[/red]")
            return
        self.reg = event.registry
        self._refresh()
        if self._focus_key:
            self.table.select_key(self._focus_key)
            self._focus_key = None

    @on(RegistryValidated)
    def _validated(self, event: RegistryValidated) -> None:
        if event.generation != self.generation:
            return  # the registry was edited since: a newer run is on its way
        self.report = event.report
        self._s3_seen = {r.key: (r.path, event.report.statuses.get(r.key, "")) for r in self.reg.datasets()}
        self._show_rows(event.report)

    @on(DiskChanged)
    def _disk(self, event: DiskChanged) -> None:
        if event.changed == self.disk_changed:
            return
        self.disk_changed = event.changed
        notice = self.query_one("#registry-notice", Static)
        notice.display = event.changed
        if event.changed:
            notice.update(f"⚠ {self.reg.location} changed on disk since it was loaded. "
                          "Ctrl+R reloads it and replays your edits; saving now would be refused.")
            self.notify("the registry changed on disk", severity="warning")

    @on(RegistrySaved)
    def _saved(self, event: RegistrySaved) -> None:
        self.busy = False
        if not event.error:
            self.disk_changed = False
            self.query_one("#registry-notice").display = False
            self.notify(f"saved {self.reg.location}")
            self._refresh()
            return
        self.notify(event.error, severity="error", timeout=10)
        if event.conflict:
            self.disk_changed = False  # let the next poll raise the notice again
            ours = self.reg.render()
            diff = self.reg.diff(other=ours) if event.theirs is None else _diff(event.theirs, ours, self.reg.location)
            self.app.push_screen(
                DiffDialog("Changed on disk: their version (-) against yours (+). Nothing was written.", diff,
                           [("reload", "Reload and reapply my edits"), ("save_as", "Save mine to another path")]),
                self._after_conflict,
            )

    def _after_conflict(self, choice: str | None) -> None:
        if choice == "reload":
            self.action_reload()
        elif choice == "save_as":
            self.app.push_screen(AskDialog("Save your version to (a new local path or s3:// URL):",
                                           self.reg.location + ".mine"), self._save_as_chosen)

    def _save_as_chosen(self, location: str | None) -> None:
        if location and not self.busy:
            self.busy = True
            self._save_as(self.reg, location)

    @work(thread=True, exclusive=True, group="registry-save")
    def _save_as(self, reg: "Registry", location: str) -> None:
        from pixel_tui.core.errors import PixelError

        try:
            reg.save_as(location, self._factory, backups=self.settings.backups)
        except PixelError as exc:
            self.post_message(RegistrySaved(str(exc)))
            return
        self.post_message(RegistrySaved())

    @on(RegistryReloaded)
    def _reloaded(self, event: RegistryReloaded) -> None:
        self.busy = False
        if event.error:
            self.notify(event.error, severity="error", timeout=10)
            return
        self.disk_changed = False
        self.query_one("#registry-notice").display = False
        if event.failed:
            self.notify("edits that no longer apply: " + "; ".join(event.failed), severity="warning", timeout=10)
        else:
            self.notify("reloaded; your edits were reapplied" if self.reg.dirty else "reloaded")
        self._refresh()

    # -- table ------------------------------------------------------------------------------------
    def _refresh(self, fresh: bool = False) -> None:
        """Redraw with local checks now, then validate against S3 in a worker."""
        from pixel_tui.core.registry.validate import validate
        from pixel_tui.core.storage.s3url import is_s3_url

        self.generation += 1
        snapshot = _Snapshot(self.reg)
        local = validate(snapshot, bucket=self.settings.bucket)
        # Local rules cannot say "ok" for an S3 path: keep the last S3 answer while the path is
        # unchanged, else show "checking" until the worker's answer arrives.
        for ref in snapshot.datasets():
            if local.statuses.get(ref.key) == "ok" and is_s3_url(ref.path):
                seen_path, status = self._s3_seen.get(ref.key, ("", ""))
                local.statuses[ref.key] = status if seen_path == ref.path else "checking"
        self._show_rows(local)
        self._validate(snapshot, self.generation, fresh)

    def _show_rows(self, report: "Report") -> None:
        refs = self.reg.datasets()
        self.table.show([make_row(r, report.statuses.get(r.key, "checking")) for r in refs])
        counts = ", ".join(f"{n} {s}" for s, n in sorted(report.counts().items(), key=lambda kv: -kv[1]))
        flags = []
        if self.reg.dirty:
            flags.append("[b]modified[/b] (Ctrl+S to review and save)")
        if self.read_only:
            flags.append("READ-ONLY")
        self.query_one("#registry-summary", Static).update(
            f"{len(refs)} entries: {counts}   {self.reg.location}   " + "  ".join(flags)
        )

    # -- actions ----------------------------------------------------------------------------------
    def _current(self):
        row = self.table.current_row() if self.reg else None
        return self.reg.ref(row.group, row.name) if row is not None else None

    def _editable(self) -> bool:
        if self.reg is None:
            return False
        if self.busy:
            self.notify("wait for the save or reload to finish", severity="warning")
            return False
        return True

    def _do(self, fn, *args, **kwargs) -> bool:
        from pixel_tui.core.errors import PixelError, render_error

        try:
            fn(*args, **kwargs)
        except PixelError as exc:
            self.notify(render_error(exc), severity="error")
            return False
        self._refresh()
        return True

    def action_back(self) -> None:
        """Leave the screen (edits stay in memory until the app quits)."""
        filt = self.query_one("#registry-filter", Input)
        if filt.has_focus:
            self.table.focus()
            return
        self.app.pop_screen()

    def action_show_in_s3(self) -> None:
        """Back to the browser with the S3 pane on the cursor entry's path."""
        from pixel_tui.tui.navigation import show_in_s3

        ref = self._current()
        if ref is None:
            return
        show_in_s3(self.app, ref.path)

    def action_filter(self) -> None:
        """Show the filter box."""
        filt = self.query_one("#registry-filter", Input)
        filt.display = True
        filt.focus()

    @on(Input.Changed, "#registry-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.filter_text = event.value
        self.table.show()

    @on(Input.Submitted, "#registry-filter")
    def _filter_done(self) -> None:
        self.table.focus()

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

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_edit()

    def _probe(self, url: str) -> tuple[bool, str]:
        from pixel_tui.core.storage.s3url import parse_s3_url
        from pixel_tui.core.units import human_bytes

        bucket, _ = parse_s3_url(url)
        if self.settings.bucket and bucket != self.settings.bucket:
            return False, f"outside the configured bucket {self.settings.bucket}"
        p = self.checker().probe(url, fresh=True)
        if p.error:
            return False, p.error
        if not p.exists:
            return False, "missing in S3"
        what = f"{p.count} objects" if p.is_prefix else "object"
        return True, f"exists in S3 ({what}, {human_bytes(p.size)})"

    def _form(self, title: str, group: str, name: str, entry: dict, callback, group_editable=False) -> None:
        exists = lambda g, n: self.reg.ref(g, n) is not None  # noqa: E731
        form = EntryForm(title, group, name, entry, exists, self._probe, group_editable, groups=self.reg.groups())
        self.app.push_screen(form, callback)

    def action_edit(self) -> None:
        """Edit the selected entry."""
        ref = self._current()
        if ref is None or not self._editable():
            return

        def done(result: FormResult | None) -> None:
            if result is None or self.reg.ref(ref.group, ref.name) is None:
                return
            self._apply_form(ref.group, ref.name, result)

        self._form(f"Edit {ref.key}", ref.group, ref.name, ref.entry, done)

    def _apply_form(self, group: str, name: str, result: FormResult) -> None:
        from pixel_tui.core.errors import PixelError, render_error

        sets = {k: v for k, v in result.fields.items() if v is not None}
        removes = [k for k, v in result.fields.items() if v is None]
        # One form = one undo step: apply on a copy of the text, then commit once.
        before = self.reg.render()
        try:
            if (result.group, result.name) != (group, name):
                self.reg.move(group, name, result.group, result.name)
                group, name = result.group, result.name
            if sets:
                self.reg.update_fields(group, name, **sets)
            for key in removes:
                self.reg.remove_field(group, name, key)
        except PixelError as exc:
            self.notify(render_error(exc), severity="error")
        self.reg.squash_since(before)
        self._refresh()
        self.table.select_key(f"{group}/{name}")

    def action_add(self) -> None:
        """Add a new entry (in the selected entry's group by default)."""
        if not self._editable():
            return
        ref = self._current()
        group = ref.group if ref else (self.reg.groups() or ["datasets/new"])[0]

        def done(result: FormResult | None) -> None:
            if result is None:
                return
            fields = {k: v for k, v in result.fields.items() if v is not None}
            if self._do(self.reg.set_entry, result.group, result.name, fields):
                self.table.select_key(f"{result.group}/{result.name}")

        self._form("Add a dataset", group, "", {}, done, group_editable=True)

    def action_duplicate(self) -> None:
        """Copy the selected entry under a new name."""
        ref = self._current()
        if ref is None or not self._editable():
            return

        def done(name: str | None) -> None:
            if name and self._do(self.reg.duplicate, ref.group, ref.name, name):
                self.table.select_key(f"{ref.group}/{name}")

        self.app.push_screen(AskDialog(f"Duplicate {ref.key} as (new name):", f"{ref.name}_copy"), done)

    def action_delete(self) -> None:
        """Delete the selected entry, after confirmation."""
        ref = self._current()
        if ref is None or not self._editable():
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._do(self.reg.remove, ref.group, ref.name)

        self.app.push_screen(ConfirmDialog(f"Delete {ref.key} from the registry? (y/n)"), done)

    def action_move(self) -> None:
        """Move the selected entry to another group."""
        ref = self._current()
        if ref is None or not self._editable():
            return

        def done(group: str | None) -> None:
            if group and group != ref.group and self._do(self.reg.move, ref.group, ref.name, group):
                self.table.select_key(f"{group}/{ref.name}")

        hint = "groups: " + ", ".join(self.reg.groups())
        self.app.push_screen(AskDialog(f"Move {ref.key} to group:", ref.group, hint), done)

    def action_undo(self) -> None:
        """Undo the last edit of this session."""
        if not self._editable():
            return
        if self.reg.undo():
            self._refresh()
        else:
            self.notify("nothing to undo")

    def action_redo(self) -> None:
        """Redo an undone edit."""
        if not self._editable():
            return
        if self.reg.redo():
            self._refresh()
        else:
            self.notify("nothing to redo")

    def action_revalidate(self) -> None:
        """Check every S3 path again, ignoring cached answers."""
        if self.reg is not None:
            self._refresh(fresh=True)

    def action_save(self) -> None:
        """Show the diff, then save on confirmation."""
        if not self._editable():
            return
        if self.read_only:
            self.notify("read-only mode: saving is disabled", severity="error")
            return
        if not self.reg.dirty:
            self.notify("nothing to save")
            return

        def done(choice: str | None) -> None:
            if choice == "save" and not self.busy:
                self.busy = True
                self._save(self.reg)

        changed = sum(1 for line in self.reg.diff().splitlines()[2:] if line[:1] in "+-")
        self.app.push_screen(DiffDialog(f"Save {changed} changed line(s) to {self.reg.location}?", self.reg.diff(),
                                        [("save", "Save")]), done)

    def action_reload(self) -> None:
        """Read the stored registry again and replay this session's edits on it."""
        if not self._editable():
            return
        self.busy = True
        self._reload(self.reg)


def _diff(theirs: str, ours: str, location: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(theirs.splitlines(keepends=True), ours.splitlines(keepends=True),
                                        fromfile=f"{location} (on disk now)", tofile=f"{location} (yours)"))

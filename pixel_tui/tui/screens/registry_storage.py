"""The registry screen's storage: load, watch the stored file for changes, save (with the conflict dialog), reload.

``RegistryStorage`` is mixed into ``RegistryScreen`` (registry.py). Saving and reloading run in thread workers
that post a message back; ``busy`` blocks edits meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static

from pixel_tui.core.printable import printable
from pixel_tui.core.units import plural
from pixel_tui.tui.dialogs.prompts import AskDialog, DiffDialog
from pixel_tui.tui.worker_errors import reported

if TYPE_CHECKING:
    from pixel_tui.core.registry.document import Registry


class RegistryLoaded(Message):
    """The registry file/object was read (``error`` set when it could not be)."""

    def __init__(self, registry: "Registry | None", error: str = "", caveat: str = "") -> None:
        super().__init__()
        self.registry, self.error = registry, error
        self.caveat = caveat  # why saves are not race-free here ('' when they are)


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


class RegistryStorage:
    """Load, watch, save, save as and reload the registry of a RegistryScreen."""

    def _factory(self, bucket: str):
        from pixel_tui.core.storage.s3 import S3Store

        services = self.app.services
        if bucket == self.settings.bucket:
            return services.store
        return S3Store.from_settings(self.settings, bucket=bucket)

    @work(thread=True, exclusive=True, group="registry-load")
    def _load(self) -> None:
        from pixel_tui.core.errors import PixelError
        from pixel_tui.core.registry.document import Registry

        location = self.settings.registry
        if not location:
            self.post_message(RegistryLoaded(None, "no registry configured: pass --registry or set registry.location"))
            return
        with reported(self, "loading the registry", lambda text: RegistryLoaded(None, text)):
            try:
                reg = Registry.load(location, self._factory, backup_dir=self.settings.state_path / "registry-backups",
                                    max_bytes=self.settings.registry_max_bytes)
            except PixelError as exc:
                self.post_message(RegistryLoaded(None, str(exc)))
                return
            # Probed once per endpoint (cached): a server that ignores If-Match cannot make saves race-free.
            # Read-only sessions never save, and a probe writes scratch keys: no probe there.
            self.post_message(RegistryLoaded(reg, caveat="" if self.read_only else reg.save_caveat()))

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

        with reported(self, "saving the registry", RegistrySaved):
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

        with reported(self, "reloading the registry", lambda text: RegistryReloaded([], text)):
            try:
                failed = reg.reload(keep_edits=True)
            except PixelError as exc:
                self.post_message(RegistryReloaded([], str(exc)))
                return
            self.post_message(RegistryReloaded(failed))

    # -- message handlers -------------------------------------------------------------------------
    def on_registry_loaded(self, event: RegistryLoaded) -> None:
        """Show the loaded registry (or why it could not be read)."""
        if event.registry is None:
            self.query_one("#registry-summary", Static).update(Text(printable(event.error), style="red"))
            return
        self.reg = event.registry
        self.save_caveat = event.caveat
        if event.caveat:
            self.sub_title = "⚠ saves are not race-free on this server"
        self._refresh()
        if self._focus_key:
            self.jump_to(self._focus_key)
            self._focus_key = None

    def on_disk_changed(self, event: DiskChanged) -> None:
        """Show or hide the "changed on disk" notice."""
        if event.changed == self.disk_changed:
            return
        self.disk_changed = event.changed
        notice = self.query_one("#registry-notice", Static)
        notice.display = event.changed
        if event.changed:
            notice.update(f"⚠ {self.reg.location} changed on disk since it was loaded. "
                          "Ctrl+R reloads it and replays your edits; saving now would be refused.")
            self.notify("the registry changed on disk", severity="warning")

    def on_registry_saved(self, event: RegistrySaved) -> None:
        """Saved: say so. Failed: say why; on a conflict show both versions and offer reload or save as."""
        self.busy = False
        if not event.error:
            self.disk_changed = False
            self.query_one("#registry-notice").display = False
            self.notify(f"saved {self.reg.location}")
            self._refresh()
            after, self._after_save = self._after_save, None
            if after is not None:
                after()
            return
        self._after_save = None  # not saved: stay, so nothing is lost
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

        with reported(self, f"saving the registry to {location}", RegistrySaved):
            try:
                reg.save_as(location, self._factory, backups=self.settings.backups)
            except PixelError as exc:
                self.post_message(RegistrySaved(str(exc)))
                return
            self.post_message(RegistrySaved())

    def on_registry_reloaded(self, event: RegistryReloaded) -> None:
        """Say which edits no longer apply, redraw."""
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

    # -- actions ----------------------------------------------------------------------------------
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
            else:
                self._after_save = None  # the save was cancelled: so is what waited for it

        changed = sum(1 for line in self.reg.diff().splitlines()[2:] if line[:1] in "+-")
        self.app.push_screen(DiffDialog(f"Save {plural(changed, 'changed line')} to {self.reg.location}?", self.reg.diff(),
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

"""The registry screen's editing actions: the entry form, add, duplicate, delete, move, undo and redo.

``RegistryEditing`` is mixed into ``RegistryScreen`` (registry.py). Every edit runs on the UI thread on the
screen's Registry, whose undo stack makes each one step (one form = one step).
"""

from __future__ import annotations

from rich.markup import escape

from pixel_tui.core.units import plural
from pixel_tui.tui.dialogs.prompts import AskDialog, ConfirmDialog
from pixel_tui.tui.dialogs.registry_entry import EntryForm, FormResult


class RegistryEditing:
    """Edit actions of a RegistryScreen; each redraws through ``_refresh`` and refuses while ``busy``."""

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
        what = plural(p.count, "object") if p.is_prefix else "object"
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

        self.app.push_screen(AskDialog(f"Duplicate {escape(ref.key)} as (new name):", f"{ref.name}_copy"), done)

    def action_delete(self) -> None:
        """Delete the selected entry, after confirmation."""
        ref = self._current()
        if ref is None or not self._editable():
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._do(self.reg.remove, ref.group, ref.name)

        self.app.push_screen(ConfirmDialog(f"Delete {escape(ref.key)} from the registry? (y/n)"), done)

    def action_move(self) -> None:
        """Move the selected entry to another group."""
        ref = self._current()
        if ref is None or not self._editable():
            return

        def done(group: str | None) -> None:
            if group and group != ref.group and self._do(self.reg.move, ref.group, ref.name, group):
                self.table.select_key(f"{group}/{ref.name}")

        hint = "groups: " + ", ".join(self.reg.groups())
        self.app.push_screen(AskDialog(f"Move {escape(ref.key)} to group:", ref.group, hint), done)

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

"""The entry form: edit one dataset with per-field checks; an s3:// path turns green once it exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import get_current_worker

from pixel_tui.core.registry.document import SOURCE_FIELD, STAGES
from pixel_tui.core.storage.s3url import is_s3_url
from pixel_tui.tui.worker_errors import reported

# (field, label): the fields the form edits; every other field of the entry is kept as it is.
FORM_FIELDS = (("path", "path"), (SOURCE_FIELD, "source path"), ("stage", "stage"), ("type", "type"),
               ("size_mb", "size (MB)"), ("notes", "notes"))


@dataclass(frozen=True)
class FormResult:
    """What the form asks for: the entry's (possibly new) group and name, and field changes (None = remove)."""

    group: str
    name: str
    fields: dict[str, Any]


class PathChecked(Message):
    """A worker looked up an s3:// path typed in the form."""

    def __init__(self, url: str, exists: bool, detail: str) -> None:
        super().__init__()
        self.url, self.exists, self.detail = url, exists, detail


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class EntryForm(ModalScreen[FormResult | None]):
    """Add, edit or duplicate one entry. Esc cancels; Enter or OK applies (to memory, not to disk)."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+o", "submit", "Apply")]

    def __init__(self, title: str, group: str, name: str, entry: dict, existing: Callable[[str, str], bool],
                 probe: Callable[[str], tuple[bool, str]] | None, group_editable: bool = False,
                 groups: list[str] | None = None) -> None:
        super().__init__()
        self._groups = groups
        self._title, self._group, self._name, self._entry = title, group, name, entry
        self._existing, self._probe = existing, probe
        self._group_editable = group_editable
        self._original = (group, name)

    def compose(self) -> ComposeResult:
        # one line per field (compact inputs, label beside), its message below only when it has one: the
        # whole form fits at 80x24
        with VerticalScroll(id="registry-form"):
            yield Static(f"[b]{self._title}[/b]", markup=True)
            fields = [("group", "group", self._group), ("name", "name", self._name)]
            fields += [(key, label, _text(self._entry.get(key))) for key, label in FORM_FIELDS]
            for key, label, value in fields:
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield Input(value, id=f"f-{key}", compact=True, select_on_focus=False,
                                disabled=key == "group" and not self._group_editable)
                msg = Static("", id=f"m-{key}", classes="field-msg")
                msg.display = False  # shown when a check has something to say
                yield msg
            with Horizontal(classes="form-buttons"):
                yield Button("OK ^O", id="ok", variant="primary", compact=True)
                yield Button("Cancel Esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#f-name" if self._group_editable or not self._name else "#f-path", Input).focus()
        self._validate_all()
        path = self._value("path")
        if is_s3_url(path) and self._probe is not None:
            self._msg("path", "checking S3…", "checking")
            self._check_path(path)

    # -- checks -------------------------------------------------------------------------------------
    def _value(self, key: str) -> str:
        return self.query_one(f"#f-{key}", Input).value.strip()

    def _msg(self, key: str, text: str, state: str) -> None:
        """Show a field's message; ``state`` is ok, warn, bad or checking (colours the input)."""
        msg = self.query_one(f"#m-{key}", Static)
        msg.update(text)
        msg.display = bool(text)
        field = self.query_one(f"#f-{key}", Input)
        for s in ("ok", "warn", "bad", "checking"):
            field.set_class(s == state, f"-{s}")
            msg.set_class(s == state, f"-{s}")

    def _validate_all(self) -> bool:
        ok = True
        name, group = self._value("name"), self._value("group")
        if self._group_editable:
            parts = group.split("/")
            if not all(parts) or len(parts) > 2 or (len(parts) == 2 and parts[0] != "datasets") or group == "datasets":
                self._msg("group", "use datasets/<group> or a top-level group name", "bad")
                ok = False
            elif self._groups is not None and group not in self._groups:
                self._msg("group", f"new group {group} will be created", "warn")
            else:
                self._msg("group", "", "ok")
        if not name:
            self._msg("name", "a name is required", "bad")
            ok = False
        elif (group, name) != self._original and self._existing(group, name):
            self._msg("name", f"{group}/{name} already exists", "bad")
            ok = False
        else:
            self._msg("name", "", "ok")
        size = self._value("size_mb")
        if size:
            try:
                float(size)
                self._msg("size_mb", "", "ok")
            except ValueError:
                self._msg("size_mb", "must be a number", "bad")
                ok = False
        stage = self._value("stage")
        self._msg("stage", "" if not stage or stage in STAGES else f"unknown stage; known: {', '.join(STAGES)}",
                  "ok" if not stage or stage in STAGES else "warn")
        path = self._value("path")
        if not path:
            self._msg("path", "a path is required", "bad")
            ok = False
        elif not is_s3_url(path):
            self._msg("path", "not migrated: not an s3:// path", "warn")
        return ok

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if not self.is_mounted:
            return
        self._validate_all()
        if event.input.id == "f-path" and is_s3_url(event.value.strip()) and self._probe is not None:
            self._msg("path", "checking S3…", "checking")
            self._check_path(event.value.strip())

    @work(thread=True, exclusive=True, group="registry-path-check")
    def _check_path(self, url: str) -> None:
        """Look the path up in S3 (a short pause first, so typing does not fire a HEAD per key)."""
        import time

        from pixel_tui.core.errors import PixelError

        time.sleep(0.25)
        if get_current_worker().is_cancelled:
            return
        with reported(self, "checking the path", lambda text: PathChecked(url, False, text)):
            try:
                exists, detail = self._probe(url)
            except PixelError as exc:
                exists, detail = False, exc.message
            if not get_current_worker().is_cancelled:
                self.post_message(PathChecked(url, exists, detail))

    @on(PathChecked)
    def _path_checked(self, event: PathChecked) -> None:
        if event.url != self._value("path"):
            return  # an older answer for text that has since changed
        self._msg("path", event.detail, "ok" if event.exists else "bad")

    # -- result -------------------------------------------------------------------------------------
    def _result(self) -> FormResult:
        fields: dict[str, Any] = {}
        for key, _ in FORM_FIELDS:
            raw = self._value(key)
            old = self._entry.get(key)
            if not raw:
                if key in self._entry:
                    fields[key] = None
                continue
            value: Any = raw
            if key == "size_mb":
                num = float(raw)
                value = int(num) if num.is_integer() and "." not in raw else num
            if _text(old) == raw and old is not None:
                value = old  # untouched: keep the exact type and spelling
            fields[key] = value
        return FormResult(self._value("group"), self._value("name"), fields)

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def action_submit(self) -> None:
        """Apply the form when every field is valid."""
        if self._validate_all():
            self.dismiss(self._result())
        else:
            self.notify("fix the fields in red first", severity="error")

    def _typed(self) -> bool:
        """True when a field differs from what the form opened with."""
        opened = {"group": self._original[0], "name": self._original[1],
                  **{key: _text(self._entry.get(key)) for key, _ in FORM_FIELDS}}
        return any(self.query_one(f"#f-{key}", Input).value != value for key, value in opened.items())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without changing anything; with fields changed, ask first (apply / discard / keep editing)."""
        from pixel_tui.tui.dialogs.unsaved import DISCARD, SAVE, UnsavedDialog

        if not self._typed():
            self.dismiss(None)
            return

        def answered(choice: str | None) -> None:
            if choice == DISCARD:
                self.dismiss(None)
            elif choice == SAVE:
                self.action_submit()

        self.app.push_screen(UnsavedDialog("This form has changes. Apply them (s), discard them (d), or keep "
                                           "editing (Esc)?"), answered)

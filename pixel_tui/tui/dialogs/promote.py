"""`p`: the promote dialog. Category, target name and registry entry prefilled; plan preview; progress; cancel."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DataTable, Input, Label, ProgressBar, Select, Static

from pixel_tui.core.promotion.naming import canonical_name, suggest_category
from pixel_tui.core.storage.s3url import s3_url
from pixel_tui.core.units import plural
from pixel_tui.tui.dialogs.glyph_checkbox import GlyphCheckbox
from pixel_tui.tui.dialogs.path_wrap import WrappedStatic, slash_wrapped
from pixel_tui.tui.dialogs.promote_items import ItemCategories
from pixel_tui.tui.dialogs.promote_plan_view import plan_view
from pixel_tui.tui.dialogs.promote_run import PromotionRun
from pixel_tui.tui.worker_errors import reported

if TYPE_CHECKING:
    from pixel_tui.core.promotion import Plan, Result


class PlanReady(Message):
    """A plan was computed for the dialog's current choices."""

    def __init__(self, plan: "Plan", token: int, suggestion: tuple[str, str, dict] | None) -> None:
        super().__init__()
        self.plan, self.token, self.suggestion = plan, token, suggestion


class CategoriesSuggested(Message):
    """Each item's suggested category (registry-aware), computed before the first plan."""

    def __init__(self, categories: dict[str, str], token: int) -> None:
        super().__init__()
        self.categories, self.token = categories, token


class PlanFailed(Message):
    """The choices cannot be planned (bad name, missing source, S3 error); ``error`` says why."""

    def __init__(self, error: str, token: int) -> None:
        super().__init__()
        self.error, self.token = error, token


def _drive_selection(screen) -> tuple[object, list[str]] | None:
    """(Drive pane, selected names) when the Drive pane has the focus, else None."""
    drive = getattr(screen, "drive", None)
    focused = screen.focused
    if drive is None or focused is None or not (focused is drive or drive in focused.ancestors):
        return None
    entries = drive.entries
    names = [n for n in entries.level.names if n in entries.marked] if entries.marked else [entries.current_name]
    return drive, [n for n in names if n]


def raw_keys_from(screen, settings) -> list[str]:
    """The raw keys selected on ``screen``: its own ``selected_raw_keys()``, the S3 pane's, or Drive's mapped to raw."""
    getter = getattr(screen, "selected_raw_keys", None)
    if callable(getter):
        return list(getter())
    keys: list[str] = []
    s3 = getattr(screen, "s3", None)
    selection = _drive_selection(screen)
    if selection is not None:
        drive, names = selection
        keys = [settings.raw_prefix + drive.location + n for n in names]
    elif s3 is not None and hasattr(s3, "selected_keys"):
        keys = list(s3.selected_keys())
    return [k for k in keys if k.startswith(settings.raw_prefix) and k != settings.raw_prefix]


def drive_items_not_uploaded(screen) -> list[str]:
    """Drive paths in the selection that are not under raw yet (marked missing by the Drive pane)."""
    selection = _drive_selection(screen)
    if selection is None:
        return []
    drive, names = selection
    return [drive.location + n for n in names if drive.entries.markers.get(n) == "missing"]


def offer_upload(app, drive_path: str, count: int) -> None:
    """A Drive item that is not in raw yet cannot be promoted: offer its upload job first."""
    from pixel_tui.tui.dialogs.upload import UploadDialog

    more = f" (and {count - 1} more)" if count > 1 else ""
    app.notify(f"{drive_path}{more} is not in S3 raw yet: upload it first, then promote it", severity="warning")

    def started(job) -> None:
        if job is None:
            return
        # The dialog put its log in the app's job feed: the alerts (with the bell) say when it finishes.
        app.notify(f"upload started (pid {job.pid}); log {job.log_file.name}; m shows it")

    app.push_screen(UploadDialog(initial_path=drive_path.rstrip("/")), started)


def open_promote(app) -> None:
    """Open the dialog for the current selection, or say why not."""
    settings = app.services.settings
    if app.services.read_only:
        app.notify("promotion is disabled in read-only mode", severity="warning")
        return
    missing = drive_items_not_uploaded(app.screen)
    if missing:
        offer_upload(app, missing[0], len(missing))
        return
    keys = raw_keys_from(app.screen, settings)
    if not keys:
        app.notify(f"select items under {s3_url(settings.bucket, settings.raw_prefix)} first", severity="warning")
        return
    app.push_screen(PromoteScreen(keys))


class PromoteScreen(PromotionRun, ModalScreen["Result | None"]):
    """Choose category, name and registry entry; review the plan; confirm; watch it copy and verify."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [
        Binding("escape,n", "cancel", "Cancel / close"),
        Binding("y", "confirm", "Promote"),  # y confirms in every dialog (not while typing in a field)
    ]

    def __init__(self, keys: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.keys = keys
        self._plan: Plan | None = None
        self._plan_token = 0
        self._cancel = threading.Event()
        self._promoting = False
        self._finished: Result | None = None
        self._move_armed = False
        self._suggested = False
        self._touched = False  # the operator changed a choice (Esc then asks before closing)
        self._name_edited = False  # the operator typed a name: a new category no longer renames it
        # Each item's category: the suggestions (registry-aware, from the first plan's worker), then the operator's.
        self._categories: dict[str, str] = {}
        self._early: dict[str, str] = {}  # choices made before the suggestions came: they win over them
        self._guess = ""  # the Category field's first value (from the first name, before the registry is read)

    # -- layout -----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        s = self.app.services.settings
        single = len(self.keys) == 1
        first = self.keys[0].rstrip("/").rsplit("/", 1)[-1]
        category = self._guess = suggest_category(first, s.categories) or s.categories[0]
        is_folder = self.keys[0].endswith("/")
        # compact widgets (one line each) so the plan keeps most of the room at 80x24
        with Vertical(id="promote-dialog"):
            yield WrappedStatic(slash_wrapped(f"Promote {plural(len(self.keys), 'item')} into "
                                              f"s3://{s.bucket or '?'}/{s.processed_prefix}", style="bold"),
                                id="promote-title")
            if single:
                yield WrappedStatic(slash_wrapped(self.keys[0]), id="promote-sources")
            else:
                yield ItemCategories(self.keys, s.raw_prefix, id="promote-items")
            with Horizontal(classes="promote-row"):
                yield Label("Category", classes="promote-label")
                yield Select([(c, c) for c in s.categories], value=category, allow_blank=False, id="promote-category",
                             compact=True, tooltip=None if single else "the highlighted row's category")
                if not single:
                    yield Label(" highlighted row · Enter", classes="promote-hint")
            with Horizontal(classes="promote-row promote-single"):
                yield Label("Name", classes="promote-label")
                yield Input(canonical_name(first, category, is_folder=is_folder) if single else "",
                            placeholder="suggested per item" if not single else "", disabled=not single,
                            id="promote-name", select_on_focus=False, compact=True)
            with Horizontal(classes="promote-row promote-registry-row promote-single"):
                yield Label("Registry", classes="promote-label")
                yield Input(placeholder="group", id="promote-reg-group", select_on_focus=False, disabled=not single, compact=True,
                            tooltip="registry group")
                yield Input(placeholder="name", id="promote-reg-name", select_on_focus=False, disabled=not single, compact=True,
                            tooltip="registry entry name")
            with Horizontal(classes="promote-row promote-registry-row promote-single"):
                yield Label("", classes="promote-label")
                yield Input(placeholder="stage", id="promote-reg-stage", select_on_focus=False, disabled=not single, compact=True,
                            tooltip="training stage")
                yield Input(placeholder="type", id="promote-reg-type", select_on_focus=False, disabled=not single, compact=True,
                            tooltip="dataset type")
            with Horizontal(classes="promote-row", id="promote-options"):
                yield GlyphCheckbox("Move (delete raw after verify)", id="promote-move", compact=True)
                yield GlyphCheckbox("Overwrite differing", id="promote-overwrite", compact=True)
            with VerticalScroll(id="promote-plan-box"):
                yield Static("planning…", id="promote-plan")
            yield WrappedStatic(id="promote-message")
            yield ProgressBar(total=1, show_eta=False, id="promote-bar")
            yield Static(id="promote-progress")
            with Horizontal(id="promote-buttons"):
                yield Button("Promote y", id="promote-go", variant="primary", disabled=True, compact=True)
                yield Button("Cancel Esc", id="promote-cancel", compact=True)

    def on_mount(self) -> None:
        """Plan with the suggestions right away."""
        self.query_one("#promote-bar", ProgressBar).display = False
        self.query_one("#promote-progress", Static).display = False
        self.query_one("#promote-message", Static).display = False
        if len(self.keys) > 1:
            # Name and registry entry are suggested per item: their rows give the room to the item rows.
            for row in self.query(".promote-single"):
                row.display = False
        self._replan()

    # -- planning ---------------------------------------------------------------------------------
    def _edited_key(self) -> str:
        """The item the Category field edits: the only one, or the highlighted row."""
        return self.keys[0] if len(self.keys) == 1 else self.query_one(ItemCategories).current_key

    @on(Select.Changed, "#promote-category")
    def _category_changed(self, event: Select.Changed) -> None:
        key, value = self._edited_key(), str(event.value)
        if not self._categories:  # the suggestions are not in yet
            if value != self._early.get(key, self._guess):
                self._early[key], self._touched = value, True
            return
        if self._promoting or self._categories.get(key) == value:
            return  # Select posts Changed for values the dialog set itself (the suggestion, a row's)
        self._touched = True
        self._categories[key] = value
        if len(self.keys) == 1:
            if not self._name_edited:
                first = key.rstrip("/").rsplit("/", 1)[-1]
                self.query_one("#promote-name", Input).value = canonical_name(first, value,
                                                                              is_folder=key.endswith("/"))
            self._suggested = False  # a new category means a new registry group
        else:
            table = self.query_one(ItemCategories)
            table.fill(self._categories)
            if not event.select.expanded:
                self.call_after_refresh(table.focus)  # picked for the row: back on the rows
        self._replan()

    @on(DataTable.RowHighlighted, "#promote-items")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The Category field shows the highlighted row's category."""
        cat = self._categories.get(self._edited_key())
        if cat:
            self.query_one("#promote-category", Select).value = cat

    @on(DataTable.RowSelected, "#promote-items")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter (or a click) on a row opens its category chooser."""
        select = self.query_one("#promote-category", Select)
        select.focus()
        select.expanded = True

    def on_categories_suggested(self, msg: CategoriesSuggested) -> None:
        """Take the suggestions (once), show them and let the operator change them."""
        if self._categories or self._promoting:
            return
        self._categories = {**msg.categories, **self._early}
        self._show_categories()
        if self._early:
            self._replan()

    def _show_categories(self) -> None:
        select = self.query_one("#promote-category", Select)
        if len(self.keys) > 1:
            self.query_one(ItemCategories).fill(self._categories)
        select.value = self._categories[self._edited_key()]

    @on(Input.Submitted)
    @on(Checkbox.Changed)
    def _choices_changed(self, event) -> None:
        if isinstance(event, Checkbox.Changed):
            self._touched = True
        if not self._promoting and self._finished is None:
            self._move_armed = False
            self._replan()

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if self._promoting or self._finished is not None or not event.input.has_focus:
            return
        self._touched = True
        self._name_edited = self._name_edited or event.input.id == "promote-name"
        self._move_armed = False
        self.query_one("#promote-go", Button).disabled = True
        self.set_timer(0.4, self._replan_if(self._plan_token))

    def _replan_if(self, token: int):
        def go() -> None:
            if token == self._plan_token:
                self._replan()
        return go

    def _choices(self) -> dict:
        single = len(self.keys) == 1
        reg = None
        if single and self._suggested:
            group = self.query_one("#promote-reg-group", Input).value.strip()
            name = self.query_one("#promote-reg-name", Input).value.strip()
            fields = {k: self.query_one(f"#promote-reg-{k}", Input).value.strip() for k in ("stage", "type")}
            if name:  # a name alone names an existing entry when it is unique (the plan says when it is not)
                reg = (group, name, {k: v for k, v in fields.items() if v})
        return {
            "category": str(self.query_one("#promote-category", Select).value),
            "categories": dict(self._categories) or None,
            "name": (self.query_one("#promote-name", Input).value.strip() or None) if single else None,
            "name_edited": self._name_edited,
            "move": self.query_one("#promote-move", Checkbox).value,
            "overwrite": self.query_one("#promote-overwrite", Checkbox).value,
            "registry_entry": reg,
        }

    def _replan(self) -> None:
        self._plan_token += 1
        self._plan = None
        self.query_one("#promote-go", Button).disabled = True
        self.query_one("#promote-plan", Static).update("planning…")
        self._make_plan(self._plan_token, self._choices())

    @work(thread=True, exclusive=True, group="promote-plan")
    def _make_plan(self, token: int, choices: dict) -> None:
        from pixel_tui.core.errors import PixelError
        from pixel_tui.core.promotion import build_plan
        from pixel_tui.core.promotion.plan_registry import item_categories, item_suggestion
        from pixel_tui.core.promotion.registry_update import load_registry

        services, key = self.app.services, self.keys[0]
        with reported(self, "planning", lambda text: PlanFailed(text, token)):
            try:
                store = services.store
                registry = load_registry(services.settings, store)
                categories = choices["categories"]
                if categories is None:
                    # Each item its own suggestion; one registered already keeps its group's category.
                    categories = item_categories(services.settings, self.keys, choices["category"], registry)
                    self.post_message(CategoriesSuggested(categories, token))
                name = choices["name"]
                if len(self.keys) == 1 and not choices["name_edited"]:
                    name = canonical_name(key, categories[key], is_folder=key.endswith("/"))
                suggestion = None
                if registry is not None and choices["registry_entry"] is None and len(self.keys) == 1:
                    sug, _ = item_suggestion(key, categories[key], services.settings, registry.datasets(),
                                             is_folder=key.endswith("/"))
                    suggestion = (sug.group, sug.name, sug.fields)
                plan = build_plan(store, services.settings, self.keys, categories[key], name=name,
                                  move=choices["move"], overwrite=choices["overwrite"], registry=registry,
                                  registry_entry=choices["registry_entry"], categories=categories)
            except PixelError as exc:
                self.post_message(PlanFailed(str(exc), token))
            else:
                self.post_message(PlanReady(plan, token, suggestion))

    def on_plan_ready(self, msg: PlanReady) -> None:
        """Show the plan and enable Promote when nothing blocks it."""
        if msg.token != self._plan_token or self._promoting:
            return
        if msg.suggestion and not self._suggested:
            group, name, fields = msg.suggestion
            for wid, value in (("group", group), ("name", name), ("stage", fields.get("stage", "")),
                               ("type", fields.get("type", ""))):
                self.query_one(f"#promote-reg-{wid}", Input).value = value
            self._suggested = True
        name = self.query_one("#promote-name", Input)
        if len(self.keys) == 1 and not self._name_edited and name.value != msg.plan.items[0].name:
            with self.prevent(Input.Changed):  # the suggestion, not the operator's typing
                name.value = msg.plan.items[0].name
        self._plan = msg.plan
        self.query_one("#promote-plan", Static).update(plan_view(msg.plan))
        self.call_after_refresh(self._fit_height)
        blocked = msg.plan.blocked()
        self.query_one("#promote-go", Button).disabled = blocked
        self._say("conflicts block this plan: tick Overwrite or change the name" if blocked else "", error=blocked)

    def on_plan_failed(self, msg: PlanFailed) -> None:
        """Say why the choices cannot be planned."""
        if not self._categories:  # the suggestions could not be read: the names' own, editable
            s = self.app.services.settings
            guesses = {k: suggest_category(k, s.categories) or s.categories[0] for k in self.keys}
            self._categories = {**guesses, **self._early}
            self._show_categories()
        if msg.token != self._plan_token:
            return
        self.query_one("#promote-plan", Static).update("")
        self._say(msg.error, error=True)

    def _fit_height(self) -> None:
        """On a tall terminal, end the dialog below the plan instead of leaving half of it empty."""
        dialog, box = self.query_one("#promote-dialog"), self.query_one("#promote-plan-box")
        need = self.query_one("#promote-plan").outer_size.height
        chrome = dialog.outer_size.height - box.outer_size.height
        dialog.styles.max_height = max(chrome + need + 1, 24)

    def _say(self, text: str, error: bool = False) -> None:
        w = self.query_one("#promote-message", Static)
        w.update(slash_wrapped(text))
        w.display = bool(text)
        w.set_class(error, "-error")

    # -- running ----------------------------------------------------------------------------------
    @on(Button.Pressed, "#promote-go")
    def action_confirm(self) -> None:
        """Start (move mode asks a second time, stating counts and bytes)."""
        from pixel_tui.core.units import human_bytes

        plan = self._plan
        if self._finished is not None:
            self.dismiss(self._finished)
            return
        if plan is None or self._promoting or plan.blocked():
            return
        if plan.mode == "move" and not self._move_armed:
            self._move_armed = True
            self._say(f"MOVE deletes {plural(plan.object_count, 'raw object')} ({human_bytes(plan.total_bytes)}) after "
                      f"verification. Press Promote again to confirm.", error=True)
            return
        self._start(plan)

    @on(Button.Pressed, "#promote-cancel")
    def action_cancel(self) -> None:
        """While running: stop after the copies in flight (resumable). Otherwise close; with choices the
        operator changed and nothing promoted yet, ask before they are thrown away."""
        from pixel_tui.tui.dialogs.unsaved import DISCARD, UnsavedDialog

        if self._promoting:
            self._stop()
            return
        if self._finished is not None or not self._touched:
            self.dismiss(self._finished)
            return

        def answered(choice: str | None) -> None:
            if choice == DISCARD:
                self.dismiss(None)

        self.app.push_screen(UnsavedDialog("You changed this promotion's choices. Discard them (d) or keep "
                                           "editing (Esc)?", can_save=False), answered)

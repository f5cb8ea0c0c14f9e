"""`?`: every binding of the screen underneath, with its description."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from pixel_tui.tui.keys import (
    HOME_FROM_POPUP,
    MARKER_LEGEND,
    MOVE_KEYS,
    NAVIGATION_HELP,
    NavScroll,
    registry_status_legend,
)


def binding_rows(screen: Screen) -> list[tuple[str, str]]:
    """(key, description) for every binding active on ``screen``, app bindings included, moves left out."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    # Nearest first (the focused widget, its pane, the screen, the app): a nearer binding shadows the others.
    for node in _focused_chain(screen) or screen.ancestors_with_self:
        for binding in _own_bindings(node):
            if isinstance(binding, tuple):
                binding = Binding(*binding)
            key = binding.key_display or binding.key
            keys = {k.strip() for k in binding.key.split(",")}
            # The list moves have their own section; a key already listed is shadowed by the nearer binding.
            if keys <= seen or keys <= MOVE_KEYS or not binding.description:
                continue
            seen |= keys
            rows.append((key, binding.description))
    return rows


def _own_bindings(node) -> list:
    """BINDINGS of ``node``'s class and of its pixel_tui bases (a subclass's own list hides its base's from
    getattr, while Textual binds both: the Drive pane adds `i` to the browser pane's keys); Textual's own
    (scrolling, focus) are left out, as before."""
    own = [k for k in type(node).__mro__ if k.__module__.startswith("pixel_tui")] or [type(node)]
    return [b for klass in own for b in klass.__dict__.get("BINDINGS", [])]


def _focused_chain(screen: Screen) -> list:
    focused = screen.focused
    return list(focused.ancestors_with_self) if focused else []


class HelpScreen(ModalScreen[None]):
    """Lists the keys of the screen it was opened from."""

    CSS_PATH = "../styles/dialogs.tcss"
    # ? toggles: the key that opened the help closes it
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("question_mark", "dismiss", "Help", show=False),
                HOME_FROM_POPUP]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self._rows = binding_rows(under)
        self._extra = list(getattr(under, "HELP_SECTIONS", ()))  # (title, rows) a screen adds, e.g. home's modes
        self._title = type(under).__name__.removesuffix("Screen") or "Keys"

    def compose(self) -> ComposeResult:
        with NavScroll(id="help-box"):
            yield Static(help_text(self._title, self._rows, self._extra), markup=True)

    def on_mount(self) -> None:
        """Focus the text so j/k/PgDn scroll it."""
        box = self.query_one(NavScroll)
        box.border_title = "Help"
        box.border_subtitle = "Esc or ? closes"
        box.focus()


def _section(title: str, rows: list[tuple[str, str]]) -> list[str]:
    width = max((len(k) for k, _ in rows), default=4) + 2
    return ["", f"[b u]{escape(title)}[/b u]", *(f"[b]{escape(k):<{width}}[/b]{escape(d)}" for k, d in rows)]


def help_text(title: str, rows: list[tuple[str, str]], extra: list | None = None) -> str:
    """The help page: the screen's keys (and the sections it adds), the keys every list shares, then the
    marker and status legends."""
    lines = [f"[b]{escape(title)} keys[/b]  (Ctrl+P: every action by name)"]
    lines += _section("Keys on this screen", rows)
    for section, section_rows in extra or ():
        lines += _section(section, section_rows)
    lines += _section("Moving (every list, table, preview and this help)", NAVIGATION_HELP)
    lines += _section("Markers (Drive | S3 rows)", MARKER_LEGEND)
    lines += _section("Registry statuses", registry_status_legend())
    return "\n".join(lines)

"""The one key map: the same key does the same thing on every screen, in every list, table, preview and help.

Lists and tables move with j/k (and the arrows), g/G (Home/End) to the first/last row, PgUp/PgDn a page and
Ctrl+U/Ctrl+D half a page; text views (preview, help) scroll with the same keys. ``NavTable`` and ``NavScroll``
carry these bindings for a DataTable and a VerticalScroll; EntryList binds the same keys to its own cursor.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable

# What every help screen and the README say; each row is (keys, meaning).
NAVIGATION_HELP = [
    ("j/k ↑/↓", "next / previous row (scroll in text)"),
    ("g/G Home/End", "first / last row"),
    ("PgDn/PgUp", "one page down / up"),
    ("^D/^U", "half a page down / up"),
    ("Esc", "clear the filter or close the popup, then back"),
    ("~", "home (the Drive | S3 browser) from anywhere"),
]

# The markers of the browser's rows (tui/widgets/entry_list.py MARKERS) and the registry's statuses
# (core/registry/validate.py), explained in `?`.
MARKER_LEGEND = [
    ("✓", "Drive: uploaded (same size, same MD5 where known) · processed: registered"),
    ("✗", "missing on S3 (nothing of it uploaded)"),
    ("≠", "differs (size or checksum)"),
    ("◐", "partial: a folder with some files uploaded and the rest missing (totals: s)"),
    ("↑", "uploading now (named in a watched rclone log)"),
    ("‼", "duplicate: a name taken twice in one Drive folder (rclone copies only one)"),
    ("↪", "a Drive shortcut (rclone follows it: counted twice; skip_shortcuts / --drive-skip-shortcuts)"),
    ("★", "raw: promoted (under processed or referenced by the registry)"),
    ("·", "processed: not referenced by the registry"),
    ("+", "only on S3 (no Drive counterpart)"),
]
# The Drive | S3 browser's modes (tui/widgets/pane_modes.py, screens/home.py), explained in `?` on home.
BROWSER_MODES_HELP = [
    ("o", "sort: listed → name ↑ → size ↓ → time ↓ (folders first)"),
    ("f", "Drive: only missing ✗ → differing ≠ → partial ◐ → all"),
    ("f", "S3: raw only on S3 + / not promoted; processed unregistered ·"),
    ("F", "linked: S3 follows Drive into raw/<same folder>; F unlinks"),
    ("Esc", "clears the / filter and the status filter"),
]
# Registry status label -> what it means; every label of core/registry/validate.py KINDS (help lists them all).
REGISTRY_STATUS_MEANING = {
    "ok": "the path exists (and its size matches size_mb when given)",
    "not migrated": "the path is not on S3 yet (a /mnt/gdrive or local path)",
    "missing in S3": "an s3:// path with no object or folder behind it",
    "size mismatch": "the object's size differs from size_mb",
    "unknown stage": "the stage is not one of the known stages",
    "duplicate name": "the same dataset name in two groups",
    "outside bucket": "an s3:// path in another bucket than the browsed one",
    "unsafe path": "a key with a leading '/', '.', '..', '//' or control characters: never resolved",
    "no path": "the entry has no path",
    "empty name": "a dataset with an empty name",
    "not an object": "a dataset entry that is not a JSON object",
    "S3 error": "S3 could not answer for this path (see the summary line)",
    "checking": "waiting for the S3 answer",
}


def registry_status_legend() -> list[tuple[str, str]]:
    """(status, meaning) for "ok", every validation status and "checking"."""
    from pixel_tui.core.registry.validate import KINDS, OK

    labels = [OK, *(label for _, label in KINDS.values()), "checking"]
    return [(label, REGISTRY_STATUS_MEANING.get(label, "")) for label in labels]


# (keys, description, action) of the moves every list and text view share; each widget names its own actions.
_MOVES = [
    ("down,j", "Down", "down"), ("up,k", "Up", "up"), ("home,g", "First", "first"), ("end,G", "Last", "last"),
    ("pagedown", "Page down", "page_down"), ("pageup", "Page up", "page_up"),
    ("ctrl+d", "Half page down", "half_down"), ("ctrl+u", "Half page up", "half_up"),
]


MOVE_KEYS = frozenset(k for keys, _, _ in _MOVES for k in keys.split(","))


def move_bindings(actions: dict[str, str]) -> list[Binding]:
    """The shared moves bound to a widget's ``actions`` (move name -> action string), hidden from the footer."""
    return [Binding(keys, actions[move], description, show=False) for keys, description, move in _MOVES]


# A modal popup hides the app's bindings: each read-only popup (help, preview, details, notices) adds this.
HOME_FROM_POPUP = Binding("tilde", "app.home", "Home", key_display="~", show=False)


def half_page(widget) -> int:
    """Rows in half of ``widget``'s visible height (at least one)."""
    return max(1, widget.size.height // 2)


class NavTable(DataTable):
    """A DataTable that moves with the app's keys (j/k, g/G, PgUp/PgDn, Ctrl+U/Ctrl+D)."""

    BINDINGS = move_bindings({
        "down": "cursor_down", "up": "cursor_up", "first": "scroll_top", "last": "scroll_bottom",
        "page_down": "page_down", "page_up": "page_up", "half_down": "half_page(1)", "half_up": "half_page(-1)",
    })

    def action_half_page(self, direction: int) -> None:
        """Move the cursor half a screen."""
        row = max(0, min(self.row_count - 1, self.cursor_row + direction * half_page(self)))
        self.move_cursor(row=row)


class NavScroll(VerticalScroll, can_focus=True):
    """A scrolling text view with the list keys: j/k a line, g/G top/bottom, pages and half pages."""

    BINDINGS = move_bindings({
        "down": "scroll_down", "up": "scroll_up", "first": "scroll_home", "last": "scroll_end",
        "page_down": "page_down", "page_up": "page_up", "half_down": "half_page(1)", "half_up": "half_page(-1)",
    })

    def action_half_page(self, direction: int) -> None:
        """Scroll half a screen."""
        self.scroll_relative(y=direction * half_page(self), animate=False)

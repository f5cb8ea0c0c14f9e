"""The promote dialog's per-item rows: each selected item with its own category (issue 13).

A multi-item promotion suggests a category per item (a registered item keeps its group's); the table lists them,
the dialog's Category field shows and sets the highlighted row's, and Enter on a row opens that field.
"""

from __future__ import annotations

from rich.text import Text

from pixel_tui.core.printable import one_line
from pixel_tui.tui.keys import NavTable

CATEGORY_WIDTH = 25  # the longest default category, professional_therapeutic, and a space


def shorten_left(text: str, width: int) -> str:
    """``text`` cut from the left to ``width`` cells with a leading `…`: the file name at the end stays."""
    return text if len(text) <= width else "…" + text[-(width - 1):]


class ItemCategories(NavTable):
    """One row per item: its category and its raw key (relative to raw); the cursor row is the one edited."""

    def __init__(self, keys: list[str], raw_prefix: str, **kwargs) -> None:
        super().__init__(cursor_type="row", show_header=False, zebra_stripes=False, **kwargs)
        self.keys, self.raw_prefix = keys, raw_prefix
        self.categories: dict[str, str] = {}

    def on_mount(self) -> None:
        """Two columns, no header (the dialog's label says what they are)."""
        self.add_column("category", key="category", width=CATEGORY_WIDTH)
        self.add_column("item", key="item")
        self.fill({})

    @property
    def current_key(self) -> str:
        """The raw key of the highlighted row."""
        return self.keys[min(max(self.cursor_row, 0), len(self.keys) - 1)]

    def fill(self, categories: dict[str, str]) -> None:
        """Show ``categories`` (key -> category); the cursor stays on its row."""
        self.categories = dict(categories)
        row = self.cursor_row
        width = max(20, self.size.width - CATEGORY_WIDTH - 4) if self.size.width else 46
        self.clear()
        for key in self.keys:
            rel = key[len(self.raw_prefix):] if key.startswith(self.raw_prefix) else key
            cat = self.categories.get(key, "…")
            self.add_row(Text(one_line(cat), style="bold"), Text(shorten_left(one_line(rel), width)), key=key)
        if self.row_count:
            self.move_cursor(row=min(max(row, 0), self.row_count - 1), animate=False)

    def on_resize(self) -> None:
        """Give the names the new width."""
        if self.row_count:
            self.fill(self.categories)

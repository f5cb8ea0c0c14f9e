"""The registry table: one row per dataset, with a status column, a text filter and sorting.

Name, status and path come first and share the width at 80 columns (paths shortened in the middle, so both
`s3://bucket` and the file name stay); wider terminals add size, group, stage, type and source."""

from __future__ import annotations

from rich.text import Text

from pixel_tui.core.registry.columns import (  # noqa: F401 - the screen imports them from here
    COLUMNS,
    Row,
    fit_widths,
    make_row,
    shorten_middle,
)
from pixel_tui.tui.keys import NavTable

STATUS_STYLE = {"ok": "green", "not migrated": "yellow", "size mismatch": "yellow", "unknown stage": "yellow",
                "duplicate name": "yellow", "checking": "dim"}


def cells(row: Row, widths: dict[str, int] | None = None) -> list[Text]:
    """The row's cells for the table: each shortened to fit, the status coloured."""
    return [Text(value, style=STATUS_STYLE.get(row.status, "bold red") if col == "status" else "")
            for col, value in row.texts(widths)]


def _sort_key(row: Row, column: str):
    if column == "size":
        try:
            return (0, float(row.size.split()[0]))
        except (ValueError, IndexError):
            return (1, 0.0)
    return (0, getattr(row, column).lower())


class RegistryTable(NavTable):
    """Datasets of the registry; ``show`` redraws with the current filter and sort."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.rows_all: list[Row] = []
        self.filter_text = ""
        self.sort_column: str | None = None
        self.sort_reverse = False
        self._widths: dict[str, int] = {}

    def on_mount(self) -> None:
        self._set_columns(fit_widths([], self.size.width))

    def on_resize(self) -> None:
        """Refit the columns to the new width."""
        self.show()

    def _set_columns(self, widths: dict[str, int]) -> None:
        if widths == self._widths and self.columns:
            return
        self.clear(columns=True)
        for col, w in widths.items():
            self.add_column(col, key=col, width=w)
        self._widths = widths

    def show(self, rows: list[Row] | None = None) -> None:
        """Replace the rows (or redraw the current ones), keeping the cursor on the same dataset."""
        if rows is not None:
            self.rows_all = rows
        current = self.current_key()
        visible = [r for r in self.rows_all if r.matches(self.filter_text)] if self.filter_text else list(self.rows_all)
        if self.sort_column:
            visible.sort(key=lambda r: _sort_key(r, self.sort_column), reverse=self.sort_reverse)
        self.clear()
        self._set_columns(fit_widths(self.rows_all, self.size.width))
        for r in visible:
            self.add_row(*cells(r, self._widths), key=r.key)
        if current is not None:
            self.select_key(current)

    def current_key(self) -> str | None:
        """The dataset key under the cursor."""
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:  # noqa: BLE001 - an empty or just-cleared table has no cell there
            return None

    def current_row(self) -> Row | None:
        """The Row under the cursor (its group and name, even when a name holds a '/')."""
        key = self.current_key()
        return next((r for r in self.rows_all if r.key == key), None) if key is not None else None

    def select_key(self, key: str) -> None:
        """Move the cursor to a dataset if it is shown."""
        try:
            self.move_cursor(row=self.get_row_index(key))
        except Exception:  # noqa: BLE001 - filtered out or gone
            pass

    def sort_by(self, column: str) -> None:
        """Sort by ``column``; the same column again reverses."""
        if self.sort_column == column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        self.show()

    def visible_keys(self) -> list[str]:
        """Dataset keys in display order."""
        return [row.key.value for row in self.ordered_rows]

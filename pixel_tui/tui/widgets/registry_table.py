"""The registry table: one row per dataset, with a status column, a text filter and sorting."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

from ...core.registry import SOURCE_FIELD, DatasetRef

COLUMNS = ("group", "name", "stage", "type", "path", "source", "size", "status")
STATUS_STYLE = {"ok": "green", "not migrated": "yellow", "size mismatch": "yellow", "unknown stage": "yellow",
                "duplicate name": "yellow", "checking": "dim"}


@dataclass(frozen=True)
class Row:
    """One table row's values, as text, plus the dataset key it shows."""

    key: str
    group: str
    name: str
    stage: str
    type: str
    path: str
    source: str
    size: str
    status: str

    def cells(self) -> list:
        """Cells in column order (status coloured)."""
        style = STATUS_STYLE.get(self.status, "bold red")
        return [self.group, self.name, self.stage, self.type, self.path, self.source, self.size,
                Text(self.status, style=style)]

    def matches(self, needle: str) -> bool:
        """Case-insensitive match of every word of ``needle`` against any column."""
        hay = " ".join((self.group, self.name, self.stage, self.type, self.path, self.source, self.status)).lower()
        return all(word in hay for word in needle.lower().split())


def make_row(ref: DatasetRef, status: str) -> Row:
    """The row of one dataset."""
    e = ref.entry
    size = e.get("size_mb")
    size_text = "" if size is None else f"{size} MB"
    return Row(ref.key, ref.group, ref.name, str(e.get("stage", "")), str(e.get("type", "")), ref.path,
               str(e.get(SOURCE_FIELD, "")), size_text, status)


def _sort_key(row: Row, column: str):
    if column == "size":
        try:
            return (0, float(row.size.split()[0]))
        except (ValueError, IndexError):
            return (1, 0.0)
    return (0, getattr(row, column).lower())


class RegistryTable(DataTable):
    """Datasets of the registry; ``show`` redraws with the current filter and sort."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.rows_all: list[Row] = []
        self.filter_text = ""
        self.sort_column: str | None = None
        self.sort_reverse = False

    def on_mount(self) -> None:
        for col in COLUMNS:
            self.add_column(col, key=col)

    def show(self, rows: list[Row] | None = None) -> None:
        """Replace the rows (or redraw the current ones), keeping the cursor on the same dataset."""
        if rows is not None:
            self.rows_all = rows
        current = self.current_key()
        visible = [r for r in self.rows_all if r.matches(self.filter_text)] if self.filter_text else list(self.rows_all)
        if self.sort_column:
            visible.sort(key=lambda r: _sort_key(r, self.sort_column), reverse=self.sort_reverse)
        self.clear()
        for r in visible:
            self.add_row(*r.cells(), key=r.key)
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

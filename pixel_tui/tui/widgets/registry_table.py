"""The registry table: one row per dataset, with a status column, a text filter and sorting.

Name and status come first so they show at 80 columns; on a wide terminal the columns are fitted to the
width (long paths shortened from the left, so the file name stays) and every column shows."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

from pixel_tui.core.printable import one_line
from pixel_tui.core.registry.document import SOURCE_FIELD, DatasetRef

COLUMNS = ("name", "status", "group", "stage", "type", "size", "path", "source")
# Narrowest a column gets when fitting the table to the width, and the order they give up room in.
MIN_WIDTH = {"name": 16, "status": 13, "group": 12, "stage": 12, "type": 10, "size": 6, "path": 20, "source": 20}
SHRINK_ORDER = ("source", "path", "stage", "type", "group", "name")
TAIL_COLUMNS = ("path", "source")  # shortened from the left: the file name is the telling part
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

    def cells(self, widths: dict[str, int] | None = None) -> list:
        """Cells in column order (status coloured), each shortened to ``widths`` when given."""
        out = []
        for col in COLUMNS:
            value = one_line(getattr(self, col))  # registry text is data: no controls, no markup
            width = (widths or {}).get(col)
            if width is not None and len(value) > width:
                value = "…" + value[-(width - 1):] if col in TAIL_COLUMNS else value[:width - 1] + "…"
            out.append(Text(value, style=STATUS_STYLE.get(self.status, "bold red") if col == "status" else ""))
        return out

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


def fit_widths(rows: list[Row], width: int) -> dict[str, int]:
    """Column widths for a table ``width`` cells wide: natural widths when they fit, else the long columns
    shrink (paths first); when even the minimums do not fit, name and status keep their room and the rest
    scroll to the right."""
    natural = {c: max([len(c)] + [len(getattr(r, c)) for r in rows]) for c in COLUMNS}
    avail = width - 2 - 2 * len(COLUMNS)  # vertical scrollbar, one cell of padding each side of a column
    widths = dict(natural)
    excess = sum(widths.values()) - avail
    if excess <= 0 or width <= 0:
        return widths
    if sum(min(natural[c], MIN_WIDTH[c]) for c in COLUMNS) <= avail:
        for col in SHRINK_ORDER:
            give = min(excess, widths[col] - min(natural[col], MIN_WIDTH[col]))
            widths[col] -= give
            excess -= give
            if excess <= 0:
                break
        return widths
    for col in COLUMNS:
        widths[col] = min(natural[col], MIN_WIDTH[col])
    widths["name"] = natural["name"]
    widths["group"] = max(min(natural["group"], avail - widths["name"] - widths["status"] - 4), MIN_WIDTH["group"])
    return widths


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
        for col in COLUMNS:
            self.add_column(col, key=col, width=widths[col])
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
            self.add_row(*r.cells(self._widths), key=r.key)
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

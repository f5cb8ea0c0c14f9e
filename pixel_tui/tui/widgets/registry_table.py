"""The registry table: one row per dataset, with a status column, a text filter and sorting.

Name, status and path come first and share the width at 80 columns (paths shortened in the middle, so both
`s3://bucket` and the file name stay); wider terminals add size, group, stage, type and source."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from pixel_tui.core.printable import one_line
from pixel_tui.core.registry.document import SOURCE_FIELD, DatasetRef
from pixel_tui.tui.keys import NavTable

COLUMNS = ("name", "status", "path", "size", "group", "stage", "type", "source")
# Name, status and path always show and share the width: `s3://` against `/mnt/gdrive` is what "not migrated"
# means. The others follow while they fit; the selected row's detail line (RegistryScreen) shows them all.
CORE = ("name", "status", "path")
PATH_FLOOR = 48  # the path keeps this much before an optional column is added
MIN_WIDTH = {"name": 12, "status": 13, "path": 20}
MIDDLE_COLUMNS = ("path", "source")  # shortened in the middle: the scheme/bucket and the file name both tell
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
        """Cells of the shown columns (``widths``' keys, else all), status coloured, each shortened to fit."""
        out = []
        for col in (widths or dict.fromkeys(COLUMNS)):
            value = one_line(getattr(self, col))  # registry text is data: no controls, no markup
            width = (widths or {}).get(col)
            if width is not None and len(value) > width:
                value = shorten_middle(value, width) if col in MIDDLE_COLUMNS else value[:width - 1] + "…"
            out.append(Text(value, style=STATUS_STYLE.get(self.status, "bold red") if col == "status" else ""))
        return out

    def detail(self) -> str:
        """The selected row's line under the table: every column the table may not show."""
        parts = [f"group {self.group}", f"stage {self.stage or '-'}", f"type {self.type or '-'}",
                 f"size {self.size or '-'}"]
        if self.source:
            parts.append(f"source {self.source}")
        return " · ".join(parts)

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


def shorten_middle(value: str, width: int) -> str:
    """``value`` in ``width`` cells, cut in the middle at a '/' where it can: `s3://bucket/…/file.json`."""
    if len(value) <= width:
        return value
    if width < 8:
        return value[:width - 1] + "…"
    tail_room = width * 3 // 5
    tail = value[-tail_room:]
    cut = tail.find("/")
    if 0 <= cut < len(tail) - 4:
        tail = tail[cut:]  # start the tail at a folder boundary
    head = value[: width - len(tail) - 1]
    return head + "…" + tail


def fit_widths(rows: list[Row], width: int) -> dict[str, int]:
    """The shown columns (in order) and their widths for a table ``width`` cells wide: name, status and path
    always; size, group, stage, type and source while the path keeps PATH_FLOOR cells; then the path takes
    what is left (up to its natural width), and when even the core does not fit, the path and then the name
    shrink to their minimums."""
    natural = {c: max([len(c)] + [len(getattr(r, c)) for r in rows]) for c in COLUMNS}
    avail = max(0, width - 2)  # the vertical scrollbar
    cost = lambda cols, path: sum((path if c == "path" else natural[c]) + 2 for c in cols)  # noqa: E731
    cols = list(CORE)
    floor = min(natural["path"], PATH_FLOOR)
    for col in COLUMNS:
        if col not in cols and cost(cols + [col], floor) <= avail:
            cols.append(col)
    cols.sort(key=COLUMNS.index)
    widths = {c: natural[c] for c in cols}
    excess = cost(cols, natural["path"]) - avail
    # Share the room: the path first gives down to 32 cells, then a long name to 20, then both to the minimums.
    for col, floor_width in (("path", 32), ("name", 20), ("path", MIN_WIDTH["path"]), ("name", MIN_WIDTH["name"])):
        if excess <= 0:
            break
        give = max(0, min(excess, widths[col] - min(natural[col], floor_width)))
        widths[col] -= give
        excess -= give
    return widths


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

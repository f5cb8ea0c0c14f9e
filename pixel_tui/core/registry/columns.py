"""The registry's columns, for the screen's table and `registry show`: name, status and path come first and share
the width (paths shortened in the middle, so both `s3://bucket` and the file name stay); wider terminals add
size, group, stage, type and source."""

from __future__ import annotations

from dataclasses import dataclass

from pixel_tui.core.printable import one_line
from pixel_tui.core.registry.entries import SOURCE_FIELD, DatasetRef

COLUMNS = ("name", "status", "path", "size", "group", "stage", "type", "source")
# Name, status and path always show and share the width: `s3://` against `/mnt/gdrive` is what "not migrated"
# means. The others follow while they fit; the selected row's detail line (RegistryScreen) shows them all.
CORE = ("name", "status", "path")
PATH_FLOOR = 48  # the path keeps this much before an optional column is added
MIN_WIDTH = {"name": 12, "status": 13, "path": 20}
MIDDLE_COLUMNS = ("path", "source")  # shortened in the middle: the scheme/bucket and the file name both tell


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

    def texts(self, widths: dict[str, int] | None = None) -> list[tuple[str, str]]:
        """(column, value) of the shown columns (``widths``' keys, else all), each shortened to fit."""
        out = []
        for col in (widths or dict.fromkeys(COLUMNS)):
            value = one_line(getattr(self, col))  # registry text is data: no controls, no markup
            width = (widths or {}).get(col)
            if width is not None and len(value) > width:
                value = shorten_middle(value, width) if col in MIDDLE_COLUMNS else value[:width - 1] + "…"
            out.append((col, value))
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
        hay = " ".join((self.key, self.group, self.name, self.stage, self.type, self.path, self.source, self.status)).lower()
        return all(word in hay for word in needle.lower().split())


def make_row(ref: DatasetRef, status: str) -> Row:
    """The row of one dataset."""
    e = ref.entry
    size = e.get("size_mb")
    size_text = "" if size is None else f"{size} MB"
    return Row(ref.key, ref.group, ref.name, str(e.get("stage", "")), str(e.get("type", "")), ref.path,
               str(e.get(SOURCE_FIELD, "")), size_text, status)


def shorten_middle(value: str, width: int) -> str:
    """``value`` in ``width`` cells, cut in the middle at a '/' where it can: `s3://bucket/…/file.json`.

    Where there is room, the root (`s3://bucket/`, `/mnt/gdrive/`) and the file name both stay whole: they are
    what tells a migrated path from one that is not."""
    if len(value) <= width:
        return value
    if width < 8:
        return value[:width - 1] + "…"
    root, name = _root(value), value[value.rstrip("/").rfind("/"):]
    if len(root) + 1 + len(name) <= width:
        tail = value[-(width - len(root) - 1):]
        cut = tail.find("/")
        tail = tail[cut:] if cut >= 0 else name  # start the tail at a folder boundary; it holds the name
        return value[: width - len(tail) - 1] + "…" + tail
    if root and len(root) + 9 <= width:  # the root whole, then as much of the file name as fits
        return root + "…" + value[-(width - len(root) - 1):]
    tail_room = width * 3 // 5
    tail = value[-tail_room:]
    cut = tail.find("/")
    if 0 <= cut < len(tail) - 4:
        tail = tail[cut:]  # start the tail at a folder boundary
    head = value[: width - len(tail) - 1]
    return head + "…" + tail


def _root_and_name(value: str) -> int:
    """Cells that `s3://bucket/…/file.json` takes: the root, the ellipsis and the file name."""
    return len(_root(value)) + 1 + len(value) - value.rstrip("/").rfind("/")


def _root(value: str) -> str:
    """`s3://bucket/`, or the first two folders of an absolute path (`/mnt/gdrive/`), else the first folder."""
    if "://" in value:
        scheme, _, rest = value.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}/"
    parts = value.split("/")
    keep = 3 if value.startswith("/") else 1
    return "/".join(parts[:keep]) + "/" if len(parts) > keep else ""


def fit_widths(rows: list[Row], width: int, scrollbar: int = 2) -> dict[str, int]:
    """The shown columns (in order) and their widths for a table ``width`` cells wide: name, status and path
    always; size, group, stage, type and source while the path keeps PATH_FLOOR cells; then the path takes
    what is left (up to its natural width), and when even the core does not fit, the path and then the name
    shrink to their minimums."""
    natural = {c: max([len(c)] + [len(getattr(r, c)) for r in rows]) for c in COLUMNS}
    avail = max(0, width - scrollbar)  # the table's vertical scrollbar (none on a terminal line)
    cost = lambda cols, path: sum((path if c == "path" else natural[c]) + 2 for c in cols)  # noqa: E731
    cols = list(CORE)
    floor = min(natural["path"], PATH_FLOOR)
    for col in COLUMNS:
        if col not in cols and cost(cols + [col], floor) <= avail:
            cols.append(col)
    cols.sort(key=COLUMNS.index)
    widths = {c: natural[c] for c in cols}
    excess = cost(cols, natural["path"]) - avail
    # Share the room: the path first gives down to what keeps each row's root and file name whole (32 to
    # PATH_FLOOR cells), then a long name to 20, then both to the minimums.
    keep = min(PATH_FLOOR, max([32] + [_root_and_name(r.path) for r in rows]))
    for col, floor_width in (("path", keep), ("name", 20), ("path", MIN_WIDTH["path"]), ("name", MIN_WIDTH["name"])):
        if excess <= 0:
            break
        give = max(0, min(excess, widths[col] - min(natural[col], floor_width)))
        widths[col] -= give
        excess -= give
    return widths

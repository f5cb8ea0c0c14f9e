"""The browser's row orders and status filters, computed without a terminal.

An order is a permutation of a Level's row numbers, computed from its columns (no per-row copies):
by name, size or modification time, folders first as rclone ncdu and stu sort. Ties keep the listing
order (the sorts are stable), sizes rclone does not know (-1: Google Docs, http remotes) sort last.
While a big level streams in, new rows are merged into the order kept so far.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from pixel_tui.core.storage.listing import Level

# The cycle of `o`: as listed (the remote's order), then by name, size and time.
SORTS = ("", "name", "size", "time")
SORT_LABELS = {"": "as listed", "name": "name ↑", "size": "size ↓", "time": "time ↓"}


def next_sort(current: str) -> str:
    """The sort after ``current`` in the cycle (as listed -> name -> size -> time -> as listed)."""
    return SORTS[(SORTS.index(current) + 1) % len(SORTS)] if current in SORTS else SORTS[0]


# One number (or string) per row, so the sort compares in C: folders sort below every file.
_FOLDERS_FIRST = -1e12  # below any -mtime (|mtime| < 1e11 s) and any -size sort key of a file
_UNKNOWN_LAST = 1e11  # above any -mtime


def sort_key(level: "Level", sort: str) -> Callable[[int], float | str]:
    """Key of a row number of ``level`` for ``sort``: folders first, then files; unknown values last."""
    names, sizes, mtimes = level.names, level.sizes, level.mtimes
    if sort == "name":
        return lambda i: ("0" if names[i].endswith("/") else "1") + names[i].casefold()
    if sort == "size":
        inf = math.inf

        def by_size(i: int) -> float:
            # A folder's size is not listed: folders come first in the listing's order (a stable sort).
            if names[i].endswith("/"):
                return -inf
            size = sizes[i]
            return -size if size >= 0 else inf
        return by_size
    if sort == "time":
        isnan = math.isnan

        def by_time(i: int) -> float:
            mtime = mtimes[i]
            key = _UNKNOWN_LAST if isnan(mtime) else -mtime
            return key + _FOLDERS_FIRST if names[i].endswith("/") else key
        return by_time
    raise ValueError(f"unknown sort {sort!r}")


def sorted_rows(level: "Level", sort: str) -> list[int]:
    """Every row number of ``level`` in ``sort`` order."""
    return sorted(range(len(level)), key=sort_key(level, sort))


class RowOrder:
    """The row numbers of a Level in one sort order (``rows``), kept in order while pages arrive.

    While the level streams in it also holds each row's sort key (``keys``, one number or string per row,
    not a copy of the row), so a new page is bisected into it in C instead of calling the key function
    log n times per new row. ``drop_keys()`` frees them once the level is complete; a later merge
    recomputes them.
    """

    __slots__ = ("sort", "rows", "keys")

    def __init__(self, level: "Level", sort: str) -> None:
        self.sort = sort
        self.rows = sorted_rows(level, sort)
        self.keys: list | None = None

    def merge(self, level: "Level", start: int) -> None:
        """Add rows ``start``.. of ``level`` (just appended): the page is sorted, each of its rows bisected
        into the rows so far (from where the previous one landed), the runs spliced by slice copies."""
        key = sort_key(level, self.sort)
        rows = self.rows
        keys = self.keys if self.keys is not None else [key(i) for i in rows]
        new = sorted((key(i), i) for i in range(start, len(level)))  # (key, row): ties keep the listing order
        out_rows: list[int] = []
        out_keys: list = []
        prev = 0
        for k, i in new:
            # bisect_right: a new row goes after the rows it ties with, as a stable sort of the whole puts it
            pos = bisect_right(keys, k, prev)
            out_rows += rows[prev:pos]
            out_keys += keys[prev:pos]
            out_rows.append(i)
            out_keys.append(k)
            prev = pos
        out_rows += rows[prev:]
        out_keys += keys[prev:]
        self.rows, self.keys = out_rows, out_keys

    def drop_keys(self) -> None:
        """The level is complete: keep only the row numbers."""
        self.keys = None


# -- status filters ------------------------------------------------------------------------------------
# (kind, label shown in the status line) of each pane's `f` cycle; the pane says which apply where.
DRIVE_STATUS_FILTERS = (("missing", "missing ✗"), ("differs", "differing ≠"), ("partial", "partial ◐"))
RAW_STATUS_FILTERS = (("extra", "only on S3 +"), ("unpromoted", "not promoted"))
PROCESSED_STATUS_FILTERS = (("unregistered", "unregistered ·"),)


def next_status(kinds: list[str], current: str) -> str:
    """The filter after ``current`` in the cycle all ('') -> each of ``kinds`` -> all."""
    cycle = ["", *kinds]
    return cycle[(cycle.index(current) + 1) % len(cycle)] if current in cycle else ""


def status_matches(kind: str, marker: str, only_s3: bool = False) -> bool:
    """Whether a row with ``marker`` (and on S3 only, for raw rows) passes the status filter ``kind``."""
    if kind == "extra":
        return only_s3
    if kind == "unpromoted":
        return marker != "promoted"
    return marker == kind

"""One level of the Drive remote or the bucket as browser rows, and the totals of one folder.

A row is ``(name, size or -1 for a folder, mtime epoch or NaN, md5 or etag or '')``; folder names
end in '/'. Listings come in batches as they arrive, so a 100k level shows before it is complete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from pixel_tui.core.browse.markers import folder_marker, uploaded_text
from pixel_tui.core.browse.reconcile import Sync, diff_remote
from pixel_tui.core.storage.listing import epoch
from pixel_tui.core.storage.rclone import join_remote
from pixel_tui.core.storage.walk_split import walk_split
from pixel_tui.core.units import human_bytes, human_duration, plural

if TYPE_CHECKING:
    from pixel_tui.core.browse.shared_level import SharedLevels
    from pixel_tui.core.browse.totals_snapshot import TotalsSnapshots
    from pixel_tui.core.storage.rclone import Rclone, RemoteEntry
    from pixel_tui.core.storage.s3 import S3Store

Cancelled = Callable[[], bool]


def drive_rows(rclone: "Rclone", root: str, location: str, hashes: bool,
               cancelled: Cancelled | None = None, shortcuts: set[str] | None = None) -> Iterator[list[tuple]]:
    """rclone lsjson of one Drive folder, in batches; MD5s only when ``hashes`` (cheap on this remote).

    ``shortcuts`` (when given) receives the row names of the Drive shortcuts: rclone lists one as its
    target with the ID "<shortcut id>\t<target id>", and a row keeps no ID, so this is where it is seen."""
    for batch in rclone.iter_level(join_remote(root, location), hashes=hashes, cancelled=cancelled):
        yield rows_of(batch, shortcuts)


def rows_of(batch: "Iterable[RemoteEntry]", shortcuts: set[str] | None = None) -> list[tuple]:
    """Browser rows of rclone entries (folders get a trailing '/'); shortcut names go to ``shortcuts``."""
    rows = []
    for e in batch:
        name = e.name + "/" if e.is_dir else e.name
        if shortcuts is not None and e.is_shortcut:
            shortcuts.add(name)
        rows.append((name, -1 if e.is_dir else e.size, epoch(e.modified), e.md5 or ""))
    return rows


def only_on_s3(rclone: "Rclone", root: str, location: str, s3_names: Iterable[str]) -> set[str]:
    """Names of an S3 raw level (relative ``location`` under raw) with no Drive counterpart: all of them
    when the Drive has no such folder."""
    from pixel_tui.core.errors import RcloneError

    names = set(s3_names)
    try:
        for rows in drive_rows(rclone, root, location, hashes=False):
            names.difference_update(r[0] for r in rows)
    except RcloneError as exc:
        if "not found" not in str(exc):
            raise
    return names


def s3_rows(store: "S3Store", location: str, cancelled: Cancelled | None = None,
            shared: "SharedLevels | None" = None) -> Iterator[list[tuple]]:
    """ListObjectsV2 pages of one level (delimiter '/'), pipelined by the store; through ``shared``
    (a fresh listing, which the Drive pane's markers of the same level then join) when given."""
    if shared is not None:
        for chunk in shared.chunks(store, location, fresh=True, cancelled=cancelled):
            sizes, mtimes = chunk.sizes, chunk.mtimes
            yield [(n, sizes[i], mtimes[i], chunk.etag(i)) for i, n in enumerate(chunk.names)]
        return
    cut = len(location)
    for page in store.iter_level(location):
        if cancelled is not None and cancelled():
            return
        rows = [(p[cut:], -1, float("nan"), "") for p in page.prefixes]
        # The level's own folder-marker key ("a/b/" listed under "a/b/") is not an entry.
        rows += [(o.key[cut:], o.size, epoch(o.last_modified), o.etag) for o in page.objects if o.key != location]
        yield rows


def drive_totals(rclone: "Rclone", store: "S3Store", drive_path: str, raw_path: str,
                 hashes: bool | None = None) -> tuple[str, str]:
    """(files, bytes and sync summary of a Drive folder against its raw copy, the folder's marker)."""
    report = diff_remote(rclone, drive_path, store, raw_path, hashes=hashes, keep_uploaded=False)
    total, unknown = report.file_bytes  # -1: a size the remote does not know
    summary = report.folders(depth=0).get("")
    status = uploaded_text(summary) if summary else "0/0 uploaded"
    if report.missing:
        gone = sum(max(i.drive_size or 0, 0) for i in report.missing)
        status += f", {len(report.missing):,} missing ({human_bytes(gone)})"
    if report.differs:
        status += f", {len(report.differs):,} differ"
    if unknown:
        status += f" · {unknown} of unknown size"
    marker = folder_marker(summary) if summary else Sync.MISSING.value
    return f"{plural(report.file_count, 'file')} {human_bytes(total)} · {status}", marker


def s3_totals(store: "S3Store", prefix: str, cancelled: Cancelled | None = None,
              progress: Callable[[str], None] | None = None, snapshots: "TotalsSnapshots | None" = None) -> str:
    """Objects and bytes under a prefix; ``progress`` hears the running count every 5000 objects.

    A complete count is remembered in ``snapshots`` (a cancelled one is not)."""
    count = total = 0
    for obj in walk_split(store, prefix, cancelled):  # a sum: order does not matter, so folders side by side
        count += 1
        total += obj.size
        if progress is not None and count % 5000 == 0:
            progress(f"counting {count:,}…")
    if snapshots is not None and not (cancelled is not None and cancelled()):
        snapshots.put(prefix, count, total)
    return f"{count:,} obj {human_bytes(total)}"


def remembered_totals(snapshots: "TotalsSnapshots", location: str, names: Iterable[str],
                      now: float | None = None) -> dict[str, str]:
    """Folder name -> its remembered totals with their age ('1,204 obj 3.1 GiB · 2h ago'), for the
    folders of a level counted before (in this session or an earlier one)."""
    import time

    now = time.time() if now is None else now
    out = {}
    for name in names:
        if name.endswith("/"):
            t = snapshots.get(location + name)
            if t is not None:
                out[name] = f"{t.count:,} obj {human_bytes(t.bytes)} · {human_duration(max(0.0, now - t.at))} ago"
    return out

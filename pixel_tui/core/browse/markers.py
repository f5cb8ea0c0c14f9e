"""The browser's markers, computed without a terminal: Drive items against S3 raw (uploaded, missing,
differs, uploading now), S3 raw items promoted or not, processed items registered or not.

The panes call these from their worker threads and only draw the result. What is "uploading now"
comes in from the caller (the app's job feed); `uploading_now(settings)` reads it from the logs for
callers without one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

from pixel_tui.core.browse.reconcile import (
    FolderSummary,
    Sync,
    level_sync,
    processed_index,
    processed_markers,
    raw_markers,
    registry_keys,
    with_ancestors,
)
from pixel_tui.core.storage.walk_split import walk_split
from pixel_tui.core.units import plural

if TYPE_CHECKING:
    from pixel_tui.core.browse.reconcile import DiffReport
    from pixel_tui.core.browse.shared_level import SharedLevels
    from pixel_tui.core.config import Settings
    from pixel_tui.core.jobs.parse import Snapshot, Transfer
    from pixel_tui.core.jobs.tail import JobView
    from pixel_tui.core.storage.s3 import S3Store

Row = tuple  # (name, size or -1 for a folder, mtime, md5 or etag): one entry of a listed level


# A Drive folder some of whose files are uploaded, none differing: not "differs" (that is for content).
PARTIAL = "partial"


@dataclass
class Marks:
    """Markers of one level (name -> marker value, '' clears one), per-row info and the pane's note."""

    markers: dict[str, str] = field(default_factory=dict)
    note: str = ""
    info: dict[str, str] = field(default_factory=dict)


def folder_marker(summary: FolderSummary) -> str:
    """A Drive folder's marker from its files' counts: uploaded (all), differs (some content differs),
    duplicate (a name taken twice), partial (some uploaded, the rest missing), missing (none uploaded)."""
    if summary.total and summary.uploaded == summary.total:
        return Sync.UPLOADED.value
    if summary.differs:
        return Sync.DIFFERS.value
    if summary.duplicates:
        return Sync.DUPLICATE.value  # a name rclone copies only once: not uploaded, whatever the rest says
    return PARTIAL if summary.uploaded else Sync.MISSING.value


def uploaded_text(summary: FolderSummary) -> str:
    """``1,204/1,210 uploaded``: a folder's count, grouped in thousands as people read it."""
    return f"{summary.uploaded:,}/{summary.total:,} uploaded"


def subtree_line(report: "DiffReport") -> str:
    """The whole subtree of a Drive level: ``73/77 uploaded, 4 missing, 76.5 MiB`` (its files' bytes)."""
    from pixel_tui.core.units import human_bytes

    parts = [f"{report.uploaded_count:,}/{report.file_count:,} uploaded", f"{len(report.missing):,} missing"]
    if report.differs:
        parts.append(f"{len(report.differs):,} differ")
    parts.append(human_bytes(report.file_bytes[0]))  # -1: a size the remote does not know
    return ", ".join(parts)


def subtree_marks(report: "DiffReport", uploading: Iterable[str] = ()) -> Marks:
    """The level's folders marked from the whole subtree (``N/M uploaded`` beside each), and the note on
    what the subtree holds (``whole tree ...``). Folders in ``uploading`` keep ↑."""
    busy = set(uploading)
    marks = Marks(note=f"whole tree {subtree_line(report)}")
    for folder, summary in report.folders(depth=1).items():
        if not folder or not summary.total:
            continue
        name = folder + "/"
        if name not in busy:
            marks.markers[name] = folder_marker(summary)
        marks.info[name] = uploaded_text(summary)
    return marks


# -- what rclone is transferring now -------------------------------------------------------------------
def transfer_matches(transfer: str, rel: str, folder: bool) -> bool:
    """rclone names a transfer by its path, shortened with '…' in the middle when long."""
    if "…" in transfer:
        head, _, tail = transfer.partition("…")
        if folder:
            return head.startswith(rel) or rel.startswith(head)
        return rel.startswith(head) and rel.endswith(tail) and len(rel) >= len(head) + len(tail)
    return transfer.startswith(rel) if folder else transfer == rel


def transfers_of(views: Iterable["JobView"], drive: str | None = None) -> list["Transfer"]:
    """The files in flight in the newest views of the watched jobs (logs and rc endpoints).

    With ``drive`` (the Drive remote) each is named by its path under the Drive, from its job's source
    root (`view.root`), and the files of jobs copying from elsewhere are left out.
    """
    from dataclasses import replace

    from pixel_tui.core.jobs.sources import drive_name

    out = []
    for v in views:
        if not (v.exists and v.snapshot):
            continue
        for t in v.snapshot.transferring:
            name = t.name if drive is None else drive_name(t.name, v.root, drive)
            if name is not None:
                out.append(t if name == t.name else replace(t, name=name))
    return out


def in_flight(views: Iterable["JobView"], drive: str | None = None) -> list[str]:
    """Drive paths of the files in flight in ``views`` (what the Drive markers call "uploading")."""
    return [t.name for t in transfers_of(views, drive)]


def uploading_now(settings: "Settings") -> list[str]:
    """Paths the configured rclone logs list as transferring right now, read from the logs' ends
    (empty when no log is configured)."""
    if not settings.logs:
        return []
    from pixel_tui.core.jobs.tail import expand_sources, read_current

    snaps: list["Snapshot"] = []
    for path in expand_sources(settings.logs):
        try:
            snaps.append(read_current(path))
        except OSError:
            continue
    return [t.name for snap in snaps for t in snap.transferring]


def transfer_progress(transfers, rel: str, folder: bool) -> str:
    """Live progress of a Drive path from rclone's transferring lists ('' when nothing of it is in flight).

    A file: its percent, bytes, speed and ETA. A folder: the same summed over its files in flight.
    """
    from pixel_tui.core.units import human_bytes, human_duration, human_rate

    mine = [t for t in transfers if transfer_matches(t.name, rel, folder)]
    if not mine:
        return ""
    done = sum(t.bytes or 0 for t in mine)
    size = sum(t.size or 0 for t in mine)
    speed = sum(t.speed or 0.0 for t in mine)
    etas = [t.eta for t in mine if t.eta is not None]
    pct = f"{100 * done / size:.0f}%" if size else "?%"
    what = plural(len(mine), "file") + " " if folder else ""
    eta = human_duration(max(etas)) if etas else "-"
    return f"[b]↑ {what}{pct}[/b] {human_bytes(done)} / {human_bytes(size)} · {human_rate(speed)} · ETA {eta}"


# -- Drive ---------------------------------------------------------------------------------------------
def drive_markers(store: "S3Store", settings: "Settings", location: str, rows: list[Row],
                  uploading: Iterable[str] = (), again: bool = False,
                  shared: "SharedLevels | None" = None, since: float | None = None,
                  shortcuts: Iterable[str] = ()) -> Marks:
    """Each Drive file of the level at ``location`` against its raw counterpart; folders missing when
    S3 has no such prefix; "uploading" for what rclone has in flight (``uploading``: transfer names);
    "shortcut" for the Drive shortcuts among the rows (``shortcuts``: their names).

    ``again``: a re-check of a shown level, so folders that are neither also get an (empty) marker.
    Lists one level of S3 (raw prefix + location), through ``shared`` when given (joining the S3
    pane's listing of the same level; one started after ``since`` when given, a new one for a re-check);
    none for an empty Drive level.
    """
    prefix = settings.raw_prefix + location
    s3_files: dict[str, tuple[int, str]] = {}
    s3_dirs: set[str] = set()
    if not rows:
        pass  # nothing to mark: no S3 listing
    elif shared is not None:
        level = shared.level(store, prefix, fresh=again, since=since)
        sizes = level.sizes
        for i, name in enumerate(level.names):
            if name.endswith("/"):
                s3_dirs.add(name)
            else:
                s3_files[name] = (sizes[i], level.etag(i))
    else:
        for page in store.iter_level(prefix):
            s3_dirs.update(p[len(prefix):] for p in page.prefixes)
            for o in page.objects:
                s3_files[o.key[len(prefix):]] = (o.size, o.etag)
    return mark_drive_level(location, rows, s3_files, s3_dirs, uploading, again, shortcuts)


def mark_drive_level(location: str, rows: list[Row], s3_files: dict[str, tuple[int, str]], s3_dirs: set[str],
                     uploading: Iterable[str] = (), again: bool = False, shortcuts: Iterable[str] = ()) -> Marks:
    """drive_markers() once the S3 level is listed: ``s3_files`` {name: (size, etag)}, ``s3_dirs`` names."""
    busy = list(uploading)
    files = [(n, size, md5 or None) for n, size, _, md5 in rows if not n.endswith("/")]
    busy_files = [n for n, _, _ in files if any(transfer_matches(t, location + n, False) for t in busy)]
    markers = {n: s.value for n, s in level_sync(files, s3_files, busy_files).items()}
    for name, *_ in rows:
        if name.endswith("/"):
            if any(transfer_matches(t, location + name, True) for t in busy):
                markers[name] = Sync.UPLOADING.value
            elif name not in s3_dirs:
                markers[name] = Sync.MISSING.value
            elif again:
                markers[name] = ""  # clears an "uploading" from an earlier look
    done = sum(1 for v in markers.values() if v == "uploaded")
    # A shortcut reads as one whatever its copy's state: rclone follows it, so what it points at may be
    # counted and uploaded twice, and the operator decides (skip_shortcuts) before its sync state matters.
    wanted = set(shortcuts)
    if wanted:
        for name in wanted.intersection(r[0] for r in rows):
            markers[name] = Sync.SHORTCUT.value
    return Marks(markers, level_note(done, len(files)))


def shortcut_note(width: int) -> str:
    """The status line's hint for a Drive shortcut row, in ``width`` cells (rclone's flag always whole)."""
    long = "↪ a Drive shortcut: rclone follows it, so it may be counted twice; skip_shortcuts / --drive-skip-shortcuts"
    if len(long) <= width:
        return long
    mid = "↪ shortcut: skip_shortcuts / --drive-skip-shortcuts"
    return mid if len(mid) <= width else "↪ shortcut · --drive-skip-shortcuts"


def level_note(done: int, files: int) -> str:
    """What a Drive level's own markers count: its files, not what lies below its folders."""
    return f"this level {done}/{files} uploaded"


# -- S3 ------------------------------------------------------------------------------------------------
def registry_paths(settings: "Settings", store_factory: Callable[[str], "S3Store"]) -> list[str]:
    """Every dataset path of the configured registry ([] when none is configured)."""
    if not settings.registry:
        return []
    from pixel_tui.core.registry.document import Registry

    return [d.path for d in Registry.load(settings.registry, store_factory, max_bytes=settings.registry_max_bytes).datasets()]


@dataclass(frozen=True)
class S3Index:
    """What the S3 markers look items up in: raw paths with a same-named copy under processed/<category>/,
    and every key (with its ancestors) that the registry references or a promotion journal copied."""

    promoted: set[str]
    refs: set[str]


def s3_index(store: "S3Store", settings: "Settings",
             store_factory: Callable[[str], "S3Store"] | None = None) -> S3Index:
    """Walk processed/, load the registry and read the promotion journals (one pass each)."""
    from pixel_tui.core.promotion.history import promoted_sources

    if store_factory is None:
        from pixel_tui.core.storage.s3 import store_factory as factory_for

        store_factory = factory_for(settings, reuse=store)

    keys = (o.key for o in walk_split(store, settings.processed_prefix))  # into a set: any order
    promoted = processed_index(keys, settings.processed_prefix, settings.categories)
    refs = with_ancestors(registry_keys(registry_paths(settings, store_factory), settings.bucket or ""))
    # A promotion under a new name leaves no same-named copy: its journal says what it promoted.
    refs |= promoted_sources(settings)
    return S3Index(promoted, refs)


def s3_markers(settings: "Settings", location: str, names: list[str],
               index: Callable[[], S3Index]) -> Marks | None:
    """Under raw: promoted or not; under processed/<category>/: registered or not; elsewhere None.

    ``index()`` is only called where a marker needs it (the pane keeps one per refresh).
    """
    raw, proc = settings.raw_prefix, settings.processed_prefix
    if location.startswith(raw):
        idx = index()
        marks = raw_markers(names, raw, location[len(raw):], idx.promoted, idx.refs, proc, settings.categories)
        done = sum(1 for v in marks.values() if v)
        return Marks(marks, f"{done} promoted")
    if location.startswith(proc) and location != proc:
        marks = processed_markers(names, location, index().refs)
        done = sum(1 for v in marks.values() if v == "registered")
        return Marks(marks, f"{done}/{len(marks)} in the registry")
    return None


class S3Marker:
    """The S3 markers of a browsing session: the index is read on first need and kept until `reset()`."""

    def __init__(self, store: Callable[[], "S3Store"], settings: "Settings") -> None:
        self._store = store
        self.settings = settings
        self._index: S3Index | None = None
        self._generation = 0
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Read processed/, the registry and the journals again on the next level that needs them."""
        self._generation += 1
        self._index = None

    def index(self) -> S3Index:
        """The kept index, read now if there is none (a read that a reset overtook is not kept)."""
        with self._lock:
            if self._index is not None:
                return self._index
            generation = self._generation
            index = s3_index(self._store(), self.settings)
            if generation == self._generation:
                self._index = index
            return index

    def level(self, location: str, names: list[str]) -> Marks | None:
        """Markers of one listed level (None where the S3 tree has none)."""
        return s3_markers(self.settings, location, names, self.index)

"""Drive-vs-S3 and registry-vs-S3 comparisons: sync status of files, folder summaries, markers.

Names map 1:1: a Drive path ``a/b.json`` relative to the compared Drive folder is the S3 key
``raw_prefix + "a/b.json"``. Keys ending in '/' are folder markers, never files: a Drive file
``x`` matches the S3 object ``x`` only, not ``x/``.

A real Drive adds: sizes of -1 (Google-native documents, exported on download; `http` remotes),
duplicate names in one folder, shortcuts, and big files uploaded in parts whose ETag is not an MD5
(rclone keeps their MD5 in the object's metadata). Each has its own rule below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from pixel_tui.core.storage.rclone import SHORTCUT_ID_SEPARATOR, lsjson_md5, lsjson_size

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings
    from pixel_tui.core.storage.rclone import Rclone, RemoteEntry
    from pixel_tui.core.storage.s3 import S3Store
from pixel_tui.core.browse.diff_merge import DiffMerge, run_merge
from pixel_tui.core.browse.diff_report import (  # noqa: F401 - the report types; importers of this module keep working
    CHECK_MD5,
    CHECK_RCLONE_MD5,
    CHECK_SIZE,
    CHECK_SIZE_DIFFERS,
    CHECK_SIZE_UNKNOWN,
    DEDUPE_HINT,
    DOCUMENT_HINT,
    KIND_DOCUMENT,
    KIND_FILE,
    KIND_SHORTCUT,
    SHORTCUT_HINT,
    DiffItem,
    DiffReport,
    DriveFile,
    FolderSummary,
    Sync,
    Tally,
    compare_file,
    judge,
)
from pixel_tui.core.browse.s3_marks import (  # noqa: F401 - moved there; importers of this module keep working
    _referenced,
    processed_index,
    processed_markers,
    raw_markers,
    registry_keys,
    with_ancestors,
)


def compare_files(drive: Iterable[DriveFile], s3: Mapping[str, tuple[int, str | None]],
                  drive_path: str = "", s3_prefix: str = "",
                  meta_md5: Mapping[str, str] | None = None) -> DiffReport:
    """Compare Drive files with {relative path: (size, etag)} of S3 (the pure core of diff_remote).

    ``meta_md5``: {relative path: rclone's MD5 metadata} of objects whose ETag is not an MD5. A path
    listed twice is a duplicate name (Drive allows them; rclone copies one); shortcuts are compared
    but reported apart and never counted with the files they point at.
    """
    merge = DiffMerge(drive_path, s3_prefix, meta_md5=meta_md5)
    for path, (size, etag) in s3.items():
        merge.add_s3(path, size, etag)
    merge.finish_s3()
    for f in drive:
        merge.add_drive(f)
    return merge.finish()


def compare_maps(drive: Mapping[str, tuple[int, str | None]], s3: Mapping[str, tuple[int, str | None]],
                 drive_path: str = "", s3_prefix: str = "") -> DiffReport:
    """Compare {relative path: (size, md5)} of Drive with {relative path: (size, etag)} of S3."""
    return compare_files((DriveFile(p, size, md5) for p, (size, md5) in drive.items()), s3, drive_path, s3_prefix)


def remote_type(rclone: "Rclone", drive_path: str) -> str:
    """The rclone backend of ``drive_path`` ('drive', 's3', 'http'...; 'local' for a plain path, '' unknown)."""
    if drive_path.startswith(":"):  # an on-the-fly remote, `:http,url=...:` or `:drive:path`
        return drive_path[1:].split(",", 1)[0].split(":", 1)[0]
    name, sep, _ = drive_path.partition(":")
    if not sep or "/" in name or not name:
        return "local"
    try:
        listing = rclone.run("listremotes", "--long", timeout=30)
    except Exception:  # an unknown remote fails later with rclone's own message
        return ""
    for line in listing.splitlines():
        remote, _, kind = line.partition(":")
        if remote.strip() == name:
            return kind.strip()
    return ""


def hashes_are_cheap(rclone: "Rclone", drive_path: str, kind: str | None = None) -> bool:
    """True when the Drive remote serves MD5s from metadata (drive, s3...), not by reading files."""
    kind = remote_type(rclone, drive_path) if kind is None else kind
    return bool(kind) and kind not in ("local", "alias", "union", "combine", "crypt", "http")


class DriveKinds:
    """What each Drive file of a listing is (file, document, shortcut), fed entry by entry: a folder that
    is a shortcut makes everything below it a shortcut (rclone lists a folder before what is in it)."""

    def __init__(self, remote_kind: str = "") -> None:
        self.remote_kind = remote_kind
        self.shortcut_dirs: set[str] = set()

    def under_shortcut(self, path: str) -> bool:
        """True when a folder above ``path`` is a shortcut."""
        cut = path.rfind("/")
        while cut > 0 and self.shortcut_dirs:
            if path[:cut] in self.shortcut_dirs:
                return True
            cut = path.rfind("/", 0, cut)
        return False

    def kind(self, path: str, size: int, shortcut: bool) -> str:
        """KIND_* of a file (``shortcut``: the file itself is one)."""
        if shortcut or (self.shortcut_dirs and self.under_shortcut(path)):
            return KIND_SHORTCUT
        if size < 0 and self.remote_kind == "drive":
            return KIND_DOCUMENT
        return KIND_FILE

    def file(self, e: "RemoteEntry") -> DriveFile | None:
        """The DriveFile of one entry (None for a folder, which is remembered when it is a shortcut)."""
        if e.is_dir:
            if e.is_shortcut:
                self.shortcut_dirs.add(e.path.rstrip("/"))
            return None
        return DriveFile(e.path, e.size, e.md5, self.kind(e.path, e.size, e.is_shortcut))

    def fields(self, d: dict) -> tuple | None:
        """(path, size, md5, kind) of one `rclone lsjson` object, without building a RemoteEntry: what a
        streaming diff feeds per file (None for a folder, remembered when it is a shortcut)."""
        path = d.get("Path", "")
        shortcut = SHORTCUT_ID_SEPARATOR in (d.get("ID") or "")
        if d.get("IsDir"):
            if shortcut:
                self.shortcut_dirs.add(path.rstrip("/"))
            return None
        size = lsjson_size(d)
        return path, size, lsjson_md5(d), self.kind(path, size, shortcut)


def drive_files(entries: Iterable["RemoteEntry"], remote_kind: str = "") -> list[DriveFile]:
    """Drive files of a recursive listing (folders included in ``entries`` mark shortcut folders).

    On a `drive` remote a file of unknown size is a Google-native document: rclone lists it under its
    export name (``Notes.docx``, set by --drive-export-formats) and uploads it under that name.
    """
    entries = list(entries)
    kinds = DriveKinds(remote_kind)
    for e in entries:  # every shortcut folder first: a list may name a folder after its files
        if e.is_dir:
            kinds.file(e)
    return [f for f in map(kinds.file, entries) if f is not None]


def diff_remote(rclone: "Rclone", drive_path: str, store: "S3Store", raw_prefix: str,
                settings: "Settings | None" = None, *, hashes: bool | None = None,
                cancelled: Callable[[], bool] | None = None, metadata_md5: bool = True,
                keep_uploaded: bool = True) -> DiffReport:
    """Compare every file under ``drive_path`` with the objects under ``raw_prefix`` (recursive), both
    listings streamed into one merge (diff_merge.py); ``keep_uploaded=False`` counts the
    uploaded files without listing them (bounded memory).

    With Drive MD5s, objects of the same size whose ETag is not an MD5 (multipart uploads) are compared
    by rclone's MD5 metadata (bounded parallel HEADs, cached in the state directory by ETag).
    """
    if raw_prefix and not raw_prefix.endswith("/"):
        raw_prefix += "/"
    kind = remote_type(rclone, drive_path)
    if hashes is None:
        hashes = hashes_are_cheap(rclone, drive_path, kind)
    batches = rclone.iter_walk(drive_path, hashes=hashes, dirs=True, cancelled=cancelled, modtime=False,
                               parse=DriveKinds(kind).fields)
    report = run_merge(([f for f in batch if f is not None] for batch in batches), store, raw_prefix,
                       drive_path=drive_path, hashes=bool(hashes), metadata_md5=metadata_md5,
                       keep_uploaded=keep_uploaded, settings=settings, cancelled=cancelled)
    if cancelled is not None and cancelled():  # Esc in the details view: rclone was stopped mid-listing
        return DiffReport(drive_path, raw_prefix)
    return report


def level_sync(drive_files: Iterable[tuple[str, int, str | None]],
               s3_files: Mapping[str, tuple[int, str | None]],
               uploading: Iterable[str] = ()) -> dict[str, Sync]:
    """Markers for the files of one Drive level against the objects of its counterpart level.

    ``drive_files``: (name, size or -1 unknown, md5); ``s3_files``: {name: (size, etag)} of the S3 level;
    ``uploading``: names rclone is transferring right now (win over missing/differs). A name listed
    twice is a duplicate (rclone copies one of them).
    """
    busy = set(uploading)
    out: dict[str, Sync] = {}
    for name, size, md5 in drive_files:
        if name in out:
            out[name] = Sync.DUPLICATE
            continue
        other = s3_files.get(name)
        status = compare_file(size, md5, other[0] if other else None, other[1] if other else None)
        if status is not Sync.UPLOADED and name in busy:
            status = Sync.UPLOADING
        out[name] = status
    return out



"""Drive-vs-S3 and registry-vs-S3 comparisons: sync status of files, folder summaries, markers.

Names map 1:1: a Drive path ``a/b.json`` relative to the compared Drive folder is the S3 key
``raw_prefix + "a/b.json"``. Keys ending in '/' are folder markers, never files: a Drive file
``x`` matches the S3 object ``x`` only, not ``x/``.

A real Drive adds: sizes of -1 (Google-native documents, exported on download; `http` remotes),
duplicate names in one folder, shortcuts, and big files uploaded in parts whose ETag is not an MD5
(rclone keeps their MD5 in the object's metadata). Each has its own rule below.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from pixel_tui.core import units
from pixel_tui.core.storage import s3url

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings
    from pixel_tui.core.storage.rclone import Rclone, RemoteEntry
    from pixel_tui.core.storage.s3 import S3Store
from pixel_tui.core.browse.s3_marks import (  # noqa: F401 - moved there; importers of this module keep working
    _referenced,
    processed_index,
    processed_markers,
    raw_markers,
    registry_keys,
    with_ancestors,
)


class Sync(str, Enum):
    """Sync status of one Drive item against its raw counterpart."""

    UPLOADED = "uploaded"
    MISSING = "missing"
    DIFFERS = "differs"
    UPLOADING = "uploading"
    EXTRA = "extra"  # on S3 under raw, not on Drive
    DUPLICATE = "duplicate"  # the name is taken more than once in one Drive folder: rclone copies one
    SHORTCUT = "shortcut"  # a Drive shortcut: rclone follows it, so its data may be counted twice


# Which comparison decided a file's status (reported per file, so "uploaded" says how sure it is).
CHECK_MD5 = "md5"  # the Drive MD5 against a plain-MD5 ETag
CHECK_RCLONE_MD5 = "md5 (rclone metadata)"  # against X-Amz-Meta-Md5chksum (multipart uploads)
CHECK_SIZE = "size only"  # same size, no MD5 to compare
CHECK_SIZE_DIFFERS = "size"  # the sizes differ: decisive without an MD5
CHECK_SIZE_UNKNOWN = "size unknown"  # the Drive side has no size (Google Docs, http remotes): name only

# What a Drive file is (DiffItem.kind).
KIND_FILE = "file"
KIND_DOCUMENT = "document"  # a Google-native Doc/Sheet/Slides, listed and uploaded under its export name
KIND_SHORTCUT = "shortcut"

DOCUMENT_HINT = ("rclone uploads them exported, under the listed name (--drive-export-formats), unless the "
                 "upload skips them (--drive-skip-gdocs)")
DEDUPE_HINT = "rclone copies one of each and logs `Duplicate object found in source`; fix with `rclone dedupe`"
SHORTCUT_HINT = ("rclone follows shortcuts, so their data is counted and uploaded twice; "
                 "set `skip_shortcuts = true` on the drive remote (--drive-skip-shortcuts) to skip them")


def judge(drive_size: int, drive_md5: str | None, s3_size: int | None, s3_etag: str | None,
          meta_md5: str | None = None) -> tuple[Sync, str, str]:
    """(status, reason when it differs: 'size' or 'md5', check made) of one Drive file against its object.

    A negative ``drive_size`` is unknown (lsjson's -1): such a file is uploaded when its name is there and
    never differs by size. ``meta_md5`` is rclone's MD5 metadata of the object, for non-MD5 ETags.
    """
    if s3_size is None:
        return Sync.MISSING, "", ""
    if drive_size >= 0 and drive_size != s3_size:
        return Sync.DIFFERS, "size", CHECK_SIZE_DIFFERS
    plain = s3url.plain_md5(s3_etag)
    s3_md5 = plain or (meta_md5.lower() if meta_md5 else None)
    if drive_md5 and s3_md5:
        check = CHECK_MD5 if plain else CHECK_RCLONE_MD5
        if drive_md5.lower() != s3_md5:
            return Sync.DIFFERS, "md5", check
        return Sync.UPLOADED, "", check
    return Sync.UPLOADED, "", CHECK_SIZE if drive_size >= 0 else CHECK_SIZE_UNKNOWN


def compare_file(drive_size: int, drive_md5: str | None, s3_size: int | None, s3_etag: str | None) -> Sync:
    """Uploaded when sizes match (or the Drive size is unknown) and, where both sides have an MD5
    cheaply, MD5s match."""
    return judge(drive_size, drive_md5, s3_size, s3_etag)[0]


@dataclass(frozen=True, slots=True)
class DriveFile:
    """One file of a Drive listing as the comparison needs it (size -1: unknown)."""

    path: str
    size: int
    md5: str | None = None
    kind: str = KIND_FILE


@dataclass(frozen=True, slots=True)
class DiffItem:
    """One compared path with what each side holds (None: absent there)."""

    path: str
    drive_size: int | None
    s3_size: int | None
    reason: str = ""  # for differs: "size" or "md5"; for duplicates/shortcuts: what happened to it
    check: str = ""  # CHECK_*: which comparison decided it
    kind: str = KIND_FILE
    count: int = 1  # duplicates: how many Drive files share the name


@dataclass
class FolderSummary:
    """Sync counts of the files under one folder."""

    total: int = 0
    uploaded: int = 0
    missing: int = 0
    differs: int = 0
    extra: int = 0
    duplicates: int = 0

    def text(self) -> str:
        """Short form for a folder row, e.g. '412/430 uploaded'."""
        return f"{self.uploaded}/{self.total} uploaded"

    @property
    def complete(self) -> bool:
        """Every Drive file is on S3 unchanged."""
        return self.uploaded == self.total


@dataclass
class DiffReport:
    """Drive folder against its raw counterpart on S3."""

    drive_path: str
    s3_prefix: str
    uploaded: list[DiffItem] = field(default_factory=list)
    missing: list[DiffItem] = field(default_factory=list)
    differs: list[DiffItem] = field(default_factory=list)
    extra: list[DiffItem] = field(default_factory=list)
    duplicates: list[DiffItem] = field(default_factory=list)
    shortcuts: list[DiffItem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing missing, nothing different, no name rclone would copy only once (extra objects on S3
        and shortcuts are allowed)."""
        return not self.missing and not self.differs and not self.duplicates

    def checks(self) -> dict[str, int]:
        """How many files on both sides were decided by each check (CHECK_* -> count)."""
        out: dict[str, int] = {}
        for item in self.uploaded + self.differs:
            out[item.check] = out.get(item.check, 0) + 1
        return out

    @property
    def md5_checked(self) -> bool:
        """True only when every file on both sides with the same size was compared by MD5 (size-unknown
        files have no MD5 to compare and sizes that differ need none)."""
        counts = self.checks()
        by_md5 = counts.get(CHECK_MD5, 0) + counts.get(CHECK_RCLONE_MD5, 0)
        return by_md5 > 0 and counts.get(CHECK_SIZE, 0) == 0

    def checks_text(self) -> str:
        """'checked: 3 md5, 2 md5 (rclone metadata), 1 size only' ('' when nothing was compared)."""
        counts = self.checks()
        order = (CHECK_MD5, CHECK_RCLONE_MD5, CHECK_SIZE, CHECK_SIZE_UNKNOWN, CHECK_SIZE_DIFFERS)
        parts = [f"{counts[c]} {c}" for c in order if counts.get(c)]
        return "checked: " + ", ".join(parts) if parts else ""

    def summary(self) -> str:
        """One line, e.g. '412/430 uploaded, 10 missing (1.2 MiB), 8 differ, 3 extra on S3'."""
        total = len(self.uploaded) + len(self.missing) + len(self.differs) + len(self.duplicates)
        parts = [f"{len(self.uploaded)}/{total} uploaded"]
        if self.missing:
            missing = sum(max(i.drive_size or 0, 0) for i in self.missing)
            parts.append(f"{len(self.missing)} missing ({units.human_bytes(missing)})")
        if self.differs:
            parts.append(f"{len(self.differs)} differ")
        if self.duplicates:
            files = sum(i.count for i in self.duplicates)
            parts.append(f"{units.plural(len(self.duplicates), 'duplicate name')} ({units.plural(files, 'file')})")
        if self.shortcuts:
            parts.append(units.plural(len(self.shortcuts), "shortcut"))
        if self.extra:
            parts.append(f"{len(self.extra)} extra on S3")
        return ", ".join(parts)

    def hints(self) -> list[str]:
        """What to do about duplicates and shortcuts (empty when there are none)."""
        out = []
        if any(i.kind == KIND_DOCUMENT for i in self.missing):
            out.append(f"Google documents: {DOCUMENT_HINT}")
        if self.duplicates:
            out.append(f"duplicate names: {DEDUPE_HINT}")
        if self.shortcuts:
            out.append(f"shortcuts: {SHORTCUT_HINT}")
        return out

    def folders(self, depth: int = 1) -> dict[str, FolderSummary]:
        """Summaries per folder of the first ``depth`` path components ('' = files at the top)."""
        out: dict[str, FolderSummary] = {}
        for status, items in (("uploaded", self.uploaded), ("missing", self.missing),
                              ("differs", self.differs), ("extra", self.extra), ("duplicates", self.duplicates)):
            for item in items:
                parts = item.path.split("/")
                folder = "/".join(parts[:depth]) if len(parts) > depth else ""
                s = out.setdefault(folder, FolderSummary())
                setattr(s, status, getattr(s, status) + 1)
                if status != "extra":
                    s.total += 1
        return out

    def combined(self) -> list[str]:
        """Lines as `rclone check --combined` prints them, sorted by path: `= ` same, `- ` only on Drive
        (missing), `+ ` only on S3 (extra), `* ` differs, `! ` could not be compared (a duplicate name)."""
        rows = [("=", i.path) for i in self.uploaded] + [("-", i.path) for i in self.missing]
        rows += [("+", i.path) for i in self.extra] + [("*", i.path) for i in self.differs]
        rows += [("!", i.path) for i in self.duplicates]
        rows += [({"uploaded": "=", "missing": "-", "differs": "*"}.get(i.reason, "!"), i.path) for i in self.shortcuts]
        return [f"{mark} {path}" for mark, path in sorted(rows, key=lambda r: r[1])]

    def missing_paths(self) -> list[str]:
        """Paths missing on S3, relative to the Drive folder: a `rclone copy --files-from-raw` list."""
        return [i.path for i in self.missing]

    def to_json(self) -> dict:
        """Plain data for `--json`."""
        return {
            "drive_path": self.drive_path, "s3_prefix": self.s3_prefix, "md5_checked": self.md5_checked,
            "checks": self.checks(), "summary": self.summary(), "ok": self.ok, "hints": self.hints(),
            **{k: [asdict(i) for i in getattr(self, k)]
               for k in ("missing", "differs", "duplicates", "shortcuts", "extra", "uploaded")},
        }


def compare_files(drive: Iterable[DriveFile], s3: Mapping[str, tuple[int, str | None]],
                  drive_path: str = "", s3_prefix: str = "",
                  meta_md5: Mapping[str, str] | None = None) -> DiffReport:
    """Compare Drive files with {relative path: (size, etag)} of S3 (the pure core of diff_remote).

    ``meta_md5``: {relative path: rclone's MD5 metadata} of objects whose ETag is not an MD5. A path
    listed twice is a duplicate name (Drive allows them; rclone copies one); shortcuts are compared
    but reported apart and never counted with the files they point at.
    """
    meta_md5 = meta_md5 or {}
    by_path: dict[str, list[DriveFile]] = {}
    for f in drive:
        by_path.setdefault(f.path, []).append(f)
    report = DiffReport(drive_path, s3_prefix)
    for path in sorted(by_path):
        files = by_path[path]
        other = s3.get(path)
        s3_size = other[0] if other else None
        if len(files) > 1:
            kinds = {f.kind for f in files}
            kind = kinds.pop() if len(kinds) == 1 else KIND_FILE
            what = "one of them is on S3" if other else "none is on S3"
            report.duplicates.append(DiffItem(path, files[0].size, s3_size, f"{len(files)} Drive files, {what}",
                                              "", kind, len(files)))
            continue
        f = files[0]
        status, reason, check = judge(f.size, f.md5, s3_size, other[1] if other else None, meta_md5.get(path))
        item = DiffItem(path, f.size, s3_size, reason, check, f.kind)
        if f.kind == KIND_SHORTCUT:
            report.shortcuts.append(DiffItem(path, f.size, s3_size, status.value, check, f.kind))
        elif status is Sync.MISSING:
            report.missing.append(item)
        elif status is Sync.DIFFERS:
            report.differs.append(item)
        else:
            report.uploaded.append(item)
    for path in sorted(set(s3) - set(by_path)):
        report.extra.append(DiffItem(path, None, s3[path][0]))
    return report


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


def drive_files(entries: Iterable["RemoteEntry"], remote_kind: str = "") -> list[DriveFile]:
    """Drive files of a recursive listing (folders included in ``entries`` mark shortcut folders).

    On a `drive` remote a file of unknown size is a Google-native document: rclone lists it under its
    export name (``Notes.docx``, set by --drive-export-formats) and uploads it under that name.
    """
    entries = list(entries)
    shortcut_dirs = {e.path.rstrip("/") for e in entries if e.is_dir and e.is_shortcut}

    def under_shortcut(path: str) -> bool:
        cut = path.rfind("/")
        while cut > 0 and shortcut_dirs:
            if path[:cut] in shortcut_dirs:
                return True
            cut = path.rfind("/", 0, cut)
        return False

    out = []
    for e in entries:
        if e.is_dir:
            continue
        if e.is_shortcut or under_shortcut(e.path):
            kind = KIND_SHORTCUT
        elif remote_kind == "drive" and not e.size_known:
            kind = KIND_DOCUMENT
        else:
            kind = KIND_FILE
        out.append(DriveFile(e.path, e.size, e.md5, kind))
    return out


def _md5_wanted(files: Iterable[DriveFile], s3: Mapping[str, tuple[int, str | None]]) -> dict[str, str]:
    """{path: etag} of objects worth a HEAD: same size, a Drive MD5, an ETag that is not one."""
    out = {}
    for f in files:
        other = s3.get(f.path)
        if other and f.md5 and f.size == other[0] and other[1] and not s3url.plain_md5(other[1]):
            out[f.path] = other[1]
    return out


def diff_remote(rclone: "Rclone", drive_path: str, store: "S3Store", raw_prefix: str,
                settings: "Settings | None" = None, *, hashes: bool | None = None,
                cancelled: Callable[[], bool] | None = None, metadata_md5: bool = True) -> DiffReport:
    """Compare every file under ``drive_path`` with the objects under ``raw_prefix`` (recursive).

    With Drive MD5s, objects of the same size whose ETag is not an MD5 (multipart uploads) are compared
    by rclone's MD5 metadata (bounded parallel HEADs, cached in the state directory by ETag).
    """
    if raw_prefix and not raw_prefix.endswith("/"):
        raw_prefix += "/"
    kind = remote_type(rclone, drive_path)
    if hashes is None:
        hashes = hashes_are_cheap(rclone, drive_path, kind)
    # Streamed, so Esc in the details view (``cancelled``) stops rclone mid-listing.
    pages = rclone.iter_walk(drive_path, hashes=hashes, dirs=True, cancelled=cancelled)
    files = drive_files((e for page in pages for e in page), kind)
    if cancelled is not None and cancelled():
        return DiffReport(drive_path, raw_prefix)
    s3: dict[str, tuple[int, str | None]] = {}
    cut = len(raw_prefix)
    for obj in store.walk(raw_prefix, cancelled):
        if obj.key.endswith("/"):
            continue  # folder marker, not a file
        s3[obj.key[cut:]] = (obj.size, obj.etag)
    meta: dict[str, str] = {}
    wanted = _md5_wanted(files, s3) if hashes and metadata_md5 else {}
    if wanted:
        from pixel_tui.core.storage.md5meta import CACHE_FILE, Md5Cache, rclone_md5s

        cache = Md5Cache(settings.state_path / CACHE_FILE if settings is not None else None)
        got = rclone_md5s(store, {raw_prefix + p: e for p, e in wanted.items()}, cache,
                          workers=settings.concurrency if settings is not None else 16, cancelled=cancelled)
        meta = {k[cut:]: v for k, v in got.items()}
    return compare_files(files, s3, drive_path, raw_prefix, meta)


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



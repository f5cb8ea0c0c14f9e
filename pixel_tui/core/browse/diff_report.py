"""What a Drive-vs-S3 comparison says: the status of each file, which check decided it, the report.

Names map 1:1: a Drive path ``a/b.json`` relative to the compared Drive folder is the S3 key
``raw_prefix + "a/b.json"``. Keys ending in '/' are folder markers, never files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum

from pixel_tui.core import units
from pixel_tui.core.storage import s3url


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
class Tally:
    """The uploaded files counted, not kept: how many, their bytes, by which check, per top folder."""

    count: int = 0
    bytes: int = 0
    unknown: int = 0  # files whose Drive size is unknown (-1)
    checks: dict[str, int] = field(default_factory=dict)
    by_folder: dict[str, int] = field(default_factory=dict)  # first path component ('' = top files) -> count

    def add(self, path: str, size: int, check: str, sign: int = 1) -> None:
        """Count one uploaded file (``sign`` -1 takes one back)."""
        self.count += sign
        if size < 0:
            self.unknown += sign
        else:
            self.bytes += sign * size
        self.checks[check] = self.checks.get(check, 0) + sign
        cut = path.find("/")
        folder = path[:cut] if cut >= 0 else ""
        self.by_folder[folder] = self.by_folder.get(folder, 0) + sign

    def remove(self, path: str, size: int, check: str) -> None:
        """Take back a file counted by ``add`` (it turned out to be a duplicate name)."""
        self.add(path, size, check, -1)


@dataclass
class DiffReport:
    """Drive folder against its raw counterpart on S3. Uploaded files are always counted in ``tally``;
    ``uploaded`` lists them only when ``keeps_uploaded`` (a streaming diff keeps just the counts)."""

    drive_path: str
    s3_prefix: str
    uploaded: list[DiffItem] = field(default_factory=list)
    missing: list[DiffItem] = field(default_factory=list)
    differs: list[DiffItem] = field(default_factory=list)
    extra: list[DiffItem] = field(default_factory=list)
    duplicates: list[DiffItem] = field(default_factory=list)
    shortcuts: list[DiffItem] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    keeps_uploaded: bool = True

    @property
    def uploaded_count(self) -> int:
        """How many files are uploaded unchanged (listed or not)."""
        return self.tally.count

    @property
    def file_count(self) -> int:
        """Drive files compared (uploaded, missing, differing; not duplicates or shortcuts)."""
        return self.tally.count + len(self.missing) + len(self.differs)

    @property
    def file_bytes(self) -> tuple[int, int]:
        """(bytes of the compared Drive files, how many of them have no known size)."""
        items = self.missing + self.differs
        known = sum(max(i.drive_size or 0, 0) for i in items)
        unknown = sum(1 for i in items if (i.drive_size or 0) < 0)
        return self.tally.bytes + known, self.tally.unknown + unknown

    def _need_uploaded(self) -> None:
        if not self.keeps_uploaded:
            raise ValueError("this report counted its uploaded files without keeping them (keep_uploaded=False)")

    @property
    def ok(self) -> bool:
        """Nothing missing, nothing different, no name rclone would copy only once (extra objects on S3
        and shortcuts are allowed)."""
        return not self.missing and not self.differs and not self.duplicates

    def checks(self) -> dict[str, int]:
        """How many files on both sides were decided by each check (CHECK_* -> count)."""
        out = {c: n for c, n in self.tally.checks.items() if n}
        for item in self.differs:
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
        total = self.file_count + len(self.duplicates)
        parts = [f"{self.uploaded_count}/{total} uploaded"]
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
        if depth <= 1:  # the uploaded files' counts per top folder are kept: no list needed
            for folder, n in self.tally.by_folder.items():
                if n:
                    s = out.setdefault(folder if depth else "", FolderSummary())
                    s.uploaded += n
                    s.total += n
            lists = ()
        else:
            self._need_uploaded()
            lists = (("uploaded", self.uploaded),)
        for status, items in (*lists, ("missing", self.missing),
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
        self._need_uploaded()
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
            "uploaded_count": self.uploaded_count,
            **{k: [asdict(i) for i in getattr(self, k)]
               for k in ("missing", "differs", "duplicates", "shortcuts", "extra")},
            **({"uploaded": [asdict(i) for i in self.uploaded]} if self.keeps_uploaded else {}),
        }

"""Drive-vs-S3 and registry-vs-S3 comparisons: sync status of files, folder summaries, markers.

Names map 1:1: a Drive path ``a/b.json`` relative to the compared Drive folder is the S3 key
``raw_prefix + "a/b.json"``. Keys ending in '/' are folder markers, never files: a Drive file
``x`` matches the S3 object ``x`` only, not ``x/``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from pixel_tui.core import units
from pixel_tui.core.storage import s3url

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings
    from pixel_tui.core.storage.rclone import Rclone
    from pixel_tui.core.storage.s3 import S3Store


class Sync(str, Enum):
    """Sync status of one Drive item against its raw counterpart."""

    UPLOADED = "uploaded"
    MISSING = "missing"
    DIFFERS = "differs"
    UPLOADING = "uploading"
    EXTRA = "extra"  # on S3 under raw, not on Drive


def compare_file(drive_size: int, drive_md5: str | None, s3_size: int | None, s3_etag: str | None) -> Sync:
    """Uploaded when sizes match and, where both sides have an MD5 cheaply, MD5s match."""
    if s3_size is None:
        return Sync.MISSING
    if drive_size != s3_size:
        return Sync.DIFFERS
    s3_md5 = s3url.plain_md5(s3_etag)
    if drive_md5 and s3_md5 and drive_md5.lower() != s3_md5:
        return Sync.DIFFERS
    return Sync.UPLOADED


@dataclass(frozen=True, slots=True)
class DiffItem:
    """One compared path with what each side holds (None: absent there)."""

    path: str
    drive_size: int | None
    s3_size: int | None
    reason: str = ""  # for differs: "size" or "md5"


@dataclass
class FolderSummary:
    """Sync counts of the files under one folder."""

    total: int = 0
    uploaded: int = 0
    missing: int = 0
    differs: int = 0
    extra: int = 0

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
    md5_checked: bool = False

    @property
    def ok(self) -> bool:
        """Nothing missing and nothing different (extra objects on S3 are allowed)."""
        return not self.missing and not self.differs

    def summary(self) -> str:
        """One line, e.g. '412/430 uploaded, 10 missing (1.2 MiB), 8 differ, 3 extra on S3'."""
        total = len(self.uploaded) + len(self.missing) + len(self.differs)
        parts = [f"{len(self.uploaded)}/{total} uploaded"]
        if self.missing:
            missing = sum(i.drive_size or 0 for i in self.missing)
            parts.append(f"{len(self.missing)} missing ({units.human_bytes(missing)})")
        if self.differs:
            parts.append(f"{len(self.differs)} differ")
        if self.extra:
            parts.append(f"{len(self.extra)} extra on S3")
        return ", ".join(parts)

    def folders(self, depth: int = 1) -> dict[str, FolderSummary]:
        """Summaries per folder of the first ``depth`` path components ('' = files at the top)."""
        out: dict[str, FolderSummary] = {}
        for status, items in (("uploaded", self.uploaded), ("missing", self.missing),
                              ("differs", self.differs), ("extra", self.extra)):
            for item in items:
                parts = item.path.split("/")
                folder = "/".join(parts[:depth]) if len(parts) > depth else ""
                s = out.setdefault(folder, FolderSummary())
                setattr(s, status, getattr(s, status) + 1)
                if status != "extra":
                    s.total += 1
        return out

    def to_json(self) -> dict:
        """Plain data for `--json`."""
        return {
            "drive_path": self.drive_path, "s3_prefix": self.s3_prefix, "md5_checked": self.md5_checked,
            "summary": self.summary(), "ok": self.ok,
            **{k: [asdict(i) for i in getattr(self, k)] for k in ("missing", "differs", "extra", "uploaded")},
        }


def compare_maps(drive: Mapping[str, tuple[int, str | None]], s3: Mapping[str, tuple[int, str | None]],
                 drive_path: str = "", s3_prefix: str = "") -> DiffReport:
    """Compare {relative path: (size, md5-or-etag)} of both sides (the pure core of diff_remote)."""
    report = DiffReport(drive_path, s3_prefix)
    for path in sorted(drive):
        size, md5 = drive[path]
        other = s3.get(path)
        status = compare_file(size, md5, other[0] if other else None, other[1] if other else None)
        if status is Sync.MISSING:
            report.missing.append(DiffItem(path, size, None))
        elif status is Sync.DIFFERS:
            reason = "size" if size != other[0] else "md5"
            report.differs.append(DiffItem(path, size, other[0], reason))
        else:
            report.uploaded.append(DiffItem(path, size, other[0]))
        if md5 and other and s3url.plain_md5(other[1]):
            report.md5_checked = True
    for path in sorted(set(s3) - set(drive)):
        report.extra.append(DiffItem(path, None, s3[path][0]))
    return report


def hashes_are_cheap(rclone: "Rclone", drive_path: str) -> bool:
    """True when the Drive remote serves MD5s from metadata (drive, s3...), not by reading files."""
    name, sep, _ = drive_path.partition(":")
    if not sep or "/" in name or not name:
        return False  # a plain local path: hashing reads every byte
    try:
        listing = rclone.run("listremotes", "--long", timeout=30)
    except Exception:  # an unknown remote fails later with rclone's own message
        return False
    for line in listing.splitlines():
        remote, _, kind = line.partition(":")
        if remote.strip() == name:
            return kind.strip() not in ("local", "alias", "union", "combine", "crypt")
    return False


def diff_remote(rclone: "Rclone", drive_path: str, store: "S3Store", raw_prefix: str,
                settings: "Settings | None" = None, *, hashes: bool | None = None,
                cancelled: Callable[[], bool] | None = None) -> DiffReport:
    """Compare every file under ``drive_path`` with the objects under ``raw_prefix`` (recursive)."""
    del settings  # accepted for callers that pass it; the mapping needs nothing more today
    if raw_prefix and not raw_prefix.endswith("/"):
        raw_prefix += "/"
    if hashes is None:
        hashes = hashes_are_cheap(rclone, drive_path)
    drive = {e.path: (e.size, e.md5) for e in rclone.walk(drive_path, hashes=hashes) if not e.is_dir}
    s3: dict[str, tuple[int, str | None]] = {}
    cut = len(raw_prefix)
    for obj in store.walk(raw_prefix, cancelled):
        if obj.key.endswith("/"):
            continue  # folder marker, not a file
        s3[obj.key[cut:]] = (obj.size, obj.etag)
    return compare_maps(drive, s3, drive_path, raw_prefix)


def level_sync(drive_files: Iterable[tuple[str, int, str | None]],
               s3_files: Mapping[str, tuple[int, str | None]],
               uploading: Iterable[str] = ()) -> dict[str, Sync]:
    """Markers for the files of one Drive level against the objects of its counterpart level.

    ``drive_files``: (name, size, md5); ``s3_files``: {name: (size, etag)} of the S3 level;
    ``uploading``: names rclone is transferring right now (win over missing/differs).
    """
    busy = set(uploading)
    out: dict[str, Sync] = {}
    for name, size, md5 in drive_files:
        other = s3_files.get(name)
        status = compare_file(size, md5, other[0] if other else None, other[1] if other else None)
        if status is not Sync.UPLOADED and name in busy:
            status = Sync.UPLOADING
        out[name] = status
    return out


def registry_keys(paths: Iterable[str], bucket: str) -> set[str]:
    """S3 keys (in ``bucket``) that registry paths point at; other paths are ignored."""
    out = set()
    for p in paths:
        key = s3url.key_in_bucket(p, bucket)
        if key is not None:
            out.add(key)
    return out


def with_ancestors(keys: Iterable[str]) -> set[str]:
    """The keys plus every folder above them ('a/b/c' -> 'a/b/c', 'a/b/', 'a/'): O(1) lookups later."""
    out: set[str] = set()
    for key in keys:
        out.add(key)
        cut = key.rstrip("/").rfind("/")
        while cut >= 0:
            folder = key[: cut + 1]
            if folder in out:
                break
            out.add(folder)
            cut = key.rfind("/", 0, cut)
    return out


def processed_index(processed_keys: Iterable[str], processed_prefix: str, categories: Iterable[str]) -> set[str]:
    """Relative names present under processed/<category>/ (files, and folders ending in '/')."""
    cats = tuple(f"{processed_prefix}{c}/" for c in categories)
    rels = []
    for key in processed_keys:
        for cat in cats:
            if key.startswith(cat) and len(key) > len(cat):
                rels.append(key[len(cat) :])
                break
    return with_ancestors(rels)


def _referenced(key: str, ref_index: set[str]) -> bool:
    """A registry path names this key, or (for a folder, ending in '/') names it without its
    slash or lies inside it. A file ``x`` is never matched by a folder reference ``x/``."""
    return key in ref_index or (key.endswith("/") and key[:-1] in ref_index)


def raw_markers(names: Iterable[str], raw_prefix: str, rel_dir: str, promoted_rels: set[str],
                ref_index: set[str], processed_prefix: str, categories: Iterable[str]) -> dict[str, str]:
    """For raw items of one level (folders end in '/'): 'promoted' when the same relative name is
    under processed/<category>/ or the registry references it (raw or processed copy), else ''."""
    cats = list(categories)
    out: dict[str, str] = {}
    for name in names:
        rel = rel_dir + name
        promoted = rel in promoted_rels or _referenced(raw_prefix + rel, ref_index) or any(
            _referenced(f"{processed_prefix}{c}/{rel}", ref_index) for c in cats)
        out[name] = "promoted" if promoted else ""
    return out


def processed_markers(names: Iterable[str], level_prefix: str, ref_index: set[str]) -> dict[str, str]:
    """For processed items of one level: 'registered' when the registry references them, else 'unregistered'."""
    return {n: "registered" if _referenced(level_prefix + n, ref_index) else "unregistered" for n in names}

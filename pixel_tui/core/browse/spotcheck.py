"""`pixel-tui check`: the whole layout in one pass (registry vs processed vs raw vs Drive)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from pixel_tui.core.registry.document import SOURCE_FIELD, Registry
from pixel_tui.core.registry.validate import Report, S3Checker, validate
from pixel_tui.core.storage.s3url import SCHEME
from pixel_tui.core.units import plural

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings
    from pixel_tui.core.storage.rclone import Rclone
    from pixel_tui.core.storage.s3 import S3Store

DEFAULT_MOUNT = "/mnt/gdrive/datasets"


@dataclass
class DriveGap:
    """Drive files with no same-size copy under the raw prefix."""

    total: int = 0
    missing: int = 0
    missing_bytes: int = 0
    examples: list[str] = field(default_factory=list)
    error: str = ""
    how: str = ""
    size_unknown: int = 0  # uploaded by name only (Google Docs, remotes without sizes)
    duplicates: int = 0  # names taken by more than one Drive file in a folder
    shortcuts: int = 0
    checks: dict[str, int] = field(default_factory=dict)
    hints: list[str] = field(default_factory=list)


@dataclass
class CheckResult:
    """Everything `check` reports."""

    report: Report
    unregistered: list[str]
    unpromoted: list[str]
    drive: DriveGap | None

    @property
    def exit_code(self) -> int:
        """1 when any registry finding is an error, else 0."""
        return 1 if self.report.errors else 0

    def migration_line(self) -> str:
        """"migration: N of M datasets on S3"."""
        return f"migration: {self.report.on_s3:,} of {plural(self.report.total, 'dataset')} on S3"

    def as_dict(self) -> dict:
        """JSON form."""
        d = self.drive
        return {
            "statuses": self.report.statuses,
            "findings": [f.as_dict() for f in self.report.findings],
            "errors": len(self.report.errors),
            "unregistered_processed": self.unregistered,
            "raw_not_promoted": self.unpromoted,
            "drive_not_uploaded": None if d is None else {
                "total": d.total, "missing": d.missing, "missing_bytes": d.missing_bytes,
                "examples": d.examples, "error": d.error, "how": d.how, "size_unknown": d.size_unknown,
                "duplicates": d.duplicates, "shortcuts": d.shortcuts, "checks": d.checks, "hints": d.hints,
            },
            "migration": {"on_s3": self.report.on_s3, "total": self.report.total},
        }


def _slash_prefixes(path: str) -> Iterator[str]:
    """Every prefix of ``path`` that ends just before a '/' ('a/b/c' -> 'a', 'a/b')."""
    cut = path.find("/")
    while cut >= 0:
        yield path[:cut]
        cut = path.find("/", cut + 1)


class KeyCover:
    """Registry keys (trailing '/' dropped) and every folder above them, for O(len(item)) look-ups.

    ``covers(item)`` is true when a key is the item, lies inside it, or is a folder holding it: the
    item (slash dropped) is a key or a key's ancestor, or one of the item's own ancestors is a key.
    Building it costs O(total key length); `check` asks it once per listed item.
    """

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = {k.rstrip("/") for k in keys}
        self._inside = set(self.keys)  # keys and their ancestors: "a key is the item or inside it"
        for key in self.keys:
            cut = key.rfind("/")
            while cut >= 0:  # walk up; once a folder is known, so is everything above it
                folder = key[:cut]
                if folder in self._inside and folder not in self.keys:
                    break
                self._inside.add(folder)
                cut = key.rfind("/", 0, cut)

    def covers(self, item: str) -> bool:
        """True when a key is ``item``, inside it, or a folder holding it."""
        item = item.rstrip("/")
        return item in self._inside or any(p in self.keys for p in _slash_prefixes(item))


def _registry_keys(reg: Registry, bucket: str, raw_prefix: str) -> tuple[set[str], set[str]]:
    """(keys of primary S3 paths, raw keys named by source paths) in ``bucket``.

    A primary ``path`` counts for both (a dataset registered where it sits is its own source); a
    ``source_path`` on the Drive mount names the raw key it was uploaded to, as raw mirrors Drive (a
    primary path still on the mount means the dataset was not promoted, so only sources count).
    """
    mount = str(reg.metadata().get("gdrive_mount") or DEFAULT_MOUNT).rstrip("/") + "/"
    # One prefix test per value, not a parse: at 50k entries the parse of every field (three per entry)
    # was 0.3 s of a 2.4 s `check`. ``s3://<bucket>/`` + a key is exactly what parse_s3_url accepts.
    here = f"{SCHEME}{bucket}/"
    cut = len(here)
    primary, sources = set(), set()
    for ref in reg.datasets():
        entry = ref.entry
        path = entry.get("path")
        if type(path) is str and len(path) > cut and path.startswith(here):
            key = path[cut:].rstrip("/")
            primary.add(key)
            sources.add(key)
        src = entry.get(SOURCE_FIELD)
        if type(src) is not str or not src:
            continue
        if src.startswith(SCHEME):
            if len(src) > cut and src.startswith(here):
                sources.add(src[cut:].rstrip("/"))
        elif src.startswith(mount):
            sources.add(raw_prefix + src[len(mount):].rstrip("/"))
    return primary, sources


def _level_items(store: "S3Store", prefix: str, cancelled: Callable[[], bool] | None = None) -> list[str]:
    out = []
    for page in store.iter_level(prefix):
        if cancelled is not None and cancelled():
            break
        out += page.prefixes
        out += [o.key for o in page.objects if o.key != prefix]
    return out


def _items_of_walk(prefix: str, keys: list[str]) -> list[str]:
    """The level items (files, and folders ending in '/') of ``prefix`` from a recursive listing of it."""
    out: list[str] = []
    cut = len(prefix)
    last = ""
    for key in keys:
        slash = key.find("/", cut)
        item = key if slash < 0 else key[:slash + 1]
        if item != last and item != prefix:
            out.append(item)
            last = item
    return out


def _category_items(store: "S3Store", cat: str, checker: S3Checker) -> list[str]:
    """Items of one processed category: from validate's listing of that folder when it made one."""
    listed = (checker.listings or {}).get((store.bucket, cat))
    return _items_of_walk(cat, listed) if listed is not None else _level_items(store, cat)


def spot_check(settings: "Settings", reg: Registry, store: "S3Store", rclone: "Rclone | None" = None,
               checker: S3Checker | None = None, cancelled: Callable[[], bool] | None = None) -> CheckResult:
    """Validate the registry against S3, then look for unregistered, unpromoted and not-uploaded items."""
    bucket = store.bucket
    checker = checker or S3Checker(lambda b: store if b == bucket else type(store).from_settings(settings, bucket=b),
                                   keep_listings=True)
    raw = settings.raw_prefix
    # The raw level does not depend on what validate finds: list it while validate waits on its own
    # requests (both are mostly waiting on the server), instead of after it.
    failed = threading.Event()  # validate raised: the raw listing stops at its next page

    def raw_cancelled() -> bool:
        return failed.is_set() or (cancelled is not None and cancelled())

    with ThreadPoolExecutor(1, thread_name_prefix="check-raw") as pool:
        raw_listing = pool.submit(_level_items, store, raw, raw_cancelled)
        try:
            report = validate(reg, bucket=bucket, checker=checker, cancelled=cancelled)
        except BaseException:
            failed.set()
            raise
        raw_items = raw_listing.result()
    primary, sources = _registry_keys(reg, bucket, settings.raw_prefix)
    processed = [(cat, item) for cat in _level_items(store, settings.processed_prefix) if cat.endswith("/")
                 for item in _category_items(store, cat, checker)]
    registered, promoted = KeyCover(primary), KeyCover(sources)
    unregistered = [item for _, item in processed if not registered.covers(item)]
    # Like the browser's markers: promoted when a registry source names it, or when the same name
    # sits in some processed category (a promotion that kept the name).
    processed_names = {item[len(cat):] for cat, item in processed}
    unpromoted = [item for item in raw_items
                  if not promoted.covers(item) and item[len(raw):] not in processed_names]
    drive = _drive_gap(settings, store, rclone, cancelled) if rclone is not None else None
    return CheckResult(report, unregistered, unpromoted, drive)


def _drive_gap(settings: "Settings", store: "S3Store", rclone: "Rclone", cancelled=None) -> DriveGap:
    """Counts of Drive files missing from the raw prefix or different there (reconcile.diff_remote)."""
    from pixel_tui.core.browse.reconcile import CHECK_SIZE_UNKNOWN, diff_remote
    from pixel_tui.core.errors import PixelError, render_error

    gap = DriveGap(how="reconcile.diff_remote: Drive remote vs the raw prefix (size, and MD5 where cheap)")
    try:
        diff = diff_remote(rclone, settings.drive, store, settings.raw_prefix, settings, cancelled=cancelled,
                           keep_uploaded=False)
    except PixelError as exc:
        gap.error = render_error(exc, one_line=True)
        return gap
    not_there = diff.missing + diff.differs
    gap.total = diff.uploaded_count + len(not_there) + len(diff.duplicates)
    gap.missing = len(not_there)
    gap.missing_bytes = sum(max(i.drive_size or 0, 0) for i in not_there)
    gap.examples = sorted(i.path for i in not_there)[:10]
    gap.checks = diff.checks()
    gap.size_unknown = gap.checks.get(CHECK_SIZE_UNKNOWN, 0)
    gap.duplicates = len(diff.duplicates)
    gap.shortcuts = len(diff.shortcuts)
    gap.hints = diff.hints()
    return gap

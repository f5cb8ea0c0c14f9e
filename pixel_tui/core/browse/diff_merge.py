"""The merge behind `diff`: a Drive listing against the raw prefix's, fed as both stream in, in bounded memory.

Neither side comes in the other's order: rclone prints folder by folder (with --fast-list in whatever
order the Drive answers), S3 lists keys in byte order. So this is a hash join that keeps only what it
must:
- S3 keys in one dict. An unmatched key's value packs its size and MD5 into one int (a tuple only for
  a multipart ETag); a matched key's shrinks to a small int code, kept so that a second Drive file of
  that name is still seen as a duplicate and the first one's count taken back.
- Drive files S3 has not listed yet (``drive_only``): what is left of them at the end is missing. The
  Drive reader keeps this below PENDING_CAP while S3 is still listing, by waiting for the S3 side
  (rclone's pipe then fills and rclone waits).
- the items the report lists: missing, differs, duplicates, shortcuts, extra, and files waiting for
  rclone's MD5 metadata. Uploaded files are counted (``DiffReport.tally``), not kept, unless
  ``keep_uploaded`` (`--json` and `--combined` print every file anyway).
So memory grows with the S3 keys (~170 bytes each) and the differing items, not with Drive's records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from pixel_tui.core.browse.diff_report import (
    CHECK_MD5,
    CHECK_RCLONE_MD5,
    CHECK_SIZE,
    CHECK_SIZE_DIFFERS,
    CHECK_SIZE_UNKNOWN,
    KIND_DOCUMENT,
    KIND_FILE,
    KIND_SHORTCUT,
    DiffItem,
    DiffReport,
    DriveFile,
    Sync,
    judge,
)
from pixel_tui.core.storage import s3url
from pixel_tui.core.storage.walk_split import walk_split

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings
    from pixel_tui.core.storage.s3 import S3Store

# While S3 is still listing, at most this many Drive files wait for their key; then the reader waits.
PENDING_CAP = 20_000

_MD5_FLAG = 1 << 63  # set in a packed value that carries an MD5 above bit 64 (sizes stay below 2**63)
_SIZE_MASK = _MD5_FLAG - 1
_CHECKS = ("", CHECK_MD5, CHECK_RCLONE_MD5, CHECK_SIZE, CHECK_SIZE_DIFFERS, CHECK_SIZE_UNKNOWN)
_CHECK_INDEX = {c: i for i, c in enumerate(_CHECKS)}
_KINDS = (KIND_FILE, KIND_DOCUMENT, KIND_SHORTCUT)
_KIND_INDEX = {k: i for i, k in enumerate(_KINDS)}


def _pack(size: int, etag: str | None, with_md5: bool):
    """An unmatched S3 value: size, or size and MD5 in one int; (size, etag) for a multipart ETag."""
    if not with_md5 or not etag:
        return size
    md5 = s3url.plain_md5(etag)
    if md5 is None:
        return (size, s3url.strip_etag(etag))
    return size | _MD5_FLAG | (int(md5, 16) << 64)


def _unpack(value) -> tuple[int, str | None]:
    """(size, etag) of an unmatched S3 value."""
    if isinstance(value, tuple):
        return value
    if value & _MD5_FLAG:
        return value & _SIZE_MASK, format(value >> 64, "032x")
    return value, None


def _matched(s3_size: int, tallied: bool, check: str, kind: str, drive_unknown: bool) -> int:
    """The code a matched key keeps (negative: never a packed value): what a duplicate must take back."""
    code = (((s3_size << 1 | tallied) << 3 | _CHECK_INDEX[check]) << 2 | _KIND_INDEX[kind]) << 1 | drive_unknown
    return -1 - code


def _unmatched(code: int) -> tuple[int, bool, str, str, bool]:
    """(s3 size, tallied, check, kind, Drive size unknown) of a matched key's code."""
    code = -1 - code
    unknown, code = code & 1, code >> 1
    kind, code = _KINDS[code & 3], code >> 2
    check, code = _CHECKS[code & 7], code >> 3
    return code >> 1, bool(code & 1), check, kind, bool(unknown)


class DiffMerge:
    """Feed S3 objects (``add_s3``) and Drive files (``add_drive``) in any interleaving, then ``finish``."""

    def __init__(self, drive_path: str = "", s3_prefix: str = "", *, with_md5: bool = True,
                 keep_uploaded: bool = True, meta_md5: Mapping[str, str] | None = None,
                 defer_meta: bool = False) -> None:
        self.report = DiffReport(drive_path, s3_prefix)
        self.with_md5 = with_md5
        self.keep_uploaded = keep_uploaded
        self.meta_md5 = meta_md5 or {}
        self.defer_meta = defer_meta  # objects needing rclone's MD5 metadata wait in `wanted`
        self.s3_done = False
        self._s3: dict[str, object] = {}
        self.drive_only: dict[str, DriveFile] = {}
        self.wanted: dict[str, tuple[DriveFile, int, str]] = {}  # path -> (file, s3 size, multipart ETag)
        self._uploaded: dict[str, DiffItem] = {}
        self._differs: dict[str, DiffItem] = {}
        self._shortcuts: dict[str, DiffItem] = {}
        self._dups: dict[str, list] = {}  # path -> [first Drive size, s3 size or None, kind, count]

    @property
    def pending_full(self) -> bool:
        """Too many Drive files wait for S3: the caller should let the S3 side catch up."""
        return not self.s3_done and len(self.drive_only) >= PENDING_CAP

    def add_s3(self, rel: str, size: int, etag: str | None) -> None:
        """One object under the raw prefix (``rel``: its key below it; folder markers are left out by the caller)."""
        f = self.drive_only.pop(rel, None)
        if f is not None:
            self._match(f, _pack(size, etag, self.with_md5))
            return
        dup = self._dups.get(rel)
        if dup is not None:
            dup[1] = size
            self._s3[rel] = _matched(size, False, "", KIND_FILE, False)
            return
        self._s3[rel] = _pack(size, etag, self.with_md5)

    def add_drive(self, f: DriveFile) -> None:
        """One Drive file (folders are not fed)."""
        self.add_file(f.path, f.size, f.md5, f.kind)

    def add_file(self, path: str, size: int, md5: str | None, kind: str = KIND_FILE) -> None:
        """One Drive file by its fields: the per-file path of a streaming diff, so the common case (same
        size, nothing else to compare) is counted without building anything."""
        value = self._s3.get(path)
        if type(value) is int and value >= 0 and not (value & _MD5_FLAG and md5) and kind == KIND_FILE \
                and not self.meta_md5:
            if size >= 0 and size != (value & _SIZE_MASK):
                self._match(DriveFile(path, size, md5, kind), value)
                return
            check = CHECK_SIZE if size >= 0 else CHECK_SIZE_UNKNOWN
            s3_size = value & _SIZE_MASK
            self.report.tally.add(path, size, check)
            if self.keep_uploaded:
                self._uploaded[path] = DiffItem(path, size, s3_size, "", check, kind)
            self._s3[path] = _matched(s3_size, True, check, kind, size < 0)
            return
        f = DriveFile(path, size, md5, kind)
        dup = self._dups.get(path)
        if dup is not None:
            dup[2] = dup[2] if dup[2] == f.kind else KIND_FILE
            dup[3] += 1
            return
        first = self.drive_only.pop(path, None)
        if first is not None:
            self._dups[path] = [first.size, None, first.kind if first.kind == f.kind else KIND_FILE, 2]
            return
        if value is None:
            self.drive_only[path] = f
        elif isinstance(value, int) and value < 0:
            self._duplicate_of_matched(f, value)
        else:
            self._match(f, value)

    def _match(self, f: DriveFile, value) -> None:
        """Judge a Drive file against its unmatched object; count it or keep it; leave the key's code."""
        s3_size, etag = _unpack(value)
        path = f.path
        if self.defer_meta and f.md5 and etag and f.size == s3_size and isinstance(value, tuple):
            self.wanted[path] = (f, s3_size, etag)
            self._s3[path] = _matched(s3_size, False, "", f.kind, f.size < 0)
            return
        self._judged(f, s3_size, *judge(f.size, f.md5, s3_size, etag, self.meta_md5.get(path)))

    def _judged(self, f: DriveFile, s3_size: int, status: Sync, reason: str, check: str) -> None:
        path = f.path
        tallied = False
        if f.kind == KIND_SHORTCUT:
            self._shortcuts[path] = DiffItem(path, f.size, s3_size, status.value, check, f.kind)
        elif status is Sync.DIFFERS:
            self._differs[path] = DiffItem(path, f.size, s3_size, reason, check, f.kind)
        else:
            tallied = True
            self.report.tally.add(path, f.size, check)
            if self.keep_uploaded:
                self._uploaded[path] = DiffItem(path, f.size, s3_size, reason, check, f.kind)
        self._s3[path] = _matched(s3_size, tallied, check, f.kind, f.size < 0)

    def _duplicate_of_matched(self, f: DriveFile, code: int) -> None:
        """A second Drive file under a name already judged: take the first one back, report the name."""
        path = f.path
        s3_size, tallied, check, kind, unknown = _unmatched(code)
        first_size = -1 if unknown else s3_size
        if tallied:
            self.report.tally.remove(path, first_size, check)
            self._uploaded.pop(path, None)
        for kept in (self._differs, self._shortcuts):
            item = kept.pop(path, None)
            if item is not None:
                first_size = item.drive_size
        waiting = self.wanted.pop(path, None)
        if waiting is not None:
            first_size = waiting[0].size
        self._dups[path] = [first_size, s3_size, kind if kind == f.kind else KIND_FILE, 2]

    def finish_s3(self) -> None:
        """S3 has listed everything: Drive files still waiting are missing, whatever comes later too."""
        self.s3_done = True

    def resolve_meta(self, md5s: Mapping[str, str]) -> None:
        """Judge the files that waited for rclone's MD5 metadata ({path: md5}; absent: none found)."""
        for path, (f, s3_size, etag) in self.wanted.items():
            self._judged(f, s3_size, *judge(f.size, f.md5, s3_size, etag, md5s.get(path)))
        self.wanted = {}

    def finish(self) -> DiffReport:
        """The report, every list sorted by path (Drive files no key matched are missing)."""
        self.resolve_meta({})
        report = self.report
        for path in sorted(self.drive_only):
            f = self.drive_only[path]
            status, reason, check = judge(f.size, f.md5, None, None)
            if f.kind == KIND_SHORTCUT:
                self._shortcuts[path] = DiffItem(path, f.size, None, status.value, check, f.kind)
            else:
                report.missing.append(DiffItem(path, f.size, None, reason, check, f.kind))
        self.drive_only = {}
        for path in sorted(self._dups):
            first_size, s3_size, kind, count = self._dups[path]
            what = "one of them is on S3" if s3_size is not None else "none is on S3"
            report.duplicates.append(DiffItem(path, first_size, s3_size, f"{count} Drive files, {what}", "",
                                              kind, count))
        report.uploaded = [self._uploaded[p] for p in sorted(self._uploaded)]
        report.differs = [self._differs[p] for p in sorted(self._differs)]
        report.shortcuts = [self._shortcuts[p] for p in sorted(self._shortcuts)]
        report.extra = [DiffItem(p, None, _unpack(v)[0]) for p, v in sorted(self._s3.items())
                        if not (isinstance(v, int) and v < 0)]
        report.keeps_uploaded = self.keep_uploaded
        self._s3 = {}
        return report


def s3_pages(store: "S3Store", prefix: str, gone: Callable[[], bool], size: int = 1000):
    """The recursive listing of ``prefix`` in pages of (key below it, size, etag); folder markers left out.
    The merge is a hash join, so the first-level folders are listed side by side (walk_split)."""
    cut = len(prefix)
    page = []
    for obj in walk_split(store, prefix, gone):
        key = obj.key
        if key.endswith("/"):
            continue  # a folder marker, not a file
        page.append((key[cut:], obj.size, obj.etag))
        if len(page) >= size:
            yield page
            page = []
    yield page


class S3Feed:
    """Feeds ``merge`` with S3 pages on its own thread while the caller feeds it Drive batches (``drive``):
    so the S3 side fills the compact key dict while rclone is still listing and prints nothing."""

    def __init__(self, pages_of: Callable[[Callable[[], bool]], Iterable[list]], merge: DiffMerge,
                 cancelled: Callable[[], bool] | None = None) -> None:
        import threading

        self.merge = merge
        self.cond = threading.Condition()
        self.done = False
        self._stop = threading.Event()
        self._error: BaseException | None = None

        def gone() -> bool:
            return self._stop.is_set() or bool(cancelled and cancelled())

        self._thread = threading.Thread(target=self._run, args=(pages_of, gone), name="diff-s3", daemon=True)
        self._thread.start()

    def _run(self, pages_of, gone) -> None:
        merge, cond = self.merge, self.cond
        try:
            for page in pages_of(gone):
                with cond:
                    add = merge.add_s3
                    for rel, size, etag in page:
                        add(rel, size, etag)
                    cond.notify_all()
            with cond:
                merge.finish_s3()
        except BaseException as exc:  # handed to the merging thread, raised there
            self._error = exc
        finally:
            with cond:
                self.done = True
                cond.notify_all()

    def drive(self, batches: Iterable[list]) -> None:
        """Feed Drive batches of (path, size, md5, kind), waiting for S3 while too many files wait for
        their key (``pending_full``); then wait for the S3 side to end."""
        merge, cond = self.merge, self.cond
        add = merge.add_file
        for batch in batches:
            with cond:
                while merge.pending_full and not self.done:
                    cond.wait(0.5)
                for fields in batch:
                    add(*fields)
        with cond:
            while not self.done:
                cond.wait(0.5)
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Stop listing (the merge ended early) and let the thread go."""
        self._stop.set()
        self._thread.join(timeout=5)


def run_merge(drive_batches, store: "S3Store", raw_prefix: str, *, drive_path: str = "", hashes: bool = False,
              metadata_md5: bool = True, keep_uploaded: bool = True, settings: "Settings | None" = None,
              cancelled: Callable[[], bool] | None = None) -> DiffReport:
    """Merge Drive batches of (path, size, md5, kind) with the listing of ``raw_prefix`` (its own thread),
    then look up rclone's MD5 metadata where an ETag is no MD5 (bounded parallel HEADs, cached by ETag)."""
    merge = DiffMerge(drive_path, raw_prefix, with_md5=hashes, keep_uploaded=keep_uploaded,
                      defer_meta=hashes and metadata_md5)
    feed = S3Feed(lambda gone: s3_pages(store, raw_prefix, gone), merge, cancelled)
    try:
        feed.drive(drive_batches)
    finally:
        feed.close()
    if merge.wanted:
        from pixel_tui.core.storage.md5meta import CACHE_FILE, Md5Cache, rclone_md5s

        cache = Md5Cache(settings.state_path / CACHE_FILE if settings is not None else None)
        got = rclone_md5s(store, {raw_prefix + p: w[2] for p, w in merge.wanted.items()}, cache,
                          workers=settings.concurrency if settings is not None else 16, cancelled=cancelled)
        cut = len(raw_prefix)
        merge.resolve_meta({k[cut:]: v for k, v in got.items()})
    return merge.finish()

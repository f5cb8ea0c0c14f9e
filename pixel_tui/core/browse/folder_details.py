"""What `pixel-tui diff` says about one Drive folder, as lines, counts and an upload list.

The CLI (`diff`) and the TUI's details view (`i` on a Drive row) print the same rows from the same
DiffReport (reconcile.py is the one comparison), and "upload what is missing here" writes its
`rclone copy --files-from-raw` list with the same writer as `diff --missing-to`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from pixel_tui.core.browse.reconcile import KIND_DOCUMENT, DiffItem, DiffReport
from pixel_tui.core.files import replace_atomically
from pixel_tui.core.units import exact_bytes, human_bytes, plural

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings

# The sections of `diff`'s listing, in its order: (label, DiffReport attribute).
SECTIONS = (("missing", "missing"), ("differs", "differs"), ("dup", "duplicates"), ("shortcut", "shortcuts"),
            ("extra", "extra"))


def sizes_text(item: DiffItem) -> str:
    """The sizes column: one side's size, or both to the byte when they differ ('?' when unknown)."""
    def one(n):
        return "?" if n is not None and n < 0 else human_bytes(n)

    if item.s3_size is None:
        return one(item.drive_size)
    if item.drive_size is None:
        return one(item.s3_size)
    if item.drive_size >= 0 and item.drive_size != item.s3_size:
        # Two sizes that differ are shown to the byte: rounded, they can read the same.
        return f"{exact_bytes(item.drive_size)} vs {exact_bytes(item.s3_size)}"
    return one(item.drive_size)


def why_text(item: DiffItem) -> str:
    """What the line is about: the reason, exported documents and unknown sizes (' (...)' or '')."""
    unknown = item.drive_size is not None and item.drive_size < 0 and item.kind != KIND_DOCUMENT
    notes = [n for n in (item.reason, "exported document" if item.kind == KIND_DOCUMENT else "",
                         "size unknown" if unknown else "") if n]
    return f" ({', '.join(notes)})" if notes else ""


def diff_rows(report: DiffReport, busy: Iterable[str] = ()) -> list[str]:
    """The listing rows `diff` prints: `missing        2.3 GiB  a/b.json`, one per path, by section."""
    busy = set(busy)
    rows = []
    for title, attr in SECTIONS:
        for item in getattr(report, attr):
            shown = "uploading" if item.path in busy else title
            rows.append(f"{shown:9} {sizes_text(item):>20}  {item.path}{why_text(item)}")
    return rows


def diff_summary(report: DiffReport, busy: Iterable[str] = ()) -> list[str]:
    """The lines after the rows: the summary (with what was checked), then the hints."""
    busy = set(busy)
    checks = report.checks_text()
    now = f", {len(busy)} uploading now" if busy else ""
    return [report.summary() + now + (f" ({checks})" if checks else ""), *report.hints()]


def counts_line(report: DiffReport) -> str:
    """`1,204/1,210 uploaded · 6 missing (2.3 GiB) · 0 differing`, then duplicates and shortcuts when any."""
    files = report.file_count + len(report.duplicates)
    parts = [f"{report.uploaded_count:,}/{files:,} uploaded",
             f"{len(report.missing):,} missing ({human_bytes(known_bytes(report.missing))})",
             f"{len(report.differs):,} differing"]
    if report.duplicates:
        parts.append(plural(len(report.duplicates), "duplicate name"))
    if report.shortcuts:
        parts.append(plural(len(report.shortcuts), "shortcut"))
    if report.extra:
        parts.append(f"{len(report.extra):,} only on S3")
    return " · ".join(parts)


def known_bytes(items: Iterable[DiffItem]) -> int:
    """The Drive bytes of ``items`` (sizes the remote does not know count 0)."""
    return sum(max(i.drive_size or 0, 0) for i in items)


def upload_paths(report: DiffReport, differing: bool = False) -> list[str]:
    """Paths to copy so the folder is complete on S3: the missing ones (and the differing ones)."""
    items = report.missing + (report.differs if differing else [])
    return sorted(i.path for i in items)


def listable(paths: Iterable[str]) -> tuple[list[str], int]:
    """(the paths a one-per-line list can hold, how many it cannot: names with a newline in them)."""
    paths = list(paths)
    keep = [p for p in paths if "\n" not in p and "\r" not in p]
    return keep, len(paths) - len(keep)


def write_files_from(target: str | os.PathLike, paths: Iterable[str]) -> int:
    """Write ``paths`` one per line (atomically, mode 0600) for `rclone copy --files-from-raw`; the count.

    Names holding a newline cannot be listed and are left out (see ``listable``). Raw, not
    `--files-from`: that one drops lines starting with '#' or ';' and trims spaces, so a Drive file
    named `#notes.txt` or ` draft.json` would be skipped.
    """
    keep, _ = listable(paths)
    path = Path(os.path.abspath(os.path.expanduser(target)))
    replace_atomically(path, "".join(p + "\n" for p in keep))
    return len(keep)


def files_from_path(settings: "Settings", drive_rel: str, now: datetime | None = None) -> Path:
    """`<state>/uploads/files_<name>_<time>.txt`: where an upload's file list is kept, beside its log."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", drive_rel.strip("/").replace("/", "_")) or "all"
    return settings.state_path / "uploads" / f"files_{name[:60]}_{stamp}.txt"


def drive_folder(settings: "Settings", drive_rel: str) -> tuple[str, str]:
    """(the rclone path of a folder under the Drive remote, its raw prefix) for a relative folder."""
    from pixel_tui.core.storage.rclone import join_remote

    rel = drive_rel.strip("/")
    return join_remote(settings.drive, rel), settings.raw_prefix + (rel + "/" if rel else "")


def busy_paths(report: DiffReport, folder_rel: str, in_flight: Iterable[str]) -> set[str]:
    """Paths of the report (missing or differing) that rclone has in flight now. ``in_flight`` names
    transfers from the Drive remote's root (the watched logs, the app's job feed); ``folder_rel`` is the
    compared folder from that root ('' or ending in '/')."""
    from pixel_tui.core.browse.markers import transfer_matches

    names = list(in_flight)
    if not names:
        return set()
    return {i.path for i in report.missing + report.differs
            if any(transfer_matches(t, folder_rel + i.path, False) for t in names)}


@dataclass(frozen=True)
class UploadList:
    """What "upload what is missing here" copies: files under one Drive folder, by what they are."""

    folder: str  # relative to the Drive remote: '' (its root) or 'a/b'
    missing: tuple[str, ...]
    missing_bytes: int
    differing: tuple[str, ...] = ()
    differing_bytes: int = 0
    unlisted: int = 0  # names with a newline: no one-per-line list can hold them

    def paths(self, differing: bool = False) -> list[str]:
        """The paths to list, relative to the folder (the differing ones too when asked)."""
        return sorted(self.missing + (self.differing if differing else ()))

    def describe(self, differing: bool = False) -> str:
        """`6 missing files (2.3 GiB)`, `... and 2 differing files (1.0 MiB)` when those are included too."""
        parts = [f"{plural(len(self.missing), 'missing file')} ({human_bytes(self.missing_bytes)})"] \
            if self.missing else []
        if differing and self.differing:
            parts.append(self.describe_differing())
        return " and ".join(parts) or "no file"

    def describe_differing(self) -> str:
        """`2 differing files (1.0 MiB)`."""
        return f"{plural(len(self.differing), 'differing file')} ({human_bytes(self.differing_bytes)})"


def upload_list(report: DiffReport, folder: str) -> UploadList:
    """The missing and differing files of a report, ready to list (names a list cannot hold counted apart)."""
    missing, cut_m = listable(i.path for i in report.missing)
    differing, cut_d = listable(i.path for i in report.differs)
    keep_m, keep_d = set(missing), set(differing)
    return UploadList(folder.strip("/"), tuple(missing), known_bytes(i for i in report.missing if i.path in keep_m),
                      tuple(differing), known_bytes(i for i in report.differs if i.path in keep_d), cut_m + cut_d)

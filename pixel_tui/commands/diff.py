"""`pixel-tui diff [DRIVE_PATH]`: Drive against S3 raw: missing, differs, extra, and a summary."""

from __future__ import annotations

NAME = "diff"
HELP = "compare a Drive folder with its copy under the S3 raw prefix (exit 1 if anything is missing or differs)"


def add_arguments(parser) -> None:
    """DRIVE_PATH (default: the configured Drive remote), --json, --md5."""
    parser.add_argument("drive_path", nargs="?", metavar="DRIVE_PATH",
                        help="Drive folder to compare (default: drive.remote); must lie inside drive.remote")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--md5", choices=("auto", "yes", "no"), default="auto",
                        help="compare MD5s too: auto = when the Drive remote has them cheaply (default)")
    parser.add_argument("--combined", action="store_true",
                        help="print `rclone check --combined` lines: = same, - missing on S3, + only on S3, "
                             "* differs, ! not comparable")
    parser.add_argument("--missing-to", metavar="FILE",
                        help="write the missing paths to FILE, for `rclone copy --files-from FILE DRIVE_PATH DEST`")


def raw_prefix_for(settings, drive_path: str) -> str:
    """The raw prefix mirroring ``drive_path`` (a folder inside settings.drive)."""
    from pixel_tui.core.errors import ConfigError

    base = settings.drive.rstrip("/")
    path = drive_path.rstrip("/")
    if path == base or (base.endswith(":") and path == base):
        rel = ""
    elif path.startswith(base + ("" if base.endswith(":") else "/")):
        rel = path[len(base):].lstrip("/")
    else:
        raise ConfigError(f"{drive_path!r} is not inside the Drive remote {settings.drive!r}",
                          "pass a folder under drive.remote, or set --drive")
    return settings.raw_prefix + (rel + "/" if rel else "")


def uploading_paths(settings, prefix: str, report) -> set[str]:
    """Paths of the report (missing or differing) that the watched rclone logs list as in flight: the same
    source the Drive pane's ↑ reads. Transfers are named from the Drive remote's root."""
    from pixel_tui.core.browse.markers import transfer_matches, uploading_now

    names = uploading_now(settings)
    if not names:
        return set()
    rel = prefix[len(settings.raw_prefix):]  # this folder, from the Drive remote's root
    return {i.path for i in report.missing + report.differs
            if any(transfer_matches(t, rel + i.path, False) for t in names)}


def _sizes(i, human_bytes, exact_bytes) -> str:
    """The sizes column: one side's size, or both to the byte when they differ ('?' when unknown)."""
    def one(n):
        return "?" if n is not None and n < 0 else human_bytes(n)

    if i.s3_size is None:
        return one(i.drive_size)
    if i.drive_size is None:
        return one(i.s3_size)
    if i.drive_size >= 0 and i.drive_size != i.s3_size:
        # Two sizes that differ are shown to the byte: rounded, they can read the same.
        return f"{exact_bytes(i.drive_size)} vs {exact_bytes(i.s3_size)}"
    return one(i.drive_size)


def _why(i) -> str:
    """What the line is about: the reason, exported documents and unknown sizes."""
    notes = [n for n in (i.reason, "exported document" if i.kind == "document" else "",
                         "size unknown" if i.drive_size is not None and i.drive_size < 0 and i.kind != "document" else "")
             if n]
    return f" ({', '.join(notes)})" if notes else ""


def _write_missing(target: str, report, drive_path: str, dest: str) -> None:
    """The missing paths, one per line, written atomically; a how-to on stderr."""
    import os
    import sys
    import tempfile

    from pixel_tui.core.errors import PixelError

    paths = [p for p in report.missing_paths() if "\n" not in p and "\r" not in p]
    path = os.path.abspath(os.path.expanduser(target))
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".missing.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(p + "\n" for p in paths))
        os.replace(tmp, path)
    except OSError as exc:
        raise PixelError(f"cannot write {target}: {exc.strerror}", "choose a writable path for --missing-to") from None
    print(f"wrote {len(paths)} missing paths to {path}; upload them with:\n"
          f"  rclone copy --files-from {path} {drive_path} <remote>:{dest[len('s3://'):]}", file=sys.stderr)


def run(args, settings) -> int:
    """Print the differences; 1 when anything is missing or differs."""
    import json

    from pixel_tui.core.browse.reconcile import diff_remote
    from pixel_tui.core.storage.rclone import Rclone
    from pixel_tui.core.storage.s3 import S3Store
    from pixel_tui.core.storage.s3url import s3_url
    from pixel_tui.core.units import exact_bytes, human_bytes

    drive_path = args.drive_path or settings.drive
    prefix = raw_prefix_for(settings, drive_path)
    hashes = {"auto": None, "yes": True, "no": False}[args.md5]
    # Uploaded files are only counted, not kept, unless every one is printed (--json, --combined).
    report = diff_remote(Rclone(), drive_path, S3Store.from_settings(settings), prefix, settings, hashes=hashes,
                         keep_uploaded=args.json or args.combined)
    busy = uploading_paths(settings, prefix, report)
    if args.missing_to:
        _write_missing(args.missing_to, report, drive_path, s3_url(settings.bucket, prefix))
    if args.combined:
        for line in report.combined():
            print(line)
    elif args.json:
        doc = report.to_json()
        doc["uploading"] = sorted(busy)  # missing or differing now, but rclone has them in flight (watched logs)
        print(json.dumps(doc, ensure_ascii=False))
    else:
        print(f"{drive_path}  vs  {s3_url(settings.bucket, prefix)}")
        for title, items in (("missing", report.missing), ("differs", report.differs),
                             ("dup", report.duplicates), ("shortcut", report.shortcuts), ("extra", report.extra)):
            for i in items:
                shown = "uploading" if i.path in busy else title
                print(f"{shown:9} {_sizes(i, human_bytes, exact_bytes):>20}  {i.path}{_why(i)}")
        checks = report.checks_text()
        now = f", {len(busy)} uploading now" if busy else ""
        print(report.summary() + now + (f" ({checks})" if checks else ""))
        for hint in report.hints():
            print(hint)
    return 0 if report.ok else 1

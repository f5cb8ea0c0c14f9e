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
                        help="write the missing paths to FILE, for `rclone copy --files-from-raw FILE DRIVE_PATH DEST`")


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
    from pixel_tui.core.browse.folder_details import busy_paths
    from pixel_tui.core.browse.markers import uploading_now

    return busy_paths(report, prefix[len(settings.raw_prefix):], uploading_now(settings))


def _write_missing(target: str, report, drive_path: str, dest: str) -> None:
    """The missing paths, one per line, written atomically; a how-to on stderr."""
    import os
    import sys

    from pixel_tui.core.browse.folder_details import write_files_from
    from pixel_tui.core.errors import PixelError

    path = os.path.abspath(os.path.expanduser(target))
    try:
        count = write_files_from(path, report.missing_paths())
    except OSError as exc:
        raise PixelError(f"cannot write {target}: {exc.strerror}", "choose a writable path for --missing-to") from None
    print(f"wrote {count} missing paths to {path}; upload them with:\n"
          f"  rclone copy --files-from-raw {path} {drive_path} <remote>:{dest[len('s3://'):]}", file=sys.stderr)


def run(args, settings) -> int:
    """Print the differences; 1 when anything is missing or differs."""
    import json

    from pixel_tui.core.browse.folder_details import diff_rows, diff_summary
    from pixel_tui.core.browse.reconcile import diff_remote
    from pixel_tui.core.storage.rclone import Rclone
    from pixel_tui.core.storage.s3 import S3Store
    from pixel_tui.core.storage.s3url import s3_url

    drive_path = args.drive_path or settings.drive
    prefix = raw_prefix_for(settings, drive_path)
    hashes = {"auto": None, "yes": True, "no": False}[args.md5]
    report = diff_remote(Rclone(), drive_path, S3Store.from_settings(settings), prefix, settings, hashes=hashes)
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
        for line in diff_rows(report, busy) + diff_summary(report, busy):
            print(line)
    return 0 if report.ok else 1

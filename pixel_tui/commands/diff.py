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
    report = diff_remote(Rclone(), drive_path, S3Store.from_settings(settings), prefix, settings, hashes=hashes)
    busy = uploading_paths(settings, prefix, report)
    if args.json:
        doc = report.to_json()
        doc["uploading"] = sorted(busy)  # missing or differing now, but rclone has them in flight (watched logs)
        print(json.dumps(doc, ensure_ascii=False))
    else:
        print(f"{drive_path}  vs  {s3_url(settings.bucket, prefix)}")
        for title, items in (("missing", report.missing), ("differs", report.differs), ("extra", report.extra)):
            for i in items:
                if i.path in busy:
                    title_now = "uploading"
                else:
                    title_now = title
                # Two sizes that differ are shown to the byte: rounded, they can read the same.
                sizes = human_bytes(i.drive_size) if i.s3_size is None else (
                    human_bytes(i.s3_size) if i.drive_size is None else
                    f"{exact_bytes(i.drive_size)} vs {exact_bytes(i.s3_size)}")
                why = f" ({i.reason})" if i.reason else ""
                print(f"{title_now:9} {sizes:>20}  {i.path}{why}")
        now = f", {len(busy)} uploading now" if busy else ""
        print(report.summary() + now + ("" if report.md5_checked else " (sizes compared; no cheap MD5s)"))
    return 0 if report.ok else 1

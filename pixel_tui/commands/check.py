"""`pixel-tui check`: spot-check the whole layout; exit 1 when a registry path is broken."""

from __future__ import annotations

import argparse
import json

NAME = "check"
HELP = "check registry paths in S3, unregistered processed data, unpromoted raw items, Drive items not uploaded"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--json, --no-drive."""
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--no-drive", action="store_true", help="skip listing the Drive remote")


def run(args: argparse.Namespace, settings) -> int:
    """Run the spot-check and print it."""
    from pixel_tui.commands.registry import open_registry
    from pixel_tui.core.browse.spotcheck import spot_check
    from pixel_tui.core.storage.rclone import Rclone
    from pixel_tui.core.storage.s3 import S3Store
    from pixel_tui.core.storage.s3url import s3_url
    from pixel_tui.core.units import human_bytes

    reg = open_registry(settings)
    store = S3Store.from_settings(settings)
    rclone = None if args.no_drive or not settings.drive else Rclone()
    result = spot_check(settings, reg, store, rclone)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        return result.exit_code
    report = result.report
    print(f"registry {reg.location}:")
    by_key = {}
    for f in report.findings:
        by_key.setdefault(f.key, []).append(f)
    for key, status in report.statuses.items():
        notes = "; ".join(f.message for f in by_key.get(key, []) if f.label != status or f.code == "size_mismatch")
        print(f"  {status:<15} {key}" + (f"  ({notes})" if notes else ""))
    for f in report.findings:
        if f.key not in report.statuses:  # entries that are not objects have no status row
            print(f"  {f.label:<15} {f.key}  ({f.message})")
    folders = sum(1 for item in result.unregistered if item.endswith("/"))
    files = len(result.unregistered) - folders
    print(f"processed items nobody registered (under processed/<category>/): {len(result.unregistered)} "
          f"({folders} folder{'s' * (folders != 1)}, {files} file{'s' * (files != 1)})")
    for item in result.unregistered:
        print(f"  {s3_url(store.bucket, item)}")
    print(f"raw items not promoted yet: {len(result.unpromoted)}")
    for item in result.unpromoted:
        print(f"  {s3_url(store.bucket, item)}")
    d = result.drive
    if d is not None:
        if d.error:
            print(f"Drive items not uploaded: unknown ({d.error})")
        else:
            print(f"Drive items not uploaded: {d.missing} of {d.total} files ({human_bytes(d.missing_bytes)})")
    counts = ", ".join(f"{n} {s}" for s, n in sorted(report.counts().items()))
    print(f"{len(report.errors)} errors; {counts}")
    print(result.migration_line())
    return result.exit_code

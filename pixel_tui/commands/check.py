"""`pixel-tui check`: spot-check the whole layout; exit 1 when a registry path is broken."""

from __future__ import annotations

import argparse
import json

from pixel_tui.core.units import plural

NAME = "check"
HELP = "check registry paths in S3, unregistered processed data, unpromoted raw items, Drive items not uploaded"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--json, --no-drive, --provider."""
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--no-drive", action="store_true", help="skip listing the Drive remote")
    parser.add_argument("--provider", action="store_true",
                        help="probe what the S3 endpoint really does (conditional writes, server-side copies, "
                             "addressing) on scratch keys under s3.probe_prefix, deleted afterwards")


def provider_table(report) -> str:
    """The probe's findings as aligned text."""
    lines = [f"S3 provider {report.endpoint} (bucket {report.bucket}):"]
    for check, result, detail in report.rows():
        lines.append(f"  {check:<38} {result:<20} {detail}".rstrip())
    lines.append("  registry saves: " + ("race-free (the server refuses stale writes)" if report.conditional_writes
                                         else "NOT race-free: checked with a HEAD right before each write"))
    lines.append("  promotion copies: " + ("server-side" if report.server_side_copy
                                           else "streamed through this machine where the server cannot copy"))
    return "\n".join(lines)


def provider_line(report) -> str:
    """One line for `check`: what the endpoint enforces and copies."""
    cond = "conditional writes enforced" if report.conditional_writes else "conditional writes NOT enforced"
    copy = "server-side copy works" if report.server_side_copy else "server-side copy incomplete (streamed)"
    return f"S3 provider: {cond}, {copy} (details: pixel-tui check --provider)"


def _run_provider(args, settings) -> int:
    from pixel_tui.core.errors import ConfigError
    from pixel_tui.core.storage.probe import provider
    from pixel_tui.core.storage.s3 import S3Store

    if settings.read_only:
        raise ConfigError("check --provider writes (and deletes) scratch keys; read-only mode forbids it",
                          "run it without --read-only / ui.read_only")
    store = S3Store.from_settings(settings)
    store.check_bucket()
    report = provider(store, refresh=True)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(provider_table(report))
    return 0


def run(args: argparse.Namespace, settings) -> int:
    """Run the spot-check and print it."""
    from pixel_tui.commands.registry import open_registry
    from pixel_tui.core.browse.spotcheck import spot_check
    from pixel_tui.core.storage.rclone import Rclone
    from pixel_tui.core.storage.s3 import S3Store
    from pixel_tui.core.storage.s3url import s3_url
    from pixel_tui.core.units import human_bytes

    if args.provider:
        return _run_provider(args, settings)
    reg = open_registry(settings)
    store = S3Store.from_settings(settings)
    rclone = None if args.no_drive or not settings.drive else Rclone()
    result = spot_check(settings, reg, store, rclone)
    probed = _known_provider(store, settings)
    if args.json:
        doc = result.as_dict()
        doc["provider"] = probed.to_json() if probed is not None else None
        print(json.dumps(doc, indent=2, ensure_ascii=False))
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
            extra = "".join(f", {n} {what}" for n, what in ((d.size_unknown, "of unknown size uploaded by name"),
                                                              (d.duplicates, "duplicate names"),
                                                              (d.shortcuts, "shortcuts")) if n)
            print(f"Drive items not uploaded: {d.missing:,} of {plural(d.total, 'file')} ({human_bytes(d.missing_bytes)}){extra}")
            for hint in d.hints:
                print(f"  {hint}")
    counts = ", ".join(f"{n} {s}" for s, n in sorted(report.counts().items()))
    print(f"{plural(len(report.errors), 'error')}; {counts}")
    print(result.migration_line())
    print(provider_line(probed) if probed is not None else
          "S3 provider: not probed (read-only; pixel-tui check --provider tells what it enforces)")
    return result.exit_code


def _known_provider(store, settings):
    """The endpoint's probe: cached, or made now unless read-only (a probe writes scratch keys)."""
    from pixel_tui.core.errors import PixelError
    from pixel_tui.core.storage.probe import cached, provider

    hit = cached(store)
    if hit is not None or settings.read_only:
        return hit
    try:
        return provider(store)
    except PixelError:
        return None

"""`pixel-tui registry versions|diff|restore`: the registry's history in a versioned bucket."""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(sub, parents) -> None:
    """versions [--json] / diff V1 [V2] / restore V [--dry-run]."""
    p = sub.add_parser("versions", parents=parents,
                       help="the registry's versions in its (versioned) bucket, newest first, with who saved each")
    p.add_argument("--json", action="store_true", help="machine-readable output (full version ids)")
    p = sub.add_parser("diff", parents=parents, help="unified diff between two versions (V2 default: the current one)")
    p.add_argument("v1", metavar="V1", help="a version id (or a unique start of one, as `versions` shows it)")
    p.add_argument("v2", metavar="V2", nargs="?", help="the other version (default: the current one)")
    p = sub.add_parser("restore", parents=parents,
                       help="save an older version as the current one (a conditional save: refused if the "
                            "registry changed meanwhile; the version it replaces stays in the history)")
    p.add_argument("version", metavar="V", help="a version id (or a unique start of one)")
    p.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")


def run(args: argparse.Namespace, settings, reg) -> int:
    """Run versions, diff or restore on the loaded registry ``reg``."""
    from pixel_tui.core.errors import PixelError
    from pixel_tui.core.registry.versions import diff_versions, find_version, restore, version_text, versions

    found = versions(reg)
    if args.action == "versions":
        return _list(found, reg.location, args.json)
    if args.action == "diff":
        sys.stdout.write(diff_versions(reg, found, args.v1, args.v2) or "no difference\n")
        return 0
    if settings.read_only and not args.dry_run:
        raise PixelError("read-only mode: the registry is not written", "drop --read-only (or ui.read_only) to edit")
    version = find_version(found, args.version, reg.location)
    if version.current:
        print(f"version {version.short_id} is the current one: no change")
        return 0
    if args.dry_run:
        from pixel_tui.core.registry.versions import diff_texts, label

        sys.stdout.write(diff_texts(reg.baseline, version_text(reg, version).removeprefix("\ufeff"), reg.location,
                                    "current", f"restored {label(version)}"))
        print("dry run: nothing written")
        return 0
    sys.stdout.write(restore(reg, found, version.version_id, backups=settings.backups))
    print(f"restored version {version.short_id} of {reg.location} (saved as a new version)")
    return 0


def _list(found, location: str, as_json: bool) -> int:
    from pixel_tui.core.units import human_bytes, plural

    if as_json:
        print(json.dumps({"location": location, "versions": [v.as_dict() for v in found]}, indent=2))
        return 0
    who_width = max([len("WHO")] + [len(v.author) for v in found])
    print(f"{'VERSION':<12}  {'SAVED (UTC)':<19}  {'WHO':<{who_width}}  {'SIZE':>9}")
    for v in found:
        size = "deleted" if v.deleted else human_bytes(v.size)
        note = "  current" if v.current else ""
        print(f"{v.short_id:<12}  {v.when():<19}  {v.author:<{who_width}}  {size:>9}{note}")
    print(f"{plural(len(found), 'version')} of {location}")
    return 0

"""`pixel-tui registry show|get|set|add|rm|versions|diff|restore`: the registry editor without the screen."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pixel_tui.commands.options import repeated_global_options

NAME = "registry"
HELP = "show or edit dataset_registry.json (local path or s3:// URL, from --registry); its versions in S3"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """show / get / set / add / rm."""
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    parents = [repeated_global_options()]
    p = sub.add_parser("show", parents=parents, help="every dataset with group, stage, type, path and its status in S3 (as `check` and the screen say it)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--offline", action="store_true",
                   help="do not look in S3 (S3 paths then read 'not checked', not ok or missing)")
    p = sub.add_parser("get", parents=parents, help="print one entry as JSON")
    p.add_argument("address", metavar="GROUP/NAME",
                   help="e.g. datasets/cot_reasoning/CoT_Temporal_Reasoning, or a unique NAME alone")
    for action, text in (("set", "change fields of an existing entry"), ("add", "add a new entry")):
        p = sub.add_parser(action, parents=parents, help=text)
        p.add_argument("address", metavar="GROUP/NAME", help="an entry's GROUP/NAME, or its NAME alone when unique")
        p.add_argument("fields", metavar="FIELD=VALUE", nargs="*",
                       help="values parse as JSON when they can (20, 1.5, true), else they are strings")
        p.add_argument("--unset", metavar="FIELD", action="append", default=[], help="remove a field (repeatable)")
        p.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
        if action == "add":
            p.add_argument("--new-group", action="store_true", help="allow creating the group")
    p = sub.add_parser("rm", parents=parents, help="remove an entry")
    p.add_argument("address", metavar="GROUP/NAME", help="GROUP/NAME, or a unique NAME alone")
    p.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    from pixel_tui.commands import registry_versions

    registry_versions.add_arguments(sub, parents)


def parse_value(text: str) -> Any:
    """JSON when it parses (numbers, true/false, null, quoted strings, objects), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text
    except RecursionError:
        from pixel_tui.core.registry.document import RegistryEditError

        raise RegistryEditError(f"value {text[:40]}... is nested too deeply to store", "flatten it") from None


def parse_fields(pairs: list[str]) -> dict[str, Any]:
    """FIELD=VALUE arguments as a dict."""
    from pixel_tui.core.registry.document import RegistryEditError

    out: dict[str, Any] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            raise RegistryEditError(f"expected FIELD=VALUE, got {pair!r}")
        out[key.strip()] = parse_value(value)
    return out


def open_registry(settings):
    """The configured registry, loaded (S3 URLs through the configured endpoint and credentials)."""
    from pixel_tui.core.errors import ConfigError
    from pixel_tui.core.registry.document import Registry
    from pixel_tui.core.storage.s3 import store_factory

    if not settings.registry:
        raise ConfigError("no registry configured", "pass --registry PATH_OR_S3_URL or set `registry.location`")
    return Registry.load(settings.registry, store_factory=store_factory(settings),
                         backup_dir=settings.state_path / "registry-backups", max_bytes=settings.registry_max_bytes)


def run(args: argparse.Namespace, settings) -> int:
    """Run one registry action."""
    from pixel_tui.core.errors import PixelError
    from pixel_tui.core.registry.document import RegistryEditError
    from pixel_tui.core.registry.lookup import split_address

    reg = open_registry(settings)
    if args.action == "show":
        from pixel_tui.commands.registry_show import show

        return show(reg, settings, args.json, offline=args.offline)
    if args.action in ("versions", "diff", "restore"):
        from pixel_tui.commands import registry_versions

        return registry_versions.run(args, settings, reg)
    if args.action == "get":
        group, name = split_address(reg, args.address)
        ref = reg.ref(group, name)
        if ref is None:
            raise RegistryEditError(f"no dataset {group}/{name} in {reg.location}")
        print(json.dumps(ref.entry, indent=4, ensure_ascii=False))
        return 0
    if settings.read_only and not getattr(args, "dry_run", False):
        raise PixelError("read-only mode: the registry is not written", "drop --read-only (or ui.read_only) to edit")
    if args.action == "rm":
        group, name = split_address(reg, args.address)
        reg.remove(group, name)
    else:
        fields = parse_fields(args.fields)
        group, name = split_address(reg, args.address, must_exist=args.action == "set" or not args.new_group)
        exists = reg.ref(group, name) is not None
        from pixel_tui.core.registry.fields import check_fields

        check_fields(fields, reg.datasets())
        if args.action == "set":
            if not exists:
                raise RegistryEditError(f"no dataset {group}/{name} in {reg.location}", "use `registry add` to create it")
            reg.update_fields(group, name, **fields)
        else:
            if exists:
                raise RegistryEditError(f"{group}/{name} already exists in {reg.location}", "use `registry set` to change it")
            if not isinstance(fields.get("path"), str) or not fields["path"]:
                raise RegistryEditError("a new entry needs a path", "add path=s3://bucket/gdrive/processed/<category>/<name>")
            reg.set_entry(group, name, fields)
        for key in args.unset:
            reg.remove_field(group, name, key)
    sys.stdout.write(reg.diff())
    if not reg.dirty:
        print("no change")
        return 0
    if args.dry_run:
        print("dry run: nothing written")
        return 0
    reg.save(backups=settings.backups)
    print(f"saved {reg.location}")
    return 0

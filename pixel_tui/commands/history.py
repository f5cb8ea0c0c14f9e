"""`pixel-tui history`: promotions from the journal and audit log; `history undo ID` reverts one."""

from __future__ import annotations

import json
import sys

NAME = "history"
HELP = "list promotions (and interrupted ones); `history undo ID` deletes its copies and restores the registry"


def add_arguments(parser) -> None:
    """[undo ID] [--json] [--yes]."""
    parser.add_argument("action", nargs="?", choices=["list", "undo"], default="list", help="list (default) or undo")
    parser.add_argument("id", nargs="?", help="promotion id (for undo)")
    parser.add_argument("--json", action="store_true", help="JSON output")
    parser.add_argument("--yes", "-y", action="store_true", help="undo without asking")


def run(args, settings) -> int:
    """List promotions, or undo one."""
    from pixel_tui.core.promotion.history import list_promotions

    if args.action == "undo":
        return _undo(args, settings)
    rows = list_promotions(settings)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows]))
        return 0
    if not rows:
        print("no promotions yet")
        return 0
    from pixel_tui.core.units import human_bytes

    for r in rows:
        if r.status == "unreadable":
            print(f"{r.id}  {r.status:<11} {r.error}")
            continue
        print(f"{r.id}  {r.status:<11} {r.mode:<4} {r.category:<24} {r.objects:>7,} obj {human_bytes(r.bytes):>10}  "
              f"{r.user}@{r.host}  {r.sources}")
    bad = [r.id for r in rows if r.status == "unreadable"]
    if bad:
        print(f"pixel-tui: {len(bad)} unreadable journal file(s) skipped: {', '.join(bad)}", file=sys.stderr)
    return 0


def _undo(args, settings) -> int:
    from pixel_tui.core.promotion.errors import PromotionError
    from pixel_tui.core.promotion.undo import undo
    from pixel_tui.core.storage.s3 import S3Store
    from pixel_tui.core.units import plural

    if not args.id:
        raise PromotionError("history undo needs a promotion ID", "`pixel-tui history` lists them")
    if not args.yes:
        print(f"undo promotion {args.id}: delete its copies and restore the registry entry? [y/N] ",
              end="", file=sys.stderr, flush=True)
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print("pixel-tui: nothing changed", file=sys.stderr)
            return 1
    result = undo(S3Store.from_settings(settings), settings, args.id)
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(f"undone {result.id}: {plural(result.deleted, 'copy', 'copies')} deleted, "
              f"{plural(result.restored_sources, 'source')} restored")
        if result.registry_diff:
            print(result.registry_diff.rstrip("\n"))
    return 0

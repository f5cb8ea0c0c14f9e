"""`pixel-tui history`: promotions from the journal and audit log; `history undo ID` reverts one."""

from __future__ import annotations

import json
import sys

NAME = "history"
HELP = ("list promotions (and interrupted ones); `history show ID` says what one did; "
        "`history undo ID` deletes its copies and restores the registry")


def add_arguments(parser) -> None:
    """[show|undo ID] [--json] [--yes]."""
    parser.add_argument("action", nargs="?", choices=["list", "show", "undo"], default="list",
                        help="list (default), show (what one promotion did) or undo")
    parser.add_argument("id", nargs="?", help="promotion id (for show and undo)")
    parser.add_argument("--json", action="store_true", help="JSON output")
    parser.add_argument("--yes", "-y", action="store_true", help="undo without asking")
    parser.add_argument("--copies-only", action="store_true",
                        help="undo: delete the copies, keep the registry entry as it is now")


def run(args, settings) -> int:
    """List promotions, or undo one."""
    from pixel_tui.core.promotion.history import list_promotions

    if args.action == "undo":
        return _undo(args, settings)
    if args.action == "show":
        return _show(args, settings)
    rows = list_promotions(settings)
    left = _unfinished_uploads(settings, rows)
    if args.json:
        print(json.dumps([{**r.to_dict(), **({"unfinished_uploads": left[r.id]} if r.id in left else {})}
                          for r in rows]))
        return 0
    from pixel_tui.core.units import human_bytes, plural

    if not rows:
        print("no promotions yet")
        return 0
    for r in rows:
        if r.status == "unreadable":
            print(f"{r.id}  {r.status:<11} {r.error}")
            continue
        print(f"{r.id}  {r.status:<11} {r.mode:<4} {r.category:<24} {r.objects:>7,} obj {human_bytes(r.bytes):>10}  "
              f"{r.user}@{r.host}  {r.sources}")
        if left.get(r.id):
            n = left[r.id]
            print(f"    {n} unfinished multipart upload{'s' if n != 1 else ''} left on the server: "
                  f"`pixel-tui promote --resume {r.id}` aborts {'them' if n != 1 else 'it'} and goes on")
    bad = [r.id for r in rows if r.status == "unreadable"]
    if bad:
        print(f"pixel-tui: {plural(len(bad), 'unreadable journal file')} skipped: {', '.join(bad)}", file=sys.stderr)
    return 0


def _unfinished_uploads(settings, rows) -> dict[str, int]:
    """Leftover multipart uploads of interrupted promotions; {} (and a note) when S3 cannot be asked."""
    if not any(r.resumable for r in rows):
        return {}
    from pixel_tui.core.errors import PixelError, render_error
    from pixel_tui.core.promotion.history import count_unfinished_uploads
    from pixel_tui.core.storage.s3 import store_factory

    try:
        return count_unfinished_uploads(settings, rows, store_factory(settings))
    except PixelError as exc:
        print(f"pixel-tui: could not look for unfinished uploads: {render_error(exc, one_line=True)}", file=sys.stderr)
        return {}


def _show(args, settings) -> int:
    """The history screen's Enter, headless: the same (section, text) lines, or JSON of them."""
    from pixel_tui.core.promotion.details import promotion_details
    from pixel_tui.core.promotion.errors import BadChoice

    if not args.id:  # a usage error: exit 2, like any bad input
        raise BadChoice("history show needs a promotion ID", "`pixel-tui history` lists them")
    lines = promotion_details(settings, args.id)
    if args.json:
        print(json.dumps([{"section": kind, "text": text} for kind, text in lines]))
        return 0
    for i, (kind, text) in enumerate(lines):
        if kind == "heading" and i:
            print()
        print(text)
    return 0


def _undo(args, settings) -> int:
    from pixel_tui.core.promotion.errors import BadChoice
    from pixel_tui.core.promotion.undo import undo
    from pixel_tui.core.storage.s3 import S3Store
    from pixel_tui.core.units import plural

    if not args.id:
        raise BadChoice("history undo needs a promotion ID", "`pixel-tui history` lists them")
    if not args.yes:
        what = "keep the registry entry as it is now" if args.copies_only else "restore the registry entry"
        print(f"undo promotion {args.id}: delete its copies and {what}? [y/N] ",
              end="", file=sys.stderr, flush=True)
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print("pixel-tui: nothing changed", file=sys.stderr)
            return 1
    result = undo(S3Store.from_settings(settings), settings, args.id, copies_only=args.copies_only)
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        kept = ", registry entry kept as it is" if result.copies_only else ""
        print(f"undone {result.id}: {plural(result.deleted, 'copy', 'copies')} deleted, "
              f"{plural(result.restored_sources, 'source')} restored{kept}")
        if result.registry_diff:
            print(result.registry_diff.rstrip("\n"))
    return 0

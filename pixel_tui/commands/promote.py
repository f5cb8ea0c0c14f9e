"""`pixel-tui promote`: the headless twin of the promote dialog (plan, confirm, copy, verify, registry)."""

from __future__ import annotations

import json
import sys

from pixel_tui.core.units import plural

NAME = "promote"
HELP = "promote raw S3 items into a processed category (server-side copy, verified, journaled)"


def add_arguments(parser) -> None:
    """SRC..., --category, --category-for, --name, --dry-run, --move, --overwrite, --yes, --json, --resume."""
    parser.add_argument("sources", nargs="*", metavar="SRC", help="s3://bucket/gdrive/raw/... key or prefix")
    parser.add_argument("--category", "-c",
                        help="processed category for every SRC (default: each item's own suggestion: a registered "
                             "item keeps its registry group's, another the one its name points at)")
    parser.add_argument("--category-for", action="append", default=[], metavar="ITEM=CAT",
                        help="category of one SRC (as given, its key or its last name); repeatable")
    parser.add_argument("--name", "-n", help="target name (default: the canonical name of the source)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    parser.add_argument("--move", action="store_true", help="delete the raw sources after every copy is verified")
    parser.add_argument("--overwrite", action="store_true", help="replace destinations that hold different content")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--json", action="store_true", help="print the plan, then the result, as JSON lines")
    parser.add_argument("--resume", nargs="?", const="", metavar="ID",
                        help="finish an interrupted promotion (the latest one when no ID is given)")


def run(args, settings) -> int:
    """Plan, show, confirm, execute; or resume."""
    from pixel_tui.core.promotion import build_plan, execute, resume
    from pixel_tui.core.promotion.errors import PromotionError
    from pixel_tui.core.storage.s3 import S3Store

    store = S3Store.from_settings(settings)
    progress = _Printer(quiet=args.json)
    if args.resume is not None:
        promotion_id = args.resume or _latest_incomplete(settings)
        result = resume(store, settings, promotion_id, progress=progress)
        progress.finish()
        _print_result(result, args.json)
        return 0
    if not args.sources:
        raise PromotionError("give at least one SRC (s3:// raw key or prefix), or --resume")
    from pixel_tui.core.promotion.registry_update import load_registry

    registry = load_registry(settings, store)
    categories = choose_categories(settings, args.sources, args.category, args.category_for, registry)
    default = args.category or categories[args.sources[0]]
    plan = build_plan(store, settings, args.sources, default, name=args.name, move=args.move,
                      overwrite=args.overwrite, categories=categories, registry=registry)
    if args.json:
        print(plan.to_json(), flush=True)
    else:
        print(plan.render(), flush=True)  # the plan shows the registry diff: the result does not repeat it
    if plan.blocked():
        n = len(plan.conflicts)
        print(f"pixel-tui: {plural(n, 'conflict')} {'blocks' if n == 1 else 'block'} this plan; use --overwrite or "
              "another --name",
              file=sys.stderr)
        return 1
    if args.dry_run:
        return 0
    if not args.yes and not _confirm(plan):
        print("pixel-tui: cancelled, nothing changed", file=sys.stderr)
        return 1
    result = execute(store, settings, plan, progress=progress)
    progress.finish()
    _print_result(result, args.json, diff_shown=plan.registry_diff)
    return 0


def choose_categories(settings, sources: list[str], forced: str | None, per_item: list[str],
                      registry) -> dict[str, str]:
    """Each SRC's category: its --category-for, else --category, else its own suggestion; a SRC with none of
    them is refused (a category is never guessed blindly)."""
    from pixel_tui.core.promotion.errors import BadChoice
    from pixel_tui.core.promotion.naming import check_category
    from pixel_tui.core.promotion.plan_registry import item_categories

    chosen = {src: forced for src in sources} if forced else item_categories(settings, sources, None, registry)
    for spec in per_item:
        item, sep, cat = spec.rpartition("=")
        if not sep or not item or not cat:
            raise BadChoice(f"--category-for {spec!r} is not ITEM=CATEGORY",
                                 "e.g. --category-for Psych8k=professional_therapeutic")
        chosen[_match_source(item, sources, settings)] = check_category(cat, settings)
    missing = [src for src in sources if src not in chosen]
    if missing:
        raise BadChoice(f"no category for {missing[0]}: its name points at none and it is not registered",
                             f"give --category CAT or --category-for ITEM=CAT (categories: "
                             f"{', '.join(settings.categories)})")
    return chosen


def _match_source(item: str, sources: list[str], settings) -> str:
    """The one SRC an ITEM of --category-for names: the SRC as given, its key, or its last name."""
    from pixel_tui.core.promotion.errors import BadChoice
    from pixel_tui.core.storage.s3url import is_s3_url, parse_s3_url

    def forms(src: str) -> set[str]:
        key = parse_s3_url(src)[1] if is_s3_url(src) else src
        return {src.rstrip("/"), key.rstrip("/"), key.rstrip("/").rsplit("/", 1)[-1]}

    hits = [src for src in sources if item.rstrip("/") in forms(src)]
    if len(hits) != 1:
        what = "matches no SRC" if not hits else f"matches {len(hits)} SRCs ({', '.join(hits)})"
        raise BadChoice(f"--category-for {item}: {what}", "name one SRC as given, by its key or its last name")
    return hits[0]


def _latest_incomplete(settings) -> str:
    from pixel_tui.core.promotion.errors import PromotionError
    from pixel_tui.core.promotion.journal_index import incomplete

    pending = incomplete(settings)
    if not pending:
        raise PromotionError("no interrupted promotion to resume", "`pixel-tui history` lists promotions")
    return pending[-1][0].id


def _confirm(plan) -> bool:
    from pixel_tui.core.units import human_bytes, plural

    verb = "MOVE (sources deleted after verification)" if plan.mode == "move" else "copy"
    prompt = f"{verb} {plural(plan.object_count, 'object')} ({human_bytes(plan.total_bytes)})? [y/N] "
    print(prompt, end="", file=sys.stderr, flush=True)
    try:
        answer = sys.stdin.readline()
    except KeyboardInterrupt:
        return False
    return answer.strip().lower() in ("y", "yes")


def safe_text(text: str) -> str:
    """A key for a terminal line: control characters from the data shown escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def _print_result(result, as_json: bool, diff_shown: str = "") -> None:
    """The outcome; the registry diff only when the plan printed above did not already show the same one."""
    from pixel_tui.core.units import human_duration

    if as_json:
        print(json.dumps(result.to_dict()), flush=True)
        return
    print(f"{result.status}: {result.copied:,} copied, {result.skipped:,} skipped, {result.verified:,} verified, "
          f"{plural(result.sources_deleted, 'source')} deleted in {human_duration(result.seconds)} (promotion {result.id})")
    if getattr(result, "streamed", 0):
        print(f"{result.streamed:,} of them streamed through this machine (the server could not copy them itself)")
    kept = getattr(result, "sources_kept_changed", None) or []
    if kept:
        shown = ", ".join(safe_text(k) for k in kept[:5]) + (f" and {len(kept) - 5:,} more" if len(kept) > 5 else "")
        print(f"{len(kept):,} changed sources kept (re-written after their copy was verified, not deleted): {shown}")
    if result.registry_diff and result.registry_diff.strip() != diff_shown.strip():
        print(result.registry_diff.rstrip("\n"))


def progress_line(p, human_bytes, human_rate, eta: str) -> str:
    """`copy: 3/10 objects, 1.2 GiB/4.0 GiB, 80 MiB/s, ETA 1m` (phases that move no bytes, e.g. verify of
    skipped copies, leave out the `0 B/0 B`)."""
    from pixel_tui.core.units import plural

    count = f"{p.objects_done:,}/{plural(p.objects_total, 'object')}"
    if not p.bytes_total:
        return f"{p.phase}: {count}{eta}"
    return f"{p.phase}: {count}, {human_bytes(p.bytes_done)}/{human_bytes(p.bytes_total)}, {human_rate(p.rate)}{eta}"


class _Printer:
    """Progress on stderr: a rewritten line on a terminal, a line every few seconds otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.tty = sys.stderr.isatty()
        self.quiet = quiet and not self.tty
        self.last = 0.0

    def __call__(self, p) -> None:
        from pixel_tui.core.units import human_bytes, human_duration, human_rate

        if self.quiet:
            return
        gap = 0.2 if self.tty else 5.0
        if p.elapsed - self.last < gap and p.phase == "copy":
            return
        self.last = p.elapsed
        eta = f", ETA {human_duration(p.eta)}" if p.eta is not None else ""
        line = progress_line(p, human_bytes, human_rate, eta)
        if self.tty:
            from pixel_tui.core.printable import write_control

            write_control(sys.stderr, "\r")
            sys.stderr.write(line)
            write_control(sys.stderr, "\x1b[K")
            sys.stderr.flush()
        else:
            print(line, file=sys.stderr, flush=True)

    def finish(self) -> None:
        """End the rewritten progress line."""
        if self.tty and not self.quiet:
            print(file=sys.stderr)

"""`pixel-tui registry show`: every dataset with its status, fitted to the terminal as the registry screen is."""

from __future__ import annotations

import json
import shutil
import sys


def output_width() -> int | None:
    """The terminal's width (COLUMNS first, as shutil reads it), or None when the output is not a terminal:
    piped output keeps every value whole, for scripts and grep."""
    if not sys.stdout.isatty():
        return None
    return max(shutil.get_terminal_size().columns, 20)


def show(reg, settings, as_json: bool, offline: bool = False) -> int:
    """Print the datasets (or JSON); at a terminal name, status and path come first and share the width."""
    from pixel_tui.core.registry.columns import fit_widths, make_row, shorten_middle
    from pixel_tui.core.registry.validate import NOT_CHECKED, S3Checker, validate
    from pixel_tui.core.storage.s3 import store_factory
    from pixel_tui.core.storage.s3url import is_s3_url
    from pixel_tui.core.units import plural

    checker = None if offline else S3Checker(store_factory(settings))
    report = validate(reg, bucket=settings.bucket, checker=checker)
    refs = reg.datasets()

    def status(r) -> str:
        # Without a look in S3, an S3 path that nothing else is wrong with is not "ok": it was not checked.
        st = report.statuses[r.key]
        return NOT_CHECKED if offline and st == "ok" and is_s3_url(r.path) else st

    if as_json:
        out = {
            "location": reg.location,
            "s3_checked": not offline,
            "datasets": [{"group": r.group, "name": r.name, "status": status(r), "entry": r.entry} for r in refs],
            "findings": [f.as_dict() for f in report.findings],
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    width = output_width()
    if width is None:
        _print_full(refs, status)
    else:
        rows = [make_row(r, status(r)) for r in refs]
        widths = fit_widths(rows, width, scrollbar=0)
        # Two spaces between columns, none after the last: no line is longer than the width.
        print("  ".join(col.upper().ljust(w) for col, w in widths.items()).rstrip()[:width])
        for row in rows:
            print("  ".join(value.ljust(widths[col]) for col, value in row.texts(widths)).rstrip()[:width])
    summary = f"{plural(len(refs), 'dataset')}, {report.on_s3:,} with an S3 path"
    room = None if width is None else max(width - len(summary) - 3, 8)
    print(f"{summary} ({reg.location if room is None else shorten_middle(reg.location, room)})")
    if offline:
        print("S3 not checked (--offline): S3 paths read 'not checked'; drop --offline to look")
    return 0


def _print_full(refs, status) -> None:
    """Every value whole, in fixed columns (piped output: for scripts and grep)."""
    rows = [(r.group, r.name, str(r.entry.get("stage", "")), str(r.entry.get("type", "")), status(r), r.path)
            for r in refs]
    header = ("GROUP", "NAME", "STAGE", "TYPE", "STATUS", "PATH")
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(header[:-1])]
    for row in [header, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[-1])

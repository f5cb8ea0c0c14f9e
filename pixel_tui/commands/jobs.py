"""`pixel-tui jobs`: the rclone jobs you can act on (rc endpoints' jobs, uploads pixel-tui started);
`jobs stop ID` stops one, `jobs bwlimit RATE [ID]` changes the bandwidth limit live."""

from __future__ import annotations

import json
import sys

NAME = "jobs"
HELP = "list rclone jobs (rc endpoints and uploads started here); `jobs stop ID`, `jobs bwlimit RATE [ID]`"


def add_arguments(parser) -> None:
    """[list | stop ID | bwlimit RATE [ID]] [--json]."""
    parser.add_argument("action", nargs="?", choices=["list", "stop", "bwlimit"], default="list",
                        help="list (default), stop ID, or bwlimit RATE [ID]")
    parser.add_argument("args", nargs="*", metavar="ARG", help="stop: the job id; bwlimit: RATE (10M, 512k, off) "
                                                               "and optionally the job id")
    parser.add_argument("--json", action="store_true", help="JSON output (list)")


def _usage(message: str) -> int:
    print(f"pixel-tui: {message}", file=sys.stderr)
    return 2


def run(args, settings) -> int:
    """List jobs (exit 1 when an endpoint did not answer or a job failed), stop one, or throttle."""
    from pixel_tui.core.jobs import control

    if args.action == "stop":
        if len(args.args) != 1:
            return _usage("usage: pixel-tui jobs stop ID (ids from `pixel-tui jobs`)")
        print(control.stop(settings, args.args[0]))
        return 0
    if args.action == "bwlimit":
        if len(args.args) not in (1, 2):
            return _usage("usage: pixel-tui jobs bwlimit RATE [ID], e.g. 10M, 512k, off")
        for line in control.bwlimit(settings, *args.args):
            print(line)
        return 0
    if args.args:
        return _usage(f"unexpected argument {args.args[0]!r}; did you mean `jobs stop {args.args[0]}`?")
    rows, problems = control.all_rows(settings)
    for p in problems:
        print(f"pixel-tui: rc endpoint {p}", file=sys.stderr)
    if args.json:
        print(json.dumps([r.as_json() for r in rows], indent=2))
    else:
        _table(rows)
    return 1 if problems or any(r.state in ("failed", "stalled") for r in rows) else 0


def _table(rows) -> None:
    from pixel_tui.core.units import human_bytes, human_rate

    if not rows:
        print("no jobs (set monitor.rc_urls to an rclone started with --rc, or start an upload with `u`)")
        return
    print(f"{'ID':<8} {'STATE':<9} {'OP':<5} {'DONE':>21} {'SPEED':>11}  SOURCE -> DESTINATION")
    for r in rows:
        done = f"{human_bytes(r.bytes)}/{human_bytes(r.total_bytes)}"
        print(f"{r.id:<8} {r.state:<9} {r.operation:<5} {done:>21} {human_rate(r.speed):>11}  {r.src} -> {r.dst}")
        if r.error:
            print(f"{'':<8} ! {r.error}")

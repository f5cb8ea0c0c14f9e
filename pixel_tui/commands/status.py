"""`pixel-tui status LOG...`: each rclone log's current state, for people, cron jobs and alerting."""

from __future__ import annotations

NAME = "status"
HELP = "print the current state of rclone log files (exit 1 if any failed or stalled, 2 if unreadable)"
NEEDS_SETTINGS = True


def add_arguments(parser) -> None:
    """LOG paths (or globs), --json, --follow, --stall-seconds."""
    parser.add_argument("logs", nargs="+", metavar="LOG",
                        help="rclone log files, globs expanded; or an rc endpoint URL (http://[user:pass@]host:5572)")
    parser.add_argument("--json", action="store_true", help="print a JSON array, one object per log")
    parser.add_argument("--follow", action="store_true", help="keep printing updates until interrupted")
    parser.add_argument("--stall-seconds", type=float, default=None, metavar="S",
                        help="no byte progress for this long reads as stalled (default: monitor.stall_seconds)")


def _one(path: str, stall: float, now: float):
    import os

    from pixel_tui.core.jobs.state import job_state
    from pixel_tui.core.jobs.tail import read_current

    if "://" in path:  # an rclone rc endpoint (--rc-addr): its live stats
        from pixel_tui.core.jobs.rc import fetch_stats

        try:
            snap = fetch_stats(path)
        except OSError as exc:
            reason = str(getattr(exc, "reason", None) or exc)
            return None, job_state(None, now=now, changed_at=None, progress_at=None, stall_seconds=stall), reason
        return snap, job_state(snap, now=now, changed_at=now, progress_at=now, stall_seconds=stall), None

    try:
        snap = read_current(path)
        st = os.stat(path)
    except FileNotFoundError:
        return None, job_state(None, now=now, changed_at=None, progress_at=None, stall_seconds=stall), "no such file"
    except OSError as exc:
        return None, job_state(None, now=now, changed_at=None, progress_at=None, stall_seconds=stall), exc.strerror
    progress = snap.progress_at.timestamp() if snap.progress_at else st.st_mtime
    return snap, job_state(snap, now=now, changed_at=st.st_mtime, progress_at=progress, stall_seconds=stall), None


def exit_code(results) -> int:
    """2 if any log is unreadable or never held rclone output, else 1 if any failed, stalled, hit a
    Drive limit or finished with errors (not counting those of attempts rclone retried), else 0."""
    if any(err or status.not_rclone for _, _, status, err in results):
        return 2
    for _, snap, status, _ in results:
        if status.state in ("failed", "stalled") or status.condition:
            return 1
        if status.state == "finished" and snap is not None and (snap.errors or snap.current_errors):
            return 1
    return 0


def run(args, settings) -> int:
    """Print every log's snapshot once (or on every change with --follow); return the exit code."""
    import json
    import sys
    import time

    from pixel_tui.core.jobs.report import status_json, status_line
    from pixel_tui.core.jobs.tail import expand_sources

    stall = args.stall_seconds if args.stall_seconds is not None else (settings.stall_seconds if settings else 600.0)
    from pixel_tui.core.config import check_http_url
    from pixel_tui.core.jobs.rc import display_url

    for p in args.logs:
        if "://" in p:
            check_http_url(p, "rc URL")  # a bad port is a message and exit 2, not a traceback
    paths = expand_sources(args.logs)
    # A glob that matches nothing is an error a cron job must see, not an empty success.
    unmatched = [p for p in args.logs if "://" not in p and not expand_sources([p])]
    for p in unmatched:
        print(f"pixel-tui: no log matches {p}", file=sys.stderr)
    now = time.time()

    results = [(display_url(p) if "://" in p else p, *_one(p, stall, now)) for p in paths]
    if args.json:
        print(json.dumps([status_json(p, snap, st) for p, snap, st, _ in results], indent=2))
    elif not args.follow:  # --follow prints each state once, with its time, from the watcher
        for p, snap, st, err in results:
            print(status_line(p, snap, st) + (f"  ({err})" if err else ""))
    for p, _, st, err in results:
        if err:
            print(f"pixel-tui: cannot read {p}: {err}", file=sys.stderr)
        elif st.not_rclone:
            print(f"pixel-tui: {p}: {st.reason}", file=sys.stderr)
    if args.follow:
        return _follow(args, paths, stall)
    return 2 if unmatched else exit_code(results)


# status --json keys that move with the clock alone, not with the job: a change in them is no news
_CLOCK_KEYS = {"quiet_for", "stalled_for", "updated_at", "age_seconds"}


def _follow(args, paths, stall) -> int:
    """Print a line (or a JSON object per line) each time a log changes, until Ctrl+C."""
    import json
    import queue
    import time

    from pixel_tui.core.jobs.report import status_json, status_line
    from pixel_tui.core.jobs.state import job_state
    from pixel_tui.core.jobs.tail import LogWatcher

    updates: queue.Queue = queue.Queue()
    watcher = LogWatcher(paths, updates.put, history=False).start()
    last: dict[str, str] = {}  # per log, what was printed last: a log line that changes nothing prints nothing
    try:
        while True:
            view = updates.get()
            st = job_state(view.snapshot if view.exists else None, now=time.time(), changed_at=view.changed_at,
                           progress_at=view.progress_at, stall_seconds=stall)
            if args.json:
                doc = status_json(view.source, view.snapshot, st)
                same = json.dumps({k: v for k, v in doc.items() if k not in _CLOCK_KEYS}, sort_keys=True)
                text = json.dumps(doc)
            else:
                same = status_line(view.source, view.snapshot, st)
                text = f"{time.strftime('%H:%M:%S')}  {same}"
            if last.get(view.source) == same:
                continue
            last[view.source] = same
            print(text, flush=True)
    finally:
        watcher.stop()

"""Snapshots as text for people and as the JSON document `pixel-tui status --json` promises."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pixel_tui.core import units

if TYPE_CHECKING:  # the dashboard's first frame shows speeds without loading the parser's regexes
    from pixel_tui.core.jobs.parse import Snapshot
    from pixel_tui.core.jobs.state import JobStatus


def shown_speed(snap: Snapshot, status: JobStatus) -> float:
    """The speed to show: 0 for a stalled job (rclone's last figure is stale), the average for a finished one."""
    if status.state == "stalled":
        return 0.0
    if status.state == "finished" and snap.average_speed is not None:
        return snap.average_speed
    return float(snap.speed)


def shown_eta(snap: Snapshot, status: JobStatus) -> float | None:
    """The ETA to show: unknown (None) while stalled or failed; rclone's own figure otherwise."""
    if status.state in ("stalled", "failed"):
        return None
    return None if snap.eta is None else float(snap.eta)


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, tz=timezone.utc).astimezone().isoformat()


def status_json(log: str, snap: Snapshot | None, status: JobStatus) -> dict[str, Any]:
    """One log as the exact object of `status --json` (sizes in bytes, times in seconds).

    Keys are only ever added (scripts parse it): the first 16 are the original document.
    """
    from pixel_tui.core.jobs.parse import Snapshot

    s = snap or Snapshot()
    attempts = s.error_attempts or (None,) * len(s.last_errors)
    return {
        "log": log,
        "format": s.format,
        "state": status.state,
        "bytes": int(s.bytes),
        "total_bytes": int(s.total_bytes),
        "transfers": int(s.transfers),
        "total_transfers": int(s.total_transfers),
        "checks": int(s.checks),
        "total_checks": int(s.total_checks),
        "errors": int(s.errors),
        "speed_bytes_per_s": shown_speed(s, status),
        "eta_seconds": shown_eta(s, status),
        "elapsed_seconds": None if s.elapsed is None else float(s.elapsed),
        "updated_at": s.updated_at.isoformat() if s.updated_at else None,
        "transferring": [
            {"name": t.name, "bytes": t.bytes, "size": t.size, "percent": t.percent,
             "speed_bytes_per_s": t.speed, "eta_seconds": t.eta}
            for t in s.transferring
        ],
        "last_errors": list(s.last_errors),
        # Added with issue 11/13:
        "reason": status.reason,
        "condition": status.condition,
        "condition_text": status.condition_text,
        "condition_line": s.condition_line or None,
        "attempt": int(s.attempt),
        "max_attempts": s.max_attempts,
        "failed_attempts": int(s.failed_attempts),
        "error_attempts": [a for a in attempts],  # per last_errors line: the failed attempt it came from, or null
        "stalled_for": status.stalled_for if status.state == "stalled" else None,
        "progress_at": s.progress_at.isoformat() if s.progress_at else _iso(status.progress_at),
        "quiet_for": status.quiet_for,
        "average_speed_bytes_per_s": s.average_speed,
        "last_speed_bytes_per_s": float(s.speed),
        "utc_stamps": bool(s.utc),
    }


def _error_line(line: str, attempt: int | None, snap: Snapshot) -> str:
    if attempt is None:
        return f"  ! {line}"
    of = f"/{snap.max_attempts}" if snap.max_attempts else ""
    return f"  ! [attempt {attempt}{of} failed, retried] {line}"


def status_line(log: str, snap: Snapshot | None, status: JobStatus) -> str:
    """A few lines for a person: state, bytes, files, speed, ETA, then in-flight files and errors."""
    if snap is None:
        return f"{log}  {status.state.upper()}  (no log yet)"
    if status.reason and (status.not_rclone or snap.lines == 0):
        return f"{log}  {status.state.upper()}  ({status.reason})"
    pct = f" ({snap.percent:.0f}%)" if snap.percent is not None else ""
    size, dur = units.human_bytes, units.human_duration
    speed = units.human_rate(shown_speed(snap, status)) + (" avg" if status.state == "finished" else "")
    head = (f"{log}  {status.state.upper()}  {size(snap.bytes)} / {size(snap.total_bytes)}{pct}"
            f"  files {snap.transfers}/{snap.total_transfers}  {speed}"
            f"  ETA {dur(shown_eta(snap, status))}  elapsed {dur(snap.elapsed)}  errors {snap.errors}")
    if status.state == "stalled" and status.stalled_for is not None:
        head += f"  no progress for {units.human_duration(status.stalled_for)}"
    if snap.failed_attempts:
        head += f"  attempt {snap.attempt}/{snap.max_attempts or '?'} ({snap.failed_attempts} failed)"
    lines = [head]
    if status.condition_text:
        lines.append(f"  !! {status.condition_text}")
    if status.reason:
        lines.append(f"  ({status.reason})")
    lines += [f"  > {t.name}  {t.percent if t.percent is not None else '?'}% of {units.human_bytes(t.size)}"
              for t in snap.transferring]
    attempts = snap.error_attempts or (None,) * len(snap.last_errors)
    lines += [_error_line(e, a, snap) for e, a in zip(snap.last_errors, attempts)]
    return "\n".join(lines)


def job_reason(snap: Snapshot | None, status: JobStatus) -> str:
    """Why a job is in its state, in a few words ('' when running well): `no progress for 14m00s`,
    `3 errors: <last error, shortened>`, a Google Drive limit, or why it is still waiting."""
    from pixel_tui.core.jobs.error_lines import short_error
    from pixel_tui.core.jobs.state import CONDITIONS

    parts = []
    if status.state == "stalled" and status.stalled_for is not None:
        parts.append(f"no progress for {units.human_duration(status.stalled_for)}")
    if status.condition:
        parts.append(CONDITIONS[status.condition][0])
    count = (snap.errors or len(snap.last_errors)) if snap is not None else 0
    if count and status.state != "finished":
        last = f": {short_error(snap.last_errors[-1])}" if snap.last_errors else ""
        parts.append(units.plural(count, "error") + last)
    elif status.state == "failed":
        parts.append("rclone gave up (see its log: L in the monitor)")
    if status.state == "waiting" and not parts:
        parts.append("no log yet" if snap is None else (status.reason or "").split(":")[0])
    return " · ".join(p for p in parts if p)

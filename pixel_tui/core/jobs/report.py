"""Snapshots as text for people and as the JSON document `pixel-tui status --json` promises."""

from __future__ import annotations

from typing import Any

from pixel_tui.core import units
from pixel_tui.core.jobs.parse import Snapshot
from pixel_tui.core.jobs.state import JobStatus


def status_json(log: str, snap: Snapshot | None, status: JobStatus) -> dict[str, Any]:
    """One log as the exact object of `status --json` (sizes in bytes, times in seconds)."""
    s = snap or Snapshot()
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
        "speed_bytes_per_s": float(s.speed),
        "eta_seconds": None if s.eta is None else float(s.eta),
        "elapsed_seconds": None if s.elapsed is None else float(s.elapsed),
        "updated_at": s.updated_at.isoformat() if s.updated_at else None,
        "transferring": [
            {"name": t.name, "bytes": t.bytes, "size": t.size, "percent": t.percent,
             "speed_bytes_per_s": t.speed, "eta_seconds": t.eta}
            for t in s.transferring
        ],
        "last_errors": list(s.last_errors),
    }


def status_line(log: str, snap: Snapshot | None, status: JobStatus) -> str:
    """A few lines for a person: state, bytes, files, speed, ETA, then in-flight files and errors."""
    if snap is None:
        return f"{log}  {status.state.upper()}  (no log yet)"
    pct = f" ({snap.percent:.0f}%)" if snap.percent is not None else ""
    size, dur = units.human_bytes, units.human_duration
    head = (f"{log}  {status.state.upper()}  {size(snap.bytes)} / {size(snap.total_bytes)}{pct}"
            f"  files {snap.transfers}/{snap.total_transfers}  {units.human_rate(snap.speed)}"
            f"  ETA {dur(snap.eta)}  elapsed {dur(snap.elapsed)}  errors {snap.errors}")
    if status.state == "stalled" and status.stalled_for is not None:
        head += f"  no progress for {units.human_duration(status.stalled_for)}"
    lines = [head]
    lines += [f"  > {t.name}  {t.percent if t.percent is not None else '?'}% of {units.human_bytes(t.size)}"
              for t in snap.transferring]
    lines += [f"  ! {e}" for e in snap.last_errors]
    return "\n".join(lines)

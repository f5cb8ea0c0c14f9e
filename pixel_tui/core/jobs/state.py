"""Job states from snapshots: running, finished, failed, stalled, waiting."""

from __future__ import annotations

from dataclasses import dataclass

from pixel_tui.core.jobs.parse import Snapshot

QUIET_SECONDS = 30.0  # a log silent this long after its last block reads as over


@dataclass(frozen=True)
class JobStatus:
    """A state plus the facts behind it, for display."""

    state: str
    quiet_for: float | None  # seconds since the log last changed
    stalled_for: float | None  # seconds since bytes last moved

    @property
    def ok(self) -> bool:
        """False for failed and stalled jobs."""
        return self.state in ("running", "finished", "waiting")


def job_state(snap: Snapshot | None, *, now: float, changed_at: float | None, progress_at: float | None,
              stall_seconds: float, quiet_seconds: float = QUIET_SECONDS) -> JobStatus:
    """Decide a job's state; times are epoch seconds, ``now`` is injected so tests and snapshots are fixed.

    - waiting: no log (or nothing in it) yet;
    - failed: a CRITICAL line (rclone gave up) or the rc stats say fatal;
    - finished: the last block shows everything transferred and the log has gone quiet;
    - stalled: no byte progress for ``stall_seconds``;
    - running: otherwise.
    """
    quiet = None if changed_at is None else max(0.0, now - changed_at)
    still = None if progress_at is None else max(0.0, now - progress_at)
    if snap is None:
        return JobStatus("waiting", quiet, still)
    if snap.fatal:
        return JobStatus("failed", quiet, still)
    if snap.all_transferred and quiet is not None and quiet >= min(quiet_seconds, stall_seconds):
        return JobStatus("finished", quiet, still)
    if not snap.has_stats and not snap.last_errors and not snap.nothing_to_transfer and quiet is not None \
            and quiet < stall_seconds:
        return JobStatus("running", quiet, still)
    reference = still if still is not None else quiet
    if reference is not None and reference >= stall_seconds and not snap.all_transferred:
        return JobStatus("stalled", quiet, reference)
    return JobStatus("running", quiet, still)

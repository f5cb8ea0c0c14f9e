"""Job states from snapshots: running, finished, failed, stalled, waiting."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parser's regexes are not needed to judge a state (dashboard start-up)
    from pixel_tui.core.jobs.parse import Snapshot

QUIET_SECONDS = 30.0  # a log silent this long after its last block reads as over

EMPTY_LOG = ("the log is empty: rclone writes nothing to its log file without -v "
             "(add -v, or --stats-log-level NOTICE to log just the stats)")
NO_STATS = "no stats in the log yet: rclone logs its stats at INFO (add -v, or --stats-log-level NOTICE)"
NOT_RCLONE = "no rclone output in this file: not an rclone log (or not one yet)"
# A Google Drive limit is not a stall: what it is, and what to do about it.
CONDITIONS = {
    "throttled": ("throttled by Google Drive (rate limit)",
                  "rclone backs off and retries by itself; if it lasts, lower --tpslimit / --transfers"),
    "quota": ("download quota reached",
              "wait for Drive's quota to reset (up to 24 h); --drive-stop-on-download-limit stops instead of retrying"),
    "blocked": ("blocked file (Drive flagged it as malware or spam)",
                "add --drive-acknowledge-abuse to download it anyway, or exclude the file"),
}


@dataclass(frozen=True)
class JobStatus:
    """A state plus the facts behind it, for display."""

    state: str
    quiet_for: float | None  # seconds since the log last changed
    stalled_for: float | None  # seconds since bytes last moved
    reason: str | None = None  # why waiting (an empty log, no stats, not rclone's), for display
    not_rclone: bool = False  # the file holds no rclone output at all
    condition: str | None = None  # a Google Drive limit (a key of CONDITIONS)
    progress_at: float | None = None  # epoch seconds of the last byte progress (what stalled_for counts from)

    @property
    def ok(self) -> bool:
        """False for failed and stalled jobs, and for a job held up by a Drive limit."""
        return self.state in ("running", "finished", "waiting") and not self.condition and not self.not_rclone

    @property
    def condition_text(self) -> str | None:
        """`quota reached: wait for ...`: the condition and what to do, or None."""
        if self.condition is None:
            return None
        what, todo = CONDITIONS[self.condition]
        return f"{what}: {todo}"


def job_state(snap: Snapshot | None, *, now: float, changed_at: float | None, progress_at: float | None,
              stall_seconds: float, quiet_seconds: float = QUIET_SECONDS) -> JobStatus:
    """Decide a job's state; times are epoch seconds, ``now`` is injected so tests and snapshots are fixed.

    - waiting: no log, an empty log (rclone without -v), or a file with no rclone line;
    - failed: a CRITICAL line or a fatal error (rclone gave up) or the rc stats say fatal;
    - finished: the last block shows everything transferred and the log has gone quiet;
    - stalled: no byte progress for ``stall_seconds`` (a log that ends mid-run: rclone was killed);
    - running: otherwise.
    A Google Drive limit seen in the log rides along as ``condition``.
    """
    status = _decide(snap, now, changed_at, progress_at, stall_seconds, quiet_seconds)
    return status if progress_at is None else replace(status, progress_at=progress_at)


def _decide(snap, now, changed_at, progress_at, stall_seconds, quiet_seconds) -> JobStatus:
    quiet = None if changed_at is None else max(0.0, now - changed_at)
    still = None if progress_at is None else max(0.0, now - progress_at)
    if snap is None:
        return JobStatus("waiting", quiet, still)
    if snap.lines is not None:
        if snap.lines == 0:
            return JobStatus("waiting", quiet, None, reason=EMPTY_LOG)
        if not snap.rclone_lines:
            return JobStatus("waiting", quiet, None, reason=NOT_RCLONE, not_rclone=True)
    cond = snap.condition
    if snap.fatal:
        return JobStatus("failed", quiet, still, condition=cond)
    if snap.all_transferred and quiet is not None and quiet >= min(quiet_seconds, stall_seconds):
        return JobStatus("finished", quiet, still, condition=cond)
    no_stats = NO_STATS if not snap.has_stats and snap.lines is not None and not snap.nothing_to_transfer else None
    if not snap.has_stats and not snap.last_errors and not snap.nothing_to_transfer and quiet is not None \
            and quiet < stall_seconds:
        return JobStatus("running", quiet, still, reason=no_stats, condition=cond)
    reference = still if still is not None else quiet
    if reference is not None and reference >= stall_seconds and not snap.all_transferred:
        return JobStatus("stalled", quiet, reference, reason=no_stats, condition=cond)
    return JobStatus("running", quiet, still, reason=no_stats, condition=cond)

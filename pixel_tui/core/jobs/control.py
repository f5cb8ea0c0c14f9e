"""Every job we can act on, by one id, for `pixel-tui jobs` and the monitor: the rc jobs of
`monitor.rc_urls` (`<n>` or `<endpoint>:<n>`) and the uploads this app started (`u<pid>`)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from pixel_tui.core.config import Settings
from pixel_tui.core.errors import PixelError, redact
from pixel_tui.core.jobs.launched import Launched, rc_secret, shown
from pixel_tui.core.jobs.rc import RcError, RcJobs, check_rate, display_url, quit_rclone, set_bwlimit, stop_job


class UnknownJob(PixelError):
    """No job has the id given (exit code 2)."""

    exit_code = 2


@dataclass(frozen=True)
class JobRow:
    """One job as `pixel-tui jobs` lists it."""

    id: str
    kind: str  # "rc" (a job of an rc endpoint) or "upload" (started by pixel-tui)
    endpoint: str  # display URL, never a password
    state: str
    src: str
    dst: str
    operation: str
    bytes: int
    total_bytes: int
    speed: float
    errors: int
    error: str
    log: str | None = None

    def as_json(self) -> dict:
        """The object `pixel-tui jobs --json` prints for it."""
        return {"id": self.id, "kind": self.kind, "endpoint": self.endpoint, "state": self.state,
                "source": self.src, "destination": self.dst, "operation": self.operation, "bytes": self.bytes,
                "total_bytes": self.total_bytes, "speed_bytes_per_s": self.speed, "errors": self.errors,
                "error": self.error or None, "log": self.log}


def _rc_prefix(settings: Settings, index: int) -> str:
    return "" if len(settings.rc_urls) == 1 else f"{index + 1}:"


def rc_rows(settings: Settings, timeout: float = 3.0) -> tuple[list[JobRow], list[str]]:
    """The rc jobs of every configured endpoint, and one problem line per endpoint that did not answer."""
    rows, problems = [], []
    for i, url in enumerate(settings.rc_urls):
        try:
            jobs = RcJobs(url, timeout).poll()
        except (OSError, RcError) as exc:
            problems.append(f"{display_url(url)}: {redact(str(getattr(exc, 'reason', None) or exc))}")
            continue
        for j in jobs:
            s = j.snapshot
            rows.append(JobRow(f"{_rc_prefix(settings, i)}{j.id}", "rc", j.endpoint, j.state, j.src, j.dst,
                               j.operation, s.bytes, s.total_bytes, s.speed, s.errors, j.error or
                               (s.last_errors[-1] if s.last_errors else "")))
    return rows, problems


def upload_row(settings: Settings, job: Launched) -> JobRow:
    """One of our uploads, read from its log (its rc endpoint only answers while it runs)."""
    from pixel_tui.core.jobs.state import job_state
    from pixel_tui.core.jobs.tail import read_current

    try:
        snap = read_current(job.log_file)
        mtime = os.stat(job.log_file).st_mtime
    except OSError:
        snap, mtime = None, None
    alive = job.alive()
    progress = snap.progress_at.timestamp() if snap and snap.progress_at else mtime
    state = job_state(snap, now=time.time(), changed_at=mtime, progress_at=progress,
                      stall_seconds=settings.stall_seconds).state
    if alive and state == "finished":
        state = "running"  # rclone is still there: it has not said its last word
    if not alive and state in ("running", "waiting"):
        state = "failed" if snap is None or not snap.all_transferred else "finished"
    err = snap.last_errors[-1] if snap and snap.last_errors else ""
    return JobRow(job.id, "upload", f"http://{job.rc_addr}", state, job.src, job.dst, "copy",
                  snap.bytes if snap else 0, snap.total_bytes if snap else 0, snap.speed if snap and alive else 0.0,
                  snap.errors if snap else 0, err, job.log_file)


def all_rows(settings: Settings) -> tuple[list[JobRow], list[str]]:
    """Every job: rc jobs first, then our uploads; plus the endpoints that did not answer."""
    rows, problems = rc_rows(settings)
    rows += [upload_row(settings, j) for j in shown(settings.state_path)]
    return rows, problems


def _upload(settings: Settings, job_id: str) -> Launched | None:
    for j in shown(settings.state_path):
        if j.id == job_id:
            return j
    return None


def _rc_target(settings: Settings, job_id: str) -> tuple[str, int] | None:
    head, sep, tail = job_id.rpartition(":")
    if not tail.isdigit():
        return None
    if not sep:
        return (settings.rc_urls[0], int(tail)) if len(settings.rc_urls) == 1 else None
    if head.isdigit() and 1 <= int(head) <= len(settings.rc_urls):
        return settings.rc_urls[int(head) - 1], int(tail)
    return None


def _unknown(settings: Settings, job_id: str) -> UnknownJob:
    hint = "`pixel-tui jobs` lists the ids"
    if not settings.rc_urls and not job_id.startswith("u"):
        hint += "; rc jobs need monitor.rc_urls in the config"
    elif len(settings.rc_urls) > 1 and job_id.isdigit():
        hint += f"; with {len(settings.rc_urls)} rc endpoints write ENDPOINT:ID, e.g. 1:{job_id}"
    return UnknownJob(f"no job {job_id!r}", hint)


def stop(settings: Settings, job_id: str) -> str:
    """Stop one job: `job/stop` for an rc job, `core/quit` for our upload; returns what was done."""
    job_id = job_id.strip()
    up = _upload(settings, job_id)
    if up is not None:
        if not up.alive():
            raise UnknownJob(f"upload {job_id} is not running any more", "nothing to stop")
        quit_rclone(up.rc_url(rc_secret(settings.state_path)))
        return f"stopped upload {job_id} (rclone pid {up.pid})"
    target = _rc_target(settings, job_id)
    if target is None:
        raise _unknown(settings, job_id)
    url, jid = target
    try:
        stop_job(url, jid)
    except RcError as exc:
        if "job not found" in exc.message:
            raise UnknownJob(f"no job {jid} on {display_url(url)}", "`pixel-tui jobs` lists the ids") from None
        raise
    except OSError as exc:
        raise RcError(f"{display_url(url)}: {getattr(exc, 'reason', None) or exc}", "is rclone still running?") \
            from None
    return f"stopped job {jid} on {display_url(url)}"


def bwlimit(settings: Settings, rate: str, job_id: str | None = None) -> list[str]:
    """Set the bandwidth limit of the rclone running ``job_id`` (every running one without); one line each.

    rclone's limit is per process: every job of an `rclone rcd` shares it.
    """
    rate = check_rate(rate)  # bad input: a clear message, exit 2, nothing changed
    secret = None
    targets: list[tuple[str, str]] = []  # (label, url)
    if job_id:
        up = _upload(settings, job_id)
        if up is not None:
            targets = [(f"upload {job_id}", up.rc_url(rc_secret(settings.state_path)))]
        else:
            target = _rc_target(settings, job_id)
            if target is None:
                raise _unknown(settings, job_id)
            targets = [(display_url(target[0]), target[0])]
    else:
        targets = [(display_url(u), u) for u in settings.rc_urls]
        for up in shown(settings.state_path):
            if up.alive():
                secret = secret or rc_secret(settings.state_path)
                targets.append((f"upload {up.id}", up.rc_url(secret)))
        if not targets:
            raise UnknownJob("no running rclone to throttle",
                             "start an upload, or set monitor.rc_urls to an rclone started with --rc")
    done = []
    for label, url in targets:
        try:
            now = set_bwlimit(url, rate)
        except OSError as exc:
            raise RcError(f"{label}: {getattr(exc, 'reason', None) or exc}", "is rclone still running?") from None
        done.append(f"{label}: bandwidth limit {now}")
    return done

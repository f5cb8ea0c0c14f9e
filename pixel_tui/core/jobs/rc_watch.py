"""Poll rc endpoints for the job feed: one view per rc job (`<endpoint>#job/<n>`), or one for the
endpoint itself when it runs no rc job (an `rclone copy --rc` reports its stats globally)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from pixel_tui.core.jobs.history import Sample
from pixel_tui.core.jobs.rc import RcError, RcJob, RcJobs, display_url, fetch_stats
from pixel_tui.core.jobs.state import JobStatus, job_state
from pixel_tui.core.jobs.tail import JobView


@dataclass
class RcJobView(JobView):
    """A JobView of an rc endpoint or one of its jobs (``job`` None for the endpoint's own stats)."""

    endpoint: str = ""  # display URL, never a password
    job: RcJob | None = None


def view_state(view: JobView, *, now: float, stall_seconds: float) -> JobStatus:
    """The state of any view: an rc job that ended says how itself; everything else by its log/stats."""
    job = getattr(view, "job", None)
    if job is not None and job.finished:
        quiet = None if job.ended_at is None else max(0.0, now - job.ended_at.timestamp())
        return JobStatus(job.state, quiet, None)
    return job_state(view.snapshot if view.exists else None, now=now, changed_at=view.changed_at,
                     progress_at=view.progress_at, stall_seconds=stall_seconds)


class _Endpoint:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.jobs = RcJobs(url, timeout)
        self.timeout = timeout
        self.views: dict[str, RcJobView] = {}
        self._bytes: dict[str, int] = {}

    def _view(self, source: str) -> RcJobView:
        if source not in self.views:
            self.views[source] = RcJobView(source, endpoint=self.jobs.endpoint)
        return self.views[source]

    def _update(self, view: RcJobView, snap, now: float) -> None:
        view.exists, view.error = True, None
        if self._bytes.get(view.source) != snap.bytes:
            self._bytes[view.source] = snap.bytes
            view.progress_at = now
            view.history.add(Sample(snap.bytes, snap.total_bytes, snap.speed))
        view.changed_at = now
        view.snapshot = snap

    def poll(self) -> list[RcJobView]:
        now = time.time()
        base = display_url(self.url)
        try:
            jobs = self.jobs.poll()
            global_snap = None if jobs else fetch_stats(self.url, self.timeout)
        except (OSError, RcError) as exc:
            msg = str(getattr(exc, "reason", None) or getattr(exc, "message", None) or exc)
            view = self._view(base)
            changed = view.error != msg
            view.error, view.exists = msg, False
            return [view] if changed else []
        changed = []
        if global_snap is not None:
            view = self._view(base)
            self._update(view, global_snap, now)
            changed.append(view)
        for job in jobs:
            view = self._view(job.source)
            if view.job is not None and view.job.finished:
                continue  # ended: nothing changes any more
            view.job, view.root = job, job.src or None
            self._update(view, job.snapshot, now)
            if job.finished and job.ended_at is not None:
                view.changed_at = job.ended_at.timestamp()
            changed.append(view)
        return changed


class RcWatcher:
    """Follows rc endpoints on the caller's thread; ``on_change(view)`` gets each changed view."""

    def __init__(self, urls: tuple[str, ...], on_change: Callable[[JobView], None], interval: float = 1.0,
                 timeout: float = 2.0) -> None:
        self.on_change = on_change
        self.interval = interval
        self._endpoints = [_Endpoint(u, timeout) for u in urls]
        self._stop = threading.Event()

    def poll_once(self) -> list[RcJobView]:
        """One round over every endpoint; the views that changed."""
        return [v for e in self._endpoints for v in e.poll()]

    def cancel(self) -> None:
        """End `run_until` at its next wait (thread-safe)."""
        self._stop.set()

    def run_until(self, cancelled: Callable[[], bool]) -> None:
        """Poll every ``interval`` until ``cancelled()`` or `cancel()`."""
        while not cancelled() and not self._stop.is_set():
            for view in self.poll_once():
                self.on_change(view)
            self._stop.wait(self.interval)

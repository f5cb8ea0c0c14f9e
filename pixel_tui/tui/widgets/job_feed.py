"""Watching rclone jobs from a widget or screen: a thread worker runs the core LogWatcher and posts
one `JobViewChanged` per change; receivers coalesce them and redraw a few times a second at most."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from pixel_tui.core.jobs.history import History
from pixel_tui.core.jobs.tail import JobView, LogWatcher


class JobViewChanged(Message):
    """A watched log or rc endpoint has new data (``view`` is a copy owned by the receiver)."""

    def __init__(self, view: JobView) -> None:
        super().__init__()
        self.view = view


def copy_view(view: JobView) -> JobView:
    """A copy the UI thread can keep while the watcher goes on changing the original."""
    h = view.history
    return replace(view, history=History(list(h.samples), h.stride, h.blocks, h.scanned, h.max_points))


class JobWatching:
    """Mixin for a Widget or Screen: `start_job_watch(...)` follows jobs in a thread worker."""

    _job_watcher: LogWatcher | None = None

    def start_job_watch(self, sources: list[str], rc_urls: tuple[str, ...] = (), history: bool = True,
                        interval: float = 0.2) -> None:
        """Start (or restart) watching ``sources`` (paths or globs) and ``rc_urls``."""
        self._job_watch(list(sources), tuple(rc_urls), history, interval)

    def add_job_source(self, source: str) -> None:
        """Watch one more log (thread-safe; the worker picks it up on its next round)."""
        if self._job_watcher is not None:
            self._job_watcher.add(source)

    @work(thread=True, exclusive=True, group="job-watch")
    def _job_watch(self, sources: list[str], rc_urls: tuple[str, ...], history: bool, interval: float) -> None:
        worker = get_current_worker()
        post: Callable[[JobView], object] = lambda view: self.post_message(JobViewChanged(copy_view(view)))  # noqa: E731
        watcher = LogWatcher(sources, post, interval=interval, rc_urls=rc_urls, history=history)
        self._job_watcher = watcher
        watcher.run_until(lambda: worker.is_cancelled)


def default_clock() -> float:
    """Wall-clock seconds; screens take a ``clock`` so tests and snapshots can freeze time."""
    return time.time()

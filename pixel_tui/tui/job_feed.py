"""The app's one job feed: a single LogWatcher, in one thread worker owned by the App, follows every
watched rclone log and rc endpoint; the views subscribe to it.

Flow: the watcher's thread posts each changed view (a copy) to the App's message queue; on the UI
thread the feed keeps the newest view per job and posts a `JobViewChanged` to every subscriber
(the home strip, the monitor, the alerts, the Drive pane). Threads never touch widgets.

Sources are the configured `monitor.logs` plus every upload the app started (`add_source`, and the
ones remembered in the state dir from earlier runs), kept for the app's life, so closing the monitor
or having no logs configured loses no upload. rc endpoints are polled by an `RcWatcher` in a second
worker: one view per rc job. Each view carries its job's source root (`JobView.root`), and each job's
speed is sampled once a second on the UI thread (`rates`) for the monitor's chart.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable

from textual.worker import get_current_worker

from pixel_tui.core.jobs.rate_clock import RateClock
from pixel_tui.core.jobs.sources import root_from_config, root_from_log
from pixel_tui.tui.messages import JobViewChanged

if TYPE_CHECKING:  # the log parser and the markers load with the feed's thread, after the first frame
    from textual.app import App
    from textual.message_pump import MessagePump

    from pixel_tui.core.config import Settings
    from pixel_tui.core.jobs.tail import JobView, LogWatcher

READY_WAIT = 3.0  # how long a marker worker waits for the feed's first look at the logs


def copy_view(view: JobView) -> JobView:
    """A copy the UI thread can keep while the watcher goes on changing the original."""
    from pixel_tui.core.jobs.history import History

    h = view.history
    return replace(view, history=History(list(h.samples), h.stride, h.blocks, h.scanned, h.max_points))


def default_clock() -> float:
    """Wall-clock seconds; screens take a ``clock`` so tests and snapshots can freeze time."""
    return time.time()


class JobFeed:
    """Every watched job, for the whole app. Start it once with `start(app)`; views `subscribe()`.

    Thread-safe: `add_source`, `added`, `sources`, `has_jobs`, `watch_history`, `in_flight_names`.
    UI thread only: `start`, `stop`, `subscribe`, `unsubscribe`, `views`.
    """

    def __init__(self, sources: Iterable[str] = (), rc_urls: Iterable[str] = (), interval: float = 0.2, *,
                 drive: str | None = None, roots: dict[str, str] | None = None,
                 config_sources: dict[str, str] | None = None, state_path=None) -> None:
        self._lock = threading.Lock()
        self._sources = list(dict.fromkeys(sources))
        self._added: set[str] = set()
        self.rc_urls = tuple(rc_urls)
        self.drive = drive
        self._roots: dict[str, str | None] = dict(roots or {})  # source -> its job's source root
        self._config_sources = dict(config_sources or {})
        self._rc_watcher = None
        self.rates: dict[str, RateClock] = {}  # source -> its speed sampled on a clock (UI thread)
        self.clock = default_clock  # what the rate samples are stamped with (tests freeze it)
        self.state_path = state_path  # where the uploads we started are remembered (None: none)
        self.ended: set[str] = set()  # logs of our uploads whose rclone has exited (UI thread)
        self._pids_started = False
        self.interval = interval
        self._history = False
        self._watcher: LogWatcher | None = None
        self._app: App | None = None
        self._subscribers: list[MessagePump] = []
        self._ready = threading.Event()
        self._in_flight: tuple[str, ...] = ()
        self.views: dict[str, JobView] = {}  # source -> newest view, in the order first seen

    @classmethod
    def from_settings(cls, settings: "Settings") -> "JobFeed":
        """The configured logs (paths or globs) and rc endpoints, and the uploads the app started
        (this run or an earlier one) that are still worth showing."""
        from pixel_tui.core.jobs.launched import shown

        ours = shown(settings.state_path)
        return cls([*settings.logs, *(j.log_file for j in ours)], settings.rc_urls, drive=settings.drive,
                   roots={j.log_file: j.src for j in ours}, config_sources=dict(settings.sources),
                   state_path=settings.state_path)

    def _root_for(self, source: str) -> str | None:
        """The source root of a log (worker thread: may read the log's first lines once)."""
        with self._lock:
            if source in self._roots:
                return self._roots[source]
        root = root_from_config(source, self._config_sources) or root_from_log(source)
        with self._lock:
            self._roots.setdefault(source, root)
            return self._roots[source]

    # -- any thread -----------------------------------------------------------------------------------
    def sources(self) -> list[str]:
        """The watched log paths and globs: the configured ones first, then the uploads added."""
        with self._lock:
            return list(self._sources)

    @property
    def has_jobs(self) -> bool:
        """True when anything is watched (a log, a glob, an rc endpoint)."""
        with self._lock:
            return bool(self._sources or self.rc_urls)

    def add_source(self, source: str, root: str | None = None) -> None:
        """Watch one more log (an upload just started, copying from ``root``) for the app's life; the
        next poll picks it up."""
        with self._lock:
            if root is not None:
                self._roots[source] = root
                if self._app is not None:
                    self._app.call_later(self._start_pids)  # an upload of ours: watch its process
            if source in self._sources:
                return
            self._added.add(source)
            self._sources.append(source)
            watcher = self._watcher
        if watcher is not None:
            watcher.add(source)

    def added(self, source: str) -> bool:
        """True for a log added with `add_source` while the app runs (an upload it started), not configured."""
        with self._lock:
            return source in self._added

    def watch_history(self) -> None:
        """Also read each log's speed history (the monitor's charts); off until a view asks for it."""
        with self._lock:
            self._history = True
            watcher = self._watcher
        if watcher is not None:
            watcher.enable_history()

    def in_flight_names(self, wait: float = READY_WAIT) -> tuple[str, ...]:
        """Names of the files in flight in the newest views. From a worker thread, ``wait`` up to that
        many seconds for the feed's first look at every log (not from the UI thread: it would block)."""
        if wait:
            self._ready.wait(wait)
        return self._in_flight

    # -- UI thread ------------------------------------------------------------------------------------
    def start(self, app: "App") -> None:
        """Run the watcher in a thread worker of ``app`` (later calls do nothing while it runs)."""
        if self._app is not None:
            return
        self._app = app
        app.run_worker(self._run, name="job feed", group="job-feed", thread=True, exclusive=True)
        if self.rc_urls:
            app.run_worker(self._run_rc, name="rc jobs", group="job-feed-rc", thread=True, exclusive=True)
        with self._lock:
            ours = any(root is not None and source in self._sources for source, root in self._roots.items())
        if ours:
            self._start_pids()
        app.set_interval(1.0, self._tick_rates)

    def _start_pids(self) -> None:
        """Watch our uploads' processes (UI thread; once, and only when there is an upload of ours)."""
        if self.state_path is None or self._app is None or self._pids_started:
            return
        self._pids_started = True
        self._app.run_worker(self._run_pids, name="our uploads", group="job-feed-pids", thread=True,
                             exclusive=True)

    def _tick_rates(self) -> None:
        """Sample every job's speed (bytes moved per second since the last count) on the clock."""
        now = self.clock()
        for source, view in self.views.items():
            clock = self.rates.setdefault(source, RateClock())
            job = getattr(view, "job", None)
            snap = view.snapshot if view.exists else None
            over = (job is not None and job.finished) or source in self.ended
            clock.tick(now, snap.bytes if snap else None, running=not over)

    def stop(self) -> None:
        """End the watcher's loop now (it closes its files on its own thread)."""
        with self._lock:
            watcher, rc = self._watcher, self._rc_watcher
        if watcher is not None:
            watcher.cancel()
        if rc is not None:
            rc.cancel()

    def subscribe(self, node: "MessagePump") -> None:
        """Post every view to ``node`` as a `JobViewChanged`: the newest one of each job now, then each change."""
        if node not in self._subscribers:
            self._subscribers.append(node)
        for view in list(self.views.values()):
            node.post_message(JobViewChanged(view))

    def unsubscribe(self, node: "MessagePump") -> None:
        """Stop posting to ``node`` (call it on unmount)."""
        if node in self._subscribers:
            self._subscribers.remove(node)

    def _deliver(self, view: JobView) -> None:
        """A changed view from the watcher's thread: keep it, hand it to every subscriber."""
        from pixel_tui.core.browse.markers import in_flight

        self.views[view.source] = view
        self._in_flight = tuple(in_flight(self.views.values(), self.drive))
        for node in list(self._subscribers):
            node.post_message(JobViewChanged(view))

    # -- the worker thread ----------------------------------------------------------------------------
    def _run(self) -> None:
        from pixel_tui.core.jobs.tail import LogWatcher

        worker = get_current_worker()
        app = self._app
        assert app is not None

        def post(view: JobView) -> None:
            view.root = self._root_for(view.source)
            app.call_later(self._deliver, copy_view(view))  # thread-safe: a message to the App

        with self._lock:
            # rc endpoints have their own worker (`_run_rc`): one view per rc job
            watcher = LogWatcher(list(self._sources), post, interval=self.interval, history=self._history)
            self._watcher = watcher
        try:
            # The first look at every log, then "ready" behind it in the App's queue: a marker worker
            # waiting on it sees the views of every log that exists.
            for view in watcher.poll_once():
                post(view)
            app.call_later(self._ready.set)
            watcher.run_until(lambda: worker.is_cancelled)
        finally:
            self._ready.set()
            with self._lock:
                self._watcher = None
            self._app = None  # the app has gone: another one may start the feed again


    def _run_pids(self) -> None:
        """Notice when an upload we started exits (stopped, killed, done): its log may say nothing more."""
        from pixel_tui.core.jobs.launched import launched

        worker = get_current_worker()
        app = self._app
        assert app is not None
        seen: set[str] = set()
        while not worker.is_cancelled and self._app is not None:
            ours: dict[str, bool] = {}
            for job in launched(self.state_path):
                ours[job.log_file] = ours.get(job.log_file, False) or job.alive()
            ended = {log for log, alive in ours.items() if not alive}
            if ended != seen:
                seen = ended
                app.call_later(self._set_ended, frozenset(ended))
            time.sleep(1.0)
        self._pids_started = False

    def _set_ended(self, ended: frozenset) -> None:
        changed = (ended ^ self.ended) & set(self.views)
        self.ended = set(ended)
        for source in changed:
            for node in list(self._subscribers):
                node.post_message(JobViewChanged(self.views[source]))

    def _run_rc(self) -> None:
        from pixel_tui.core.jobs.rc_watch import RcWatcher

        worker = get_current_worker()
        app = self._app
        assert app is not None
        rc = RcWatcher(self.rc_urls, lambda view: app.call_later(self._deliver, copy_view(view)))
        with self._lock:
            self._rc_watcher = rc
        try:
            rc.run_until(lambda: worker.is_cancelled)
        finally:
            with self._lock:
                self._rc_watcher = None


_FEEDS: "weakref.WeakKeyDictionary[App, JobFeed]" = weakref.WeakKeyDictionary()


def feed_of(app: "App", sources: Iterable[str] = (), rc_urls: Iterable[str] = ()) -> JobFeed:
    """The feed of ``app`` (`PixelApp.job_feed`), started if it is not yet, with ``sources`` added.

    An app without one (a widget shown on its own, in a test) gets one feed of its own, started at
    once on the app; ``rc_urls`` only count when that feed is made here.
    """
    feed = getattr(app, "job_feed", None)
    if feed is None:
        feed = _FEEDS.get(app)
        if feed is None:
            feed = _FEEDS[app] = JobFeed(rc_urls=rc_urls)
    for source in sources:
        feed.add_source(source)
    feed.start(app)
    return feed

"""Follow rclone log files: the current state at once, then appends, truncation and rotation.

`read_current` seeks back from the end to the last complete stats block, so a 2 GB log opens as
fast as a 2 KB one. `LogWatcher` follows many logs (and rclone rc endpoints) on one thread,
polling: inotify is not everywhere (NFS, containers) and a poll every 0.2 s is cheap.
"""

from __future__ import annotations

import glob
import os
import threading
import time
from dataclasses import dataclass, field, replace
from typing import BinaryIO, Callable

from pixel_tui.core.files import open_regular
from pixel_tui.core.jobs.history import History, Sample, live_log_of, scan_family
from pixel_tui.core.jobs.parse import LogParser, Snapshot
from pixel_tui.core.jobs.tail_read import (  # noqa: F401 - moved there; importers of this module keep working
    _MARKERS,
    ERRORS_BACK,
    HEAD_PROBE,
    MARK_BYTES,
    READ_MAX,
    SKIP_AHEAD,
    TAIL_EVENTS,
    TAIL_MAX,
    TAIL_START,
    _check_utc,
    _complete,
    _earlier_errors,
    _held_rclone,
    _line_start,
    _mtime,
    _resume_point,
    _tail_parser,
    read_current,
)


@dataclass
class JobView:
    """What a watcher knows about one log or rc endpoint, handed to the callback."""

    source: str
    snapshot: Snapshot | None = None
    exists: bool = False
    error: str | None = None
    progress_at: float | None = None  # wall clock (time.time()) of the last byte progress seen
    changed_at: float | None = None  # wall clock of the last new data
    history: History = field(default_factory=History)
    history_loaded: bool = False
    root: str | None = None  # the job's source (rclone's SRC) when known; see core/jobs/sources.py


class _FileFollower:
    """State of one followed file: its identity, read offset and incremental parser."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.view = JobView(path)
        self.fp: BinaryIO | None = None
        self.ident: tuple[int, int] | None = None
        self.offset = 0
        self.parser = LogParser()
        self.last_bytes: int | None = None
        self.history_end = 0  # the background history read covers the file up to here
        self.mark = b""  # the last bytes read, to notice a file truncated and refilled between polls
        self.utc: bool | None = None  # are the stamps UTC? decided once, from the first stamp and mtime

    def close(self) -> None:
        if self.fp:
            self.fp.close()
        self.fp = None

    def poll(self) -> bool:
        """Read whatever is new; True when the view changed."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            if self.fp is not None:
                # Renamed away and the new file is not there yet: drain the old one first.
                return self._read_more(os.fstat(self.fp.fileno()))
            changed = self.view.exists or self.view.error is not None
            self.view.exists, self.view.error = False, None
            return changed
        except OSError as exc:
            return self._fail(exc)
        ident = (st.st_dev, st.st_ino)
        if self.fp is None:
            return self._open(st, initial=True)
        if ident != self.ident:
            # rename + new file: finish the old file, then start on the new one from its start.
            self._read_more(os.fstat(self.fp.fileno()))
            self.close()
            return self._open(st, initial=False) or True
        if st.st_size < self.offset or not self._same_bytes_before_offset():
            # copytruncate: the file was cut (and maybe refilled past our offset); all of it is new.
            self.offset, self.mark = 0, b""
            self.parser = _carry_state(self.parser)
        return self._read_more(st)

    def _same_bytes_before_offset(self) -> bool:
        """True when the bytes just before our offset are still the ones we read (one small pread)."""
        if not self.mark or self.fp is None:
            return True
        try:
            return os.pread(self.fp.fileno(), len(self.mark), self.offset - len(self.mark)) == self.mark
        except OSError:
            return True

    def _remember_mark(self) -> None:
        if self.fp is not None and self.offset > 0:
            n = min(MARK_BYTES, self.offset)
            self.mark = os.pread(self.fp.fileno(), n, self.offset - n)

    def _fail(self, exc: OSError) -> bool:
        msg = f"{exc.strerror or exc}"
        changed = self.view.error != msg
        self.view.error = msg
        self.close()
        return changed

    def _open(self, st: os.stat_result, initial: bool) -> bool:
        try:
            self.fp = open_regular(self.path)
        except OSError as exc:
            return self._fail(exc)
        st = os.fstat(self.fp.fileno())
        self.ident, self.mark = (st.st_dev, st.st_ino), b""
        self.view.exists, self.view.error = True, None
        if initial:
            self.parser, start = _tail_parser(self.fp, st.st_size)
            self.utc = _check_utc(self.parser, st)
            self.offset = self.history_end = st.st_size
            self._publish(_complete(self.parser.snapshot(), self.fp, start, st), st)
            return True
        self.offset = 0
        self.parser = _carry_state(self.parser)
        return self._read_more(st)

    def _read_more(self, st: os.stat_result) -> bool:
        if self.fp is None or st.st_size <= self.offset:
            return False
        if st.st_size - self.offset > SKIP_AHEAD:
            # A big backlog (a rotated-in file, a burst while we were away): jump to its end as on
            # first open instead of running Python over every line of it.
            parser, start = _tail_parser(self.fp, st.st_size, utc=bool(self.utc))
            if self.utc is None:
                self.utc = _check_utc(parser, st)
            parser.state = replace(parser.state, blocks=self.parser.state.blocks + parser.state.blocks)
            self.parser, self.offset = parser, st.st_size
            self._publish(_complete(parser.snapshot(), self.fp, start, st), st)
            return True
        self.fp.seek(self.offset)
        data = self.fp.read(min(READ_MAX, st.st_size - self.offset))
        self.offset += len(data)
        before = self.parser.state.blocks
        self.parser.feed(data)
        if self.utc is None:
            self.utc = _check_utc(self.parser, st)
        snap = self.parser.snapshot()
        if self.parser.state.blocks != before:
            self.view.history.add(Sample(snap.bytes, snap.total_bytes, snap.speed))
        self._publish(_complete(snap, self.fp, 0, st), st)
        return True

    def _publish(self, snap: Snapshot, st: os.stat_result) -> None:
        self._remember_mark()
        if self.last_bytes is None:
            # First look: when the log itself last showed progress (-P logs have no clock: mtime).
            self.view.progress_at = snap.progress_at.timestamp() if snap.progress_at else st.st_mtime
        elif snap.bytes != self.last_bytes:
            self.view.progress_at = time.time()
        self.last_bytes = snap.bytes
        self.view.changed_at = st.st_mtime
        self.view.snapshot = snap


def _carry_state(old: LogParser) -> LogParser:
    """A fresh parser for a rotated/truncated file that keeps the job's state so far."""
    return LogParser(old.state, utc=old.utc)


def expand_sources(patterns: tuple[str, ...] | list[str]) -> list[str]:
    """Expand `~` and globs (`~/logs/*.log`); a plain path stays even if missing (a log still to come).

    A glob shows one job per log family: rclone's rotated backups (`name-<time>.log[.gz]`) are not
    jobs of their own while their live `name.log` is there (else the newest backup stands for it).
    """
    out: list[str] = []
    for pattern in patterns:
        pattern = os.path.expanduser(pattern)
        for m in _one_per_family(sorted(glob.glob(pattern))) if glob.has_magic(pattern) else [pattern]:
            if m not in out:
                out.append(m)
    return out


def _one_per_family(paths: list[str]) -> list[str]:
    newest: dict[str, str] = {}  # live name -> newest backup standing for it
    out = []
    for p in paths:
        live = live_log_of(p)
        if live is None:
            out.append(p)
        elif not os.path.exists(live) and (live not in newest or p > newest[live]):
            newest[live] = p
    return sorted(out + [p for live, p in newest.items() if live not in out])


class LogWatcher:
    """Follows many logs (and rc endpoints) on its own thread; ``on_change(view)`` gets each update.

    The callback runs on the watcher thread: a UI must hand the view over (post a message).
    """

    def __init__(self, sources: list[str], on_change: Callable[[JobView], None], interval: float = 0.2,
                 rc_urls: tuple[str, ...] = (), history: bool = True, rc_interval: float = 1.0) -> None:
        self.interval = interval
        self.on_change = on_change
        self._patterns = list(sources)
        self._followers: dict[str, _FileFollower] = {}
        self._rc = [RcFollower(url) for url in rc_urls]
        self._rc_interval = rc_interval
        self._history = history
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def add(self, source: str) -> None:
        """Watch one more log (e.g. an upload just started)."""
        with self._lock:
            if source not in self._patterns:
                self._patterns.append(source)
        self._wake.set()

    def enable_history(self) -> None:
        """Also read each log's speed history from now on, for the logs already followed too (thread-safe)."""
        self._history = True
        self._wake.set()

    def cancel(self) -> None:
        """Ask the polling loop to end now rather than after its interval (thread-safe).

        Unlike `stop()` it closes nothing and waits for nothing: the loop's own exit closes the files,
        so a UI thread may call it while the loop's thread is reading them.
        """
        self._stop.set()
        self._wake.set()

    def start(self) -> "LogWatcher":
        """Start the thread; returns self."""
        self._thread = threading.Thread(target=self._run, name="pixel-tui-logwatcher", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread and close every file."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)
        for f in self._followers.values():
            f.close()

    def poll_once(self) -> list[JobView]:
        """One round over every source; returns the views that changed (used by the thread and tests)."""
        with self._lock:
            paths = expand_sources(self._patterns)
        changed = []
        for path in paths:
            f = self._followers.get(path)
            if f is None:
                f = self._followers[path] = _FileFollower(path)
                new = True
            else:
                new = False
            try:
                polled = f.poll()
            except Exception as exc:  # noqa: BLE001 - one bad log must not end the watcher for every log
                polled = f._fail(OSError(0, f"cannot follow this log: {type(exc).__name__}: {exc}"[:300]))
            if polled or new:
                changed.append(f.view)
            if self._history and f.view.exists and not f.view.history_loaded:
                f.view.history_loaded = True
                threading.Thread(target=self._load_history, args=(f,), daemon=True).start()
        return changed

    def _load_history(self, f: _FileFollower) -> None:
        """Read the speed history before the tail in the background, then merge live samples."""
        try:
            # The rotated backups first (oldest to newest, .gz too), then the live file up to the tail.
            hist = scan_family(f.path, end=f.history_end, fmt=f.view.snapshot.format if f.view.snapshot else None,
                               max_points=f.view.history.max_points, cancelled=self._stop.is_set)
        except (OSError, EOFError, ValueError):
            return
        live = f.view.history
        hist.samples = hist.samples + live.samples
        hist.blocks += live.blocks
        f.view.history = hist
        self.on_change(f.view)

    def _run(self) -> None:
        self.run_until(self._stop.is_set)

    def _deliver(self, view: JobView) -> None:
        """Hand a view to the callback; a callback that raises loses that update, not the thread."""
        try:
            self.on_change(view)
        except Exception:  # noqa: BLE001
            import logging

            logging.getLogger(__name__).exception("log watcher callback failed for %s", view.source)

    def run_until(self, cancelled: Callable[[], bool]) -> None:
        """Poll every source until ``cancelled()`` (for a caller's own thread, e.g. a UI worker)."""
        next_rc = 0.0
        try:
            while not cancelled() and not self._stop.is_set():
                for view in self.poll_once():
                    self._deliver(view)
                if self._rc and time.monotonic() >= next_rc:
                    next_rc = time.monotonic() + self._rc_interval
                    for rc in self._rc:
                        try:
                            polled = rc.poll()
                        except Exception:  # noqa: BLE001 - an odd rc reply must not end the watcher
                            polled = False
                        if polled:
                            self._deliver(rc.view)
                self._wake.wait(self.interval)
                self._wake.clear()
        finally:
            self._stop.set()  # also ends background history reads
            for f in self._followers.values():
                f.close()


class RcFollower:
    """Polls a running rclone's remote-control API (`--rc-addr`) for `core/stats`."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        from pixel_tui.core.jobs.rc import display_url

        self.url = url
        self.timeout = timeout
        self.view = JobView(display_url(url))
        self._last: int | None = None

    def poll(self) -> bool:
        """Fetch stats once; True when the view changed."""
        from pixel_tui.core.jobs.rc import fetch_stats

        try:
            snap = fetch_stats(self.url, self.timeout)
        except OSError as exc:
            msg = str(getattr(exc, "reason", None) or exc)
            changed = self.view.error != msg
            self.view.error, self.view.exists = msg, False
            return changed
        now = time.time()
        self.view.exists, self.view.error = True, None
        if self._last != snap.bytes:
            self.view.progress_at, self._last = now, snap.bytes
            self.view.history.add(Sample(snap.bytes, snap.total_bytes, snap.speed))
        self.view.changed_at = now
        self.view.snapshot = snap
        return True

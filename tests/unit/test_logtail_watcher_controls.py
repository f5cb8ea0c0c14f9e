"""The LogWatcher controls the app's job feed uses from the UI thread: add a log, turn the speed history
on later, end the loop at once. On real rclone logs."""

from __future__ import annotations

import shutil
import threading
import time

from pixel_tui.core.jobs.tail import LogWatcher


def _wait(cond, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_history_turned_on_later_covers_the_logs_already_followed(rclone_logs, tmp_path):
    log = tmp_path / "a.log"
    shutil.copy(rclone_logs.text, log)
    seen = []
    watcher = LogWatcher([str(log)], seen.append, history=False)
    (view,) = watcher.poll_once()
    assert view.exists and not view.history_loaded
    assert watcher.poll_once() == [] and not view.history_loaded  # nothing new, and no history asked for

    watcher.enable_history()
    assert watcher.poll_once() == []  # the log did not change...
    _wait(lambda: seen)  # ...but its history is read in the background and handed over
    assert seen[-1] is view and view.history_loaded and view.history.blocks >= 2
    watcher.stop()


def test_cancel_ends_the_loop_now_and_add_is_picked_up_at_once(rclone_logs, tmp_path):
    first, later = tmp_path / "first.log", tmp_path / "later.log"
    shutil.copy(rclone_logs.text, first)
    shutil.copy(rclone_logs.failed, later)
    seen: list[str] = []
    watcher = LogWatcher([str(first)], lambda v: seen.append(v.source), interval=60.0, history=False)
    thread = threading.Thread(target=watcher.run_until, args=(lambda: False,), daemon=True)
    thread.start()
    _wait(lambda: str(first) in seen)
    watcher.add(str(later))  # wakes the loop: no waiting for the 60 s interval
    _wait(lambda: str(later) in seen, timeout=5.0)
    started = time.monotonic()
    watcher.cancel()
    thread.join(timeout=5.0)
    assert not thread.is_alive() and time.monotonic() - started < 2.0
    assert all(f.fp is None for f in watcher._followers.values())  # the loop's own exit closed the files

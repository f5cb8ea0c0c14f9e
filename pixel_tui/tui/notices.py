"""Notifications that cover nothing essential and are not lost: every notice is kept in a log (`N` lists it),
a notice about a job replaces that job's previous one (an old STALLED toast never sits over a RUNNING strip),
and the toasts are one line at the top right, below the header, clear of the job strip, the dialogs'
buttons and the panes' status lines."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from textual.notifications import Notification, Notify

LOG_SIZE = 200
TOAST_CSS = """
ToastRack {
    dock: top;
    align: right top;
    margin-bottom: 0;
    margin-top: 1;
}
Toast {
    width: auto;
    max-width: 60%;
    margin-top: 0;
    padding: 0 1;
}
"""


@dataclass(frozen=True)
class Notice:
    """One notification as shown: when, how bad, title and text (markup already in the text)."""

    at: float
    severity: str
    title: str
    message: str

    def line(self) -> str:
        """`HH:MM:SS severity  title: message` on one line."""
        clock = time.strftime("%H:%M:%S", time.localtime(self.at))
        head = f"{self.title}: " if self.title else ""
        return f"{clock} {self.severity:<11} {head}{self.message}"


class NoticeLog:
    """The last LOG_SIZE notices, newest last; appended from any thread."""

    def __init__(self) -> None:
        self._items: list[Notice] = []
        self._lock = threading.Lock()

    def add(self, notice: Notice) -> None:
        """Keep ``notice`` (the oldest goes once the log is full)."""
        with self._lock:
            self._items.append(notice)
            del self._items[:-LOG_SIZE]

    def entries(self) -> list[Notice]:
        """Every kept notice, newest first."""
        with self._lock:
            return list(reversed(self._items))


class Notices:
    """Mixin for the App: `notify` logs every notice; `notify_about(topic, ...)` replaces the topic's last toast."""

    def _notices_init(self) -> None:
        self.notice_log = NoticeLog()
        self._topic_toasts: dict[str, Notification] = {}

    def notify(self, message: str, *, title: str = "", severity: str = "information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Textual's notify (thread-safe), and the notice goes into the log."""
        self.notice_log.add(Notice(time.time(), severity, title, _plain(message, markup)))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def notify_about(self, topic: str, message: str, *, severity: str = "information",
                     timeout: float | None = None) -> None:
        """Notify on the UI thread, first dropping the toast last shown about ``topic`` (its state moved on)."""
        self.drop_notice(topic)
        self.notice_log.add(Notice(time.time(), severity, "", message))
        note = Notification(message, "", severity, self.NOTIFICATION_TIMEOUT if timeout is None else timeout)
        self._topic_toasts[topic] = note
        self.post_message(Notify(note))

    def drop_notice(self, topic: str) -> None:
        """Take down the toast shown about ``topic``, if it is still up (UI thread)."""
        old = self._topic_toasts.pop(topic, None)
        if old is not None and old in self._notifications:
            self._unnotify(old)


def _plain(message: str, markup: bool) -> str:
    if not markup:
        return message
    from rich.text import Text

    try:
        return Text.from_markup(message).plain
    except Exception:  # noqa: BLE001 - a message that is not valid markup is logged as it is
        return message

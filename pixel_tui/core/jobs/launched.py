"""The uploads this app started, remembered in the state dir so they show (and can be stopped and
throttled) after the monitor is reopened and after the app restarts.

Each runs `rclone copy --rc` on a loopback port with `--rc-user`/`--rc-pass` from one generated
secret (`<state>/rc-secret`, mode 0600). The pass goes to rclone as RCLONE_RC_PASS in its
environment, never on its command line (`ps` shows argv to everyone).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from pixel_tui.core.files import state_subdir

RC_USER = "pixel-tui"
KEEP = 50  # the newest records kept
SHOW_FOR = 24 * 3600.0  # a finished upload's log stays on the monitor this long


def free_loopback_port() -> int:
    """A TCP port free on 127.0.0.1 right now (rclone binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rc_secret(state: Path) -> str:
    """The rc password of our uploads: read from `<state>/rc-secret`, made (mode 0600) the first time."""
    path = state_subdir(state) / "rc-secret"  # the state dir itself owner-only
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)  # someone widened it: a secret is for its owner only
        secret = path.read_text().strip()
        if secret:
            return secret
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    secret = secrets.token_urlsafe(24)
    with os.fdopen(fd, "w") as fp:
        fp.write(secret + "\n")
    return secret


def _proc_start(pid: int) -> str | None:
    """The process's start time in clock ticks (field 22 of /proc/PID/stat), None when it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    if not fields or fields[0] in ("Z", "X"):
        return None
    return fields[19]


@dataclass(frozen=True)
class Launched:
    """One upload the app started: enough to find its log, its rc endpoint and its source root."""

    pid: int
    log_file: str
    rc_addr: str  # 127.0.0.1:PORT
    src: str
    dst: str
    started: float
    proc_start: str | None = None  # tells this rclone from a later process given the same pid

    @property
    def id(self) -> str:
        """The id `pixel-tui jobs` shows for it: `u<pid>`."""
        return f"u{self.pid}"

    def rc_url(self, secret: str) -> str:
        """Its rc endpoint with our credentials (never show it: see `display_url`)."""
        return f"http://{RC_USER}:{secret}@{self.rc_addr}"

    def alive(self) -> bool:
        """True while this very rclone runs (not a zombie, not another process reusing the pid)."""
        now = _proc_start(self.pid)
        return now is not None and (self.proc_start is None or now == self.proc_start)

    def shown(self, now: float | None = None) -> bool:
        """Still worth a card: running, or its log changed within SHOW_FOR."""
        if self.alive():
            return True
        try:
            return (now or time.time()) - os.stat(self.log_file).st_mtime < SHOW_FOR
        except OSError:
            return False


def _path(state: Path) -> Path:
    return state / "uploads" / "launched.json"


@contextlib.contextmanager
def _locked(state: Path) -> Iterator[None]:
    with open(state_subdir(state, "uploads") / ".launched.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _read(state: Path) -> list[Launched]:
    try:
        doc = json.loads(_path(state).read_text())
    except (OSError, ValueError):
        return []
    out = []
    for item in doc if isinstance(doc, list) else ():
        try:
            out.append(Launched(**item))
        except TypeError:
            continue  # a record from another version: skip it rather than fail the monitor
    return out


def remember(state: Path, job: Launched) -> None:
    """Add one upload to `<state>/uploads/launched.json` (locked, written atomically)."""
    with _locked(state):
        jobs = [j for j in _read(state) if j.pid != job.pid][-(KEEP - 1):] + [job]
        tmp = _path(state).with_suffix(".tmp")
        tmp.write_text(json.dumps([asdict(j) for j in jobs], indent=1))
        os.replace(tmp, _path(state))


def launched(state: Path) -> list[Launched]:
    """Every upload remembered, oldest first."""
    return _read(state)


def shown(state: Path) -> list[Launched]:
    """The uploads worth showing now: running, or finished within a day."""
    now = time.time()
    return [j for j in _read(state) if j.shown(now)]


def proc_start(pid: int) -> str | None:
    """The start time of a live process, to store with its pid."""
    return _proc_start(pid)

"""What the rc tests share: a real `rclone rcd` with the test remotes, and a process's /proc state."""

from __future__ import annotations

import os
import subprocess
import time
from contextlib import contextmanager

from pixel_tui.core.binaries import find_binary
from pixel_tui.core.jobs.rc import call
from pixel_tui.demo.seaweedfs import free_port


@contextmanager
def running_rcd(rclone, password: str):
    """`rclone rcd` with the test remotes (drive:, s3test:) and a slow bandwidth, so a job stays running;
    yields its URL (user `op`)."""
    port = free_port()
    proc = subprocess.Popen([find_binary("rclone"), "rcd", f"--rc-addr=127.0.0.1:{port}", "--rc-user=op",
                             f"--rc-pass={password}", "--bwlimit=100k"], env={**os.environ, **rclone.extra_env},
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://op:{password}@127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                call(url, "rc/noop")
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def proc_state(pid: int) -> str | None:
    """The State: letter of /proc/PID/status; None once the process is gone (reaped)."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("State:"):
                return line.split()[1]
    except OSError:
        return None
    return None

"""Run a command on a real pseudo-terminal (as an operator's SSH session would) and time it."""

from __future__ import annotations

import os
import pty
import select
import time

from _common import Run


def run_on_pty(argv: list[str], env: dict[str, str], cols: int = 120, rows: int = 36, timeout: float = 30.0) -> Run:
    """Fork ``argv`` on a pty of the given size and time it to its exit: wall, CPU and peak RSS (os.wait4)."""
    import fcntl
    import struct
    import termios

    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.execvpe(argv[0], argv, env)
    deadline = start + timeout
    done = 0
    try:
        while True:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    if not os.read(fd, 65536):
                        break
                except OSError:
                    break
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.perf_counter() > deadline:
                os.kill(pid, 9)
                raise TimeoutError(" ".join(argv))
        if not done:
            _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))
    finally:
        os.close(fd)

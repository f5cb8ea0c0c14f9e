"""Run a command on a real pseudo-terminal (as an operator's SSH session would) and time it."""

from __future__ import annotations

import os
import pty
import select
import time


def run_on_pty(argv: list[str], env: dict[str, str], cols: int = 120, rows: int = 36, timeout: float = 30.0) -> float:
    """Wall time from fork to exit of ``argv`` on a pty of the given size; raises if it times out."""
    import fcntl
    import struct
    import termios

    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.execvpe(argv[0], argv, env)
    deadline = start + timeout
    try:
        while True:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    if not os.read(fd, 65536):
                        break
                except OSError:
                    break
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return time.perf_counter() - start
            if time.perf_counter() > deadline:
                os.kill(pid, 9)
                raise TimeoutError(" ".join(argv))
        os.waitpid(pid, 0)
        return time.perf_counter() - start
    finally:
        os.close(fd)

"""What every bench shares: whole-process timings, alternated rounds, medians with min-max, a reused server.

Rules the benches follow (issue 16, "honest benches"): time whole processes the way an operator runs
them (a row that is in-process says so), alternate ours and the reference every round, print the
median with min-max over at least 3 rounds, and give both sides the same work and cache state.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

PIXEL = [sys.executable, "-m", "pixel_tui"]  # `pixel-tui` as installed, but from this checkout (PYTHONPATH)


def compile_checkout(root: str | Path) -> None:
    """Write the bytecode of ``root``/pixel_tui now, as `pip install` does for an installed package.

    Why: with PYTHONDONTWRITEBYTECODE set (this machine's shell has it) a checkout never gets its
    .pyc files, so every timed process compiled our ~200 modules from source (40 ms of a 0.3 s
    `promote --dry-run`, more for the dashboard) while boto3, Textual and rclone paid nothing.
    """
    import compileall

    compileall.compile_dir(str(Path(root) / "pixel_tui"), quiet=1)


compile_checkout(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True)
class Run:
    """One timed process: wall seconds, CPU seconds (user+sys), peak RSS in MiB, exit code, stdout.

    ``rss_mib`` is the kernel's figure for the process and the children it waited for (the largest of
    them); ``own_mib`` the process's own high-water mark alone (VmHWM, polled every 20 ms till it exits).
    ``rss_mib`` is never below this bench's own RSS at the fork: Linux carries the forked parent's
    high-water mark across exec into ru_maxrss (a 56 MiB `ls` read as 145 MiB after the bench had
    parsed 100k rows). Quote ``own_mib`` for processes whose children do not matter.
    """

    wall: float
    cpu: float
    rss_mib: float
    code: int
    out: bytes = b""
    own_mib: float = 0.0


def measure(argv: list[str], env: dict[str, str] | None = None, stdin: bytes | None = None,
            ok_codes: tuple[int, ...] = (0,), cwd: str | None = None) -> Run:
    """Run ``argv`` to its end: wall time, and CPU and peak RSS of that one process (os.wait4).
    ``cwd``: where it runs; `python -m`/`-c` put the working directory first on sys.path, before
    PYTHONPATH, so a run of another checkout must start inside it."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
    chunks: list[bytes] = []
    errs: list[bytes] = []
    import threading

    reader = threading.Thread(target=lambda: errs.append(proc.stderr.read()), daemon=True)
    reader.start()
    hwm = [0.0]
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.02):
            try:
                with open(f"/proc/{proc.pid}/status") as fh:
                    for line in fh:
                        if line.startswith("VmHWM:"):
                            hwm[0] = max(hwm[0], int(line.split()[1]) / 1024)
            except (OSError, ValueError):
                return

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    while True:
        block = proc.stdout.read(1 << 20)
        if not block:
            break
        chunks.append(block)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    poller.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    if proc.returncode not in ok_codes:
        err = b"".join(errs).decode(errors="replace")[-2000:]
        raise SystemExit(f"{' '.join(argv[:6])}... exited {proc.returncode}:\n{err}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, b"".join(chunks),
               hwm[0])


@dataclass
class Series:
    """The rounds of one contender."""

    name: str
    runs: list[Run] = field(default_factory=list)

    def pick(self, what: str = "wall") -> list[float]:
        """One field of every round."""
        return [getattr(r, what) for r in self.runs]

    def median(self, what: str = "wall") -> float:
        """Median of one field over the rounds."""
        return statistics.median(self.pick(what))

    def spread(self, what: str = "wall", unit: str = "s", scale: float = 1.0, digits: int = 2) -> str:
        """'median (min-max)' of one field, e.g. '3.12 s (3.01-3.40)'."""
        v = [x * scale for x in self.pick(what)]
        return f"{statistics.median(v):.{digits}f} {unit} ({min(v):.{digits}f}-{max(v):.{digits}f})"


def alternate(contenders: dict[str, Callable[[], Run]], rounds: int) -> dict[str, Series]:
    """Run every contender once per round, rotating who goes first, so load drifts hit both alike."""
    if rounds < 3:
        raise SystemExit("at least 3 rounds (medians of fewer say little on a shared machine)")
    series = {name: Series(name) for name in contenders}
    names = list(contenders)
    for k in range(rounds):
        order = names[k % len(names):] + names[:k % len(names)]
        for name in order:
            series[name].runs.append(contenders[name]())
    return series


def ratio_line(what: str, ours: Series, ref: Series, goal: str = "", field_: str = "wall") -> str:
    """One table row: what, ours, the reference, ours/reference of the medians, the goal."""
    r = ours.median(field_) / ref.median(field_)
    return f"{what:<44} {ours.spread(field_):>22} {ref.spread(field_):>22} {r:6.2f}x  {goal}"


def header(title: str, ours: str = "ours", ref: str = "reference") -> str:
    """The column heads of ratio_line rows under a title."""
    return f"\n{title}\n{'work':<44} {ours:>22} {ref:>22} {'ratio':>7}  goal"


def server_env(server) -> dict[str, str]:
    """Environment for a `pixel-tui` process on the bench server (credentials by the AWS variables)."""
    return {**os.environ, **server.env(), "PIXEL_TUI_ENDPOINT_URL": server.endpoint_url}


def work_dir(keep: str | None, prefix: str) -> Path:
    """``keep`` (created) or a new temp dir: with --keep a second run reuses what the first seeded."""
    import tempfile

    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        return Path(keep)
    return Path(tempfile.mkdtemp(prefix=prefix))


def rclone_seed(server, src: Path, dest: str) -> None:
    """Upload a local folder with rclone (Go, parallel): the quickest way to seed many small objects."""
    from pixel_tui.core.binaries import find_binary

    env = {**os.environ, **server.rclone_env("bench")}
    subprocess.run([find_binary("rclone"), "copy", str(src), f"bench:{dest}", "--transfers=32", "--checkers=32",
                    "--no-traverse", "--no-check-dest", "--s3-no-check-bucket", "--s3-no-head", "--retries=3"],
                   env=env, check=True)

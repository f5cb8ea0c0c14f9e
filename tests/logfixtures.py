"""Real rclone logs for the monitor tests, made in the test session in every format rclone writes.

Each mode copies a small Drive folder (a local alias) to the test SeaweedFS server with a
bandwidth limit, so several stats blocks appear. All runs go in parallel to keep the session short.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
import threading
from dataclasses import dataclass
from pathlib import Path

from pixel_tui.core.binaries import find_binary

# Hand-made lines in the forms of older rclone versions (units `M`, `MBytes`, bits, `-`).
OLD_TEXT_LOG = b"""2019/03/02 10:00:00 INFO  : photos/a.jpg: Copied (new)
2019/03/02 10:00:01 INFO  :
Transferred:   \t  120.188M / 1.234 GBytes, 10%, 12.000 MBytes/s, ETA 1m35s
Errors:                 1 (retrying may help)
Checks:                 3 / 3, 100%
Transferred:            1 / 10, 10%
Elapsed time:       10.0s
Transferring:
 *                                  photos/b.jpg: 45% /100M, 2.000M/s, 27s
 *                                  photos/c.jpg:  0% /1.5G, 0/s, -

2019/03/02 10:00:02 ERROR : photos/d.jpg: Failed to copy: AccessDenied: 403
2019/03/02 10:00:11 INFO  :
Transferred:   \t  240.500M / 1.234 GBytes, 19%, 96.000 MBits/s, ETA 1m25s
Errors:                 1 (retrying may help)
Checks:                 3 / 3, 100%
Transferred:            2 / 10, 20%
Elapsed time:       20.0s

"""

ANCIENT_TEXT_LOG = b"""2016/01/01 00:00:01 
Transferred:      1.500 GBytes (1.234 MBytes/s)
Errors:                 0
Checks:                 5
Transferred:            7
Elapsed time:       20m45.5s

"""


@dataclass(frozen=True)
class RcloneLogs:
    """Paths of the logs each mode produced, plus the total bytes copied."""

    text: Path
    oneline: Path
    oneline_date: Path
    json: Path
    progress: Path
    tty: Path
    bits: Path
    failed: Path
    nothing: Path
    total_bytes: int

    def formats(self) -> dict[str, Path]:
        """Mode name -> log, for the modes that copy data."""
        return {"text": self.text, "oneline": self.oneline, "oneline_date": self.oneline_date,
                "json": self.json, "progress": self.progress, "tty": self.tty, "bits": self.bits}


def _run_in_pty(argv: list[str], out: Path, env: dict[str, str]) -> subprocess.Popen:
    """Run rclone with a terminal of 120x40 as stdout (so -P draws with ANSI codes), saving its output."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)

    def pump() -> None:
        with open(out, "wb") as f:
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                f.write(chunk)
        os.close(master)

    t = threading.Thread(target=pump, daemon=True)
    t.start()
    proc._pump = t  # type: ignore[attr-defined]
    return proc


def make_rclone_logs(root: Path, s3_env: dict[str, str], bucket: str) -> RcloneLogs:
    """Run the real rclone once per log format; returns where the logs are."""
    rclone = find_binary("rclone")
    drive = root / "drive"
    (drive / "sub").mkdir(parents=True)
    sizes = [700_000, 900_000, 1_100_000, 500_000]
    for i, size in enumerate(sizes):
        path = drive / ("sub" if i % 2 else "") / f"part-{i}.bin"
        path.write_bytes(os.urandom(size))
    env = {**os.environ, **s3_env, "RCLONE_CONFIG_DRIVE_TYPE": "alias", "RCLONE_CONFIG_DRIVE_REMOTE": str(drive)}
    logs = root / "logs"
    logs.mkdir()
    common = ["--stats", "500ms", "--bwlimit", "1.5M", "--transfers", "2"]

    def argv(name: str, *extra: str) -> list[str]:
        return [rclone, "copy", "drive:", f"s3test:{bucket}/{name}/gdrive/raw", *common, *extra]

    procs = []
    for name, extra in {
        "text": ["-v"], "oneline": ["-v", "--stats-one-line"], "oneline_date": ["-v", "--stats-one-line-date"],
        "json": ["-v", "--use-json-log"], "bits": ["-v", "--stats-one-line", "--stats-unit", "bits"],
    }.items():
        procs.append(subprocess.Popen(argv(name, "--log-file", str(logs / f"{name}.log"), *extra), env=env,
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    with open(logs / "progress.log", "wb") as out:
        procs.append(subprocess.Popen(argv("progress", "-P"), env=env, stdin=subprocess.DEVNULL, stdout=out,
                                      stderr=subprocess.STDOUT))
    procs.append(_run_in_pty(argv("tty", "-P"), logs / "tty.log", env))
    # A job that fails: the source folder does not exist (ERROR attempts, then CRITICAL).
    procs.append(subprocess.Popen(
        [rclone, "copy", "drive:missing", f"s3test:{bucket}/failed", "--retries", "2", "--retries-sleep", "0",
         "--log-file", str(logs / "failed.log"), "-v"], env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for p in procs:
        p.wait(timeout=120)
        if hasattr(p, "_pump"):
            p._pump.join(timeout=10)
    # Copy again what `text` copied: nothing to transfer.
    subprocess.run([rclone, "copy", "drive:", f"s3test:{bucket}/text/gdrive/raw", "-v", "--stats", "500ms",
                    "--log-file", str(logs / "nothing.log")], env=env, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False)
    return RcloneLogs(logs / "text.log", logs / "oneline.log", logs / "oneline_date.log", logs / "json.log",
                      logs / "progress.log", logs / "tty.log", logs / "bits.log", logs / "failed.log",
                      logs / "nothing.log", sum(sizes))

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


# Every `--log-format` layout (and mixes of them) rclone 1.75 writes; "" is a valid, empty layout.
LAYOUTS = ("date,time", "date,time,microseconds", "UTC,date,time", "date,time,pid", "date,time,longfile",
           "date,time,shortfile", "UTC,date,time,microseconds,shortfile,pid", "date,time,microseconds,longfile,pid",
           "nolevel", "date,time,nolevel", "pid,nolevel", "date,time,pid,shortfile,nolevel", "pid", "time", "date", "")
# The older layouts (rclone < 1.68 wrote through Go's log package: the [pid] before the date, an
# absolute longfile path), by hand since a current rclone cannot write them.
OLD_LAYOUT_LINES = (
    b"[4242] 2023/05/06 07:08:09 INFO  : a.bin: Copied (new)\n",
    b"2023/05/06 07:08:09 /home/ci/go/pkg/mod/github.com/rclone/rclone@v1.62.2/fs/operations/copy.go:382: "
    b"INFO  : a.bin: Copied (new)\n",
    b"[4242] 2023/05/06 07:08:09.123456 fs/log.go:145: ERROR : b.bin: Failed to copy: AccessDenied: 403\n",
)


@dataclass(frozen=True)
class LayoutLogs:
    """Per layout: a finished copy, a run stopped by a fatal error, and one that died at once (CRITICAL)."""

    ok: dict[str, Path]
    fatal: dict[str, Path]
    critical: dict[str, Path]
    total_bytes: int


def _run_all(cmds: list[list[str]], env: dict[str, str], at_once: int = 8) -> None:
    """Run commands a few at a time (the test machine is small), waiting for each batch."""
    for i in range(0, len(cmds), at_once):
        procs = [subprocess.Popen(c, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for c in cmds[i:i + at_once]]
        for p in procs:
            p.wait(timeout=120)


def layout_name(layout: str) -> str:
    """A file-name-safe label for a layout (`""` is `empty`)."""
    return layout.replace(",", "-") or "empty"


def make_layout_logs(root: Path, s3_env: dict[str, str], bucket: str) -> LayoutLogs:
    """Run the real rclone in every --log-format layout: a copy that finishes, one that --max-transfer stops."""
    rclone = find_binary("rclone")
    drive = root / "drive"
    drive.mkdir(parents=True)
    sizes = [400_000, 600_000, 500_000, 700_000]
    for i, size in enumerate(sizes):
        (drive / f"part-{i}.bin").write_bytes(os.urandom(size))
    env = {**os.environ, **s3_env, "RCLONE_CONFIG_DRIVE_TYPE": "alias", "RCLONE_CONFIG_DRIVE_REMOTE": str(drive)}
    logs = root / "logs"
    logs.mkdir()
    ok, fatal, critical, cmds = {}, {}, {}, []
    for layout in LAYOUTS:
        name = layout_name(layout)
        ok[layout], fatal[layout], critical[layout] = (logs / f"{name}.ok.log", logs / f"{name}.fatal.log",
                                                       logs / f"{name}.critical.log")
        base = ["-v", "--log-format", layout, "--stats", "300ms", "--transfers", "2"]
        cmds.append([rclone, "copy", "drive:", f"s3test:{bucket}/{name}/ok", *base, "--bwlimit", "2M",
                     "--log-file", str(ok[layout])])
        # --max-transfer stops the run with a fatal error: `Fatal error received - not attempting retries`,
        # `Errors: N (fatal error encountered)`, `Failed to copy with N errors` at NOTICE.
        cmds.append([rclone, "copy", "drive:", f"s3test:{bucket}/{name}/fatal", *base, "--bwlimit", "2M",
                     "--max-transfer", "1M", "--log-file", str(fatal[layout])])
        # A remote that does not exist: rclone dies at once with a CRITICAL line.
        cmds.append([rclone, "copy", "nosuchremote:", f"s3test:{bucket}/{name}/critical", *base,
                     "--log-file", str(critical[layout])])
    _run_all(cmds, env)
    return LayoutLogs(ok, fatal, critical, sum(sizes))


def rclone_copy(s3_server, bucket: str, src: Path, name: str, log: Path, *flags: str,
                env: dict[str, str] | None = None, wait: bool = True) -> subprocess.Popen:
    """Start the real rclone copying ``src`` to the test S3 server, logging to ``log`` (waits by default)."""
    full_env = {**os.environ, **s3_server.rclone_env("s3test"), **(env or {})}
    dest = f"s3test:{bucket}/{name}" if name else f"s3test:{bucket}"
    proc = subprocess.Popen([find_binary("rclone"), "copy", str(src), dest, "--log-file", str(log),
                             *flags], env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    if wait:
        proc.wait(timeout=120)
    return proc


def small_source(root: Path, sizes=(300_000, 500_000, 400_000)) -> Path:
    """A local folder of random files to copy."""
    root.mkdir(parents=True, exist_ok=True)
    for i, size in enumerate(sizes):
        (root / f"f-{i}.bin").write_bytes(os.urandom(size))
    return root


class TcpGate:
    """A TCP forwarder to a real server that is closed (connection refused) until `open()`.

    Injects one fault, the network being down, so rclone's first attempt fails and a retry succeeds.
    """

    def __init__(self, upstream_port: int) -> None:
        import socket

        self.upstream = upstream_port
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()  # nothing listens here until open(): connections are refused
        self._sock = None

    def open(self) -> None:
        """Start listening and forwarding every connection to the upstream server."""
        import socket

        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self._sock = sock
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket

        while True:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(2)
                except OSError:
                    pass

    def close(self) -> None:
        """Stop listening."""
        if self._sock is not None:
            self._sock.close()

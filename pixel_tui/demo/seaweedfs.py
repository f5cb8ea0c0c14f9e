"""Start and stop a private SeaweedFS `weed mini` S3 server on 127.0.0.1 (tests, demo, benchmarks)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from pixel_tui.core.binaries import find_binary
from pixel_tui.core.errors import PixelError
from pixel_tui.core.storage.rclone import RcloneEnv, rclone_s3_env
from pixel_tui.core.units import human_duration
from pixel_tui.demo.weed_security import scrubbed_env, write_security

# Listeners weed mini opens; each gets a free port. gRPC ports default to http+10000, and the
# mini worker dials the admin gRPC port at admin+10000 whatever -admin.port.grpc says, so the
# admin pair is chosen with that offset.
_PORT_FLAGS = (
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
    "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc",
)


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _admin_pair() -> tuple[int, int]:
    for _ in range(200):
        p = free_port()
        if p + 10000 < 65536 and _port_free(p + 10000):
            return p, p + 10000
    raise PixelError("could not find free ports for weed's admin listener")


def write_pidfile(path: Path, pid: int, argv: list[str]) -> None:
    """Record a process we started: its pid and its exact argv, so a later cleanup can tell it from a
    reused pid or another program (JSON, 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"pid": pid, "argv": [str(a) for a in argv]}, f)


def read_pidfile(path: Path) -> tuple[int | None, list[str] | None]:
    """(pid, argv) from a pid file written by ``write_pidfile``; (None, None) when absent or not ours."""
    try:
        data = json.loads(path.read_text())
        return int(data["pid"]), list(data["argv"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, None


@dataclass
class WeedServer:
    """A running (or startable) `weed mini` with its own data dir, ports and credentials."""

    data_dir: Path
    access_key: str = field(default_factory=lambda: "pixel" + secrets.token_hex(6))
    secret_key: str = field(default_factory=lambda: secrets.token_hex(20))
    buckets: tuple[str, ...] = ()
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def endpoint_url(self) -> str:
        """The S3 endpoint, e.g. http://127.0.0.1:34567."""
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    @property
    def pid(self) -> int | None:
        """PID of the weed process."""
        return self.process.pid if self.process else None

    def command(self) -> list[str]:
        """The full command line; weed rewrites its options file with only the flags given, so pass all."""
        args = [
            find_binary("weed"), "mini",
            f"-dir={self.data_dir / 'data'}",
            "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.telemetry=false", "-webdav=false", "-admin.ui=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={self.data_dir / 's3.json'}",
            "-master.volumeSizeLimitMB=64", "-volume.max=0",
            # Only the S3 gateway is for clients: master and filer HTTP off, the volume HTTP port JWT-signed
            # (security.toml), the local sockets inside the 0700 data dir instead of /tmp.
            "-disableHttp",
        ]
        if len(str(self.data_dir / "filer.sock")) < 100:  # a unix socket path has a 108-byte limit
            args += [f"-filer.localSocket={self.data_dir / 'filer.sock'}", f"-s3.localSocket={self.data_dir / 's3.sock'}"]
        args += [f"-{flag}={port}" for flag, port in self.ports.items()]
        if self.buckets:
            args.append("-bucket=" + ",".join(self.buckets))
        return args

    def env(self) -> dict[str, str]:
        """Environment for boto3/rclone clients of this server (AWS_* variables)."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_DEFAULT_REGION": "us-east-1"}

    def rclone_env(self, remote: str = "s3test") -> RcloneEnv:
        """RCLONE_CONFIG_* variables that define an rclone S3 remote named ``remote`` for this server."""
        return rclone_s3_env(remote, endpoint_url=self.endpoint_url, provider="SeaweedFS", path_style=True,
                             access_key=self.access_key, secret_key=self.secret_key)

    def start(self, timeout: float = 60.0) -> "WeedServer":
        """Start weed mini, wait until its S3 port answers, return self."""
        write_security(self.data_dir)
        (self.data_dir / "data").mkdir(mode=0o700, exist_ok=True)
        identities = {"identities": [{
            "name": "pixel",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }]}
        cfg = self.data_dir / "s3.json"
        cfg.write_text(json.dumps(identities))
        cfg.chmod(0o600)
        if not self.ports:
            self.ports = {flag: free_port() for flag in _PORT_FLAGS}
            self.ports["admin.port"], self.ports["admin.port.grpc"] = _admin_pair()
        log = open(self.data_dir / "weed.log", "ab")
        self.process = subprocess.Popen(
            self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=self.data_dir, start_new_session=True, env=scrubbed_env(),
        )
        log.close()
        write_pidfile(self.data_dir / "weed.pid", self.process.pid, self.process.args)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        client = self._probe_client()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = (self.data_dir / "weed.log").read_text(errors="replace")[-2000:]
                raise PixelError(f"weed mini exited with code {self.process.returncode}:\n{tail}")
            if self._s3_ready(client):
                return
            time.sleep(0.2)
        self.stop()
        raise PixelError(f"weed mini did not answer on {self.endpoint_url} within {human_duration(timeout)}")

    def _probe_client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
                            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
                            config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1}))

    def _s3_ready(self, client) -> bool:
        """A signed ListBuckets answers and names every bucket asked for (the filer behind it is up).
        The master and filer HTTP ports are off (see command()), so S3 is the only way to ask."""
        try:
            names = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
        except Exception:  # noqa: BLE001 - not listening yet, or the filer behind the gateway not up yet
            return False
        return set(self.buckets) <= names

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the server by its PID (SIGTERM, then SIGKILL)."""
        proc = self.process
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        self.process = None
        self._remove_sockets()
        pidfile = self.data_dir / "weed.pid"
        if pidfile.exists():
            pidfile.unlink()

    def _remove_sockets(self) -> None:
        """weed leaves a gRPC unix socket per component in /tmp (mTLS-guarded, but litter): remove ours."""
        for port in self.ports.values():
            for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                try:
                    if sock.is_socket() and sock.lstat().st_uid == os.getuid():
                        sock.unlink()
                except OSError:
                    pass

    def __enter__(self) -> "WeedServer":
        return self.start() if self.process is None else self

    def __exit__(self, *exc) -> None:
        self.stop()

"""`ls`/`diff` of an unreachable or silent endpoint end with a message in bounded time, for rclone
remotes and S3 alike: a closed loopback port (refused at once) and one that accepts but never answers.
The subprocess time-out is the bound: before, these printed nothing for many minutes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pixel_tui.core.config import load_settings
from pixel_tui.core.storage.rclone import BOUNDED_FLAGS, Rclone
from pixel_tui.core.storage.s3 import S3Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the with ends: connections are refused


@pytest.fixture
def silent_port():
    """A loopback port that accepts connections and never says a byte; closed at teardown."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.5)
    held, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def _env(port: int, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "AWS_ACCESS_KEY_ID": "anon", "AWS_SECRET_ACCESS_KEY": "anon",
            "RCLONE_CONFIG_DEAD_TYPE": "s3", "RCLONE_CONFIG_DEAD_PROVIDER": "Other",
            "RCLONE_CONFIG_DEAD_ENDPOINT": f"http://127.0.0.1:{port}", "RCLONE_CONFIG_DEAD_ACCESS_KEY_ID": "anon",
            "RCLONE_CONFIG_DEAD_SECRET_ACCESS_KEY": "anon", **extra}


def cli(port: int, *args: str, timeout: float, **extra: str) -> subprocess.CompletedProcess:
    """The CLI against the dead endpoint; a TimeoutExpired (a hang) fails the test."""
    return subprocess.run([sys.executable, "-m", "pixel_tui", *args], capture_output=True, text=True,
                          timeout=timeout, env=_env(port, **extra), stdin=subprocess.DEVNULL, check=False)


def test_rclone_ls_of_a_refusing_endpoint_says_so(closed_port):
    result = cli(closed_port, "ls", "dead:bucket/", timeout=60)
    assert result.returncode != 0
    assert "connection refused" in result.stderr and "Traceback" not in result.stderr


def test_rclone_ls_of_a_silent_endpoint_gives_up_with_rclones_bounds(silent_port):
    # rclone's own defaults would wait 5 minutes per attempt, 10 low-level retries, 3 retries.
    result = cli(silent_port, "ls", "dead:bucket/", timeout=90)
    assert result.returncode != 0
    # rclone words it "timeout awaiting response headers" or "i/o timeout" depending on where it gave up.
    assert "timeout" in result.stderr and "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("command", ["ls", "diff"])
def test_s3_of_a_refusing_endpoint_says_so(closed_port, command, tmp_path):
    (tmp_path / "drive" / "set").mkdir(parents=True)
    (tmp_path / "drive" / "set" / "a.json").write_text("{}")
    drive = str(tmp_path / "drive")
    args = ["ls", "s3://bucket/"] if command == "ls" else ["diff", drive + "/set", "--drive", drive]
    result = cli(closed_port, *args, "--bucket", "bucket", "--endpoint-url", f"http://127.0.0.1:{closed_port}",
                 timeout=60)
    assert result.returncode != 0
    assert "cannot reach the S3 endpoint" in result.stderr and "3 attempts" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_s3_of_a_silent_endpoint_gives_up_after_the_configured_read_time_out(silent_port):
    result = cli(silent_port, "ls", "s3://bucket/", "--endpoint-url", f"http://127.0.0.1:{silent_port}",
                 timeout=60, PIXEL_TUI_READ_TIMEOUT="1", PIXEL_TUI_MAX_ATTEMPTS="2")
    assert result.returncode != 0
    assert "stopped answering" in result.stderr and "2 attempts" in result.stderr and "s3.read_timeout" in result.stderr


def test_the_bounds_are_on_by_default_and_checked(tmp_path):
    store = S3Store.from_settings(load_settings(overrides={"bucket": "b"}, env={}))
    assert store._timeouts == (5.0, 20.0) and store._max_attempts == 3
    # Listing commands carry the bounds; an upload job keeps rclone's patient defaults.
    rclone = Rclone(binary="rclone")
    assert rclone._argv("lsjson", "x:")[-len(BOUNDED_FLAGS):] == list(BOUNDED_FLAGS)
    assert not set(BOUNDED_FLAGS) & set(rclone._argv("copy", "a", "b", bounded=False))
    config = tmp_path / "c.toml"
    config.write_text("[s3]\nread_timeout = 0\n")
    result = subprocess.run([sys.executable, "-m", "pixel_tui", "--config", str(config), "ls", "s3://b/"],
                            capture_output=True, text=True, timeout=30, env=_env(1), check=False)
    assert result.returncode == 2 and "`s3.read_timeout` must be between 0 and 3600" in result.stderr

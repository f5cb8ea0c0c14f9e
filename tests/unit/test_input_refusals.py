"""Inputs that used to hang or eat memory: a FIFO as a log or registry, /dev/zero as a registry, a
registry larger than the limit. Each is refused at once with a message and exit 2 (real CLI processes,
bounded by a timeout so a regression fails instead of hanging the suite)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pixel_tui.core.jobs.tail import LogWatcher

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "data" / "registry_real_shape.json"


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    """`python -m pixel_tui ARGS` in a child process; fails the test (not hangs) past ``timeout``."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "pixel_tui", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env, stdin=subprocess.DEVNULL, check=False)


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "upload_raw_final.log"
    os.mkfifo(path)
    return path


def test_status_of_a_fifo_is_refused_not_waited_on(fifo):
    result = cli("status", str(fifo))
    assert result.returncode == 2, result
    assert "FIFO" in result.stderr and "not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_glob_that_matches_a_fifo_reports_it_and_reads_the_rest(fifo, rclone_logs):
    real = fifo.parent / "real.log"
    real.write_bytes(next(iter(rclone_logs.formats().values())).read_bytes())
    result = cli("status", str(fifo.parent / "*.log"))
    assert result.returncode == 2, result
    assert f"cannot read {fifo}" in result.stderr and "FIFO" in result.stderr
    assert str(real) in result.stdout


def test_a_watcher_on_a_fifo_reports_it_and_keeps_going(fifo, tmp_path):
    seen = []
    watcher = LogWatcher([str(fifo)], lambda view: None, history=True)
    done = threading.Event()
    thread = threading.Thread(target=lambda: (seen.extend(watcher.poll_once()), done.set()), daemon=True)
    thread.start()
    assert done.wait(10), "polling a FIFO blocked"
    assert seen and "FIFO" in (seen[-1].error or "")


@pytest.mark.parametrize("command", [["registry", "show"], ["registry", "set", "g/x", "a=1"], ["check"]])
def test_a_fifo_registry_is_refused(fifo, command):
    result = cli(*command, "--registry", str(fifo), "--bucket", "nowhere")
    assert result.returncode == 2, result
    assert "is a FIFO (named pipe), not a regular file" in result.stderr and "Traceback" not in result.stderr


def test_dev_zero_as_registry_is_refused_at_once():
    result = cli("registry", "show", "--registry", "/dev/zero", timeout=20)
    assert result.returncode == 2, result
    assert "character device" in result.stderr


def test_a_registry_past_the_limit_is_refused_and_the_limit_is_configurable(tmp_path):
    big = tmp_path / "dataset_registry.json"
    text = FIXTURE.read_text()
    big.write_text(text[:-2] + ', "padding": "' + "x" * (2 * 1024 * 1024) + '"}\n')
    result = cli("registry", "show", "--registry", str(big), env={"PIXEL_TUI_REGISTRY_MAX_MB": "1"})
    assert result.returncode == 2, result
    assert "too large" in result.stderr and "registry.max_mb" in result.stderr
    config = tmp_path / "config.toml"
    config.write_text("[registry]\nmax_mb = 3\n")
    assert cli("--config", str(config), "registry", "show", "--registry", str(big)).returncode == 0
    config.write_text("[registry]\nmax_mb = 0\n")
    result = cli("--config", str(config), "registry", "show", "--registry", str(big))
    assert result.returncode == 2 and "`registry.max_mb` must be at least 1" in result.stderr


def test_an_s3_registry_past_the_limit_is_refused(weed_server):
    store = weed_server.store("reg-limit")
    store.ensure_bucket()
    store.put_bytes("config/dataset_registry.json", b'{"datasets": {}, "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}')
    env = {"AWS_ACCESS_KEY_ID": weed_server.access_key, "AWS_SECRET_ACCESS_KEY": weed_server.secret_key,
           "AWS_DEFAULT_REGION": "us-east-1", "PIXEL_TUI_REGISTRY_MAX_MB": "1"}
    result = cli("registry", "show", "--endpoint-url", weed_server.endpoint_url,
                 "--registry", "s3://reg-limit/config/dataset_registry.json", env=env)
    assert result.returncode == 2, result
    assert "too large" in result.stderr

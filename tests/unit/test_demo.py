"""The embedded demo: real server, seeded bucket, Drive folder, registry, a live rclone upload."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pixel_tui.demo.data import FILES
from pixel_tui.demo.environment import BUCKET, start_demo


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_demo_environment_is_complete_and_stops_cleanly(tmp_path):
    env = start_demo(tmp_path / "demo")
    weed_pid, job_pid = env.server.pid, env.job.pid
    try:
        store = env.store()
        raw = {o.key for o in store.walk("gdrive/raw/")}
        uploaded = {f"gdrive/raw/{f.path}" for f in FILES if f.state in ("uploaded", "differs")}
        assert uploaded <= raw
        assert "gdrive/raw/datasets-wendy/" in raw  # the empty folder-marker key
        processed = {o.key.split("/")[2] for o in store.walk("gdrive/processed/")}
        assert {"cot_reasoning", "professional_therapeutic", "priority", "edge_cases"} <= processed
        drive_files = {str(p.relative_to(env.drive_dir)) for p in env.drive_dir.rglob("*") if p.is_file()}
        assert {f.path for f in FILES} == drive_files
        assert any(f.state == "local" for f in FILES)
        reg = json.loads(env.registry_path.read_text())
        paths = [e["path"] for g in reg["datasets"].values() for e in g.values()]
        assert any(p.startswith(f"s3://{BUCKET}/") for p in paths) and any(p.startswith("/mnt/gdrive") for p in paths)
        assert {"edge_case_sources", "voice_persona", "training_strategy", "usage_notes"} <= reg.keys()
        # The rclone upload is real and in progress: its log grows and names files in flight.
        assert _wait_for(lambda: env.log_path.exists() and "Transferring:" in env.log_path.read_text())
        size1 = env.log_path.stat().st_size
        assert _wait_for(lambda: env.log_path.stat().st_size > size1)
        assert _wait_for(lambda: store.head("gdrive/raw/therapist-sft-format/shard_0054.jsonl") is not None, 45)
        assert _alive(weed_pid) and _alive(job_pid)
        # Items that are only on Drive stay missing: the demo job does not upload them.
        assert "wendy_sessions_part3" not in env.log_path.read_text()
        assert store.head("gdrive/raw/datasets-wendy/wendy_sessions_part3.jsonl") is None
    finally:
        env.stop()
    assert _wait_for(lambda: not _alive(weed_pid) and not _alive(job_pid), 20)

    # Running it again reuses the data and starts a new upload; --reset starts from scratch.
    env2 = start_demo(tmp_path / "demo")
    try:
        assert env2.store().head("gdrive/raw/CoT_Heartbreak_and_Breakups_downloaded.json") is not None
        assert (tmp_path / "demo" / "logs" / "upload_raw_final.log.1").exists()
    finally:
        env2.stop()
    env3 = start_demo(tmp_path / "demo", reset=True, start_upload=False)
    try:
        assert not (tmp_path / "demo" / "logs" / "upload_raw_final.log.1").exists()
        assert env3.store().head("gdrive/raw/Psych8k/psych8k_alpaca.json") is not None
    finally:
        env3.stop()


def test_demo_command_stops_everything_on_ctrl_c(tmp_path):
    exe = Path(sys.executable).parent / "pixel-tui"
    proc = subprocess.Popen([str(exe), "demo", "--no-ui", "--state-dir", str(tmp_path / "d")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl+C stops the demo" in line:
                break
        assert any(line.startswith("endpoint  http://127.0.0.1:") for line in lines), lines
        weed_pid = json.loads((tmp_path / "d" / "weed" / "weed.pid").read_text())["pid"]
        job_pid = json.loads((tmp_path / "d" / "demo.json").read_text())["rclone_pid"]
        assert _alive(weed_pid) and _alive(job_pid)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        assert _wait_for(lambda: not _alive(weed_pid) and not _alive(job_pid), 20)
        # No secret is printed.
        secret = json.loads((tmp_path / "d" / "demo.json").read_text())["secret_key"]
        assert all(secret not in line for line in lines)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_demo_stops_everything_when_its_terminal_hangs_up(tmp_path):
    """tmux kill-session or a dropped SSH link sends SIGHUP: the server and the upload must not outlive it."""
    exe = Path(sys.executable).parent / "pixel-tui"
    proc = subprocess.Popen([str(exe), "demo", "--no-ui", "--state-dir", str(tmp_path / "d")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:
            if "Ctrl+C stops the demo" in line:
                break
        weed_pid = json.loads((tmp_path / "d" / "weed" / "weed.pid").read_text())["pid"]
        job_pid = json.loads((tmp_path / "d" / "demo.json").read_text())["rclone_pid"]
        proc.send_signal(signal.SIGHUP)
        proc.wait(30)
        assert _wait_for(lambda: not _alive(weed_pid) and not _alive(job_pid), 20)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_restart_stops_servers_left_by_a_killed_demo(tmp_path):
    """A demo killed with SIGKILL leaves weed running; the next start finds and stops it."""
    env = start_demo(tmp_path / "demo", start_upload=False)
    orphan = env.server.pid
    env.server.process = None  # forget it, as a killed demo would
    env2 = start_demo(tmp_path / "demo", start_upload=False)
    try:
        assert _wait_for(lambda: not _alive(orphan), 20)
        assert env2.store().head("gdrive/raw/Psych8k/psych8k_alpaca.json") is not None
    finally:
        env2.stop()

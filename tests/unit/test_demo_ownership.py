"""The demo stops and deletes only what it owns: processes it recorded (exact command line) and a
state directory carrying its marker file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pixel_tui.core.errors import ConfigError
from pixel_tui.demo.environment import MARKER, start_demo


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split()[2] != "Z"
    except OSError:
        return False


def _bystander(argv0: str, *args: str) -> subprocess.Popen:
    """A real unrelated process whose command line is ``argv0 args...`` (via bash's exec -a)."""
    script = "import time; time.sleep(300)"
    quoted = " ".join(f"'{a}'" for a in args)
    return subprocess.Popen(["bash", "-c", f"exec -a '{argv0}' '{sys.executable}' -c '{script}' {quoted}"],
                            start_new_session=True)


def _stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _wait_cmdline(proc: subprocess.Popen, needle: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if needle.encode() in Path(f"/proc/{proc.pid}/cmdline").read_bytes():
            return
        time.sleep(0.05)
    raise AssertionError("bystander did not start")


def test_processes_that_merely_mention_the_state_dir_survive_a_start(tmp_path):
    root = tmp_path / "demo"
    # A `weed` and an `rclone` of someone else whose arguments contain the demo's path, as a user's own
    # server or backup job under the same folder would.
    weed = _bystander("weed", f"-dir={root}/weed/data")
    rclone = _bystander("/usr/local/bin/rclone", "sync", f"{root}/drive", "remote:backup")
    # And a stale pid file naming a pid that now belongs to an unrelated process (pid reuse).
    reused = _bystander("weed", "mini")
    try:
        for proc, needle in ((weed, "-dir="), (rclone, "sync"), (reused, "mini")):
            _wait_cmdline(proc, needle)
        (root / "weed").mkdir(parents=True)
        (root / MARKER).write_text("")
        (root / "weed" / "weed.pid").write_text(json.dumps({"pid": reused.pid, "argv": ["weed", "mini", "-dir=x"]}))
        env = start_demo(root, start_upload=False)
        env.stop()
        assert _alive(weed.pid) and _alive(rclone.pid) and _alive(reused.pid)
    finally:
        _stop(weed, rclone, reused)


def test_a_killed_demos_weed_and_rclone_are_still_stopped_by_the_next_start(tmp_path):
    root = tmp_path / "demo"
    env = start_demo(root, bwlimit="10k")
    weed_pid, job_pid = env.server.pid, env.job.pid
    env.server.process, env.job = None, None  # forget them, as a SIGKILLed demo would
    env2 = start_demo(root, start_upload=False)
    try:
        deadline = time.monotonic() + 20
        while (_alive(weed_pid) or _alive(job_pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(weed_pid) and not _alive(job_pid)
    finally:
        env2.stop()


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([sys.executable, "-m", "pixel_tui", *args], capture_output=True, text=True,
                          timeout=60, env=env, check=False)


def test_reset_refuses_a_directory_that_is_not_the_demos(tmp_path):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("years of work")
    result = _cli("demo", "--reset", "--no-ui", "--state-dir", str(precious))
    assert result.returncode == 2, result
    assert "not a pixel-tui demo directory" in result.stderr and "Traceback" not in result.stderr
    assert (precious / "chapter1.tex").read_text() == "years of work"
    # Without --reset the demo does not write into it either.
    with pytest.raises(ConfigError, match="writes into only its own"):
        start_demo(precious, start_upload=False)
    assert sorted(p.name for p in precious.iterdir()) == ["chapter1.tex"]


def test_a_file_as_state_dir_is_refused(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("keep")
    result = _cli("demo", "--reset", "--no-ui", "--state-dir", str(target))
    assert result.returncode == 2 and "not a directory" in result.stderr, result
    assert target.read_text() == "keep"


def test_reset_deletes_the_demos_own_directory(tmp_path):
    root = tmp_path / "demo"
    env = start_demo(root, start_upload=False)
    env.stop()
    assert (root / MARKER).is_file()
    assert oct(root.stat().st_mode & 0o777) == "0o700"
    (root / "scratch").write_text("demo leftovers")
    env = start_demo(root, reset=True, start_upload=False)
    env.stop()
    assert not (root / "scratch").exists() and (root / MARKER).is_file()

"""An empty log is waiting (rclone without -v writes nothing), junk is no job, and no bad log stops the watcher."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from logfixtures import rclone_copy, small_source

from pixel_tui.cli import main
from pixel_tui.core.jobs import tail
from pixel_tui.core.jobs.state import job_state
from pixel_tui.core.jobs.tail import LogWatcher, read_current


def _status(capsys, *args):
    code = main(["status", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_rclone_without_v_leaves_an_empty_log_that_reads_waiting(weed_server, tmp_path, capsys):
    store = weed_server.store("empty-" + uuid.uuid4().hex[:8])
    store.ensure_bucket()
    conf = tmp_path / "rclone.conf"
    conf.write_text("")  # a config that exists: rclone then has no NOTICE to write either
    log = tmp_path / "quiet.log"
    proc = rclone_copy(weed_server, store.bucket, small_source(tmp_path / "src"), "quiet", log, "--bwlimit", "600K",
                       env={"RCLONE_CONFIG": str(conf)}, wait=False)
    try:
        deadline = time.monotonic() + 20
        while not log.exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        code, out, _ = _status(capsys, "--json", log)
        (doc,) = json.loads(out)
        assert proc.poll() is None, "rclone should still be copying"
        assert doc["state"] == "waiting" and code == 0
        assert "-v" in doc["reason"] and "--stats-log-level NOTICE" in doc["reason"]
    finally:
        proc.wait(60)
    assert log.stat().st_size == 0  # really nothing, even once done
    code, out, _ = _status(capsys, log)
    assert "WAITING" in out and "rclone writes nothing to its log file without -v" in out and code == 0


def test_a_file_that_never_held_rclone_output_exits_2(rclone_logs, tmp_path, capsys):
    junk = tmp_path / "random.log"
    junk.write_bytes(os.urandom(200_000).replace(b"\n", b"x") + b"\n" + os.urandom(5000))
    code, out, err = _status(capsys, "--json", junk, rclone_logs.text)
    docs = json.loads(out)
    assert code == 2 and docs[0]["state"] == "waiting" and "not an rclone log" in docs[0]["reason"]
    assert "no rclone output" in err and str(junk) in err
    # Junk appended to a real log is still a log that held rclone output (the head says so).
    spoiled = tmp_path / "spoiled.log"
    spoiled.write_bytes(rclone_logs.text.read_bytes() + os.urandom(300_000).replace(b"\n", b" "))
    snap = read_current(spoiled)
    assert snap.rclone_lines and not job_state(snap, now=time.time(), changed_at=time.time(), progress_at=None,
                                               stall_seconds=600).not_rclone


def test_watcher_survives_every_bad_log(rclone_logs, tmp_path, monkeypatch):
    fifo = tmp_path / "fifo.log"
    os.mkfifo(fifo)  # open() on it would block the watcher's thread for ever
    (tmp_path / "dir.log").mkdir()
    (tmp_path / "junk.log").write_bytes(os.urandom(50_000))
    boom = tmp_path / "boom.log"
    boom.write_bytes(rclone_logs.text.read_bytes())
    good = tmp_path / "zz-good.log"
    good.write_bytes(b"")
    real_tail = tail._tail_parser

    def failing(fp, size, utc=False):  # one specific fault: this log's parse raises
        if os.fstat(fp.fileno()).st_ino == boom.stat().st_ino:
            raise RuntimeError("injected")
        return real_tail(fp, size, utc)

    monkeypatch.setattr(tail, "_tail_parser", failing)
    seen: dict[str, object] = {}

    def on_change(view):
        seen[view.source] = view
        if view.source == str(boom):
            raise ValueError("a callback that raises")

    watcher = LogWatcher([str(tmp_path / "*.log")], on_change, interval=0.05, history=False).start()
    try:
        time.sleep(0.5)
        good.write_bytes(rclone_logs.text.read_bytes())
        deadline = time.monotonic() + 10
        while not (seen.get(str(good)) and seen[str(good)].snapshot and seen[str(good)].snapshot.has_stats):
            assert time.monotonic() < deadline, seen
            time.sleep(0.05)
        assert watcher._thread.is_alive()
    finally:
        watcher.stop()
    assert "not a regular file" in seen[str(fifo)].error and "not a regular file" in seen[str(tmp_path / "dir.log")].error
    assert "injected" in seen[str(boom)].error
    junk = seen[str(tmp_path / "junk.log")]
    st = job_state(junk.snapshot, now=time.time(), changed_at=junk.changed_at, progress_at=junk.progress_at,
                   stall_seconds=600)
    assert st.not_rclone and st.state == "waiting"


@pytest.mark.parametrize("cmd", [["status", "--json"]])
def test_status_in_a_subprocess_on_a_fifo_does_not_hang(tmp_path, cmd):
    fifo = tmp_path / "p.log"
    os.mkfifo(fifo)
    out = subprocess.run([sys.executable, "-m", "pixel_tui", *cmd, str(fifo)], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 2 and "not a regular file" in out.stderr

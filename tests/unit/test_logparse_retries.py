"""A run that needed retries: finished, exit 0, with the failed attempt's error lines kept and marked."""

from __future__ import annotations

import dataclasses
import json
import os
import time
import uuid
from urllib.parse import urlsplit

import pytest
from logfixtures import TcpGate, rclone_copy, small_source

from pixel_tui.cli import main
from pixel_tui.core.jobs.parse import LogParser, parse_bytes
from pixel_tui.core.jobs.state import job_state


@pytest.fixture(scope="module")
def retried_log(weed_server, tmp_path_factory):
    """Real rclone, the S3 server unreachable for attempt 1 and back for attempt 2."""
    root = tmp_path_factory.mktemp("retry")
    store = weed_server.store("retry-" + uuid.uuid4().hex[:8])
    store.ensure_bucket()
    gate = TcpGate(urlsplit(weed_server.endpoint_url).port)
    server = dataclasses.replace(weed_server, endpoint_url=f"http://127.0.0.1:{gate.port}")
    log = root / "retried.log"
    # To the bucket's root: rclone then needs the server only once copying starts (a path would be probed at once).
    proc = rclone_copy(server, store.bucket, small_source(root / "src"), "", log, "-v", "--stats", "300ms",
                       "--retries", "3", "--retries-sleep", "3s", "--low-level-retries", "1", "--contimeout", "1s",
                       "--transfers", "2", wait=False)
    try:
        deadline = time.monotonic() + 60
        while not (log.exists() and b"Attempt 1/3 failed" in log.read_bytes()):
            assert time.monotonic() < deadline and proc.poll() is None, log.read_text() if log.exists() else ""
            time.sleep(0.05)
        gate.open()
        assert proc.wait(90) == 0
    finally:
        gate.close()
        if proc.poll() is None:
            proc.kill()
    return log


def test_retried_run_reads_finished_with_its_failed_attempt(retried_log):
    data = retried_log.read_bytes()
    assert b"Attempt 2/3 succeeded" in data
    snap = parse_bytes(data)
    assert snap.all_transferred and not snap.fatal
    assert (snap.attempt, snap.max_attempts, snap.failed_attempts) == (2, 3, 1)
    assert snap.last_errors, "the failed attempt's errors are kept"
    assert any("Attempt 1/3 failed" in e for e in snap.last_errors)
    assert snap.error_attempts == (1,) * len(snap.last_errors)  # every one from attempt 1, which failed
    assert snap.current_errors == ()
    mtime = os.stat(retried_log).st_mtime
    st = job_state(snap, now=mtime + 60, changed_at=mtime, progress_at=mtime, stall_seconds=600)
    assert st.state == "finished"


def test_mid_retry_the_errors_are_current_then_marked(retried_log):
    data = retried_log.read_bytes()
    before = data[:data.index(b"Attempt 1/3 failed")]
    before = before[:before.rfind(b"\n") + 1]
    parser = LogParser()
    parser.feed(before)
    mid = parser.snapshot()
    assert mid.last_errors and mid.current_errors == mid.last_errors and mid.attempt == 1
    parser.feed(data[len(before):])
    parser.finish()
    assert parser.state.current_errors == () and parser.state.failed_attempts == 1


def test_status_exit_0_with_attempt_keys(retried_log, capsys):
    t = time.time() - 120
    os.utime(retried_log, (t, t))
    code = main(["status", "--json", str(retried_log)])
    (doc,) = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["state"] == "finished"
    assert (doc["attempt"], doc["max_attempts"], doc["failed_attempts"]) == (2, 3, 1)
    assert doc["last_errors"] and doc["error_attempts"] == [1] * len(doc["last_errors"])
    main(["status", str(retried_log)])
    out = capsys.readouterr().out
    assert "attempt 2/3 (1 failed)" in out and "[attempt 1/3 failed, retried]" in out

"""Why a job is in its state, in a few words, for the home strip: stalled for how long, how many errors and
the last one shortened, a Drive limit, why it waits; read from real rclone logs."""

from __future__ import annotations

from pathlib import Path

from pixel_tui.core.jobs.error_lines import short_error
from pixel_tui.core.jobs.parse import parse_bytes
from pixel_tui.core.jobs.report import job_reason
from pixel_tui.core.jobs.state import job_state

DATA = Path(__file__).parent.parent / "functional" / "data"


def _state(path: Path, after: float):
    snap = parse_bytes(path.read_bytes())
    at = snap.updated_at.timestamp()
    return snap, job_state(snap, now=at + after, changed_at=at, progress_at=snap.progress_at.timestamp(),
                           stall_seconds=600)


def test_a_failed_job_says_how_many_errors_and_the_last_one_short():
    snap, status = _state(DATA / "failed_upload.log", 60)
    assert status.state == "failed"
    assert job_reason(snap, status) == "3 errors: PutObject, 403 AccessDenied: Access Denied."


def test_a_stalled_job_says_for_how_long_and_its_error():
    snap, status = _state(DATA / "monitor_running.log", 900)
    assert status.state == "stalled"
    assert job_reason(snap, status) == "no progress for 15m00s · 1 error: f4.bin: PutObject, 403 AccessDenied: Access Denied."


def test_a_real_failed_rclone_run_and_a_waiting_job(rclone_logs):
    snap, status = _state(rclone_logs.failed, 60)
    assert status.state == "failed"
    assert job_reason(snap, status).startswith("1 error: ") and "directory not found" in job_reason(snap, status)
    waiting = job_state(None, now=0, changed_at=None, progress_at=None, stall_seconds=600)
    assert job_reason(None, waiting) == "no log yet"
    snap = parse_bytes(b"")
    assert job_reason(snap, job_state(snap, now=0, changed_at=0, progress_at=None, stall_seconds=600)) == \
        "the log is empty"


def test_short_error_keeps_the_path_and_the_cause():
    assert short_error("2026/11/25 19:32:57 ERROR : a/b c.bin: Failed to copy: operation error S3: PutObject, "
                       "https response error StatusCode: 500, RequestID: , HostID: , api error InternalError: boom") \
        == "a/b c.bin: PutObject, 500 InternalError: boom"
    assert short_error("2026/12/02 06:01:01 ERROR : Attempt 2/2 failed with 1 errors and: directory not found") \
        == "directory not found"

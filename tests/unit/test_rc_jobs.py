"""rc jobs as their own cards and CLI rows, stopped and throttled: a real `rclone rcd` copying a local
"Drive" folder into the session's SeaweedFS bucket."""

from __future__ import annotations

import json
import os
import time

import pytest
from rc_helpers import running_rcd

from pixel_tui.cli import main
from pixel_tui.core.config import Settings
from pixel_tui.core.errors import ConfigError
from pixel_tui.core.jobs.rc import BadRate, RcJobs, call, check_rate
from pixel_tui.demo.seaweedfs import free_port

PASS = "s3cretRC"


@pytest.fixture
def rcd(rclone):
    """A real `rclone rcd` (see rc_helpers.running_rcd)."""
    with running_rcd(rclone, PASS) as url:
        yield url


def _start_copy(url, drive_dir, bucket, name="big"):
    folder = drive_dir / name
    folder.mkdir()
    for i in range(3):
        (folder / f"part{i}.bin").write_bytes(os.urandom(400_000))
    return call(url, "sync/copy", {"srcFs": f"drive:{name}", "dstFs": f"s3test:{bucket}/gdrive/raw/{name}",
                                   "_async": True})["jobid"]


def _wait(pred, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        got = pred()
        if got:
            return got
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _settings(url, tmp_path):
    return Settings(rc_urls=(url,), state_dir=str(tmp_path / "state"))


def test_each_rc_job_is_its_own_job_and_rc_queries_are_not(rcd, drive_dir, weed_store):
    jid = _start_copy(rcd, drive_dir, weed_store.bucket)
    jobs = RcJobs(rcd)
    running = _wait(lambda: [j for j in jobs.poll() if j.snapshot.bytes > 0], "the copy never moved a byte")
    for _ in range(3):  # our own polling (job/list, core/stats ...) must not show up as jobs
        listed = jobs.poll()
    assert [j.id for j in listed] == [jid], listed
    (job,) = running
    assert job.state == "running" and job.src == str(drive_dir / "big")  # the alias, resolved by rclone and job.dst.endswith(f"{weed_store.bucket}/gdrive/raw/big")
    assert job.operation == "copy" and job.source.endswith(f"#job/{jid}") and PASS not in job.source
    assert job.snapshot.transferring and job.started_at is not None


def test_jobs_cli_lists_stops_and_throttles(rcd, drive_dir, weed_store, tmp_path, capsys, monkeypatch):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[monitor]\nrc_urls = ["{rcd}"]\n[paths]\nstate_dir = "{tmp_path / "state"}"\n')
    jid = _start_copy(rcd, drive_dir, weed_store.bucket)
    _wait(lambda: [j for j in RcJobs(rcd).poll() if j.snapshot.bytes], "no progress")

    assert main(["jobs", "--config", str(cfg), "--json"]) == 0
    out = capsys.readouterr()
    (row,) = json.loads(out.out)
    assert row["id"] == str(jid) and row["state"] == "running" and row["source"] == str(drive_dir / "big")
    assert row["kind"] == "rc" and row["operation"] == "copy" and PASS not in out.out + out.err

    assert main(["jobs", "--config", str(cfg), "bwlimit", "2M"]) == 0
    out = capsys.readouterr().out
    assert "2M" in out and PASS not in out
    assert call(rcd, "core/bwlimit")["bytesPerSecond"] == 2 * 1024 * 1024

    assert main(["jobs", "--config", str(cfg), "bwlimit", "fast"]) == 2  # bad input: message, exit 2, no change
    assert "not a bandwidth limit" in capsys.readouterr().err
    assert call(rcd, "core/bwlimit")["bytesPerSecond"] == 2 * 1024 * 1024
    assert main(["jobs", "--config", str(cfg), "stop", "999"]) == 2
    assert "no job" in capsys.readouterr().err

    assert main(["jobs", "--config", str(cfg), "stop", str(jid)]) == 0
    assert f"stopped job {jid}" in capsys.readouterr().out
    (job,) = _wait(lambda: [j for j in RcJobs(rcd).poll() if j.finished], "job/stop did not end the job")
    assert job.state == "failed" and "context canceled" in job.error and job.snapshot.fatal

    assert main(["jobs", "--config", str(cfg)]) == 1  # a failed job: exit 1, and the table says why
    out = capsys.readouterr()
    assert "failed" in out.out and "context canceled" in out.out and PASS not in out.out + out.err


def test_jobs_cli_endpoint_down_is_a_message(tmp_path, capsys):
    url = f"http://op:{PASS}@127.0.0.1:{free_port()}"
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[monitor]\nrc_urls = ["{url}"]\n[paths]\nstate_dir = "{tmp_path / "state"}"\n')
    assert main(["jobs", "--config", str(cfg)]) == 1
    out = capsys.readouterr()
    assert "rc endpoint http://127.0.0.1:" in out.err and PASS not in out.out + out.err
    assert main(["jobs", "--config", str(cfg), "stop", "1"]) == 1
    assert PASS not in capsys.readouterr().err
    assert main(["jobs", "--config", str(cfg), "stop"]) == 2


def test_check_rate():
    for good in ("10M", "512k", "1.5M", "off", "10M:1M", "100", "1Mi"):
        assert check_rate(good) == good
    for bad in ("", "fast", "10 M", "-1", "1M:2M:3M", "10MB/s"):
        with pytest.raises(BadRate):
            check_rate(bad)
    assert BadRate("x").exit_code == 2 and not issubclass(BadRate, ConfigError)

"""A real `rclone rcd` endpoint watched like a log, and a real detached upload Drive -> S3 raw."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from pixel_tui.core.binaries import find_binary
from pixel_tui.core.config import Settings
from pixel_tui.core.errors import ConfigError, UnsafeNameError
from pixel_tui.core.jobs.parse import parse_bytes
from pixel_tui.core.jobs.rc import display_url
from pixel_tui.core.jobs.tail import RcFollower
from pixel_tui.core.jobs.uploads import s3_remote_env, start_upload
from pixel_tui.demo.seaweedfs import free_port


@pytest.fixture
def rcd():
    port = free_port()
    proc = subprocess.Popen([find_binary("rclone"), "rcd", f"--rc-addr=127.0.0.1:{port}", "--rc-user=op",
                             "--rc-pass=s3cret"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    yield f"http://op:s3cret@127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


def test_rc_endpoint_reads_like_a_log(rcd):
    follower = RcFollower(rcd)
    assert "s3cret" not in follower.view.source and follower.view.source.endswith(rcd.rsplit(":", 1)[1])
    deadline = time.monotonic() + 20
    while not follower.poll() or follower.view.snapshot is None:
        assert time.monotonic() < deadline, follower.view.error
        time.sleep(0.2)
    snap = follower.view.snapshot
    assert snap.has_stats and snap.bytes == 0 and snap.format == "json" and follower.view.exists


def test_rc_endpoint_down_is_an_error_not_an_exception():
    follower = RcFollower(f"http://127.0.0.1:{free_port()}")
    assert follower.poll() is True
    assert follower.view.error and not follower.view.exists
    assert display_url("http://u:p@h:1/x") == "http://h:1/x"


def test_remote_env_keeps_secrets_out_of_argv():
    s = Settings(endpoint_url="http://h:1", bucket="b")
    name, env = s3_remote_env(s, {"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK"})
    assert name == "pixels3" and env["RCLONE_CONFIG_PIXELS3_SECRET_ACCESS_KEY"] == "SK"
    assert env["RCLONE_CONFIG_PIXELS3_ENDPOINT"] == "http://h:1"
    name, env = s3_remote_env(s, {})
    assert env["RCLONE_CONFIG_PIXELS3_ENV_AUTH"] == "true"
    assert s3_remote_env(Settings(rclone_remote="mys3:", bucket="b")) == ("mys3", {})


def test_upload_refuses_bad_input(tmp_path):
    with pytest.raises(UnsafeNameError):
        start_upload(Settings(bucket="b", drive="drive:"), "../etc", is_file=False)
    with pytest.raises(ConfigError):
        start_upload(Settings(bucket="b", read_only=True), "x", is_file=False)


def test_detached_upload_lands_in_raw_and_its_log_parses(weed_server, weed_store, rclone, drive_dir, tmp_path):
    folder = drive_dir / "therapist-sft-format"
    folder.mkdir()
    for i in range(3):
        (folder / f"f{i}.jsonl").write_bytes(os.urandom(200_000))
    (drive_dir / "single.json").write_bytes(b'{"a": 1}\n')
    settings = Settings(endpoint_url=weed_server.endpoint_url, bucket=weed_store.bucket, drive="drive:",
                        state_dir=str(tmp_path / "state"))
    creds = {"AWS_ACCESS_KEY_ID": weed_server.access_key, "AWS_SECRET_ACCESS_KEY": weed_server.secret_key}
    job = start_upload(settings, "therapist-sft-format", rclone=rclone, environ=creds, stats="200ms")
    single = start_upload(settings, "single.json", rclone=rclone, environ=creds, log_file=tmp_path / "s.log")
    assert weed_server.secret_key not in " ".join(job.argv)
    # The state dir and its uploads folder (logs name Drive paths and buckets) are owner-only.
    assert {oct(p.stat().st_mode & 0o777) for p in (tmp_path / "state", job.log_file.parent)} == {"0o700"}
    for j in (job, single):
        deadline = time.monotonic() + 60
        while os.path.exists(f"/proc/{j.pid}") and open(f"/proc/{j.pid}/stat").read().split()[2] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        try:
            os.waitpid(j.pid, 0)
        except ChildProcessError:
            pass
    snap = parse_bytes(job.log_file.read_bytes())
    assert abs(snap.bytes - 600_000) < 100 and snap.transfers == 3 and not snap.fatal, job.log_file.read_text()
    assert job.log_file.parent == tmp_path / "state" / "uploads"
    for i in range(3):
        assert weed_store.head(f"gdrive/raw/therapist-sft-format/f{i}.jsonl").size == 200_000
    assert weed_store.head("gdrive/raw/single.json").size == 9


def test_status_cli_reads_an_rc_endpoint(rcd, capsys):
    import json

    from pixel_tui.cli import main

    deadline = time.monotonic() + 20
    while True:
        code = main(["status", "--json", rcd])
        out = capsys.readouterr()
        if code != 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)  # rcd still starting
    (doc,) = json.loads(out.out)
    assert code == 0 and doc["state"] == "running" and doc["format"] == "json"
    assert "s3cret" not in out.out + out.err and doc["log"] == display_url(rcd)

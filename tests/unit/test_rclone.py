"""The rclone layer, with the real binary: listings, sizes, detached jobs, clear errors."""

from __future__ import annotations

import json
import os
import time

import pytest

from pixel_tui.core.errors import RcloneError
from pixel_tui.core.storage.rclone import join_remote, rclone_s3_env

AWKWARD = ["plain.json", "with space.jsonl", "quote\"d.txt", "dollar$HOME.txt", "back`tick`.txt", "ünïcødé+%.json"]


def test_join_remote():
    assert join_remote("gdrive:datasets", "a/", "b.json") == "gdrive:datasets/a/b.json"
    assert join_remote("gdrive:", "a") == "gdrive:a"
    assert join_remote("/local/dir/", "x") == "/local/dir/x"


def test_one_builder_of_an_s3_remote_and_its_secrets_never_print():
    env = rclone_s3_env("My:", endpoint_url="http://h:1", path_style=True, access_key="AK", secret_key="SK-secret",
                        session_token="TOKEN-secret")
    assert {k.removeprefix("RCLONE_CONFIG_MY_"): v for k, v in env.items()} == {
        "TYPE": "s3", "PROVIDER": "Other", "REGION": "us-east-1", "ENDPOINT": "http://h:1", "FORCE_PATH_STYLE": "true",
        "ACCESS_KEY_ID": "AK", "SECRET_ACCESS_KEY": "SK-secret", "SESSION_TOKEN": "TOKEN-secret"}
    assert "secret" not in repr(env) and "secret" not in str(env) and "secret" not in f"{env}"
    aws = rclone_s3_env("aws")
    assert aws["RCLONE_CONFIG_AWS_PROVIDER"] == "AWS" and aws["RCLONE_CONFIG_AWS_ENV_AUTH"] == "true"
    assert "RCLONE_CONFIG_AWS_ENDPOINT" not in aws and "RCLONE_CONFIG_AWS_ACCESS_KEY_ID" not in aws


def test_level_listing_with_awkward_names(rclone, drive_dir):
    for name in AWKWARD:
        (drive_dir / name).write_bytes(b"12345")
    (drive_dir / "sub folder").mkdir()
    (drive_dir / "sub folder" / "inner.json").write_bytes(b"1")
    entries = rclone.list_level("drive:")
    files = {e.name: e for e in entries if not e.is_dir}
    dirs = [e.name for e in entries if e.is_dir]
    assert set(files) == set(AWKWARD) and dirs == ["sub folder"]
    assert all(e.size == 5 and e.modified is not None for e in files.values())
    sub = rclone.list_level("drive:sub folder")
    assert [e.name for e in sub] == ["inner.json"]


def test_level_listing_streams_batches(rclone, drive_dir):
    for i in range(1200):
        (drive_dir / f"f{i:05d}").write_bytes(b"")
    batches = list(rclone.iter_level("drive:", batch=500))
    assert len(batches) >= 3 and sum(len(b) for b in batches) == 1200


def test_hashes_and_recursive_size(rclone, drive_dir):
    (drive_dir / "a").mkdir()
    (drive_dir / "a" / "x").write_bytes(b"hello")
    (drive_dir / "b").write_bytes(b"12345678")
    md5 = {e.name: e.md5 for e in rclone.list_level("drive:a", hashes=True)}
    assert md5 == {"x": "5d41402abc4b2a76b9719d911017c592"}
    assert rclone.size("drive:") == (2, 13)
    assert sorted(e.path for e in rclone.walk("drive:")) == ["a/x", "b"]


def test_read_head(rclone, drive_dir):
    (drive_dir / "big.jsonl").write_bytes(b"line\n" * 100_000)
    assert rclone.read_head("drive:big.jsonl", 12) == b"line\nline\nli"


def test_unconfigured_remote_is_a_clear_error(rclone):
    with pytest.raises(RcloneError) as info:
        rclone.list_level("gdrive:datasets")
    assert "gdrive" in str(info.value)
    assert "rclone config" in str(info.value)


def test_missing_directory_is_a_clear_error(rclone):
    with pytest.raises(RcloneError) as info:
        rclone.list_level("drive:does/not/exist")
    assert "does/not/exist" in str(info.value)


def test_detached_copy_job_runs_to_s3_and_writes_its_log(rclone, drive_dir, weed_store, tmp_path):
    for i in range(3):
        (drive_dir / f"file {i}.jsonl").write_bytes(os.urandom(50_000))
    job = rclone.start_copy("drive:", f"s3test:{weed_store.bucket}/gdrive/raw", tmp_path / "logs" / "up.log",
                            stats="1s")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and weed_store.tree_size("gdrive/raw/")[0] < 3:
        time.sleep(0.2)
    assert weed_store.tree_size("gdrive/raw/") == (3, 150_000)
    # The job is in its own session, so it survives its parent going away.
    assert os.getsid(job.pid) == job.pid if _running(job.pid) else True
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "Copied (new)" not in job.log_file.read_text():
        time.sleep(0.2)
    assert job.log_file.read_text().count("Copied (new)") == 3
    secret = rclone.extra_env.get("RCLONE_CONFIG_S3TEST_SECRET_ACCESS_KEY")
    assert secret and all(secret not in arg for arg in job.argv)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_recursive_walk_uses_fast_list_and_streams(rclone, drive_dir, weed_store):
    """Recursive listings ask for --fast-list (one recursive listing where the remote can: Drive, S3;
    rclone ignores it elsewhere) and come in batches as rclone prints them, on a folder and on a bucket."""
    for i in range(30):
        (drive_dir / f"d{i % 3}" / "deeper").mkdir(parents=True, exist_ok=True)
        (drive_dir / f"d{i % 3}" / "deeper" / f"f{i}.json").write_bytes(b"{}")
        weed_store.put_bytes(f"tree/d{i % 3}/deeper/f{i}.json", b"{}")
    assert "--fast-list" in rclone.walk_args("drive:")
    local = list(rclone.iter_walk("drive:", batch=7))
    assert len(local) >= 5 and sum(len(b) for b in local) == 30
    remote = f"s3test:{weed_store.bucket}/tree"
    fast = sorted((e.path, e.size) for b in rclone.iter_walk(remote, batch=7) for e in b)
    slow = sorted((d["Path"], d["Size"]) for d in json.loads(rclone.run("lsjson", "-R", "--files-only", remote)))
    assert fast == slow and len(fast) == 30
    with_dirs = rclone.walk("drive:", dirs=True)
    assert sum(1 for e in with_dirs if e.is_dir) == 6 and sum(1 for e in with_dirs if not e.is_dir) == 30

"""Secrets never reach a message: URL passwords, rclone connection-string keys, env and flags."""

from __future__ import annotations

import pytest

from pixel_tui.core.errors import MASK, PixelError, RcloneError, redact
from pixel_tui.core.errors import render_error as describe
from pixel_tui.core.storage.rclone import Rclone

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCY"


@pytest.mark.parametrize("text, shown", [
    ("http://admin:hunter2@localhost:5572/core/stats", "http://admin:***@localhost:5572/core/stats"),
    ("rc at https://u:p%40ss@h.example:443 failed", "rc at https://u:***@h.example:443 failed"),
    ("http://:tok@host/x", "http://:***@host/x"),
    ("polling admin:hunter2@127.0.0.1:5572 failed", "polling admin:***@127.0.0.1:5572 failed"),
    (f"rclone lsjson :s3,provider=Other,access_key_id=AKIA123,secret_access_key={SECRET}:bucket/x failed",
     "rclone lsjson :s3,provider=Other,access_key_id=***,secret_access_key=***:bucket/x failed"),
    ("remote,session_token=\"a,b:c\"\"d\",region=eu:path", "remote,session_token=***,region=eu:path"),
    (":sftp,host=h,user=me,pass='x:y,z':dir", ":sftp,host=h,user=me,pass=***:dir"),
    (":drive,client_secret=abc,token='{\"access_token\":\"x\",\"expiry\":\"2026\"}':", ":drive,client_secret=***,token=***:"),
    (f"env AWS_SECRET_ACCESS_KEY={SECRET} AWS_SESSION_TOKEN=tok", "env AWS_SECRET_ACCESS_KEY=*** AWS_SESSION_TOKEN=***"),
    ("RCLONE_CONFIG_S3TEST_SECRET_ACCESS_KEY=abc RCLONE_CONFIG_PASS=x", "RCLONE_CONFIG_S3TEST_SECRET_ACCESS_KEY=*** RCLONE_CONFIG_PASS=***"),
    (f"rclone copy a b --s3-secret-access-key={SECRET} --rc-pass hunter2", "rclone copy a b --s3-secret-access-key=*** --rc-pass ***"),
])
def test_secrets_are_masked(text, shown):
    assert redact(text) == shown
    assert "hunter2" not in redact(text) and SECRET not in redact(text)


@pytest.mark.parametrize("text", [
    "get: s3://bucket/gdrive/raw/a:b@c.json does not exist",
    "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or name an rclone S3 remote (s3.rclone_remote)",
    "configure the remote with `rclone config`, or RCLONE_CONFIG_<NAME>_TYPE=... variables",
    "cannot reach the S3 endpoint http://127.0.0.1:8333: Connection refused",
    "rclone lsjson gdrive:datasets/some folder failed: directory not found",
    "datasets/cot_reasoning/x: key=value pairs, a:b@c and --passive-ftp stay as they are",
    "",
])
def test_ordinary_text_is_left_alone(text):
    assert redact(text) == text


def test_every_error_we_report_is_redacted():
    exc = RcloneError(f"rclone lsjson :s3,secret_access_key={SECRET}:b failed", "check http://u:pw@h:1")
    assert SECRET not in str(exc) and "pw@" not in str(exc) and MASK in exc.message and MASK in exc.hint
    assert isinstance(exc, PixelError)
    assert SECRET not in describe(ValueError(f"bad --s3-secret-access-key={SECRET}"))


def test_real_rclone_failure_on_a_connection_string_does_not_show_its_keys(weed_server):
    remote = (f":s3,provider=Other,env_auth=false,access_key_id=AKIAWRONG,secret_access_key={SECRET},"
              f"endpoint='{weed_server.endpoint_url}':no-such-bucket-here/x")
    with pytest.raises(RcloneError) as info:
        Rclone().list_level(remote)
    text = str(info.value)
    assert text.startswith("rclone lsjson :s3,") and SECRET not in text and "AKIAWRONG" not in text

"""No credential reaches a message, a JSON document, a file we write or the screen, whatever carries it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

RAW = "gdrive/raw/"
SECRET = "Sup3rS3cretPW"


def _with_password(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://operator:{SECRET}@{rest}"


def _run(env: dict, *args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pixel_tui", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def _files_hold_no_secret(root) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), f"{path} holds the password"


def test_endpoint_password_never_printed_or_journaled(weed_promo_env, tmp_path):
    env = weed_promo_env
    env.put(RAW + "a.json", b"{}" * 100)
    cenv = env.cli_env()
    cenv["PIXEL_TUI_ENDPOINT_URL"] = _with_password(env.store.endpoint_url)
    src = f"s3://{env.store.bucket}/{RAW}a.json"
    for args in (("promote", src, "--category", "priority", "--dry-run", "--json"),
                 ("promote", src, "--category", "priority", "--yes", "--json"),
                 ("history", "--json"), ("history",), ("ls", f"s3://{env.store.bucket}/{RAW}"),
                 ("check",), ("check", "--json"), ("check", "--provider"), ("check", "--provider", "--json")):
        r = _run(cenv, *args)
        assert SECRET not in r.stdout + r.stderr, (args, r.stdout[-500:], r.stderr[-500:])
    _files_hold_no_secret(tmp_path)


def test_rc_url_password_not_printed_by_status_follow(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens
    url = f"http://rc:{SECRET}@127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "pixel_tui", "status", url, "--follow"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(4)
    proc.terminate()
    out, _ = proc.communicate(timeout=30)
    assert "127.0.0.1" in out
    assert SECRET not in out
    r = _run(dict(__import__("os").environ), "status", url, "--json")
    assert SECRET not in r.stdout + r.stderr


@pytest.mark.parametrize("command", ["ls", "diff"])
def test_inline_connection_string_secret_not_printed(tmp_path, command):
    import os

    remote = (f":s3,provider=Other,access_key_id=AKIDEXAMPLE,secret_access_key={SECRET},"
              "endpoint='http://127.0.0.1:9':bucket/x")
    # rclone's own retries are bounded here: this test is about what is printed, not how long it takes
    env = {**os.environ, "RCLONE_LOW_LEVEL_RETRIES": "1", "RCLONE_RETRIES": "1", "RCLONE_CONTIMEOUT": "2s",
           "RCLONE_TIMEOUT": "5s", "PIXEL_TUI_BUCKET": "b", "PIXEL_TUI_ENDPOINT_URL": "http://127.0.0.1:9",
           "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "PIXEL_TUI_STATE_DIR": str(tmp_path / "state")}
    args = ["ls", remote] if command == "ls" else ["diff", "--drive", remote]
    r = _run(env, *args, timeout=300)
    assert r.returncode != 0
    assert SECRET not in r.stdout + r.stderr
    _files_hold_no_secret(tmp_path)

"""Control characters from data (S3 keys, Drive names, registry text, log lines) never reach the terminal raw."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pixel_tui.cli import main
from pixel_tui.core.printable import SafeStream, one_line, printable

EVIL = "evil\x1b]0;PWNED\x07\x1b[2J\x9b31m\u202egnp.exe"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def _clean(text: str) -> None:
    for ch in RAW:
        assert ch not in text, f"raw {ch!r} in output: {text[:300]!r}"


def test_printable_escapes_controls_and_keeps_text():
    assert printable("a\tb\nc") == "a\tb\nc"
    assert printable("x\x1b[2Jy") == "x\\u001b[2Jy"
    assert one_line("a\nb\tc") == "a\\u000ab\\u0009c"
    assert printable("ünïcödé +%") == "ünïcödé +%"
    _clean(printable(EVIL))


def test_json_stays_json_through_the_filter(capsys):
    import io

    buf = io.StringIO()
    SafeStream(buf).write(json.dumps({"k": "a\x9bb\x7f"}, ensure_ascii=False))
    assert json.loads(buf.getvalue()) == {"k": "a\x9bb\x7f"}  # escaped on screen, same value decoded


@pytest.fixture
def env(monkeypatch, weed_server, moto_server, drive_dir, tmp_path):
    from conftest import _new_bucket

    store = _new_bucket(moto_server)  # moto keeps any key byte for byte
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto_server.secret_key)
    monkeypatch.setenv("RCLONE_CONFIG_DRIVE_TYPE", "alias")
    monkeypatch.setenv("RCLONE_CONFIG_DRIVE_REMOTE", str(drive_dir))
    monkeypatch.setenv("PIXEL_TUI_ENDPOINT_URL", moto_server.endpoint_url)
    monkeypatch.setenv("PIXEL_TUI_BUCKET", store.bucket)
    monkeypatch.setenv("PIXEL_TUI_DRIVE", "drive:")
    store.put_bytes(f"gdrive/raw/{EVIL}.json", b"{}")
    store.put_bytes(f"gdrive/processed/priority/{EVIL}/x.jsonl", b"{}")
    (drive_dir / f"{EVIL}.txt").write_bytes(b"d")
    reg = tmp_path / "r.json"
    reg.write_text(json.dumps({"datasets": {"priority": {EVIL: {
        "path": f"s3://{store.bucket}/gdrive/processed/priority/{EVIL}/", "notes": EVIL, "stage": EVIL}}}}))
    monkeypatch.setenv("PIXEL_TUI_REGISTRY", str(reg))
    return store


@pytest.mark.parametrize("argv", [
    ["ls", "s3://{bucket}/gdrive/raw/"],
    ["ls", "s3://{bucket}/gdrive/", "--recursive", "--json"],
    ["ls", "drive:"],
    ["diff"],
    ["diff", "--json"],
    ["registry", "show"],
    ["registry", "show", "--json"],
    ["registry", "get", "datasets/priority/" + EVIL],
    ["check"],
    ["check", "--json"],
    ["ls", "s3://{bucket}/gdrive/raw/" + EVIL + "-missing/"],
])
def test_cli_output_carries_no_raw_control_characters(env, capsys, argv):
    code = main([a.replace("{bucket}", env.bucket) for a in argv])
    out = capsys.readouterr()
    assert code in (0, 1, 2)
    _clean(out.out)
    _clean(out.err)
    if "--json" in argv:
        json.loads(out.out)
    if argv[:2] in (["ls", "s3://{bucket}/gdrive/raw/"], ["registry", "show"], ["registry", "get"]):
        assert "evil\\u001b]0;PWNED" in out.out  # shown, escaped: the operator still sees what is there


def test_status_of_a_log_with_escape_sequences(tmp_path, capsys):
    log = tmp_path / "upload.log"
    log.write_text(
        "2026/12/01 10:00:00 INFO  : " + EVIL + ".json: Copied (new)\n"
        "2026/12/01 10:00:01 ERROR : " + EVIL + ".bin: Failed to copy: boom\x1b[5m\n"
        "2026/12/01 10:00:02 INFO  : \nTransferred:   \t   10 B / 20 B, 50%, 1 B/s, ETA 10s\n"
        "Errors:                 1 (retrying may help)\nTransferred:            1 / 2, 50%\n")
    for argv in (["status", str(log)], ["status", str(log), "--json"]):
        main(argv)
        out = capsys.readouterr()
        _clean(out.out)
        _clean(out.err)


def test_the_installed_command_escapes_too(env, tmp_path):
    """The same through a real process and pipe, as an operator's terminal receives it."""
    proc = subprocess.run([sys.executable, "-m", "pixel_tui", "ls", f"s3://{env.bucket}/gdrive/raw/"],
                          capture_output=True, env=dict(os.environ), timeout=120)
    assert proc.returncode == 0, proc.stderr
    for ch in RAW:
        assert ch.encode() not in proc.stdout + proc.stderr
    assert b"PWNED" in proc.stdout

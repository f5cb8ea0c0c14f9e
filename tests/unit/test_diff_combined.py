"""`diff` speaks rclone: `--combined` prints `rclone check --combined` lines, `--missing-to FILE` writes a
list that the real `rclone copy --files-from` uploads, after which `diff` exits 0."""

from __future__ import annotations

import pytest

from pixel_tui.cli import main
from pixel_tui.core.storage.rclone import Rclone


@pytest.fixture
def env(monkeypatch, weed_server, weed_store, drive_dir, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    monkeypatch.setenv("RCLONE_CONFIG_DRIVE_TYPE", "alias")
    monkeypatch.setenv("RCLONE_CONFIG_DRIVE_REMOTE", str(drive_dir))
    monkeypatch.setenv("PIXEL_TUI_ENDPOINT_URL", weed_server.endpoint_url)
    monkeypatch.setenv("PIXEL_TUI_BUCKET", weed_store.bucket)
    monkeypatch.setenv("PIXEL_TUI_DRIVE", "drive:")
    monkeypatch.setenv("PIXEL_TUI_STATE_DIR", str(tmp_path / "state"))
    files = {"same.json": b"{}", "sub dir/ü+%.jsonl": b"{}\n", "sub dir/deep/missing.txt": b"mm",
             "changed.txt": b"aaa", "top missing.bin": b"12345"}
    for rel, data in files.items():
        (drive_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (drive_dir / rel).write_bytes(data)
    weed_store.put_bytes("gdrive/raw/same.json", b"{}")
    weed_store.put_bytes("gdrive/raw/sub dir/ü+%.jsonl", b"{}\n")
    weed_store.put_bytes("gdrive/raw/changed.txt", b"aaaa")
    weed_store.put_bytes("gdrive/raw/only on s3.txt", b"s")
    return weed_server, weed_store


def test_combined_lines(env, capsys):
    assert main(["diff", "--combined"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "* changed.txt", "+ only on s3.txt", "= same.json", "- sub dir/deep/missing.txt", "= sub dir/ü+%.jsonl",
        "- top missing.bin"]


def test_missing_to_feeds_rclone_copy_files_from(env, drive_dir, tmp_path, capsys):
    server, store = env
    listing = tmp_path / "missing.txt"
    assert main(["diff", "--missing-to", str(listing)]) == 1
    err = capsys.readouterr().err
    assert listing.read_text() == "sub dir/deep/missing.txt\ntop missing.bin\n"
    assert "rclone copy --files-from" in err
    # what rclone does with it: exactly those files, then only the changed one remains
    rclone = Rclone(env=server.rclone_env("s3test"))
    rclone.run("copy", "--files-from", str(listing), "drive:", f"s3test:{store.bucket}/gdrive/raw", timeout=60)
    assert store.get_bytes("gdrive/raw/sub dir/deep/missing.txt")[0] == b"mm"
    assert store.get_bytes("gdrive/raw/changed.txt")[0] == b"aaaa"  # not in the list: untouched
    assert main(["diff", "--missing-to", str(listing), "--combined"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == "* changed.txt"
    assert listing.read_text() == ""
    store.put_bytes("gdrive/raw/changed.txt", b"aaa")
    assert main(["diff"]) == 0

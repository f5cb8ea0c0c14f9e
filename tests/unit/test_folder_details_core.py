"""A Drive folder's details (what `diff` prints, its counts) and "upload what is missing here": the file list
written for `rclone copy --files-from-raw`, run by the real rclone into the session's SeaweedFS."""

from __future__ import annotations

import stat

import pytest

from pixel_tui.cli import main
from pixel_tui.core.browse.folder_details import (
    counts_line,
    diff_rows,
    diff_summary,
    upload_list,
    write_files_from,
)
from pixel_tui.core.browse.reconcile import KIND_SHORTCUT, DriveFile, compare_files, diff_remote
from pixel_tui.core.config import Settings
from pixel_tui.core.jobs.launched import launched
from pixel_tui.core.jobs.uploads import start_upload

KIB = 1024


def _report():
    drive = [DriveFile("a.json", 10), DriveFile("big/part 1.bin", 2 * KIB), DriveFile("big/part 2.bin", KIB),
             DriveFile("changed.txt", 5), DriveFile("dup.json", 1), DriveFile("dup.json", 2),
             DriveFile("link", 3, kind=KIND_SHORTCUT)]
    s3 = {"a.json": (10, None), "changed.txt": (6, None), "only here": (1, None)}
    return compare_files(drive, s3)


def test_counts_line_says_uploaded_missing_with_bytes_differing_and_the_rest():
    assert counts_line(_report()) == ("1/5 uploaded · 2 missing (3.0 KiB) · 1 differing · 1 duplicate name · "
                                      "1 shortcut · 1 only on S3")
    clean = compare_files([DriveFile("x", 1)], {"x": (1, None)})
    assert counts_line(clean) == "1/1 uploaded · 0 missing (0 B) · 0 differing"


def test_rows_and_summary_are_the_lines_diff_prints():
    report = _report()
    assert diff_rows(report, busy={"big/part 2.bin"}) == [
        "missing                2.0 KiB  big/part 1.bin",
        "uploading              1.0 KiB  big/part 2.bin",
        "differs             5 B vs 6 B  changed.txt (size)",
        "dup                        1 B  dup.json (2 Drive files, none is on S3)",
        "shortcut                   3 B  link (missing)",
        "extra                      1 B  only here",
    ]
    summary = diff_summary(report)
    assert summary[0] == ("1/5 uploaded, 2 missing (3.0 KiB), 1 differ, 1 duplicate name (2 files), 1 shortcut, "
                          "1 extra on S3 (checked: 1 size only, 1 size)")
    assert any("rclone dedupe" in line for line in summary) and any("skip_shortcuts" in line for line in summary)


def test_upload_list_counts_what_it_holds_and_leaves_out_names_a_list_cannot_hold():
    drive = [DriveFile("a", 100), DriveFile("bad\nname", 7), DriveFile("b", 50), DriveFile("c", 9)]
    files = upload_list(compare_files(drive, {"b": (40, None), "c": (9, None)}), "/top/sub/")
    assert files.folder == "top/sub" and files.missing == ("a",) and files.unlisted == 1
    assert files.paths() == ["a"] and files.paths(differing=True) == ["a", "b"]
    assert files.describe() == "1 missing file (100 B)"
    assert files.describe(True) == "1 missing file (100 B) and 1 differing file (50 B)"
    only_changed = upload_list(compare_files([DriveFile("b", 5)], {"b": (4, None)}), "")
    assert only_changed.describe() == "no file" and only_changed.describe(True) == "1 differing file (5 B)"


def test_the_list_is_written_whole_owner_only_and_atomically(tmp_path):
    target = tmp_path / "list.txt"
    names = ["#notes.txt", " leading space.json", ";semi", "plain/ü+%.json", "two\nlines"]
    assert write_files_from(target, names) == 4
    assert target.read_text(encoding="utf-8") == "#notes.txt\n leading space.json\n;semi\nplain/ü+%.json\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["list.txt"]  # no temporary file left
    with pytest.raises(OSError):
        write_files_from(tmp_path / "no such dir" / "x.txt", ["a"])


@pytest.fixture
def wendy(weed_server, weed_store, drive_dir, monkeypatch, tmp_path):
    """A Drive folder with uploaded, missing (awkward names), differing and deeper missing files."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    files = {"wendy/done.jsonl": b"done", "wendy/#notes.txt": b"hash", "wendy/ lead.json": b"lead",
             "wendy/deep/part 3.jsonl": b"p3" * 100, "wendy/changed.json": b"new!", "other/skip.bin": b"no"}
    for rel, data in files.items():
        (drive_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (drive_dir / rel).write_bytes(data)
    weed_store.put_bytes("gdrive/raw/wendy/done.jsonl", b"done")
    weed_store.put_bytes("gdrive/raw/wendy/changed.json", b"old")
    return Settings(endpoint_url=weed_server.endpoint_url, bucket=weed_store.bucket, drive="drive:",
                    state_dir=str(tmp_path / "state"))


def test_rows_are_what_pixel_tui_diff_prints_for_the_folder(wendy, rclone, weed_store, monkeypatch, capsys):
    for key, value in rclone.extra_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PIXEL_TUI_ENDPOINT_URL", wendy.endpoint_url)
    monkeypatch.setenv("PIXEL_TUI_BUCKET", wendy.bucket)
    monkeypatch.setenv("PIXEL_TUI_STATE_DIR", wendy.state_dir)
    assert main(["diff", "--drive", "drive:", "drive:wendy"]) == 1
    printed = capsys.readouterr().out.splitlines()
    report = diff_remote(rclone, "drive:wendy", weed_store, "gdrive/raw/wendy/", wendy)
    assert printed[1:] == diff_rows(report) + diff_summary(report)
    assert printed[1:5] == ["missing                    4 B   lead.json", "missing                    4 B  #notes.txt",
                            "missing                  200 B  deep/part 3.jsonl",
                            "differs             4 B vs 3 B  changed.json (size)"]
    assert counts_line(report) == "1/5 uploaded · 3 missing (208 B) · 1 differing"


@pytest.mark.timeout(90)
def test_upload_of_the_list_copies_exactly_those_files(wendy, rclone, weed_server, weed_store, tmp_path):
    report = diff_remote(rclone, "drive:wendy", weed_store, "gdrive/raw/wendy/", wendy)
    before = {o.key: o.etag for o in weed_store.walk("")}
    listing = tmp_path / "state" / "files.txt"
    listing.parent.mkdir(parents=True)
    write_files_from(listing, upload_list(report, "wendy").paths())
    creds = {"AWS_ACCESS_KEY_ID": weed_server.access_key, "AWS_SECRET_ACCESS_KEY": weed_server.secret_key}
    job = start_upload(wendy, "wendy", rclone=rclone, environ=creds, files_from=listing)
    assert f"--files-from-raw={listing}" in job.argv
    assert job.process.wait(timeout=60) == 0
    after = {o.key: o.etag for o in weed_store.walk("")}
    added = sorted(set(after) - set(before))
    assert added == ["gdrive/raw/wendy/ lead.json", "gdrive/raw/wendy/#notes.txt", "gdrive/raw/wendy/deep/part 3.jsonl"]
    assert all(after[k] == before[k] for k in before)  # the differing file was not in the list: untouched
    assert weed_store.get_bytes("gdrive/raw/wendy/#notes.txt")[0] == b"hash"
    (rec,) = launched(tmp_path / "state")
    assert rec.src == "drive:wendy" and rec.dst.endswith(f"{weed_store.bucket}/gdrive/raw/wendy")

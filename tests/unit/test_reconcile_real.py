"""Reconciliation as a real Google Drive and a real provider make it: unknown sizes (an rclone `http` remote
over `python -m http.server`), Google-native documents, duplicate names, shortcuts (rclone's Drive lsjson
shapes), and multipart uploads by the real rclone whose MD5 lives in X-Amz-Meta-Md5chksum."""

from __future__ import annotations

import json
import os

import pytest

from pixel_tui.cli import main
from pixel_tui.core.browse.reconcile import (
    CHECK_MD5,
    CHECK_RCLONE_MD5,
    CHECK_SIZE,
    CHECK_SIZE_UNKNOWN,
    KIND_DOCUMENT,
    KIND_SHORTCUT,
    Sync,
    compare_files,
    diff_remote,
    drive_files,
    level_sync,
)
from pixel_tui.core.storage.rclone import Rclone, entry_from_lsjson

MiB = 1024 * 1024


# -- unknown sizes: a real rclone http remote with no_head ------------------------------------------------
@pytest.fixture
def web_env(monkeypatch, weed_server, weed_store, http_drive, tmp_path):
    """The CLI pointed at the weed bucket with `web:` (http remote, sizes unknown) as the Drive."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    for k, v in http_drive.env("web").items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("PIXEL_TUI_ENDPOINT_URL", weed_server.endpoint_url)
    monkeypatch.setenv("PIXEL_TUI_BUCKET", weed_store.bucket)
    monkeypatch.setenv("PIXEL_TUI_DRIVE", "web:")
    monkeypatch.setenv("PIXEL_TUI_STATE_DIR", str(tmp_path / "state"))
    reg = tmp_path / "r.json"
    reg.write_text(json.dumps({"datasets": {}}))
    monkeypatch.setenv("PIXEL_TUI_REGISTRY", str(reg))
    files = {"notes.txt": b"hello\n", "sets/train.jsonl": b'{"a": 1}\n' * 50}
    for rel, data in files.items():
        (http_drive.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (http_drive.root / rel).write_bytes(data)
    return weed_store, files


def test_http_remote_lists_sizes_as_unknown(web_env, http_drive):
    entries = Rclone(env=http_drive.env("web")).walk("web:")
    assert sorted((e.path, e.size, e.size_known) for e in entries) == [
        ("notes.txt", -1, False), ("sets/train.jsonl", -1, False)]


def test_unknown_sizes_are_uploaded_when_the_name_is_in_raw(web_env, capsys):
    store, files = web_env
    # What rclone uploads is the real file; the listing only says -1, so no size can differ.
    for rel, data in files.items():
        store.put_bytes("gdrive/raw/" + rel, data)
    assert main(["diff"]) == 0
    out = capsys.readouterr().out
    assert "2/2 uploaded" in out and "2 size unknown" in out and "differ" not in out
    assert main(["diff", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] and not doc["md5_checked"] and doc["checks"] == {CHECK_SIZE_UNKNOWN: 2}
    assert {i["path"]: i["check"] for i in doc["uploaded"]} == {"notes.txt": CHECK_SIZE_UNKNOWN,
                                                                "sets/train.jsonl": CHECK_SIZE_UNKNOWN}
    assert main(["check", "--json"]) == 0
    drive = json.loads(capsys.readouterr().out)["drive_not_uploaded"]
    assert (drive["total"], drive["missing"], drive["size_unknown"]) == (2, 0, 2)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "Drive items not uploaded: 0 of 2 files (0 B), 2 of unknown size uploaded by name" in out
    assert "S3 provider: conditional writes enforced, server-side copy works" in out
    # missing only when the name is absent
    store.delete("gdrive/raw/notes.txt")
    assert main(["diff", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [i["path"] for i in doc["missing"]] == ["notes.txt"] and doc["differs"] == []
    assert doc["missing"][0]["drive_size"] == -1
    assert main(["diff"]) == 1
    out = capsys.readouterr().out
    assert "1 missing (0 B)" in out and "size unknown" in out


# -- rclone's Drive listing shapes ------------------------------------------------------------------------
# As `rclone lsjson -R --fast-list --no-mimetype --hash` prints them for a Drive (backend/drive): Google-native
# files carry their export extension and Size -1 and no MD5; duplicate names are two entries with one Path and
# two IDs; a shortcut is listed as its target, with the ID "<shortcut id>\t<target id>".
DRIVE_LSJSON = [
    {"Path": "Notes.docx", "Name": "Notes.docx", "Size": -1, "ModTime": "2026-03-01T10:00:00.000Z",
     "IsDir": False, "ID": "1docAAA"},
    {"Path": "Budget.xlsx", "Name": "Budget.xlsx", "Size": -1, "ModTime": "2026-03-01T10:00:00.000Z",
     "IsDir": False, "ID": "1sheetBBB"},
    {"Path": "train.jsonl", "Name": "train.jsonl", "Size": 120, "ModTime": "2026-03-01T10:00:00.000Z",
     "IsDir": False, "ID": "1dupOne", "Hashes": {"md5": "0" * 32}},
    {"Path": "train.jsonl", "Name": "train.jsonl", "Size": 80, "ModTime": "2026-03-02T10:00:00.000Z",
     "IsDir": False, "ID": "1dupTwo", "Hashes": {"md5": "1" * 32}},
    {"Path": "link to big.json", "Name": "link to big.json", "Size": 10, "ModTime": "2026-03-01T10:00:00.000Z",
     "IsDir": False, "ID": "1shortcutCCC\t1targetDDD", "Hashes": {"md5": "2" * 32}},
    {"Path": "Shared sets", "Name": "Shared sets", "Size": -1, "ModTime": "2026-03-01T10:00:00.000Z",
     "IsDir": True, "ID": "1shortEEE\t1folderFFF"},
    {"Path": "Shared sets/a.json", "Name": "a.json", "Size": 5, "ModTime": "2026-03-01T10:00:00.000Z",
     "IsDir": False, "ID": "1fileGGG", "Hashes": {"md5": "3" * 32}},
    {"Path": "plain.json", "Name": "plain.json", "Size": 3, "ModTime": "2026-03-01T10:00:00.000Z",
     "IsDir": False, "ID": "1plainHHH", "Hashes": {"md5": "900150983cd24fb0d6963f7d28e17f72"}},
]


def _drive():
    return drive_files([entry_from_lsjson(d) for d in DRIVE_LSJSON], remote_kind="drive")


def test_google_native_documents_map_to_their_export_names():
    files = {f.path: f for f in _drive()}
    assert files["Notes.docx"].kind == KIND_DOCUMENT and files["Notes.docx"].size == -1
    s3 = {"Notes.docx": (18_311, "5d41402abc4b2a76b9719d911017c592"), "plain.json": (3, "900150983cd24fb0d6963f7d28e17f72")}
    report = compare_files(_drive(), s3)
    uploaded = {i.path: i for i in report.uploaded}
    assert uploaded["Notes.docx"].check == CHECK_SIZE_UNKNOWN and uploaded["Notes.docx"].kind == KIND_DOCUMENT
    assert uploaded["plain.json"].check == CHECK_MD5
    assert [(i.path, i.kind) for i in report.missing] == [("Budget.xlsx", KIND_DOCUMENT)]
    assert any("--drive-skip-gdocs" in h for h in report.hints())
    assert report.differs == []
    # the same file from a non-Drive remote with -1 is a file of unknown size, not a document
    other = drive_files([entry_from_lsjson(DRIVE_LSJSON[0])], remote_kind="http")
    assert other[0].kind == "file"


def test_duplicate_names_have_their_own_status_and_hint():
    report = compare_files(_drive(), {"train.jsonl": (120, "0" * 32)})
    assert [(i.path, i.count) for i in report.duplicates] == [("train.jsonl", 2)]
    assert "train.jsonl" not in [i.path for i in report.uploaded + report.missing + report.differs]
    assert not report.ok  # one of the two never reaches S3
    assert "2 duplicate names" not in report.summary() and "1 duplicate name (2 files)" in report.summary()
    assert any("rclone dedupe" in h for h in report.hints())
    doc = report.to_json()
    assert doc["duplicates"][0]["count"] == 2 and doc["duplicates"][0]["reason"] == "2 Drive files, one of them is on S3"
    # the pane's level: a name listed twice reads duplicate, whatever S3 holds
    marks = level_sync([("train.jsonl", 120, None), ("train.jsonl", 80, None), ("x", 1, None)],
                       {"train.jsonl": (120, None), "x": (1, None)})
    assert marks == {"train.jsonl": Sync.DUPLICATE, "x": Sync.UPLOADED}


def test_shortcuts_are_flagged_and_not_counted():
    files = {f.path: f for f in _drive()}
    assert files["link to big.json"].kind == KIND_SHORTCUT
    assert files["Shared sets/a.json"].kind == KIND_SHORTCUT  # inside a shortcut folder
    report = compare_files(_drive(), {"link to big.json": (10, "2" * 32)})
    assert sorted((i.path, i.reason) for i in report.shortcuts) == [
        ("Shared sets/a.json", "missing"), ("link to big.json", "uploaded")]
    counted = [i.path for i in report.uploaded + report.missing + report.differs]
    assert "link to big.json" not in counted and "Shared sets/a.json" not in counted
    assert "2 shortcuts" in report.summary()
    assert any("--drive-skip-shortcuts" in h for h in report.hints())


def test_unknown_size_never_differs_by_size_in_a_level():
    marks = level_sync([("Notes.docx", -1, None), ("gone.docx", -1, None)], {"Notes.docx": (9000, "abc")})
    assert marks == {"Notes.docx": Sync.UPLOADED, "gone.docx": Sync.MISSING}


# -- big files: rclone's multipart upload and its MD5 metadata -----------------------------------------------
def _rclone_copy(rclone: Rclone, src: str, bucket: str, *extra: str) -> None:
    rclone.run("copy", src, f"s3test:{bucket}/gdrive/raw", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M",
               *extra, timeout=120)


def test_multipart_upload_by_rclone_then_same_size_change_reads_differs(rclone, drive_dir, weed_store, tmp_path):
    from pixel_tui.core.config import Settings

    big = drive_dir / "big.bin"
    big.write_bytes(os.urandom(12 * MiB))
    (drive_dir / "small.json").write_bytes(b'{"ok": true}')
    _rclone_copy(rclone, str(drive_dir), weed_store.bucket)
    head = weed_store.head("gdrive/raw/big.bin")
    assert head is not None and "-" in head.etag  # a multipart ETag, not an MD5
    settings = Settings(state_dir=str(tmp_path / "state"))
    report = diff_remote(rclone, "drive:", weed_store, "gdrive/raw/", settings, hashes=True)
    checks = {i.path: i.check for i in report.uploaded}
    assert checks == {"big.bin": CHECK_RCLONE_MD5, "small.json": CHECK_MD5}
    assert report.ok and report.md5_checked
    # the same size, one byte changed on the Drive side
    data = bytearray(big.read_bytes())
    data[7 * MiB] ^= 0xFF
    big.write_bytes(bytes(data))
    report = diff_remote(rclone, "drive:", weed_store, "gdrive/raw/", settings, hashes=True)
    assert [(i.path, i.reason, i.check) for i in report.differs] == [("big.bin", "md5", CHECK_RCLONE_MD5)]
    assert not report.ok
    # the answer is cached by ETag in the state dir: a later diff needs no HEAD for it
    cache = json.loads((tmp_path / "state" / "rclone-md5-metadata.json").read_text())
    assert any(k.endswith("|gdrive/raw/big.bin") and v[0] == head.etag for k, v in cache.items())


def test_md5_checked_does_not_lie_when_most_files_are_compared_by_size(rclone, drive_dir, weed_store):
    for n in range(3):
        (drive_dir / f"f{n}.bin").write_bytes(os.urandom(6 * MiB))
    _rclone_copy(rclone, str(drive_dir), weed_store.bucket, "--s3-disable-checksum")  # no MD5 metadata
    (drive_dir / "tiny.json").write_bytes(b"{}")
    weed_store.put_bytes("gdrive/raw/tiny.json", b"{}")
    report = diff_remote(rclone, "drive:", weed_store, "gdrive/raw/", hashes=True)
    assert report.checks() == {CHECK_SIZE: 3, CHECK_MD5: 1}
    assert not report.md5_checked and report.to_json()["md5_checked"] is False
    assert report.checks_text() == "checked: 1 md5, 3 size only"


def test_folder_totals_with_unknown_sizes(web_env, http_drive):
    from pixel_tui.core.browse.levels import drive_totals

    store, files = web_env
    store.put_bytes("gdrive/raw/sets/train.jsonl", files["sets/train.jsonl"])
    text, marker = drive_totals(Rclone(env=http_drive.env("web")), store, "web:", "gdrive/raw/")
    assert text == "2 files 0 B · 1/2 uploaded, 1 missing (0 B) · 2 of unknown size" and marker == "partial"


def test_remote_type_of_named_and_on_the_fly_remotes(http_drive):
    from pixel_tui.core.browse.reconcile import hashes_are_cheap, remote_type

    rclone = Rclone(env={**http_drive.env("web"), "RCLONE_CONFIG_GD_TYPE": "drive"})
    assert remote_type(rclone, "web:sets") == "http" and remote_type(rclone, "gd:datasets") == "drive"
    assert remote_type(rclone, f":http,url='{http_drive.url}':") == "http"
    assert remote_type(rclone, "/srv/drive") == "local" and remote_type(rclone, "nosuch:x") == ""
    assert hashes_are_cheap(rclone, "gd:datasets") and not hashes_are_cheap(rclone, "web:")
    # a file deep inside a shortcut folder is a shortcut too; a folder merely named like one is not
    entries = [entry_from_lsjson(d) for d in (
        {"Path": "s", "Name": "s", "Size": -1, "IsDir": True, "ID": "1a\t1b"},
        {"Path": "s/x/y.json", "Name": "y.json", "Size": 1, "IsDir": False, "ID": "1c"},
        {"Path": "s2/z.json", "Name": "z.json", "Size": 1, "IsDir": False, "ID": "1d"})]
    assert [(f.path, f.kind) for f in drive_files(entries, "drive")] == [("s/x/y.json", KIND_SHORTCUT),
                                                                        ("s2/z.json", "file")]

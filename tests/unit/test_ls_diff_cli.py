"""`pixel-tui ls` and `pixel-tui diff` end to end against real rclone and SeaweedFS."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pixel_tui.cli import main


@pytest.fixture
def env(monkeypatch, weed_server, weed_store, drive_dir):
    """Point the CLI at the weed bucket and a `drive:` alias of drive_dir, through the environment."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    monkeypatch.setenv("RCLONE_CONFIG_DRIVE_TYPE", "alias")
    monkeypatch.setenv("RCLONE_CONFIG_DRIVE_REMOTE", str(drive_dir))
    monkeypatch.setenv("PIXEL_TUI_ENDPOINT_URL", weed_server.endpoint_url)
    monkeypatch.setenv("PIXEL_TUI_BUCKET", weed_store.bucket)
    monkeypatch.setenv("PIXEL_TUI_DRIVE", "drive:")
    return weed_store


def _seed(store, drive_dir):
    files = {"a b.json": b'{"x": 1}', "sub/ü+%.jsonl": b"{}\n", "sub/deep/z.txt": b"zz", "miss.txt": b"m"}
    for rel, data in files.items():
        (drive_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (drive_dir / rel).write_bytes(data)
    for rel in ("a b.json", "sub/ü+%.jsonl", "sub/deep/z.txt"):
        store.put_bytes("gdrive/raw/" + rel, files[rel])


def test_ls_s3_json_and_recursive(env, drive_dir, capsys):
    _seed(env, drive_dir)
    assert main(["ls", f"s3://{env.bucket}/gdrive/raw", "--json", "--recursive"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["a b.json"]["size"] == 8 and not rows["a b.json"]["is_dir"]
    assert rows["sub/"]["is_dir"] and (rows["sub/"]["count"], rows["sub/"]["bytes"]) == (2, 5)
    assert main(["ls", f"s3://{env.bucket}/gdrive/raw/sub/"]) == 0
    out = capsys.readouterr().out
    assert "ü+%.jsonl" in out and "DIR" in out and "deep/" in out


def test_ls_rclone_remote(env, drive_dir, capsys):
    _seed(env, drive_dir)
    assert main(["ls", "drive:sub", "--json", "--recursive"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["ü+%.jsonl"]["size"] == 3
    assert rows["deep/"]["is_dir"] and rows["deep/"]["count"] == 1 and rows["deep/"]["bytes"] == 2


def test_ls_unknown_remote_is_a_clear_error(env, capsys):
    assert main(["ls", "nosuchremote:x"]) == 1
    assert "nosuchremote" in capsys.readouterr().err


def test_diff_reports_and_exit_codes(env, drive_dir, capsys):
    _seed(env, drive_dir)
    assert main(["diff"]) == 1
    out = capsys.readouterr().out
    assert "missing" in out and "miss.txt" in out and "3/4 uploaded, 1 missing" in out
    assert main(["diff", "--json", "drive:sub"]) == 0  # everything under sub/ is there
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["s3_prefix"] == "gdrive/raw/sub/" and len(data["uploaded"]) == 2
    env.put_bytes("gdrive/raw/sub/deep/z.txt", b"zzz")  # now it differs by size
    assert main(["diff", "drive:sub/deep", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["differs"] == [{"path": "z.txt", "drive_size": 2, "s3_size": 3, "reason": "size", "check": "size",
                                "kind": "file", "count": 1}]


def test_diff_outside_the_drive_remote_is_refused(env, capsys):
    assert main(["diff", "elsewhere:x"]) == 2
    assert "not inside the Drive remote" in capsys.readouterr().err


def test_ls_with_a_mistyped_s3_url_says_what_was_meant(capsys):
    from pixel_tui.cli import main

    assert main(["ls", "s3:/pixel-data/gdrive/raw/"]) == 2
    err = capsys.readouterr().err
    assert "not an S3 URL" in err and "s3://pixel-data/gdrive/raw/" in err and "rclone" not in err


def test_ls_shows_a_folder_marker_key_by_what_it_is(env, capsys):
    env.put_bytes("gdrive/raw/marked/", b"")  # the empty key a console's "create folder" leaves
    env.put_bytes("gdrive/raw/marked/a.json", b"{}")
    assert main(["ls", f"s3://{env.bucket}/gdrive/raw/marked/"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(ln.rstrip().endswith("(folder marker)") for ln in lines), lines
    assert all(ln.rstrip() and not ln.rstrip().endswith(":00") for ln in lines), "no row without a name"


def test_diff_says_uploading_for_files_the_watched_log_has_in_flight(env, drive_dir, rclone_logs, tmp_path,
                                                                      monkeypatch, capsys):
    lines = rclone_logs.text.read_text().splitlines(keepends=True)
    start = next(i for i, ln in enumerate(lines) if ln.startswith(" * "))
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith(" * "))
    live = tmp_path / "live.log"
    live.write_text("".join(lines[: end + 1]))  # a real log, cut while files are in flight
    in_flight = {ln.split(":")[0].strip(" *") for ln in lines[start:end]}
    names = ["part-0.bin", "part-2.bin"]
    for name in names:
        (drive_dir / name).write_bytes(b"x" * 10)
    monkeypatch.setenv("PIXEL_TUI_LOGS", str(live))
    assert main(["diff", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert set(data["uploading"]) == in_flight & set(names) and data["uploading"]
    assert main(["diff"]) == 1
    out = capsys.readouterr().out
    for name in names:
        row = next(ln for ln in out.splitlines() if ln.rstrip().endswith(name))
        assert row.startswith("uploading" if name in in_flight else "missing"), row
    assert f"{len(in_flight & set(names))} uploading now" in out


@pytest.mark.parametrize("n", [0, 1, 2, 999, 1000, 1001, 2500])
def test_ls_streams_json_that_is_byte_for_byte_one_array(n, capsys, monkeypatch):
    """`ls --json` writes rows as listed, in chunks (a 1M-key level no longer sits in memory as a list):
    the text is exactly json.dumps(rows) at every chunk boundary."""
    import types

    from pixel_tui.commands import ls

    rows = [{"name": f"n{i} ü", "is_dir": bool(i % 3 == 0), "size": i, "modified": None} for i in range(n)]
    monkeypatch.setattr(ls, "list_remote", lambda url, recursive: iter(rows))
    args = types.SimpleNamespace(url="drive:x", recursive=False, json=True)
    assert ls.run(args, None) == 0
    assert capsys.readouterr().out == json.dumps(rows, ensure_ascii=False) + "\n"
    args.json = False
    assert ls.run(args, None) == 0
    assert capsys.readouterr().out == "".join(ls.format_row(r) + "\n" for r in rows)


_json_values = st.one_of(st.none(), st.booleans(), st.integers(), st.text(), st.floats(allow_nan=False),
                         st.lists(st.integers(), max_size=3))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), _json_values, max_size=6))
def test_row_json_is_json_dumps_byte_for_byte(row):
    """The hand-joined row is what json.dumps(row, ensure_ascii=False) gives: quotes, control
    characters, lone surrogates, non-ASCII names, big ints, bools (not ints), anything else."""
    from pixel_tui.commands.ls import row_json

    assert row_json(row) == json.dumps(row, ensure_ascii=False)

"""CLI polish (issue 14): a closed pipe ends quietly, counts agree in number, the promote CLI prints its
registry diff once, and progress leaves out `0 B/0 B`. Real subprocesses, real rclone, real servers."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

from test_promote_cli import RAW, cli

from pixel_tui.commands.promote import progress_line
from pixel_tui.core.units import human_bytes, human_rate, plural


def test_json_into_a_closed_pipe_exits_quietly(tmp_path):
    folder = tmp_path / "drive"
    folder.mkdir()
    for i in range(3000):  # ~300 KB of JSON: more than a pipe holds, so the write meets the closed end
        (folder / f"file_{i:05d}_with_a_longish_name.json").write_bytes(b"{}")
    env = dict(os.environ, RCLONE_CONFIG_DRIVE_TYPE="alias", RCLONE_CONFIG_DRIVE_REMOTE=str(folder),
               PIXEL_TUI_BUCKET="unused", PIXEL_TUI_DRIVE="drive:")
    proc = subprocess.Popen([sys.executable, "-m", "pixel_tui", "ls", "drive:", "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.read(100)  # what `head -c 100` reads, then it goes away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert first.startswith(b"[")
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert code == 141


def test_plural_agrees_in_number():
    assert plural(1, "copy", "copies") == "1 copy" and plural(2, "copy", "copies") == "2 copies"
    assert plural(1, "object") == "1 object" and plural(1204, "object") == "1,204 objects"
    assert plural(0, "item") == "0 items"


def test_progress_line_has_no_empty_byte_counts():
    p = SimpleNamespace(phase="verify", objects_done=1, objects_total=1, bytes_done=0, bytes_total=0, rate=None)
    assert progress_line(p, human_bytes, human_rate, "") == "verify: 1/1 object"
    p = SimpleNamespace(phase="copy", objects_done=2, objects_total=10, bytes_done=1024, bytes_total=4096, rate=512)
    assert progress_line(p, human_bytes, human_rate, "") == "copy: 2/10 objects, 1.0 KiB/4.0 KiB, 512 B/s"


def test_promote_prints_its_registry_diff_once_and_says_1_object(promo_env):
    env = promo_env
    env.put(RAW + "CoT_Heartbreak_and_Breakups_downloaded.json", b"{}" * 1000)
    src = f"s3://{env.store.bucket}/{RAW}CoT_Heartbreak_and_Breakups_downloaded.json"
    r = cli(env, "promote", src, "--category", "cot_reasoning", stdin="y\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count('"source_path"') == 1, r.stdout
    assert "(object, 1 object," in r.stdout and "1 objects" not in r.stdout + r.stderr
    assert "copy 1 object (" in r.stderr, r.stderr

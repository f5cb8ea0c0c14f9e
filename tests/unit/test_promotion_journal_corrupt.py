"""One damaged journal file must not break `history` or `promote --resume` for every other promotion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pixel_tui.core.promotion import build_plan, execute
from pixel_tui.core.promotion.journal import Journal, journal_dir

RAW = "gdrive/raw/"
ENTRY_POINT = Path(sys.executable).parent / "pixel-tui"
REPO_ROOT = Path(__file__).resolve().parents[2]


def _cli(env, *args: str) -> subprocess.CompletedProcess:
    e = env.cli_env()
    e["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run([str(ENTRY_POINT), *args], env=e, capture_output=True, text=True, timeout=120)


def _flip(src: Path, dst: Path, line_no: int, old: bytes, new: bytes) -> None:
    """Copy ``src`` to ``dst`` with one byte of line ``line_no`` changed."""
    lines = src.read_bytes().splitlines(keepends=True)
    assert old in lines[line_no]
    lines[line_no] = lines[line_no].replace(old, new, 1)
    dst.write_bytes(b"".join(lines))


def test_a_damaged_journal_is_reported_and_the_others_still_work(promo_env):
    env = promo_env
    env.put(RAW + "done.jsonl", os.urandom(2000))
    env.put(RAW + "later.jsonl", os.urandom(3000))
    done = build_plan(env.store, env.settings, [RAW + "done.jsonl"], "edge_cases")
    execute(env.store, env.settings, done)
    pending = build_plan(env.store, env.settings, [RAW + "later.jsonl"], "edge_cases")
    Journal.create(env.settings, pending.to_dict()).close()  # interrupted right after planning
    d = journal_dir(env.settings)
    done_path, pending_path = d / f"{done.id}.jsonl", d / f"{pending.id}.jsonl"
    # Damaged copies that sort after the good ones (newest): what `--resume` would pick first.
    bad_utf8, bad_json = d / "zz-damaged-utf8.jsonl", d / "zz-damaged-json.jsonl"
    _flip(pending_path, bad_utf8, 0, b'"mode"', b'"mo\xffe"')
    # a finished promotion with one middle line broken must not turn into an "interrupted" one
    assert len(done_path.read_bytes().splitlines()) > 3
    _flip(done_path, bad_json, 1, b'":', b'";')

    r = _cli(env, "history")
    assert r.returncode == 0, r.stderr
    assert done.id in r.stdout and pending.id in r.stdout
    both = r.stdout + r.stderr
    assert "zz-damaged-utf8" in both and "zz-damaged-json" in both and "unreadable" in both
    assert "\xff" not in both and "\ufffd" not in both
    r = _cli(env, "history", "--json")
    assert r.returncode == 0, r.stderr
    rows = {row["id"]: row for row in json.loads(r.stdout)}
    assert rows[done.id]["status"] == "done" and rows[pending.id]["status"] == "interrupted"
    assert rows["zz-damaged-utf8"]["status"] == rows["zz-damaged-json"]["status"] == "unreadable"

    r = _cli(env, "promote", "--resume")
    assert r.returncode == 0, r.stderr
    assert pending.id in r.stdout  # the good interrupted one was resumed, not a damaged copy
    assert env.store.head("gdrive/processed/edge_cases/later.jsonl") is not None
    r = _cli(env, "promote", "--resume", "zz-damaged-json")
    assert r.returncode != 0 and "zz-damaged-json" in r.stderr and "Traceback" not in r.stderr

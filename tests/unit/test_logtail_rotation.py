"""rclone's own log rotation: one job per family in a glob, and a history that reads the backups (.gz too)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from logfixtures import rclone_copy

from pixel_tui.cli import main
from pixel_tui.core.jobs.history import live_log_of, rotated_backups, scan_family, scan_history
from pixel_tui.core.jobs.tail import LogWatcher, expand_sources


@pytest.fixture(scope="module")
def rotated(weed_server, tmp_path_factory):
    """Two real families: `--log-file-max-size 1M` with and without `--log-file-compress`, from -vv dry runs."""
    root = tmp_path_factory.mktemp("rotate")
    store = weed_server.store("rotate-" + uuid.uuid4().hex[:8])
    store.ensure_bucket()
    src = root / "src"
    src.mkdir()
    for i in range(6000):
        (src / f"shard-{i:05d}-with-a-long-name-as-datasets-have.jsonl").write_bytes(b"x")
    logs = root / "logs"
    logs.mkdir()
    procs = [rclone_copy(weed_server, store.bucket, src, name, logs / f"{name}.log", "-vv", "--dry-run",
                         "--stats", "50ms", "--log-file-max-size", "1M", "--log-file-max-backups", "5", *extra,
                         wait=False)
             for name, extra in (("plain", []), ("packed", ["--log-file-compress"]))]
    for p in procs:
        assert p.wait(120) == 0
    return logs


def test_rclone_left_backups(rotated):
    names = sorted(p.name for p in rotated.iterdir())
    assert any(n.startswith("plain-") and n.endswith(".log") for n in names), names
    assert any(n.startswith("packed-") and n.endswith(".log.gz") for n in names), names
    for p in rotated.iterdir():
        if p.name not in ("plain.log", "packed.log"):
            assert live_log_of(str(p)) == str(rotated / p.name.split("-")[0]) + ".log"


def test_a_glob_shows_one_job_per_family(rotated, capsys):
    assert expand_sources([str(rotated / "*.log")]) == [str(rotated / "packed.log"), str(rotated / "plain.log")]
    watcher = LogWatcher([str(rotated / "*.log")], lambda v: None, history=False)
    assert sorted(v.source for v in watcher.poll_once()) == [str(rotated / "packed.log"), str(rotated / "plain.log")]
    watcher.stop()
    code = main(["status", "--json", str(rotated / "*.log")])
    docs = json.loads(capsys.readouterr().out)
    assert [d["log"] for d in docs] == [str(rotated / "packed.log"), str(rotated / "plain.log")]
    assert code == 0 and {d["state"] for d in docs} <= {"running", "finished"}


def test_only_backups_left_shows_the_newest(rotated, tmp_path):
    backups = rotated_backups(str(rotated / "plain.log"))
    for b in backups:
        (tmp_path / b.rsplit("/", 1)[1]).write_bytes(open(b, "rb").read())
    assert expand_sources([str(tmp_path / "*.log")]) == [str(tmp_path / backups[-1].rsplit("/", 1)[1])]


@pytest.mark.parametrize("name", ["plain", "packed"])
def test_history_reads_the_whole_family(rotated, name):
    live = str(rotated / f"{name}.log")
    backups = rotated_backups(live)
    assert backups and all(b.endswith(".gz") == (name == "packed") for b in backups)
    with open(live, "rb") as fp:
        alone = scan_history(fp)
    family = scan_family(live)
    assert family.blocks > alone.blocks > 0 and len(family.samples) > len(alone.samples)
    # Oldest first: the checks a dry run counts only grow, so the samples' order is the run's.
    seen = []

    def got(view):
        seen.append(view)

    watcher = LogWatcher([live], got, history=True)
    watcher.poll_once()
    deadline = time.monotonic() + 20
    while not any(v.history.blocks >= family.blocks for v in seen):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    watcher.stop()

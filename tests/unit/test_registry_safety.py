"""Registry saves under pressure: racing writers, symlinks, read-only files, non-finite numbers, stale temp files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "data" / "registry_real_shape.json"
GROUP, NAME = "datasets/cot_reasoning", "CoT_Example_Reasoning"
ADDRESS = f"{GROUP}/{NAME}"
ENTRY_POINT = Path(sys.executable).parent / "pixel-tui"
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def reg_path(tmp_path) -> Path:
    p = tmp_path / "repo" / "dataset_registry.json"
    p.parent.mkdir()
    shutil.copyfile(FIXTURE, p)
    return p


def _entry(path: Path) -> dict:
    return json.loads(path.read_text())["datasets"]["cot_reasoning"][NAME]


def _cli_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    return env


def test_two_racing_cli_saves_never_lose_an_edit_silently(reg_path, tmp_path):
    env = _cli_env(tmp_path)
    lost, conflicts = [], 0
    for rnd in range(50):
        procs = [
            subprocess.Popen([str(ENTRY_POINT), "registry", "set", ADDRESS, f"{field}={rnd}", "--registry",
                              str(reg_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            for field in ("race_a", "race_b")
        ]
        results = [(p.wait(timeout=60), p.stdout.read().decode(), p.stderr.read().decode()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        entry = _entry(reg_path)
        for field, (rc, out, err) in zip(("race_a", "race_b"), results):
            if rc == 0:
                assert "saved" in out
                if entry.get(field) != rnd:
                    lost.append((rnd, field, out.strip().splitlines()[-1:]))
            else:
                conflicts += 1
                assert "changed since it was loaded" in err, err
    assert not lost, f"edits lost although both savers printed 'saved': {lost[:5]} ({len(lost)} of 50 rounds)"


def _cli(*args: str) -> int:
    from pixel_tui.cli import main

    return main(list(args))


def test_save_through_a_symlink_keeps_the_link_and_writes_the_target(reg_path, tmp_path, capsys):
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "real_registry.json"
    reg_path.rename(target)
    reg_path.symlink_to(os.path.relpath(target, reg_path.parent))
    os.chmod(target, 0o640)
    assert _cli("registry", "set", ADDRESS, "size_mb=21", "--registry", str(reg_path)) == 0
    assert reg_path.is_symlink(), "the link was replaced by a regular file"
    assert _entry(target)["size_mb"] == 21 and _entry(reg_path)["size_mb"] == 21
    assert target.stat().st_mode & 0o777 == 0o640
    # temp file and lock live beside the real file, nothing new beside the link
    assert sorted(p.name for p in reg_path.parent.iterdir()) == [reg_path.name]
    assert not [p for p in shared.iterdir() if p.name.endswith(".tmp")]


def test_read_only_registry_is_refused_not_replaced(reg_path, tmp_path, capsys):
    os.chmod(reg_path, 0o444)
    before = reg_path.read_bytes()
    ino = reg_path.stat().st_ino
    assert _cli("registry", "set", ADDRESS, "size_mb=22", "--registry", str(reg_path)) == 2
    err = capsys.readouterr().err
    assert "read-only" in err and str(reg_path) in err
    assert reg_path.read_bytes() == before and reg_path.stat().st_ino == ino
    assert reg_path.stat().st_mode & 0o777 == 0o444
    assert not [p for p in reg_path.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("spelling", ["NaN", "Infinity", "-Infinity", "1e999", "[1, NaN]"])
def test_non_finite_numbers_are_refused(reg_path, capsys, spelling):
    before = reg_path.read_bytes()
    assert _cli("registry", "set", ADDRESS, f"size_mb={spelling}", "--registry", str(reg_path)) == 2
    err = capsys.readouterr().err
    assert "finite" in err and "size_mb" in err
    assert reg_path.read_bytes() == before
    json.loads(reg_path.read_text())  # still strict JSON
    assert _cli("registry", "add", f"{GROUP}/new_one", "path=s3://b/x", f"size_mb={spelling}",
                "--registry", str(reg_path)) == 2
    assert reg_path.read_bytes() == before


def test_non_finite_numbers_are_refused_by_the_model(reg_path, tmp_path):
    from pixel_tui.core.registry.document import Registry, RegistryEditError

    reg = Registry.load(str(reg_path), backup_dir=tmp_path / "b")
    for bad in (float("nan"), float("inf"), {"nested": [float("-inf")]}):
        with pytest.raises(RegistryEditError, match="finite"):
            reg.update_fields(GROUP, NAME, size_mb=bad)
        with pytest.raises(RegistryEditError, match="finite"):
            reg.set_entry(GROUP, "other", {"path": "s3://b/o", "size_mb": bad})
    assert not reg.dirty


KILLED_SAVER = """
import os, sys, time
from pixel_tui.core.registry.document import Registry
reg = Registry.load(sys.argv[1], backup_dir=sys.argv[2])
reg.update_fields("voice_persona", "example_voice", notes="x" * 200_000)
def stuck_replace(src, dst):  # the one injected fault: the process dies between write and rename
    print("written", flush=True)
    time.sleep(60)
os.replace = stuck_replace
reg.save(backups=0)
"""


def _temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_temp_file_left_by_sigkill_is_removed_on_next_load(reg_path, tmp_path):
    import signal

    from pixel_tui.core.registry.document import Registry

    script = tmp_path / "saver.py"
    script.write_text(KILLED_SAVER)
    proc = subprocess.Popen([sys.executable, str(script), str(reg_path), str(tmp_path / "b")],
                            stdout=subprocess.PIPE, text=True, env=_cli_env(tmp_path))
    try:
        assert proc.stdout.readline().strip() == "written"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    left = _temp_files(reg_path.parent)
    assert len(left) == 1 and (reg_path.parent / left[0]).stat().st_size > 200_000
    Registry.load(str(reg_path), backup_dir=tmp_path / "b")
    assert _temp_files(reg_path.parent) == [], "the dead saver's temp file was not cleaned"


def test_stale_temp_files_cleaned_only_when_ours_and_stale(reg_path, tmp_path):
    from pixel_tui.core.registry.document import Registry

    d, name = reg_path.parent, reg_path.name
    old = time.time() - 3600
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    files = {
        f".{name}.k3j_9xq2.tmp": old,                   # our pattern (no pid), an hour old: stale
        f".{name}.{dead.pid}.ab12cd34.tmp": None,      # our pattern, creator dead: stale
        f".{name}.{os.getpid()}.zz99yy88.tmp": None,   # our pattern, creator alive and fresh: kept
        f".{name}.fresh123.tmp": None,                 # our pattern, fresh, unknown creator: kept
        f".{name}.notes.tmp": old,                     # not our pattern (7 chars): kept
        f"{name}.abcdefgh.tmp": old,                   # not hidden: kept
        ".other.json.abcdefgh.tmp": old,              # another file's: kept
    }
    for fname, mtime in files.items():
        (d / fname).write_bytes(b"{}")
        if mtime:
            os.utime(d / fname, (mtime, mtime))
    Registry.load(str(reg_path), backup_dir=tmp_path / "b")
    assert _temp_files(d) == sorted([f".{name}.{os.getpid()}.zz99yy88.tmp", f".{name}.fresh123.tmp",
                                     f".{name}.notes.tmp", f"{name}.abcdefgh.tmp", ".other.json.abcdefgh.tmp"])
    # saving cleans too (and leaves no temp file of its own)
    old_one = d / f".{name}.q1w2e3r4.tmp"
    old_one.write_bytes(b"{}")
    os.utime(old_one, (old, old))
    reg = Registry.load(str(reg_path), backup_dir=tmp_path / "b")
    old_one.write_bytes(b"{}")
    os.utime(old_one, (old, old))
    reg.update_fields(GROUP, NAME, size_mb=5)
    reg.save()
    assert not old_one.exists()
    assert len(_temp_files(d)) == 5

"""Saving the registry: atomic replace, backups, conflicts on disk and in S3, SIGKILL mid-save."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from pixel_tui.core.registry.document import Registry, RegistryConflict, RegistryNotFound

FIXTURE = Path(__file__).parent / "data" / "registry_real_shape.json"
GROUP, NAME = "datasets/cot_reasoning", "CoT_Example_Reasoning"


@pytest.fixture
def reg_path(tmp_path) -> Path:
    p = tmp_path / "repo" / "dataset_registry.json"
    p.parent.mkdir()
    shutil.copyfile(FIXTURE, p)
    return p


def test_save_writes_edit_and_keeps_backups(reg_path, tmp_path):
    backups = tmp_path / "backups"
    reg = Registry.load(str(reg_path), backup_dir=backups)
    for n in range(4):
        reg.update_fields(GROUP, NAME, size_mb=n)
        reg.save(backups=2)
        time.sleep(0.002)
    assert json.loads(reg_path.read_text())["datasets"]["cot_reasoning"][NAME]["size_mb"] == 3
    kept = sorted(backups.iterdir())
    assert len(kept) == 2  # only the newest two are kept
    assert [json.loads(k.read_text())["datasets"]["cot_reasoning"][NAME]["size_mb"] for k in kept] == [1, 2]
    assert not reg.dirty and reg.diff() == ""
    # nothing but the registry in the repo folder: no temp files left behind, backups elsewhere
    assert sorted(p.name for p in reg_path.parent.iterdir()) == sorted([reg_path.name, f".{reg_path.name}.lock"])


def test_save_keeps_file_mode(reg_path, tmp_path):
    os.chmod(reg_path, 0o640)
    reg = Registry.load(str(reg_path), backup_dir=tmp_path / "b")
    reg.update_fields(GROUP, NAME, type="x")
    reg.save()
    assert reg_path.stat().st_mode & 0o777 == 0o640


def test_refuses_to_overwrite_a_file_changed_on_disk(reg_path, tmp_path):
    reg = Registry.load(str(reg_path), backup_dir=tmp_path / "b")
    reg.update_fields(GROUP, NAME, stage="stage1_foundation")
    assert not reg.changed_on_disk()
    # A teammate's commit lands: same size, even the same mtime would not fool the hash.
    theirs = reg_path.read_text().replace('"focus": "what the data teaches"', '"focus": "what the data TEACHES"')
    st = reg_path.stat()
    reg_path.write_text(theirs)
    os.utime(reg_path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert reg.changed_on_disk()
    with pytest.raises(RegistryConflict) as info:
        reg.save()
    assert str(reg_path) in str(info.value)
    assert reg_path.read_text() == theirs  # nothing written
    assert reg.dirty and '"stage": "stage1_foundation"' in reg.render()  # edits kept
    assert "TEACHES" in reg.stored_text()
    # Reload replays the edit on their version; then saving works and keeps both changes.
    assert reg.reload() == []
    assert "TEACHES" in reg.render() and '"stage": "stage1_foundation"' in reg.render()
    reg.save()
    saved = json.loads(reg_path.read_text())["datasets"]["cot_reasoning"][NAME]
    assert saved["focus"] == "what the data TEACHES" and saved["stage"] == "stage1_foundation"


def test_deleted_file_is_a_conflict_too(reg_path, tmp_path):
    reg = Registry.load(str(reg_path), backup_dir=tmp_path / "b")
    reg.update_fields(GROUP, NAME, type="x")
    reg_path.unlink()
    with pytest.raises(RegistryConflict):
        reg.save()
    assert not reg_path.exists()
    target = tmp_path / "elsewhere.json"
    reg.save_as(str(target))
    assert json.loads(target.read_text())["datasets"]["cot_reasoning"][NAME]["type"] == "x"


def test_reload_reports_edits_that_no_longer_apply(reg_path, tmp_path):
    reg = Registry.load(str(reg_path), backup_dir=tmp_path / "b")
    reg.update_fields("voice_persona", "example_voice", type="x")
    doc = json.loads(reg_path.read_text())
    del doc["voice_persona"]["example_voice"]
    reg_path.write_text(json.dumps(doc, indent=4))
    failed = reg.reload()
    assert len(failed) == 1 and "voice_persona/example_voice" in failed[0]
    assert not reg.dirty


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(RegistryNotFound):
        Registry.load(str(tmp_path / "nope.json"))


def test_in_memory_registry_cannot_be_saved():
    reg = Registry.from_text(FIXTURE.read_text())
    reg.update_fields(GROUP, NAME, type="x")
    with pytest.raises(Exception, match="in memory"):
        reg.save()


# -- S3 --------------------------------------------------------------------------------------------

def _s3_registry(store) -> str:
    store.put_bytes("config/dataset_registry.json", FIXTURE.read_bytes())
    return f"s3://{store.bucket}/config/dataset_registry.json"


def test_s3_round_trip_and_save(store):
    url = _s3_registry(store)
    reg = Registry.load(url, store_factory=lambda b: store)
    assert reg.render().encode() == FIXTURE.read_bytes()
    reg.update_fields(GROUP, NAME, path="s3://x/y")
    reg.save()
    data, _ = store.get_bytes("config/dataset_registry.json")
    assert json.loads(data)["datasets"]["cot_reasoning"][NAME]["path"] == "s3://x/y"
    # the new ETag is the baseline: a second edit saves too
    reg.update_fields(GROUP, NAME, path="s3://x/z")
    reg.save()
    assert not reg.changed_on_disk()


def test_two_concurrent_s3_saves_one_loses_cleanly(store):
    url = _s3_registry(store)
    a = Registry.load(url, store_factory=lambda b: store)
    b = Registry.load(url, store_factory=lambda b_: store)
    a.update_fields(GROUP, NAME, stage="stage1_foundation")
    b.update_fields("voice_persona", "example_voice", type="from_b")
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def save(name, reg):
        barrier.wait()
        try:
            reg.save()
            results[name] = "ok"
        except RegistryConflict as exc:
            results[name] = exc

    threads = [threading.Thread(target=save, args=(n, r)) for n, r in (("a", a), ("b", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for n, r in results.items() if r == "ok"]
    losers = [n for n, r in results.items() if isinstance(r, RegistryConflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    loser = {"a": a, "b": b}[losers[0]]
    assert loser.dirty  # nothing lost
    stored = json.loads(store.get_bytes("config/dataset_registry.json")[0])
    if winners == ["a"]:
        assert stored["datasets"]["cot_reasoning"][NAME]["stage"] == "stage1_foundation"
        assert stored["voice_persona"]["example_voice"]["type"] == "voice_profile"
    else:
        assert stored["voice_persona"]["example_voice"]["type"] == "from_b"
    # The loser reloads (its edit is replayed) and saves: both edits are in S3.
    assert loser.reload() == []
    loser.save()
    stored = json.loads(store.get_bytes("config/dataset_registry.json")[0])
    assert stored["datasets"]["cot_reasoning"][NAME]["stage"] == "stage1_foundation"
    assert stored["voice_persona"]["example_voice"]["type"] == "from_b"


def test_s3_object_deleted_is_a_conflict(store):
    url = _s3_registry(store)
    reg = Registry.load(url, store_factory=lambda b: store)
    reg.update_fields(GROUP, NAME, type="x")
    store.delete("config/dataset_registry.json")
    with pytest.raises(RegistryConflict):
        reg.save()
    assert store.head("config/dataset_registry.json") is None


def test_s3_save_as_creates_only_a_new_object(store):
    url = _s3_registry(store)
    reg = Registry.load(url, store_factory=lambda b: store)
    reg.update_fields(GROUP, NAME, type="copy")
    with pytest.raises(Exception, match="already exists"):
        reg.save_as(url, store_factory=lambda b: store)
    reg.save_as(f"s3://{store.bucket}/config/mine.json", store_factory=lambda b: store)
    assert json.loads(store.get_bytes("config/mine.json")[0])["datasets"]["cot_reasoning"][NAME]["type"] == "copy"
    assert json.loads(store.get_bytes("config/dataset_registry.json")[0])["datasets"]["cot_reasoning"][NAME]["type"] \
        == "chain_of_thought"
    assert not reg.dirty and reg.location.endswith("mine.json")
    reg.update_fields(GROUP, NAME, type="copy2")
    reg.save()  # the new object's ETag is the baseline now
    assert json.loads(store.get_bytes("config/mine.json")[0])["datasets"]["cot_reasoning"][NAME]["type"] == "copy2"


def test_s3_missing_registry(store):
    with pytest.raises(RegistryNotFound):
        Registry.load(f"s3://{store.bucket}/config/none.json", store_factory=lambda b: store)


# -- SIGKILL during save -----------------------------------------------------------------------------

SAVER = textwrap.dedent(
    """
    import sys
    from pixel_tui.core.registry.document import Registry
    path, backups = sys.argv[1], sys.argv[2]
    reg = Registry.load(path, backup_dir=backups)
    n = 0
    print("ready", flush=True)
    while True:
        n += 1
        # a big edit so each write takes a while and the kill lands mid-write often
        reg.update_fields("voice_persona", "example_voice", notes="v%d " % n + "x" * 400_000, counter=n)
        reg.save(backups=1)
    """
)


def test_sigkill_during_save_never_leaves_a_broken_file(reg_path, tmp_path):
    script = tmp_path / "saver.py"
    script.write_text(SAVER)
    counters = []
    for attempt in range(5):
        proc = subprocess.Popen([sys.executable, str(script), str(reg_path), str(tmp_path / "b")],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.3 + attempt * 0.13)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        doc = json.loads(reg_path.read_text())  # always parses
        voice = doc["voice_persona"]["example_voice"]
        counter = voice.get("counter")
        counters.append(counter)
        if counter is not None:  # every version is one complete save: notes and counter agree
            assert voice["notes"].startswith(f"v{counter} ") and len(voice["notes"]) == len(f"v{counter} ") + 400_000
        leftovers = [p.name for p in reg_path.parent.iterdir()
                     if p.name not in (reg_path.name, f".{reg_path.name}.lock")]
        # a temp file may survive the kill, but it is hidden and never the registry itself
        assert all(name.startswith(f".{reg_path.name}.") and name.endswith(".tmp") for name in leftovers)
    assert any(c and c > 1 for c in counters), counters  # the loop really was saving when killed

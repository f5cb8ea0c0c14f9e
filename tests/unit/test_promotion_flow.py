"""Promotion end to end on both servers: plan, copy, verify, registry, move, conflicts, undo."""

from __future__ import annotations

import json
import os

import pytest
from conftest import PROMO_REGISTRY

from pixel_tui.core.config import with_overrides
from pixel_tui.core.errors import UnsafeNameError
from pixel_tui.core.promotion import Plan, audit, build_plan, execute
from pixel_tui.core.promotion.errors import ConflictsBlock, ReadOnlyMode, UndoRefused
from pixel_tui.core.promotion.journal import Journal
from pixel_tui.core.promotion.undo import undo

RAW = "gdrive/raw/"
COT = "gdrive/processed/cot_reasoning/"


def test_single_file_story(promo_env):
    """Story 3: suggested name, existing registry entry updated, copy kept, undo restores everything."""
    env = promo_env
    data = os.urandom(300_000)
    env.put(RAW + "CoT_Heartbreak_and_Breakups_downloaded.json", data)
    before = env.inventory()
    reg_before = env.registry_path.read_text()

    plan = build_plan(env.store, env.settings, [f"s3://{env.store.bucket}/{RAW}CoT_Heartbreak_and_Breakups_downloaded.json"],
                      "cot_reasoning")
    assert [(t.src, t.dst, t.action) for t in plan.tasks] == [
        (RAW + "CoT_Heartbreak_and_Breakups_downloaded.json", COT + "heartbreak_and_breakups.json", "copy")]
    assert plan.object_count == 1 and plan.total_bytes == 300_000 and not plan.conflicts
    change = plan.items[0].registry
    assert (change.group, change.name) == ("datasets/cot_reasoning", "CoT_Heartbreak_and_Breakups")
    changed = [ln for ln in plan.registry_diff.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    url = f"s3://{env.store.bucket}/{COT}heartbreak_and_breakups.json"
    assert f'+                "path": "{url}",' in changed
    assert any(ln.startswith('+                "source_path": "/mnt/gdrive/datasets/CoT_Heartbreak') for ln in changed)
    assert env.registry_path.read_text() == reg_before, "planning must not write"
    assert Plan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan

    result = execute(env.store, env.settings, plan)
    assert (result.status, result.copied, result.verified) == ("done", 1, 1)
    after = env.inventory()
    assert {k: v for k, v in after.items() if k in before} == before, "copy mode keeps the raw object"
    assert after[COT + "heartbreak_and_breakups.json"][0] == 300_000
    assert len(after) == len(before) + 1
    entry = json.loads(env.registry_path.read_text())["datasets"]["cot_reasoning"]["CoT_Heartbreak_and_Breakups"]
    assert entry["path"] == url
    assert entry["source_path"].startswith("/mnt/gdrive/datasets/CoT_Heartbreak")
    assert entry["size_mb"] == 0.3 and entry["focus"] == "relationships"
    rec = audit.records(env.settings)[-1]
    assert rec["action"] == "promote" and rec["id"] == plan.id and rec["bytes"] == 300_000 and rec["user"]

    done = undo(env.store, env.settings, plan.id)
    assert done.deleted == 1
    assert env.inventory() == before
    assert env.registry_path.read_text() == reg_before
    with pytest.raises(UndoRefused, match="already undone"):
        undo(env.store, env.settings, plan.id)


def test_folder_with_hundreds_of_objects_and_a_multipart_one(promo_env):
    env = promo_env
    src = RAW + "CoT Reasoning Pack_downloaded/"
    env.put(src, b"")  # folder marker
    for i in range(300):
        env.put(f"{src}part-{i:04d}.jsonl", f"line {i}\n".encode() * (i % 7 + 1))
    big = os.urandom(13 * 1024 * 1024 + 123)  # above the 6 MiB cutoff: 3 parts of 5 MiB
    env.put(src + "sub/big.bin", big)
    before = env.inventory()
    plan = build_plan(env.store, env.settings, [src], "cot_reasoning")
    assert plan.items[0].dest == COT + "pack/"
    assert plan.object_count == 301 and plan.items[0].markers == [src]
    progress = []
    result = execute(env.store, env.settings, plan, progress=progress.append)
    assert result.copied == 301 and result.verified == 301
    after = env.inventory()
    made = {k: v for k, v in after.items() if k.startswith(COT)}
    assert len(made) == 301 and len(after) == len(before) + 301
    assert sum(v[0] for v in made.values()) == sum(v[0] for k, v in before.items() if k != src)
    assert made[COT + "pack/sub/big.bin"][1].endswith("-3")
    assert env.store.get_bytes(COT + "pack/sub/big.bin")[0] == big
    assert progress[-1].phase == "done" and progress[-1].fraction == 1.0
    assert any(p.phase == "copy" for p in progress) and any(p.phase == "verify" for p in progress)
    entry = json.loads(env.registry_path.read_text())["datasets"]["cot_reasoning"]["CoT Reasoning Pack"]
    assert entry["path"] == f"s3://{env.store.bucket}/{COT}pack/"
    assert entry["stage"] == "stage2_therapeutic_expertise" and entry["type"] == "chain_of_thought"


def test_conflicts_block_skip_identical_and_overwrite_when_chosen(promo_env):
    env = promo_env
    env.put(RAW + "set/a.json", b"A" * 100)
    env.put(RAW + "set/b.json", b"B" * 100)
    env.put(COT + "set/a.json", b"A" * 100)  # identical: skipped
    env.put(COT + "set/b.json", b"other")  # different: blocks
    plan = build_plan(env.store, env.settings, [RAW + "set/"], "cot_reasoning")
    assert {t.dst.rsplit("/", 1)[-1]: t.action for t in plan.tasks} == {"a.json": "skip", "b.json": "conflict"}
    assert "CONFLICT" in plan.render()
    before = env.inventory()
    with pytest.raises(ConflictsBlock, match="1 destination"):
        execute(env.store, env.settings, plan)
    assert env.inventory() == before
    plan = build_plan(env.store, env.settings, [RAW + "set/"], "cot_reasoning", overwrite=True)
    assert {t.action for t in plan.tasks} == {"skip", "overwrite"}
    result = execute(env.store, env.settings, plan)
    assert result.copied == 1 and result.skipped == 1 and result.verified == 2
    assert env.store.get_bytes(COT + "set/b.json")[0] == b"B" * 100
    with pytest.raises(UndoRefused, match="overwrote 1 existing"):
        undo(env.store, env.settings, plan.id)


def test_move_mode_deletes_sources_and_markers_after_verification(promo_env):
    env = promo_env
    env.put(RAW + "edge/", b"")
    env.put(RAW + "edge/empty/", b"")
    for i in range(20):
        env.put(f"{RAW}edge/{i}.jsonl", os.urandom(1000 + i))
    before = env.inventory()
    plan = build_plan(env.store, env.settings, [RAW + "edge"], "edge_cases", move=True)
    assert "MOVE: after verification 20 raw objects" in plan.render()
    assert sorted(plan.items[0].markers) == [RAW + "edge/", RAW + "edge/empty/"]
    result = execute(env.store, env.settings, plan)
    assert result.sources_deleted == 22
    after = env.inventory()
    assert not [k for k in after if k.startswith(RAW)]
    moved = {k[len("gdrive/processed/edge_cases/edge/"):]: v for k, v in after.items()}
    assert moved == {k[len(RAW + "edge/"):]: v for k, v in before.items() if not k.endswith("/")}
    reg = json.loads(env.registry_path.read_text())
    assert reg["edge_case_sources"]["edge"]["stage"] == "stage3_edge_stress_test"
    # Undo of a move puts the raw objects (and markers) back before deleting the copies.
    undo(env.store, env.settings, plan.id)
    assert env.inventory() == before


def test_undo_refuses_when_the_copy_or_the_registry_changed(promo_env):
    env = promo_env
    env.put(RAW + "x.json", b"x" * 10)
    plan = build_plan(env.store, env.settings, [RAW + "x.json"], "priority", name="x_final.json")
    execute(env.store, env.settings, plan)
    env.put("gdrive/processed/priority/x_final.json", b"y" * 10)
    with pytest.raises(UndoRefused, match="changed since the promotion"):
        undo(env.store, env.settings, plan.id)
    assert env.store.get_bytes("gdrive/processed/priority/x_final.json")[0] == b"y" * 10

    env.put(RAW + "z.json", b"z")
    plan = build_plan(env.store, env.settings, [RAW + "z.json"], "priority")
    execute(env.store, env.settings, plan)
    doc = json.loads(env.registry_path.read_text())
    doc["datasets"]["priority_datasets"]["z"]["path"] = "s3://elsewhere/z.json"
    env.registry_path.write_text(json.dumps(doc, indent=4))
    with pytest.raises(UndoRefused, match="registry entry datasets/priority_datasets/z changed"):
        undo(env.store, env.settings, plan.id)
    assert env.store.head("gdrive/processed/priority/z.json") is not None


@pytest.mark.parametrize(
    ("sources", "kwargs", "match"),
    [
        (["gdrive/raw/../processed/cot_reasoning/x"], {}, "'..'"),
        (["gdrive/processed/cot_reasoning/x"], {}, "not under 'gdrive/raw/'"),
        (["s3://another-bucket/gdrive/raw/x"], {}, "not in the configured bucket"),
        (["/gdrive/raw/x"], {}, "empty path component"),
        (["gdrive/raw/x\x1b[2J"], {}, "control characters"),
        (["gdrive/raw/x"], {"name": "../../evil"}, "'..'"),
        (["gdrive/raw/x"], {"name": "/etc/passwd"}, "starts with '/'"),
        (["gdrive/raw/x"], {"category": "secret"}, "unknown category 'secret'"),
    ],
)
def test_path_safety_rejections_change_nothing(promo_env, sources, kwargs, match):
    env = promo_env
    env.put("gdrive/raw/x", b"x")
    before = env.inventory()
    kwargs = dict(kwargs)
    category = kwargs.pop("category", "cot_reasoning")
    with pytest.raises(UnsafeNameError, match=match):
        build_plan(env.store, env.settings, sources, category, **kwargs)
    assert env.inventory() == before
    assert not (env.settings.state_path / "journal").exists()


def test_read_only_disables_promotion(promo_env):
    env = promo_env
    env.put(RAW + "x.json", b"x")
    with pytest.raises(ReadOnlyMode):
        build_plan(env.store, with_overrides(env.settings, read_only=True), [RAW + "x.json"], "priority")


def test_no_registry_configured_still_promotes(promo_env):
    env = promo_env
    settings = with_overrides(env.settings, registry=None)
    env.put(RAW + "x.json", b"x")
    plan = build_plan(env.store, settings, [RAW + "x.json"], "priority")
    assert plan.registry_location is None and "none configured" in plan.render()
    assert execute(env.store, settings, plan).status == "done"
    st = Journal.find(settings, plan.id).state()
    assert st.done and not st.registry_saved


def test_registry_kept_in_s3_is_updated_with_a_conditional_put_and_restored_by_undo(promo_env):
    env = promo_env
    reg_key = "meta/dataset_registry.json"
    text = env.registry_path.read_text()
    env.store.put_bytes(reg_key, text.encode())
    settings = with_overrides(env.settings, registry=f"s3://{env.store.bucket}/{reg_key}")
    env.put(RAW + "CoT_Heartbreak_and_Breakups_downloaded.json", b"{}")
    plan = build_plan(env.store, settings, [RAW + "CoT_Heartbreak_and_Breakups_downloaded.json"], "cot_reasoning")
    assert plan.registry_location == f"s3://{env.store.bucket}/{reg_key}"
    execute(env.store, settings, plan)
    doc = json.loads(env.store.get_bytes(reg_key)[0])
    assert doc["datasets"]["cot_reasoning"]["CoT_Heartbreak_and_Breakups"]["path"].endswith("heartbreak_and_breakups.json")
    undo(env.store, settings, plan.id)
    assert env.store.get_bytes(reg_key)[0].decode() == text


def test_registry_entry_edited_between_plan_and_run_is_not_overwritten(promo_env):
    from pixel_tui.core.promotion import PromotionError, resume

    env = promo_env
    env.put(RAW + "CoT_Heartbreak_and_Breakups_downloaded.json", b"{}")
    plan = build_plan(env.store, env.settings, [RAW + "CoT_Heartbreak_and_Breakups_downloaded.json"], "cot_reasoning")
    doc = json.loads(env.registry_path.read_text())
    doc["datasets"]["cot_reasoning"]["CoT_Heartbreak_and_Breakups"]["path"] = "/mnt/other/place.json"
    env.registry_path.write_text(json.dumps(doc, indent=4))
    edited = env.registry_path.read_text()
    with pytest.raises(PromotionError, match="changed since the plan was made"):
        execute(env.store, env.settings, plan)
    assert env.registry_path.read_text() == edited, "their edit is kept"
    st = Journal.find(env.settings, plan.id).state()
    assert len(st.verified) == 1 and not st.registry_saved, "the copy is verified and kept"
    # Put the entry back as planned: resume finishes without copying again.
    env.registry_path.write_text(json.dumps(PROMO_REGISTRY, indent=4) + "\n")
    result = resume(env.store, env.settings, plan.id)
    assert result.status == "done" and result.copied == 0 and result.registry_diff


def test_the_copy_phase_ends_on_a_tick_with_every_byte(promo_env):
    # Copies that finish inside the 0.1 s throttle used to leave the copy phase's last tick short
    # of the total (the bar stood at 0 or 62% until the verify phase replaced it).
    env = promo_env
    for i in range(3):
        env.put(f"{RAW}quick/{i}.jsonl", b"x" * (1000 + i))
    plan = build_plan(env.store, env.settings, [RAW + "quick/"], "cot_reasoning")
    progress = []
    execute(env.store, env.settings, plan, progress=progress.append)
    copy = [p for p in progress if p.phase == "copy"]
    assert copy[-1].bytes_done == copy[-1].bytes_total == 3003 and copy[-1].objects_done == 3

"""The registry side of a plan, as the team reads it: size_mb in the file's own unit, provenance kept, each item
its own category (real SeaweedFS)."""

from __future__ import annotations

import json

from conftest import make_promo_env

from pixel_tui.core.promotion import build_plan, execute
from pixel_tui.core.promotion.plan_registry import item_categories
from pixel_tui.core.promotion.registry_update import load_registry
from pixel_tui.core.units import MB, MIB, size_convention, size_mb_units

MiB = 1024 * 1024
RAW = "gdrive/raw/"
HEART = RAW + "CoT_Heartbreak_and_Breakups_downloaded.json"


def changed_lines(diff: str) -> list[str]:
    return [ln for ln in diff.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]


def mib_registry(env, size_mb=37) -> None:
    """The team's file written in MiB-based sizes (37 for 37 MiB), as in the demo."""
    reg = json.loads(env.registry_path.read_text())
    reg["datasets"]["cot_reasoning"]["CoT_Heartbreak_and_Breakups"]["size_mb"] = size_mb
    env.registry_path.write_text(json.dumps(reg, indent=4) + "\n")


def test_size_mb_units_within_the_values_own_rounding():
    assert size_mb_units(37, 37 * MiB) == {MIB}
    assert size_mb_units(38.8, 37 * MiB) == {MB}
    assert size_mb_units(37, 37_000_000) == {MB}
    assert size_mb_units(40, 37 * MiB) == set()
    assert size_convention([(37, 37 * MiB), (3.0, 3 * MiB), (20, 20 * MiB)]) == MIB
    assert size_convention([(20, 20_000_000)]) == MB
    assert size_mb_units(3.0, 3 * MiB) == {MIB} and size_mb_units(3, 3 * MiB) == {MB, MIB}
    assert size_convention([(1, MiB)]) is None  # 1 MiB is 1 MB within rounding: it says nothing


def test_same_bytes_in_a_mib_file_keep_size_mb_and_the_diff_is_three_lines(weed_store, tmp_path):
    env = make_promo_env(weed_store, tmp_path)
    mib_registry(env)
    env.put(HEART, b"x" * (37 * MiB))
    plan = build_plan(env.store, env.settings, [HEART], "cot_reasoning")
    lines = changed_lines(plan.registry_diff)
    assert len(lines) == 3, plan.registry_diff
    assert lines[0].startswith('-') and '"path": "/mnt/gdrive' in lines[0]
    assert '"path": "s3://' in lines[1] and '"source_path": "/mnt/gdrive' in lines[2]
    assert plan.items[0].registry.after["size_mb"] == 37


def test_changed_bytes_are_written_in_the_files_unit(weed_store, tmp_path):
    env = make_promo_env(weed_store, tmp_path)
    mib_registry(env)
    reg = json.loads(env.registry_path.read_text())
    # another entry already on S3 tells the file's unit: 3 MiB written as 3.0
    url = f"s3://{weed_store.bucket}/gdrive/processed/cot_reasoning/temporal.json"
    reg["datasets"]["cot_reasoning"]["CoT_Temporal"] = {"path": url, "size_mb": 3.0}
    env.registry_path.write_text(json.dumps(reg, indent=4) + "\n")
    env.put("gdrive/processed/cot_reasoning/temporal.json", b"t" * (3 * MiB))
    env.put(HEART, b"x" * (40 * MiB))
    plan = build_plan(env.store, env.settings, [HEART], "cot_reasoning")
    assert plan.items[0].registry.after["size_mb"] == 40.0
    assert any('"size_mb": 40.0' in ln for ln in changed_lines(plan.registry_diff))


def test_a_second_promotion_keeps_the_original_source_path(weed_store, tmp_path):
    env = make_promo_env(weed_store, tmp_path)
    env.put(HEART, b"{}" * 1000)
    first = build_plan(env.store, env.settings, [HEART], "cot_reasoning")
    execute(env.store, env.settings, first)
    entry = json.loads(env.registry_path.read_text())["datasets"]["cot_reasoning"]["CoT_Heartbreak_and_Breakups"]
    assert entry["source_path"].startswith("/mnt/gdrive/")
    again = build_plan(env.store, env.settings, [HEART], "cot_reasoning", name="heartbreak_v2.json")
    after = again.items[0].registry.after
    assert after["source_path"] == entry["source_path"], "provenance is never overwritten"
    assert not any("source_path" in ln for ln in changed_lines(again.registry_diff)), again.registry_diff


def test_multi_item_plan_suggests_a_category_per_item_and_registered_items_keep_their_group(weed_store, tmp_path):
    env = make_promo_env(weed_store, tmp_path)
    reg = json.loads(env.registry_path.read_text())
    reg["datasets"]["professional_therapeutic"] = {
        "psych8k": {"path": "/mnt/gdrive/datasets/Psych8k/psych8k_alpaca.json", "type": "professional",
                    "stage": "stage1_foundation"}}
    env.registry_path.write_text(json.dumps(reg, indent=4) + "\n")
    env.put(HEART, b"{}")
    env.put(RAW + "Psych8k/psych8k_alpaca.json", b"{}")
    sources = [HEART, RAW + "Psych8k/"]
    registry = load_registry(env.settings, env.store)
    cats = item_categories(env.settings, sources, "cot_reasoning", registry)
    assert cats == {HEART: "cot_reasoning", RAW + "Psych8k/": "professional_therapeutic"}
    plan = build_plan(env.store, env.settings, sources, "cot_reasoning", categories=cats, registry=registry)
    by_src = {i.source: i for i in plan.items}
    psych = by_src[RAW + "Psych8k/"]
    assert psych.dest.startswith("gdrive/processed/professional_therapeutic/")
    assert (psych.registry.group, psych.registry.name) == ("datasets/professional_therapeutic", "psych8k")
    assert by_src[HEART].dest.startswith("gdrive/processed/cot_reasoning/")
    assert "[professional_therapeutic]" in plan.render()


def test_undo_refusal_names_the_field_that_changed_and_copies_only_keeps_the_entry(weed_store, tmp_path):
    import pytest

    from pixel_tui.core.promotion.errors import UndoRefused
    from pixel_tui.core.promotion.undo import undo

    env = make_promo_env(weed_store, tmp_path)
    env.put(HEART, b"{}" * 10)
    plan = build_plan(env.store, env.settings, [HEART], "cot_reasoning")
    execute(env.store, env.settings, plan)
    doc = json.loads(env.registry_path.read_text())
    doc["datasets"]["cot_reasoning"]["CoT_Heartbreak_and_Breakups"]["notes"] = "checked by Dev"
    env.registry_path.write_text(json.dumps(doc, indent=4) + "\n")
    edited = env.registry_path.read_text()
    with pytest.raises(UndoRefused) as refused:
        undo(env.store, env.settings, plan.id)
    assert "(notes added)" in refused.value.message and "path" not in refused.value.message
    assert refused.value.fields == ["notes"] and "--copies-only" in refused.value.hint
    dest = plan.items[0].dest
    assert env.store.head(dest) is not None, "a refused undo deletes nothing"

    done = undo(env.store, env.settings, plan.id, copies_only=True)
    assert done.deleted == 1 and done.copies_only and done.registry_diff == ""
    assert env.store.head(dest) is None and env.store.head(HEART) is not None
    assert env.registry_path.read_text() == edited, "the entry is kept as it is now"


def psych_registry(env) -> None:
    """The team's file with psych8k registered under professional_therapeutic, beside CoT_Heartbreak."""
    reg = json.loads(env.registry_path.read_text())
    reg["datasets"]["professional_therapeutic"] = {
        "psych8k": {"path": "/mnt/gdrive/datasets/Psych8k/psych8k_alpaca.json", "type": "professional",
                    "stage": "stage1_foundation"},
        "wendy_sessions": {"path": "/mnt/gdrive/datasets/wendy.jsonl", "type": "professional"}}
    env.registry_path.write_text(json.dumps(reg, indent=4) + "\n")


def test_a_registered_item_given_another_category_moves_its_entry_and_undo_moves_it_back(weed_store, tmp_path):
    from pixel_tui.core.promotion.journal import Journal
    from pixel_tui.core.promotion.undo import undo
    from pixel_tui.core.registry.document import Registry

    env = make_promo_env(weed_store, tmp_path)
    psych_registry(env)
    original = env.registry_path.read_text()
    env.put(HEART, b"{}")
    env.put(RAW + "Psych8k/psych8k_alpaca.json", b"{}" * 5)
    sources = [HEART, RAW + "Psych8k/"]
    # the operator changed psych8k's row to priority; CoT_Heartbreak keeps its suggestion
    plan = build_plan(env.store, env.settings, sources, "cot_reasoning",
                      categories={HEART: "cot_reasoning", RAW + "Psych8k/": "priority"})
    by_src = {i.source: i for i in plan.items}
    psych = by_src[RAW + "Psych8k/"]
    assert psych.dest == "gdrive/processed/priority/psych8k/"
    assert (psych.registry.group, psych.registry.moved_from) == ("datasets/priority_datasets",
                                                                 "datasets/professional_therapeutic")
    assert by_src[HEART].registry.moved_from == ""
    assert plan.summary()["categories"] == ["cot_reasoning", "priority"]

    result = execute(env.store, env.settings, plan)
    assert result.status == "done"
    assert env.store.head("gdrive/processed/priority/psych8k/psych8k_alpaca.json") is not None
    assert env.store.head("gdrive/processed/cot_reasoning/heartbreak_and_breakups.json") is not None
    reg = Registry.from_text(env.registry_path.read_text())
    assert reg.ref("datasets/professional_therapeutic", "psych8k") is None, "moved, not copied"
    moved = reg.ref("datasets/priority_datasets", "psych8k").entry
    assert moved["path"] == f"s3://{env.store.bucket}/gdrive/processed/priority/psych8k/"
    assert moved["source_path"] == "/mnt/gdrive/datasets/Psych8k/psych8k_alpaca.json"
    assert reg.ref("datasets/professional_therapeutic", "wendy_sessions") is not None
    journaled = Journal.find(env.settings, plan.id).state().plan
    assert {it["source"]: it["category"] for it in journaled["items"]} == {
        HEART: "cot_reasoning", RAW + "Psych8k/": "priority"}

    undo(env.store, env.settings, plan.id)
    assert env.registry_path.read_text() == original, "back in its group, in its place"


def test_a_registered_item_keeps_its_group_when_its_category_is_its_groups(weed_store, tmp_path):
    env = make_promo_env(weed_store, tmp_path)
    psych_registry(env)
    env.put(RAW + "Psych8k/psych8k_alpaca.json", b"{}")
    plan = build_plan(env.store, env.settings, [RAW + "Psych8k/"], "professional_therapeutic")
    change = plan.items[0].registry
    assert (change.group, change.moved_from) == ("datasets/professional_therapeutic", "")

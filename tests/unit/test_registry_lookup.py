"""A unique name is enough everywhere a name is taken (issue 13), through the one lookup (core/registry/lookup.py);
an ambiguous one lists its candidates as group/name. CLI subcommands, the resolver and the promotion plan (the
screens are in tests/functional/test_registry_lookup_screens.py)."""

from __future__ import annotations

import json

import pytest
from conftest import make_promo_env

from pixel_tui.cli import main
from pixel_tui.core.registry.document import Registry
from pixel_tui.core.registry.lookup import AmbiguousName, NameNotFound, find_dataset, split_address
from pixel_tui.core.registry.resolver import DatasetNotResolved, Resolver

DOC = {
    "datasets": {
        "priority_datasets": {"priority_1": {"path": "s3://b/p1.jsonl", "stage": "stage1_foundation"}},
        "cot_reasoning": {"twin": {"path": "s3://b/cot/twin.json"}},
        "professional_therapeutic": {"twin": {"path": "s3://b/pro/twin.json"}},
    },
    "voice_persona": {"voice": {"path": "/mnt/gdrive/voice"}},
}
TWINS = "datasets/cot_reasoning/twin, datasets/professional_therapeutic/twin"


@pytest.fixture
def reg_path(tmp_path):
    p = tmp_path / "dataset_registry.json"
    p.write_text(json.dumps(DOC, indent=4) + "\n")
    return p


def test_the_lookup_takes_group_name_or_a_unique_name_and_lists_candidates(reg_path):
    reg = Registry.load(str(reg_path))
    assert find_dataset(reg, "priority_1").key == "datasets/priority_datasets/priority_1"
    assert find_dataset(reg, "voice").key == "voice_persona/voice"
    assert find_dataset(reg, "datasets/cot_reasoning/twin").group == "datasets/cot_reasoning"
    assert find_dataset(reg, "twin", group="datasets/professional_therapeutic").path == "s3://b/pro/twin.json"
    with pytest.raises(AmbiguousName) as exc:
        find_dataset(reg, "twin")
    assert exc.value.candidates == TWINS.split(", ") and TWINS in exc.value.hint
    with pytest.raises(NameNotFound):
        find_dataset(reg, "nope")
    assert split_address(reg, "datasets/cot_reasoning/new", must_exist=True) == ("datasets/cot_reasoning", "new")
    with pytest.raises(NameNotFound, match="no group"):
        split_address(reg, "datasets/nogroup/new")


@pytest.mark.parametrize("argv", [["get", "priority_1"], ["set", "priority_1", "tier=2"],
                                  ["set", "priority_1", "--unset", "stage"], ["rm", "priority_1", "--dry-run"]])
def test_every_registry_subcommand_takes_a_unique_name(reg_path, capsys, argv):
    assert main(["registry", *argv, "--registry", str(reg_path)]) == 0
    out = capsys.readouterr().out
    if argv[0] == "get":
        assert json.loads(out)["path"] == "s3://b/p1.jsonl"
    else:
        assert "priority_1" in out  # the diff of that entry


@pytest.mark.parametrize("argv", [["get", "twin"], ["set", "twin", "tier=2"], ["rm", "twin"],
                                  ["add", "twin", "path=s3://b/x"]])
def test_every_registry_subcommand_lists_the_candidates_of_an_ambiguous_name(reg_path, capsys, argv):
    before = reg_path.read_text()
    assert main(["registry", *argv, "--registry", str(reg_path)]) == 2
    err = capsys.readouterr().err
    assert "'twin' names 2 datasets" in err and TWINS in err
    assert reg_path.read_text() == before


def test_the_resolver_takes_a_unique_name_and_lists_candidates(reg_path):
    res = Resolver(str(reg_path))
    assert res.url("priority_1") == "s3://b/p1.jsonl"
    assert res.url("datasets/professional_therapeutic/twin") == "s3://b/pro/twin.json"
    assert res.url("twin", group="datasets/cot_reasoning") == "s3://b/cot/twin.json"
    with pytest.raises(DatasetNotResolved, match="several groups") as exc:
        res.url("twin")
    assert TWINS in exc.value.hint


def test_the_promotion_plan_takes_a_registry_entry_by_its_unique_name(weed_store, tmp_path):
    from pixel_tui.core.promotion import build_plan

    env = make_promo_env(weed_store, tmp_path)
    env.put("gdrive/raw/p1.jsonl", b"x" * 100)
    src = [f"s3://{weed_store.bucket}/gdrive/raw/p1.jsonl"]
    # the dialog's registry entry with the group left empty: the unique name finds its group
    plan = build_plan(env.store, env.settings, src, "priority", registry_entry=("", "priority_1", {}))
    change = plan.items[0].registry
    assert (change.group, change.name) == ("datasets/priority_datasets", "priority_1") and change.before
    doc = json.loads(env.registry_path.read_text())
    doc["datasets"]["cot_reasoning"]["priority_1"] = {"path": "/mnt/gdrive/x"}
    env.registry_path.write_text(json.dumps(doc, indent=4))
    with pytest.raises(AmbiguousName, match="names 2 datasets") as exc:
        build_plan(env.store, env.settings, src, "priority", registry_entry=("", "priority_1", {}))
    assert "datasets/cot_reasoning/priority_1" in exc.value.hint
    with pytest.raises(NameNotFound, match="no dataset 'brand_new'") as exc:
        build_plan(env.store, env.settings, src, "priority", registry_entry=("", "brand_new", {}))
    assert "needs its group" in exc.value.hint

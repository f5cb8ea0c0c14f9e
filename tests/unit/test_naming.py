"""The canonical-name rule, category guess, safe-name checks and registry-entry suggestion."""

from __future__ import annotations

import pytest

from pixel_tui.core.config import Settings
from pixel_tui.core.errors import UnsafeNameError
from pixel_tui.core.promotion.naming import (
    canonical_name,
    check_category,
    check_key_under,
    check_name,
    registry_name,
    suggest_category,
    suggest_registry_entry,
)
from pixel_tui.core.registry.document import DatasetRef


@pytest.mark.parametrize(
    ("source", "category", "expected"),
    [
        ("CoT_Heartbreak_and_Breakups_downloaded.json", "cot_reasoning", "heartbreak_and_breakups.json"),
        ("CoT_Heartbreak_and_Breakups_downloaded.json", None, "cot_heartbreak_and_breakups.json"),
        ("CoT_Heartbreak_and_Breakups_downloaded.json", "priority", "cot_heartbreak_and_breakups.json"),
        ("Priority 1 FINAL (1).jsonl", "priority", "1_final.jsonl"),
        ("therapist-sft-format", "professional_therapeutic", "sft_format"),
        ("Reddit Mental Health_final_download.JSON", "edge_cases", "reddit_mental_health.json"),
        ("edge_cases_suicide_final-download.jsonl", "edge_cases", "suicide.jsonl"),
        ("psych8K.csv.gz", "professional_therapeutic", "psych8k.csv.gz"),
        ("Copy of CoT Reasoning Set (2).json", "cot_reasoning", "set.json"),
        ("cot.json", "cot_reasoning", "cot.json"),
        ("notes_downloaded", "priority", "notes"),
    ],
)
def test_canonical_name(source, category, expected):
    assert canonical_name(source, category, is_folder="." not in source) == expected


def test_canonical_name_of_a_folder_keeps_dots_as_word_breaks():
    assert canonical_name("gdrive/raw/datasets-wendy.v2/", "priority", is_folder=True) == "datasets_wendy_v2"


def test_registry_name_keeps_the_team_spelling():
    assert registry_name("CoT_Heartbreak_and_Breakups_downloaded.json") == "CoT_Heartbreak_and_Breakups"
    assert registry_name("therapist-sft-format/", is_folder=True) == "therapist-sft-format"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("CoT_Heartbreak_and_Breakups_downloaded.json", "cot_reasoning"),
        ("priority_1_FINAL.jsonl", "priority"),
        ("therapist-sft-format", "professional_therapeutic"),
        ("edge_cases_suicide.jsonl", "edge_cases"),
        ("random_stuff.json", None),
    ],
)
def test_suggest_category(source, expected):
    assert suggest_category(source, Settings().categories) == expected


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "empty"),
        ("../etc.json", "'..'"),
        ("..", "'..'"),
        ("/abs.json", "starts with '/'"),
        ("a/b.json", "path separator"),
        ("bad\x07name.json", "control characters"),
        ("tab\tname", "control characters"),
        ("x" * 300, "bytes long"),
    ],
)
def test_check_name_rejects_with_a_reason(name, why):
    with pytest.raises(UnsafeNameError) as exc:
        check_name(name)
    assert why in exc.value.message


def test_check_name_accepts_a_plain_name():
    assert check_name("heartbreak_and_breakups.json") == "heartbreak_and_breakups.json"


def test_unknown_category_lists_the_known_ones():
    with pytest.raises(UnsafeNameError) as exc:
        check_category("cot", Settings())
    assert "unknown category 'cot'" in exc.value.message
    assert "cot_reasoning" in exc.value.hint


@pytest.mark.parametrize("key", ["gdrive/raw/../processed/x", "gdrive/raw/a\x00b", "gdrive/processed/x", "gdrive/raw/",
                                 "/gdrive/raw/x", "gdrive/raw//x"])
def test_check_key_under_rejects_keys_outside_or_odd(key):
    with pytest.raises(UnsafeNameError):
        check_key_under(key, "gdrive/raw/")


def test_registry_suggestion_reuses_the_entry_whose_path_matches():
    refs = [
        DatasetRef("datasets/cot_reasoning", "CoT_Heartbreak_and_Breakups", {
            "path": "/mnt/gdrive/datasets/CoT_Heartbreak_and_Breakups/CoT_Heartbreak_and_Breakups.json",
            "type": "chain_of_thought", "stage": "stage2_therapeutic_expertise"}),
    ]
    sug = suggest_registry_entry("gdrive/raw/CoT_Heartbreak_and_Breakups_downloaded.json", "cot_reasoning", Settings(), refs)
    assert (sug.group, sug.name, sug.existing) == ("datasets/cot_reasoning", "CoT_Heartbreak_and_Breakups", True)
    assert sug.fields["stage"] == "stage2_therapeutic_expertise"


def test_registry_suggestion_for_a_new_dataset_uses_group_map_and_stage():
    refs = [DatasetRef("edge_case_sources", "x", {"path": "/p", "stage": "stage3_edge_stress_test", "type": "synthetic_edge"})]
    sug = suggest_registry_entry("gdrive/raw/new_edge.jsonl", "edge_cases", Settings(), refs)
    assert (sug.group, sug.name, sug.existing) == ("edge_case_sources", "new_edge", False)
    assert sug.fields == {"type": "synthetic_edge", "stage": "stage3_edge_stress_test"}
    sug = suggest_registry_entry("gdrive/raw/Top_Picks_downloaded.jsonl", "priority", Settings(), [])
    assert (sug.group, sug.name) == ("datasets/priority_datasets", "Top_Picks")
    assert sug.fields["stage"] == "stage1_foundation"

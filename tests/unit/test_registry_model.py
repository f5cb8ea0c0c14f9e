"""The registry model: faithful round trip, minimal diffs per edit kind, undo/redo, parse errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pixel_tui.core.registry.document import Registry, RegistryEditError, RegistryParseError

FIXTURE = Path(__file__).parent / "data" / "registry_real_shape.json"


@pytest.fixture
def reg_path(tmp_path) -> Path:
    p = tmp_path / "dataset_registry.json"
    shutil.copyfile(FIXTURE, p)
    return p


def changed_lines(reg: Registry) -> tuple[list[str], list[str]]:
    """(removed, added) lines of the registry's diff, without the headers."""
    lines = reg.diff().splitlines()[2:]
    return [x[1:] for x in lines if x.startswith("-")], [x[1:] for x in lines if x.startswith("+")]


def test_round_trip_is_byte_identical(reg_path):
    original = reg_path.read_bytes()
    reg = Registry.load(str(reg_path))
    assert reg.render().encode("utf-8") == original
    assert not reg.dirty and reg.diff() == ""
    reg.save()
    assert reg_path.read_bytes() == original


def test_reads_every_shape_of_the_design_note(reg_path):
    reg = Registry.load(str(reg_path))
    assert reg.groups() == [
        "datasets/cot_reasoning", "datasets/professional_therapeutic", "datasets/priority_datasets",
        "edge_case_sources", "voice_persona",
    ]
    keys = [d.key for d in reg.datasets()]
    assert "voice_persona/example_voice" in keys and "edge_case_sources/example_edge_source" in keys
    assert not any(k.startswith(("training_strategy", "usage_notes")) for k in keys)
    ref = reg.ref("datasets/cot_reasoning", "CoT_Example_Reasoning")
    assert ref.entry["size_mb"] == 20.0 and isinstance(ref.entry["size_mb"], float)
    assert reg.ref("datasets/cot_reasoning", "Compact_One").entry["size_mb"] == 1.25
    assert reg.ref("datasets/professional_therapeutic", "psych8k").entry["notes"].endswith("🙂")
    meta = reg.metadata()
    assert meta["total_size_gb"] == 10 and "training_strategy" in meta and "usage_notes" in meta
    assert reg.ref("datasets/cot_reasoning", "nope") is None


def test_change_one_field_changes_one_line(reg_path):
    reg = Registry.load(str(reg_path))
    reg.update_fields("datasets/cot_reasoning", "CoT_Example_Reasoning", stage="stage1_foundation")
    removed, added = changed_lines(reg)
    assert removed == ['                "stage": "stage2_therapeutic_expertise",']
    assert added == ['                "stage": "stage1_foundation",']


def test_same_value_is_not_an_edit_but_int_for_float_is(reg_path):
    reg = Registry.load(str(reg_path))
    reg.update_fields("datasets/cot_reasoning", "CoT_Example_Reasoning", size_mb=20.0, type="chain_of_thought")
    assert not reg.dirty and not reg.can_undo
    reg.update_fields("datasets/cot_reasoning", "CoT_Example_Reasoning", size_mb=20)
    assert changed_lines(reg) == (['                "size_mb": 20.0,'], ['                "size_mb": 20,'])


def test_migration_edit_is_three_lines(reg_path):
    reg = Registry.load(str(reg_path))
    reg.update_fields("datasets/cot_reasoning", "CoT_Example_Reasoning",
                      path="s3://b/gdrive/processed/cot_reasoning/x.json",
                      source_path="/mnt/gdrive/datasets/CoT_Example_Reasoning/CoT_Example_Reasoning.json")
    removed, added = changed_lines(reg)
    assert len(removed) == 1 and len(added) == 2
    assert added[1].strip().startswith('"source_path"')


def test_inline_object_stays_inline(reg_path):
    reg = Registry.load(str(reg_path))
    reg.update_fields("datasets/cot_reasoning", "Compact_One", size_mb=2.5, quality_profile="q")
    removed, added = changed_lines(reg)
    assert len(removed) == 1 and len(added) == 1
    assert added[0].endswith('"size_mb": 2.5, "type": "chain_of_thought", "stage": "stage2_therapeutic_expertise", "quality_profile": "q"}')


def test_add_entry_appends_lines_only(reg_path):
    reg = Registry.load(str(reg_path))
    reg.set_entry("voice_persona", "new_voice", {"path": "s3://b/v", "stage": "stage4_voice_persona"})
    removed, added = changed_lines(reg)
    assert removed == []
    assert [a.strip() for a in added] == ["},", '"new_voice": {', '"path": "s3://b/v",', '"stage": "stage4_voice_persona"']
    # the closing brace of the previous entry moved down one line: difflib shows it as an addition
    assert json.loads(reg.render())["voice_persona"]["new_voice"]["path"] == "s3://b/v"


def test_remove_entry_only_removes_its_lines(reg_path):
    reg = Registry.load(str(reg_path))
    reg.remove("datasets/professional_therapeutic", "psych8k")
    removed, added = changed_lines(reg)
    assert added == []
    assert [r.strip() for r in removed][:2] == ["},", '"psych8k": {']
    assert reg.ref("datasets/professional_therapeutic", "psych8k") is None


def test_set_entry_keeps_unknown_fields_and_order(reg_path):
    reg = Registry.load(str(reg_path))
    before = reg.ref("datasets/professional_therapeutic", "example_counseling").entry
    reg.set_entry("datasets/professional_therapeutic", "example_counseling", {"type": "other", "path": before["path"]})
    after = reg.ref("datasets/professional_therapeutic", "example_counseling").entry
    assert list(after) == list(before) and after["metadata"] == before["metadata"] and after["type"] == "other"
    reg.remove_field("datasets/professional_therapeutic", "example_counseling", "metadata")
    assert "metadata" not in reg.ref("datasets/professional_therapeutic", "example_counseling").entry


def test_move_and_duplicate(reg_path):
    reg = Registry.load(str(reg_path))
    reg.move("datasets/priority_datasets", "priority_1", "edge_case_sources")
    assert reg.ref("edge_case_sources", "priority_1").entry["tier"] == 1
    assert reg.ref("datasets/priority_datasets", "priority_1") is None
    reg.duplicate("edge_case_sources", "priority_1", "priority_2")
    assert reg.ref("edge_case_sources", "priority_2").entry == reg.ref("edge_case_sources", "priority_1").entry
    with pytest.raises(RegistryEditError):
        reg.duplicate("edge_case_sources", "priority_1", "priority_2")
    reparsed = json.loads(reg.render())
    assert reparsed["datasets"]["priority_datasets"] == {}


def test_new_group_is_created_in_file_style(reg_path):
    reg = Registry.load(str(reg_path))
    reg.set_entry("datasets/brand_new", "d1", {"path": "s3://b/d1"})
    reg.set_entry("new_top_group", "d2", {"path": "s3://b/d2"})
    assert "datasets/brand_new" in reg.groups() and "new_top_group" in reg.groups()
    text = reg.render()
    assert '        "brand_new": {\n            "d1": {\n                "path": "s3://b/d1"\n            }\n        }' in text
    assert json.loads(text)["new_top_group"] == {"d2": {"path": "s3://b/d2"}}


def test_undo_redo_restore_exact_text(reg_path):
    reg = Registry.load(str(reg_path))
    original = reg.render()
    reg.update_fields("voice_persona", "example_voice", type="x")
    one = reg.render()
    reg.remove("voice_persona", "example_voice")
    assert reg.undo() and reg.render() == one
    assert reg.undo() and reg.render() == original and not reg.dirty
    assert not reg.undo()
    assert reg.redo() and reg.render() == one
    reg.update_fields("voice_persona", "example_voice", type="y")
    assert not reg.can_redo


def test_failed_edit_changes_nothing(reg_path):
    reg = Registry.load(str(reg_path))
    with pytest.raises(RegistryEditError):
        reg.remove("voice_persona", "nope")
    with pytest.raises(RegistryEditError):
        reg.set_entry("voice_persona", "  ", {"path": "x"})
    with pytest.raises(RegistryEditError):
        reg.set_entry("datasets", "x", {"path": "x"})
    for section in ("usage_notes", "training_strategy", "description"):
        with pytest.raises(RegistryEditError):
            reg.set_entry(section, "x", {"path": "x"})
    assert "usage_notes" not in reg.groups() and reg.odd_entries() == []
    assert not reg.dirty and not reg.can_undo


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{\n    "a": 1,\n    "b": \n', 4, 1, "Expecting value"),
        ('{\n    "a": {"x": 1, "x": 2}\n}\n', 2, 19, "duplicate key 'x'"),
        ('{\n    "datasets": {},\n    "datasets": {}\n}\n', 3, 5, "duplicate key 'datasets'"),
        ('{"datasets": {"g": {\n  "e": {"path": "a", "size_mb": 1, "path": "b"}}}}', 2, 36, "duplicate key 'path'"),
        ("[1, 2]\n", 1, 1, "must be a JSON object"),
        ('{"a": 1} x', 1, 10, "Extra data"),
        ("", 1, 1, "Expecting value"),
    ],
)
def test_parse_errors_name_line_and_column(tmp_path, text, line, column, words):
    p = tmp_path / "r.json"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryParseError) as info:
        Registry.load(str(p))
    err = info.value
    assert (err.line, err.column) == (line, column) and words in str(err)
    assert f"line {line} column {column}" in str(err) and err.exit_code == 2
    assert p.read_text(encoding="utf-8") == text


def test_truncated_fixture_is_a_parse_error(tmp_path):
    data = FIXTURE.read_bytes()
    p = tmp_path / "r.json"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(RegistryParseError):
        Registry.load(str(p))
    assert p.read_bytes() == data[: len(data) // 2]


def test_invalid_utf8_is_a_parse_error(tmp_path):
    p = tmp_path / "r.json"
    p.write_bytes(b'{\n  "a": "\xff"\n}\n')
    with pytest.raises(RegistryParseError) as info:
        Registry.load(str(p))
    assert info.value.line == 2


def test_wrong_types_are_kept_and_reported(tmp_path):
    text = json.dumps({
        "datasets": {"g": {"ok": {"path": "p"}, "bad": "not an object", "list": [1]}, "weird": 3},
        "voice_persona": {"v": {"path": "q"}, "w": 5},
    }, indent=4)
    p = tmp_path / "r.json"
    p.write_text(text)
    reg = Registry.load(str(p))
    assert [d.key for d in reg.datasets()] == ["datasets/g/ok", "voice_persona/v"]
    odd = {(o.group, o.name) for o in reg.odd_entries()}
    assert odd == {("datasets/g", "bad"), ("datasets/g", "list"), ("datasets", "weird"), ("voice_persona", "w")}
    with pytest.raises(RegistryEditError, match="not an entry object"):
        reg.set_entry("datasets/g", "bad", {"path": "fixed"})  # never silently
    reg.set_entry("datasets/g", "bad", {"path": "fixed"}, replace_odd=True)
    assert reg.ref("datasets/g", "bad").entry == {"path": "fixed"}
    removed, added = changed_lines(reg)  # the fix took the place of the bad value, nothing else moved
    assert [r.strip() for r in removed] == ['"bad": "not an object",']
    assert [a.strip() for a in added] == ['"bad": {', '"path": "fixed"', "},"]


def test_crlf_and_two_space_files_keep_their_style(tmp_path):
    text = '{\r\n  "voice_persona": {\r\n    "v": {\r\n      "path": "q"\r\n    }\r\n  }\r\n}\r\n'
    p = tmp_path / "r.json"
    p.write_bytes(text.encode())
    reg = Registry.load(str(p))
    reg.set_entry("voice_persona", "w", {"path": "r", "stage": "s"})
    out = reg.render()
    assert "\n" not in out.replace("\r\n", "")
    assert '    "w": {\r\n      "path": "r",\r\n      "stage": "s"\r\n    }' in out


def test_fifty_megabyte_registry_loads_and_round_trips(tmp_path):
    entry = '            "d{n}": {{\n                "path": "/mnt/gdrive/datasets/{n}/' + "x" * 200 + '.jsonl",\n                "size_mb": {n}.5\n            }}'
    count = 50 * 1024 * 1024 // len(entry) + 1
    body = ",\n".join(entry.format(n=n) for n in range(count))
    text = '{\n    "datasets": {\n        "big": {\n' + body + "\n        }\n    }\n}\n"
    assert len(text) > 50 * 1024 * 1024
    p = tmp_path / "big.json"
    p.write_text(text)
    reg = Registry.load(str(p))
    assert len(reg.datasets()) == count
    reg.save()
    assert p.read_text() == text
    # A 50 MB file cut short is refused like a small one.
    p.write_text(text[: len(text) - 100])
    with pytest.raises(RegistryParseError):
        Registry.load(str(p))


def test_byte_order_mark_is_kept(tmp_path):
    data = b"\xef\xbb\xbf" + FIXTURE.read_bytes()
    p = tmp_path / "bom.json"
    p.write_bytes(data)
    reg = Registry.load(str(p), backup_dir=tmp_path / "b")
    assert reg.render().encode("utf-8") == data and len(reg.datasets()) == 8
    reg.update_fields("voice_persona", "example_voice", type="x")
    reg.save()
    out = p.read_bytes()
    assert out.startswith(b"\xef\xbb\xbf") and json.loads(out[3:])["voice_persona"]["example_voice"]["type"] == "x"


def test_lazy_and_eager_span_trees_agree():
    from pixel_tui.core.registry import jsonspan

    text = FIXTURE.read_text(encoding="utf-8")

    def walk(node, out, path=""):
        out.append((path, node.start, node.end, node.kind))
        for m in node.members or ():
            out.append((path + "/" + m.key, m.key_start))
            walk(m.value, out, path + "/" + m.key)
        for i, item in enumerate(node.items or ()):
            walk(item, out, f"{path}[{i}]")
        return out

    eager, lazy = jsonspan.parse(text), jsonspan.parse(text, lazy_depth=3)
    assert lazy.value(text) == eager.value(text) == json.loads(text)
    assert walk(lazy, []) == walk(eager, [])  # walking materialises every lazy node


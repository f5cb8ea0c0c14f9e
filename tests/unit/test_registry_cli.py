"""`pixel-tui registry ...` and `pixel-tui check` through pixel_tui.cli.main, against a real S3 server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pixel_tui.cli import main

FIXTURE = Path(__file__).parent / "data" / "registry_real_shape.json"


@pytest.fixture
def reg_path(tmp_path) -> Path:
    p = tmp_path / "dataset_registry.json"
    shutil.copyfile(FIXTURE, p)
    return p


def test_show_lists_every_dataset(reg_path, capsys):
    assert main(["registry", "show", "--offline", "--registry", str(reg_path)]) == 0
    out = capsys.readouterr().out
    assert "voice_persona" in out and "CoT_Example_Reasoning" in out and "not migrated" in out
    assert "8 datasets, 1 with an S3 path" in out
    assert "not checked" in out and "S3 not checked (--offline)" in out
    assert main(["--registry", str(reg_path), "registry", "show", "--offline", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["s3_checked"] is False and "ok" not in {d["status"] for d in doc["datasets"] if
                                                         d["entry"]["path"].startswith("s3://")}
    assert len(doc["datasets"]) == 8
    assert {d["group"] for d in doc["datasets"]} >= {"datasets/priority_datasets", "edge_case_sources"}


def test_get(reg_path, capsys):
    assert main(["registry", "get", "datasets/cot_reasoning/CoT_Example_Reasoning", "--registry", str(reg_path)]) == 0
    assert json.loads(capsys.readouterr().out)["size_mb"] == 20.0
    assert main(["registry", "get", "datasets/cot_reasoning/Nope", "--registry", str(reg_path)]) == 2
    assert main(["registry", "get", "datasets/nogroup/x", "--registry", str(reg_path)]) == 2
    assert "groups: datasets/cot_reasoning" in capsys.readouterr().err


def test_set_parses_values_and_changes_only_those_lines(reg_path, capsys):
    before = reg_path.read_text().splitlines()
    rc = main(["registry", "set", "datasets/priority_datasets/priority_1", "tier=2", "reviewed=true",
               'label="007"', "note=free text", "--registry", str(reg_path)])
    assert rc == 0
    entry = json.loads(reg_path.read_text())["datasets"]["priority_datasets"]["priority_1"]
    assert entry["tier"] == 2 and entry["reviewed"] is True and entry["label"] == "007" and entry["note"] == "free text"
    after = reg_path.read_text().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(after) == len(before) + 3 and len(changed) >= 1
    assert "saved" in capsys.readouterr().out


def test_add_rm_unset_and_dry_run(reg_path, capsys):
    r = ["--registry", str(reg_path)]
    assert main(["registry", "add", "voice_persona/new_voice", "path=s3://b/v", "size_mb=1.5", *r]) == 0
    assert json.loads(reg_path.read_text())["voice_persona"]["new_voice"] == {"path": "s3://b/v", "size_mb": 1.5}
    assert main(["registry", "add", "voice_persona/new_voice", "path=s3://b/w", *r]) == 2  # exists
    assert main(["registry", "add", "voice_persona/other", "size_mb=1", *r]) == 2  # no path
    assert main(["registry", "add", "datasets/typo/x", "path=p", *r]) == 2  # unknown group
    assert main(["registry", "add", "datasets/new_cat/x", "path=p", "--new-group", *r]) == 0
    assert main(["registry", "set", "voice_persona/new_voice", "--unset", "size_mb", *r]) == 0
    assert json.loads(reg_path.read_text())["voice_persona"]["new_voice"] == {"path": "s3://b/v"}
    text = reg_path.read_text()
    assert main(["registry", "rm", "voice_persona/new_voice", "--dry-run", *r]) == 0
    assert reg_path.read_text() == text
    assert "-        \"new_voice\": {" in capsys.readouterr().out
    assert main(["registry", "rm", "voice_persona/new_voice", *r]) == 0
    assert "new_voice" not in json.loads(reg_path.read_text())["voice_persona"]
    assert main(["registry", "set", "voice_persona/example_voice", "bad", *r]) == 2


def test_set_type_checks_the_fields_the_registry_models(reg_path, capsys):
    r = ["--registry", str(reg_path)]
    text = reg_path.read_text()
    for bad, said in (("size_mb=abc", "size_mb must be a number"), ("size_mb=-1", "cannot be negative"),
                      ("size_mb=true", "size_mb must be a number"), ("tier=high", "tier must be a whole number"),
                      ("stage=stage9_nope", "stage must be one of the stages this registry uses"),
                      ('path=""', "path must be a path"), ("path=s3:///key", "not an s3://bucket/key URL")):
        assert main(["registry", "set", "datasets/priority_datasets/priority_1", bad, *r]) == 2, bad
        assert said in capsys.readouterr().err, bad
        assert reg_path.read_text() == text, f"{bad} changed the file"
    assert main(["registry", "add", "voice_persona/v2", "path=s3://b/v", "size_mb=abc", *r]) == 2
    # unknown fields stay free-form; known fields take good values
    assert main(["registry", "set", "datasets/priority_datasets/priority_1", "mood=abc", "size_mb=12.5",
                 "stage=stage2_therapeutic_expertise", *r]) == 0
    entry = json.loads(reg_path.read_text())["datasets"]["priority_datasets"]["priority_1"]
    assert entry["mood"] == "abc" and entry["size_mb"] == 12.5


def test_a_unique_name_is_enough_and_an_ambiguous_one_lists_candidates(tmp_path, capsys):
    p = tmp_path / "r.json"
    p.write_text(json.dumps({"datasets": {"g": {"priority_1": {"path": "s3://x/p"}, "twin": {"path": "s3://x/a"}},
                                          "h": {"twin": {"path": "s3://x/b"}}}}, indent=4))
    assert main(["registry", "get", "priority_1", "--registry", str(p)]) == 0
    assert json.loads(capsys.readouterr().out) == {"path": "s3://x/p"}
    assert main(["registry", "set", "priority_1", "type=t", "--registry", str(p)]) == 0
    assert json.loads(p.read_text())["datasets"]["g"]["priority_1"]["type"] == "t"
    assert main(["registry", "get", "twin", "--registry", str(p)]) == 2
    err = capsys.readouterr().err
    assert "datasets/g/twin" in err and "datasets/h/twin" in err


def test_show_uses_the_same_status_as_check(s3_env, weed_store, tmp_path, drive_dir, capsys):
    reg = _layout(weed_store, tmp_path, drive_dir)
    args = ["--registry", str(reg), "--bucket", weed_store.bucket, "--endpoint-url", s3_env.endpoint_url]
    assert main(["registry", "show", "--json", *args]) == 0
    doc = json.loads(capsys.readouterr().out)
    status = {f'{d["group"]}/{d["name"]}': d["status"] for d in doc["datasets"]}
    assert doc["s3_checked"] is True
    assert status["datasets/priority_datasets/broken"] == "missing in S3"
    assert status["datasets/cot_reasoning/heartbreak"] == "ok"
    assert main(["check", "--json", "--no-drive", *args]) == 1
    check = json.loads(capsys.readouterr().out)
    assert check["statuses"] == status, "one status vocabulary in show and check"


def test_read_only_refuses_to_write(reg_path, capsys):
    text = reg_path.read_text()
    rc = main(["--read-only", "registry", "set", "voice_persona/example_voice", "type=x", "--registry", str(reg_path)])
    assert rc == 1 and "read-only" in capsys.readouterr().err
    assert reg_path.read_text() == text


def test_invalid_json_exits_2_with_line_and_column(tmp_path, capsys):
    p = tmp_path / "r.json"
    p.write_text('{\n    "datasets": {\n        "g": {,\n    }\n}\n')
    assert main(["registry", "set", "datasets/g/x", "a=1", "--registry", str(p)]) == 2
    err = capsys.readouterr().err
    assert "line 3 column 15" in err
    assert main(["check", "--registry", str(p), "--bucket", "b", "--no-drive"]) == 2


def test_no_registry_configured(capsys):
    assert main(["registry", "show"]) == 2
    assert "--registry" in capsys.readouterr().err


# -- check -------------------------------------------------------------------------------------------

@pytest.fixture
def s3_env(weed_server, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    return weed_server


def _layout(weed_store, tmp_path, drive_dir) -> Path:
    s, b = weed_store, weed_store.bucket
    s.put_bytes("gdrive/processed/cot_reasoning/heartbreak.json", b"x" * 1000)
    s.put_bytes("gdrive/processed/priority/priority_1_FINAL.jsonl", b"y" * 10)
    s.put_bytes("gdrive/processed/priority/orphan/part-0.jsonl", b"z")
    s.put_bytes("gdrive/raw/CoT_Heartbreak_downloaded.json", b"x" * 1000)
    s.put_bytes("gdrive/raw/Psych8k/psych8k.json", b"p")
    s.put_bytes("gdrive/raw/never_promoted.json", b"n")
    s.put_bytes("gdrive/raw/same_name.jsonl", b"s")  # promoted without a registry source: same name
    s.put_bytes("gdrive/processed/priority/same_name.jsonl", b"s")
    (drive_dir / "Psych8k").mkdir()
    (drive_dir / "Psych8k" / "psych8k.json").write_bytes(b"p")
    (drive_dir / "never_promoted.json").write_bytes(b"n")
    (drive_dir / "not_uploaded.json").write_bytes(b"u" * 2048)
    (drive_dir / "CoT_Heartbreak_downloaded.json").write_bytes(b"x" * 999)  # size differs: not uploaded
    doc = {
        "gdrive_mount": "/mnt/gdrive/datasets",
        "datasets": {
            "cot_reasoning": {"heartbreak": {"path": f"s3://{b}/gdrive/processed/cot_reasoning/heartbreak.json",
                                             "source_path": f"s3://{b}/gdrive/raw/CoT_Heartbreak_downloaded.json"}},
            "priority_datasets": {
                "priority_1": {"path": f"s3://{b}/gdrive/processed/priority/priority_1_FINAL.jsonl", "size_mb": 0},
                "broken": {"path": f"s3://{b}/gdrive/processed/priority/psych8K.jsonl"},
            },
            "professional_therapeutic": {"psych8k": {"path": "/mnt/gdrive/datasets/Psych8k/psych8k.json"}},
        },
    }
    p = tmp_path / "r.json"
    p.write_text(json.dumps(doc, indent=4))
    return p


def test_check_reports_layout_and_exits_1_on_broken_paths(s3_env, weed_store, tmp_path, drive_dir, capsys):
    reg = _layout(weed_store, tmp_path, drive_dir)
    args = ["check", "--registry", str(reg), "--bucket", weed_store.bucket, "--endpoint-url", s3_env.endpoint_url,
            "--drive", str(drive_dir)]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "missing in S3" in out and "datasets/priority_datasets/broken" in out
    assert "processed items nobody registered (under processed/<category>/): 2 (1 folder, 1 file)" in out and "gdrive/processed/priority/orphan/" in out
    assert "raw items not promoted yet: 2" in out and "gdrive/raw/never_promoted.json" in out
    assert "gdrive/raw/Psych8k/" in out  # registered, but its path is still on the Drive mount
    assert "Drive items not uploaded: 2 of 4 files" in out
    assert "migration: 3 of 4 datasets on S3" in out
    assert main([*args, "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["migration"] == {"on_s3": 3, "total": 4}
    assert doc["drive_not_uploaded"]["missing"] == 2
    assert sorted(doc["drive_not_uploaded"]["examples"]) == ["CoT_Heartbreak_downloaded.json", "not_uploaded.json"]
    assert sorted(doc["unregistered_processed"]) == ["gdrive/processed/priority/orphan/",
                                                     "gdrive/processed/priority/same_name.jsonl"]
    assert sorted(doc["raw_not_promoted"]) == ["gdrive/raw/Psych8k/", "gdrive/raw/never_promoted.json"]


def test_check_exits_0_when_paths_are_fine(s3_env, weed_store, tmp_path, drive_dir, capsys):
    reg = _layout(weed_store, tmp_path, drive_dir)
    args = ["--registry", str(reg), "--bucket", weed_store.bucket, "--endpoint-url", s3_env.endpoint_url]
    assert main(["registry", "rm", "datasets/priority_datasets/broken", *args]) == 0
    assert main(["check", "--no-drive", *args]) == 0
    assert "Drive items" not in capsys.readouterr().out


def test_registry_in_s3_through_the_cli(s3_env, weed_store, capsys):
    weed_store.put_bytes("config/dataset_registry.json", FIXTURE.read_bytes())
    url = f"s3://{weed_store.bucket}/config/dataset_registry.json"
    args = ["--registry", url, "--endpoint-url", s3_env.endpoint_url, "--bucket", weed_store.bucket]
    assert main(["registry", "set", "voice_persona/example_voice", "type=from_cli", *args]) == 0
    data, _ = weed_store.get_bytes("config/dataset_registry.json")
    assert json.loads(data)["voice_persona"]["example_voice"]["type"] == "from_cli"
    assert data.decode().replace('"type": "from_cli"', '"type": "voice_profile"').encode() == FIXTURE.read_bytes()
    assert main(["registry", "get", "voice_persona/example_voice", *args]) == 0
    assert '"from_cli"' in capsys.readouterr().out


def test_names_with_a_slash_are_addressed_by_their_group(tmp_path, capsys):
    p = tmp_path / "r.json"
    p.write_text(json.dumps({"datasets": {"g": {"a/b": {"path": "s3://x/a"}}}, "voice_persona": {}}, indent=4))
    assert main(["registry", "get", "datasets/g/a/b", "--registry", str(p)]) == 0
    assert json.loads(capsys.readouterr().out) == {"path": "s3://x/a"}
    assert main(["registry", "set", "datasets/g/a/b", "type=t", "--registry", str(p)]) == 0
    assert json.loads(p.read_text())["datasets"]["g"]["a/b"]["type"] == "t"



@pytest.mark.parametrize("name", ["..", "x..y", "a/b", "bad\x1b[2Jname", "tab\there", " padded"])
def test_add_refuses_unsafe_names(tmp_path, capsys, name):
    p = tmp_path / "r.json"
    p.write_text(json.dumps({"datasets": {"g": {"ok": {"path": "s3://x/a"}}}}, indent=4))
    before = p.read_bytes()
    assert main(["registry", "add", f"datasets/g/{name}", "path=s3://x/b", "--registry", str(p)]) == 2
    err = capsys.readouterr().err
    assert "name" in err and "\x1b" not in err
    assert p.read_bytes() == before


def test_add_over_an_entry_that_is_not_an_object_is_refused(tmp_path, capsys):
    p = tmp_path / "r.json"
    p.write_text(json.dumps({"datasets": {"g": {"ok": {"path": "s3://x/a"}, "note": "keep me"}}}, indent=4))
    before = p.read_bytes()
    assert main(["registry", "add", "datasets/g/note", "path=s3://x/b", "--registry", str(p)]) == 2
    assert "not an entry object" in capsys.readouterr().err
    assert p.read_bytes() == before


def test_unsafe_names_are_refused_for_groups_renames_and_copies(tmp_path):
    from pixel_tui.core.registry.document import Registry, RegistryEditError

    p = tmp_path / "r.json"
    p.write_text(json.dumps({"datasets": {"g": {"ok": {"path": "s3://x/a"}}}}, indent=4))
    reg = Registry.load(str(p))
    for edit in (lambda: reg.set_entry("datasets/..", "n", {"path": "s3://x/c"}),
                 lambda: reg.move("datasets/g", "ok", "datasets/g", "../up"),
                 lambda: reg.duplicate("datasets/g", "ok", "a\x07b")):
        with pytest.raises(RegistryEditError):
            edit()
    assert not reg.dirty

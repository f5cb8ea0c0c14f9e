"""Validation against real S3 objects, and the resolver training scripts use."""

from __future__ import annotations

import json

import pytest

from pixel_tui.core.registry.document import Registry
from pixel_tui.core.registry.resolver import DatasetNotResolved, Resolver
from pixel_tui.core.registry.validate import S3Checker, size_matches, validate

MB = 1_000_000


def make_registry(tmp_path, bucket: str) -> Registry:
    proc = f"s3://{bucket}/gdrive/processed"
    doc = {
        "description": "test",
        "datasets": {
            "cot_reasoning": {
                "ok_file": {"path": f"{proc}/cot_reasoning/ok.json", "size_mb": 2, "stage": "stage2_therapeutic_expertise"},
                "ok_folder": {"path": f"{proc}/cot_reasoning/folder", "size_mb": 3.0, "stage": "stage2_therapeutic_expertise"},
                "missing": {"path": f"{proc}/cot_reasoning/psych8K.json", "stage": "stage1_foundation"},
                "wrong_size": {"path": f"{proc}/cot_reasoning/ok.json", "size_mb": 50, "stage": "stage1_foundation"},
                "drive": {"path": "/mnt/gdrive/datasets/x.json", "stage": "stage9_nonsense"},
                "other_bucket": {"path": "s3://someone-else/x.json"},
                "broken": "just a string",
                "": {"path": f"{proc}/cot_reasoning/ok.json"},
            },
        },
        "voice_persona": {"drive": {"path": "/home/x/voice"}, "no_path": {"path": ""}},
    }
    p = tmp_path / "r.json"
    p.write_text(json.dumps(doc, indent=4))
    return Registry.load(str(p))


@pytest.fixture
def populated(store):
    store.put_bytes("gdrive/processed/cot_reasoning/ok.json", b"x" * (2 * MB))
    for i in range(3):
        store.put_bytes(f"gdrive/processed/cot_reasoning/folder/part-{i}.jsonl", b"y" * MB)
    return store


def test_validate_finds_each_kind_of_problem(populated, tmp_path):
    store = populated
    reg = make_registry(tmp_path, store.bucket)
    report = validate(reg, bucket=store.bucket, checker=S3Checker(lambda b: store))
    st = report.statuses
    assert st["datasets/cot_reasoning/ok_file"] == "ok"
    assert st["datasets/cot_reasoning/ok_folder"] == "ok"  # a prefix: 3 objects totalling 3 MB
    assert st["datasets/cot_reasoning/missing"] == "missing in S3"
    assert st["datasets/cot_reasoning/wrong_size"] == "size mismatch"
    assert st["datasets/cot_reasoning/drive"] == "not migrated"  # worse than its unknown stage
    assert st["datasets/cot_reasoning/other_bucket"] == "outside bucket"
    assert st["datasets/cot_reasoning/"] == "empty name"
    assert st["voice_persona/no_path"] == "no path"
    codes = {(f.key, f.code) for f in report.findings}
    assert ("datasets/cot_reasoning/drive", "unknown_stage") in codes
    assert ("datasets/cot_reasoning/broken", "not_an_object") in codes
    assert ("datasets/cot_reasoning/drive", "duplicate_name") in codes  # also in voice_persona
    folder = report.probes[f"s3://{store.bucket}/gdrive/processed/cot_reasoning/folder"]
    assert folder.is_prefix and folder.count == 3 and folder.size == 3 * MB
    errors = {f.key for f in report.errors}
    assert "datasets/cot_reasoning/missing" in errors and "datasets/cot_reasoning/wrong_size" not in errors
    assert report.on_s3 == 6 and report.total == 9


def test_validation_is_cached_and_fresh_rechecks(populated, tmp_path):
    store = populated
    reg = make_registry(tmp_path, store.bucket)
    checker = S3Checker(lambda b: store, ttl=3600)
    assert validate(reg, store.bucket, checker).statuses["datasets/cot_reasoning/missing"] == "missing in S3"
    store.put_bytes("gdrive/processed/cot_reasoning/psych8K.json", b"now here")
    # cached answer until asked for a fresh one
    assert validate(reg, store.bucket, checker).statuses["datasets/cot_reasoning/missing"] == "missing in S3"
    assert validate(reg, store.bucket, checker, fresh=True).statuses["datasets/cot_reasoning/missing"] == "ok"


def test_without_checker_only_local_rules_run(tmp_path):
    reg = make_registry(tmp_path, "b")
    report = validate(reg, bucket="b")
    assert report.statuses["datasets/cot_reasoning/missing"] == "ok" and report.probes == {}
    assert report.statuses["datasets/cot_reasoning/drive"] == "not migrated"


def test_size_matches_in_mb_or_mib():
    assert size_matches(20, 20 * MB) and size_matches(20.0, 20 * 1024 * 1024) and size_matches(20, 20_400_000)
    assert not size_matches(20, 40 * MB) and not size_matches(0.5, 3 * MB)


def test_resolver_url_stream_and_cache(populated, tmp_path):
    store = populated
    reg = make_registry(tmp_path, store.bucket)
    res = Resolver(reg, lambda b: store, cache_dir=tmp_path / "cache")
    assert res.url("ok_file") == f"s3://{store.bucket}/gdrive/processed/cot_reasoning/ok.json"
    with pytest.raises(DatasetNotResolved, match="several groups"):
        res.url("drive")
    with pytest.raises(DatasetNotResolved, match="not in S3 yet"):
        res.url("voice_persona/drive")
    with pytest.raises(DatasetNotResolved, match="no dataset"):
        res.url("nope")
    with res.open("ok_file") as fh:
        assert fh.read() == b"x" * (2 * MB)
    cached = tmp_path / "cache" / store.bucket / "gdrive/processed/cot_reasoning/ok.json"
    assert cached.stat().st_size == 2 * MB
    # S3 changes: the cache is revalidated, not trusted
    store.put_bytes("gdrive/processed/cot_reasoning/ok.json", b"new content")
    with res.open("ok_file") as fh:
        assert fh.read() == b"new content"
    # S3 loses it: the cache does not pretend otherwise
    store.delete("gdrive/processed/cot_reasoning/ok.json")
    with pytest.raises(Exception, match="does not exist"):
        res.open("ok_file")


def test_resolver_streams_without_cache(populated, tmp_path):
    store = populated
    reg = make_registry(tmp_path, store.bucket)
    with Resolver(reg, lambda b: store).open("datasets/cot_reasoning/ok_file") as fh:
        assert fh.read(10) == b"x" * 10
        assert len(fh.read()) == 2 * MB - 10


def test_busy_folders_are_listed_once_with_the_same_answers_as_heads(store, tmp_path):
    keys = [f"gdrive/processed/priority/d{i:02d}.jsonl" for i in range(12)]
    for i, k in enumerate(keys[:10]):  # the last two are missing
        store.put_bytes(k, b"z" * (i + 1))
    store.put_bytes("gdrive/processed/priority/folder/a", b"aa")
    store.put_bytes("gdrive/processed/priority/folder/b", b"bbb")
    urls = [f"s3://{store.bucket}/{k}" for k in keys] + [f"s3://{store.bucket}/gdrive/processed/priority/folder"]
    calls: list[str] = []
    store.client.meta.events.register("before-call.s3", lambda model, **kw: calls.append(model.name))
    listed = S3Checker(lambda b: store).probe_many(urls)
    assert calls.count("HeadObject") == 0 and calls.count("ListObjectsV2") == 1
    heads = S3Checker(lambda b: store)
    heads.LIST_THRESHOLD = 10**9
    calls.clear()
    by_head = heads.probe_many(urls)
    assert calls.count("HeadObject") == len(urls)
    strip = lambda p: (p.exists, p.size, p.count, p.is_prefix)  # noqa: E731
    assert {u: strip(p) for u, p in listed.items()} == {u: strip(p) for u, p in by_head.items()}
    assert listed[urls[-1]].count == 2 and listed[urls[-1]].size == 5 and not listed[urls[-2]].exists


ESCAPES = ["/{victim}", "x/../../../{name}", "gdrive/processed/./a", "gdrive//processed/a"]


@pytest.fixture
def moto_store(moto_server):
    from conftest import _new_bucket

    return _new_bucket(moto_server)


@pytest.mark.parametrize("pattern", ESCAPES)
def test_resolver_never_writes_outside_its_cache(moto_store, tmp_path, pattern):
    # moto stores these keys as given (SeaweedFS refuses some): S3 keys are opaque strings.
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    cache = tmp_path / "a" / "cache"
    key = pattern.format(victim=victim, name="victim.txt")
    moto_store.put_bytes(key, b"evil")
    doc = {"datasets": {"g": {"bad": {"path": f"s3://{moto_store.bucket}/{key}"}}}}
    (tmp_path / "r.json").write_text(json.dumps(doc))
    res = Resolver(str(tmp_path / "r.json"), lambda b: moto_store, cache_dir=cache)
    with pytest.raises(DatasetNotResolved, match="refusing to cache"):
        res.open("bad")
    assert victim.read_text() == "precious"
    assert not (tmp_path / "a" / "victim.txt").exists()
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.read_bytes() == b"evil"]
    assert written == []
    # validation names the same paths, before anything resolves them
    report = validate(Registry.load(str(tmp_path / "r.json")), bucket=moto_store.bucket)
    assert report.statuses["datasets/g/bad"] == "unsafe path"


def test_safe_keys_still_resolve_into_the_cache(moto_store, tmp_path):
    moto_store.put_bytes("gdrive/processed/cot/a b+c%.json", b"fine")
    doc = {"datasets": {"g": {"ok": {"path": f"s3://{moto_store.bucket}/gdrive/processed/cot/a b+c%.json"}}}}
    (tmp_path / "r.json").write_text(json.dumps(doc))
    res = Resolver(str(tmp_path / "r.json"), lambda b: moto_store, cache_dir=tmp_path / "cache")
    with res.open("ok") as fh:
        assert fh.read() == b"fine"
    assert (tmp_path / "cache" / moto_store.bucket / "gdrive/processed/cot/a b+c%.json").read_bytes() == b"fine"

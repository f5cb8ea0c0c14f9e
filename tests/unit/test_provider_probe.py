"""`check --provider` and registry saves on servers that ignore conditional writes: the probe's findings on
SeaweedFS, moto and `rclone serve s3` (which accepts If-Match / If-None-Match and writes anyway), and a
stale S3 registry save refused there too."""

from __future__ import annotations

import json

import pytest

from pixel_tui.cli import main
from pixel_tui.core.config import Settings
from pixel_tui.core.registry.document import Registry, RegistryConflict
from pixel_tui.core.storage.probe import cache_path, cached
from pixel_tui.core.storage.s3 import store_factory

# What each server really does (found by the probe, checked by hand with boto3 against each).
TRUTH = {
    "weed": {"if_match": True, "if_none_match": True, "copy_object": True, "upload_part_copy": True},
    "moto": {"if_match": True, "if_none_match": True, "copy_object": True, "upload_part_copy": True},
    # rclone serve s3 answers UploadPartCopy with 200 and an empty part: nothing is copied.
    "rclone": {"if_match": False, "if_none_match": False, "copy_object": True, "upload_part_copy": False},
}


@pytest.fixture(params=["weed", "moto", "rclone"])
def any_server(request):
    """Each of the three servers in turn, with a fresh bucket."""
    server = request.getfixturevalue(f"{request.param}_server" if request.param != "rclone" else "rclone_s3_server")
    from conftest import _new_bucket

    return server, _new_bucket(server)


def _cli_env(monkeypatch, server, store, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret_key)
    monkeypatch.setenv("PIXEL_TUI_ENDPOINT_URL", server.endpoint_url)
    monkeypatch.setenv("PIXEL_TUI_BUCKET", store.bucket)
    monkeypatch.setenv("PIXEL_TUI_STATE_DIR", str(tmp_path / "state"))


def test_check_provider_prints_the_truth(any_server, monkeypatch, tmp_path, capsys):
    server, store = any_server
    _cli_env(monkeypatch, server, store, tmp_path)
    monkeypatch.setenv("PIXEL_TUI_PROBE_PREFIX", "scratch/probe-here/")
    store.put_bytes("scratch/keep.txt", b"not the probe's")
    assert main(["check", "--provider", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {k: doc[k] for k in TRUTH[server.name]} == TRUTH[server.name]
    assert doc["conditional_writes"] is (server.name != "rclone")
    assert doc["addressing"] == ["path"]  # an IP endpoint: botocore sends path-style whatever is asked
    assert [o.key for o in store.walk("")] == ["scratch/keep.txt"]  # every scratch key cleaned up
    assert main(["check", "--provider"]) == 0
    out = capsys.readouterr().out
    assert "stale If-Match refused (412)" in out and "UploadPartCopy" in out
    if server.name == "rclone":
        assert "NO: written anyway" in out and "NOT race-free" in out and "without a part ETag" in out
    else:
        assert "NO:" not in out and "race-free (the server refuses stale writes)" in out
    # the answer is kept per endpoint in the state dir
    assert json.loads(cache_path(tmp_path / "state").read_text())[server.endpoint_url]["if_match"] is (
        server.name != "rclone")


def _registry_settings(server, store, tmp_path) -> Settings:
    return Settings(endpoint_url=server.endpoint_url, bucket=store.bucket, state_dir=str(tmp_path / "state"))


@pytest.mark.parametrize("name", ["rclone", "weed"])
def test_stale_s3_registry_save_is_refused_and_the_first_survives(name, request, monkeypatch, tmp_path):
    server = request.getfixturevalue("rclone_s3_server" if name == "rclone" else "weed_server")
    from conftest import _new_bucket

    store = _new_bucket(server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret_key)
    url = f"s3://{store.bucket}/config/dataset_registry.json"
    store.put_bytes("config/dataset_registry.json", json.dumps({"datasets": {"a": {"x": {"path": "/p"}}}}).encode())
    factory = store_factory(_registry_settings(server, store, tmp_path))
    alice = Registry.load(url, factory)
    bob = Registry.load(url, factory)
    alice.set_entry("datasets/a", "x", {"type": "alice"})
    bob.set_entry("datasets/a", "x", {"type": "bob"})
    alice.save()
    with pytest.raises(RegistryConflict) as err:
        bob.save()
    assert "changed since it was loaded" in err.value.message and "nothing was written" in err.value.message
    stored = json.loads(store.get_bytes("config/dataset_registry.json")[0])
    assert stored["datasets"]["a"]["x"]["type"] == "alice"  # the first save survives
    caveat = alice.save_caveat()
    assert ("not race-free" in caveat) is (name == "rclone")
    probed = cached(factory(store.bucket))  # probed once for the endpoint, kept in the state dir
    assert probed is not None and probed.conditional_writes is (name != "rclone")

"""The registry's history in a versioned bucket (issue 14): versions with who/when, diff of any two, restore through
the conflict-safe save. On both real servers of the session (SeaweedFS and moto's server keep versions)."""

from __future__ import annotations

import json
import os

import pytest

from pixel_tui.cli import main
from pixel_tui.core.registry.backends import RegistryConflict
from pixel_tui.core.registry.document import Registry
from pixel_tui.core.registry.versions import (
    UNKNOWN_AUTHOR,
    RegistryNotVersioned,
    UnknownVersion,
    diff_versions,
    restore,
    versions,
)
from pixel_tui.core.who import user_at_host

KEY = "config/dataset_registry.json"
DOC = {"datasets": {"g": {"a": {"path": "s3://b/a.json", "stage": "stage1_foundation"}}}}


def _enable(store) -> None:
    store.client.put_bucket_versioning(Bucket=store.bucket, VersioningConfiguration={"Status": "Enabled"})


def _history(store) -> str:
    """A versioned registry saved three times: by hand (another tool: no author), then twice by pixel-tui."""
    _enable(store)
    store.put_bytes(KEY, (json.dumps(DOC, indent=4) + "\n").encode())  # no x-amz-meta-pixel-user
    url = f"s3://{store.bucket}/{KEY}"
    reg = Registry.load(url, store_factory=lambda b: store)
    reg.update_fields("datasets/g", "a", size_mb=1)
    reg.save()
    reg.update_fields("datasets/g", "a", size_mb=2, notes="second")
    reg.save()
    return url


@pytest.fixture
def cli_env(store, monkeypatch):
    """The CLI pointed at the bucket's server."""
    creds = store._credentials
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_access_key)
    monkeypatch.setenv("PIXEL_TUI_ENDPOINT_URL", store.endpoint_url)
    monkeypatch.setenv("PIXEL_TUI_BUCKET", store.bucket)
    return store


def test_every_save_records_who_and_versions_list_them_newest_first(store):
    url = _history(store)
    found = versions(Registry.load(url, store_factory=lambda b: store))
    assert len(found) == 3 and found[0].current and not any(v.current for v in found[1:])
    assert [v.author for v in found] == [user_at_host(), user_at_host(), UNKNOWN_AUTHOR]
    head = store.head_full(KEY)
    assert head["Metadata"]["pixel-user"] == user_at_host()
    assert all(v.modified is not None for v in found)


def test_diff_of_two_versions_and_against_the_current_one(store):
    url = _history(store)
    reg = Registry.load(url, store_factory=lambda b: store)
    found = versions(reg)
    oldest, middle = found[2], found[1]
    diff = diff_versions(reg, found, oldest.short_id, middle.short_id)
    assert diff.startswith(f"--- {url} ({oldest.short_id}") and '+                "size_mb": 1' in diff
    assert "notes" not in diff
    to_now = diff_versions(reg, found, oldest.short_id)  # V2 defaults to the current version
    assert '+                "size_mb": 2,' in to_now and '"notes": "second"' in to_now and "current" in to_now


def test_restore_saves_the_old_text_as_a_new_version_and_keeps_the_history(store):
    url = _history(store)
    reg = Registry.load(url, store_factory=lambda b: store)
    found = versions(reg)
    oldest = found[2]
    diff = restore(reg, found, oldest.version_id)
    assert '-                "notes": "second"' in diff
    assert json.loads(store.get_bytes(KEY)[0]) == DOC
    after = versions(Registry.load(url, store_factory=lambda b: store))
    assert len(after) == 4 and after[0].author == user_at_host()  # a new version on top, nothing lost


def test_restore_is_refused_when_the_registry_changed_since_it_was_loaded(store):
    url = _history(store)
    reg = Registry.load(url, store_factory=lambda b: store)
    found = versions(reg)
    other = Registry.load(url, store_factory=lambda b: store)
    other.update_fields("datasets/g", "a", notes="theirs")
    other.save()
    with pytest.raises(RegistryConflict):
        restore(reg, found, found[2].version_id)
    assert json.loads(store.get_bytes(KEY)[0])["datasets"]["g"]["a"]["notes"] == "theirs"  # nothing written


def test_unknown_and_ambiguous_version_ids(store):
    url = _history(store)
    reg = Registry.load(url, store_factory=lambda b: store)
    found = versions(reg)
    with pytest.raises(UnknownVersion, match="no version 'zzzz'"):
        diff_versions(reg, found, "zzzz")
    with pytest.raises(UnknownVersion, match="has no version ''"):
        diff_versions(reg, found, "")
    shared = os.path.commonprefix([v.version_id for v in found])  # SeaweedFS ids start with the time
    if shared:
        with pytest.raises(UnknownVersion, match="starts 3 version ids"):
            diff_versions(reg, found, shared)


def test_cli_versions_diff_restore(cli_env, capsys):
    store = cli_env
    url = _history(store)
    assert main(["registry", "versions", "--registry", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["VERSION", "SAVED", "(UTC)", "WHO", "SIZE"]
    assert out[1].endswith("current") and user_at_host() in out[1] and UNKNOWN_AUTHOR in out[3]
    assert out[-1] == f"3 versions of {url}" and all(len(line) <= 80 for line in out)
    assert main(["registry", "versions", "--json", "--registry", url]) == 0
    doc = json.loads(capsys.readouterr().out)
    ids = [v["version_id"] for v in doc["versions"]]
    assert len(ids) == 3 and doc["versions"][0]["current"] and doc["versions"][2]["author"] == UNKNOWN_AUTHOR
    assert main(["registry", "diff", ids[2][:12], ids[0], "--registry", url]) == 0
    assert '+                "notes": "second"' in capsys.readouterr().out
    assert main(["registry", "restore", ids[2][:12], "--dry-run", "--registry", url]) == 0
    assert "dry run: nothing written" in capsys.readouterr().out
    assert json.loads(store.get_bytes(KEY)[0])["datasets"]["g"]["a"]["notes"] == "second"
    assert main(["registry", "restore", ids[2], "--registry", url]) == 0
    assert "restored version" in capsys.readouterr().out
    assert json.loads(store.get_bytes(KEY)[0]) == DOC
    assert main(["registry", "restore", "nosuchversion", "--registry", url]) == 2
    assert "has no version 'nosuchversion'" in capsys.readouterr().err


def test_cli_refuses_an_unversioned_bucket_and_a_local_registry(cli_env, tmp_path, capsys):
    store = cli_env
    store.put_bytes(KEY, json.dumps(DOC).encode())
    url = f"s3://{store.bucket}/{KEY}"
    for argv in (["versions"], ["diff", "abc"], ["restore", "abc"]):
        assert main(["registry", *argv, "--registry", url]) == 2
        assert "does not keep versions" in capsys.readouterr().err
    local = tmp_path / "r.json"
    local.write_text(json.dumps(DOC))
    assert main(["registry", "versions", "--registry", str(local)]) == 2
    assert "is a local file: it has no S3 versions" in capsys.readouterr().err
    with pytest.raises(RegistryNotVersioned):
        versions(Registry.load(str(local)))

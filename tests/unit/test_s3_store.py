"""S3Store against both real servers (SeaweedFS and moto)."""

from __future__ import annotations

import hashlib

import pytest

from pixel_tui.core.errors import AccessDenied, EndpointUnreachable, NoSuchBucket, PreconditionFailed
from pixel_tui.core.storage.s3 import S3Store


def _put(store: S3Store, key: str, data: bytes = b"x") -> None:
    store.put_bytes(key, data)


def test_level_listing_separates_prefixes_and_objects(store):
    for key in ["raw/a.json", "raw/b b.jsonl", "raw/sub/c.txt", "raw/sub/d/e.txt", "raw/ünï+%.txt", "other/z"]:
        _put(store, key, b"12345")
    pages = list(store.iter_level("raw/"))
    prefixes = sorted(p for page in pages for p in page.prefixes)
    objects = sorted(o.key for page in pages for o in page.objects)
    assert prefixes == ["raw/sub/"]
    assert objects == ["raw/a.json", "raw/b b.jsonl", "raw/ünï+%.txt"]
    assert all(o.size == 5 for page in pages for o in page.objects)


def test_level_listing_streams_pages(store):
    for i in range(25):
        _put(store, f"p/k{i:03d}")
    pages = list(store.iter_level("p/", page_size=10))
    assert len(pages) >= 3
    assert sorted(o.key for pg in pages for o in pg.objects) == [f"p/k{i:03d}" for i in range(25)]


def test_tree_size_counts_recursively(store):
    _put(store, "t/a", b"1" * 10)
    _put(store, "t/b/c", b"1" * 20)
    _put(store, "t/b/d/e", b"1" * 30)
    assert store.tree_size("t/") == (3, 60)


def test_head_and_ranged_read(store):
    data = b"0123456789" * 100
    store.put_bytes("h/file.txt", data)
    head = store.head("h/file.txt")
    assert head.size == 1000 and head.etag == hashlib.md5(data).hexdigest()
    assert store.head("h/missing") is None
    assert store.read_range("h/file.txt", 15) == data[:15]
    assert store.read_range("h/file.txt", 10, start=5) == data[5:15]
    store.put_bytes("h/empty", b"")
    assert store.read_range("h/empty", 10) == b""


def test_single_copy_is_server_side_and_etag_normalised(store):
    data = b"abc" * 1000
    store.put_bytes("c/src", data)
    etag = store.copy("c/src", "c/dst")
    assert etag == hashlib.md5(data).hexdigest()
    assert store.get_bytes("c/dst")[0] == data


def test_multipart_copy_above_threshold(store):
    data = bytes(range(256)) * (12 * 1024 * 4)  # 12 MiB
    store.put_bytes("m/src.bin", data)
    store.copy("m/src.bin", "m/dst.bin", cutoff=5 * 1024 * 1024, part_size=5 * 1024 * 1024)
    got, _ = store.get_bytes("m/dst.bin")
    assert len(got) == len(data) and hashlib.sha256(got).digest() == hashlib.sha256(data).digest()


def test_conditional_put(store):
    etag = store.put_bytes("reg.json", b"{}", if_none_match=True)
    with pytest.raises(PreconditionFailed):
        store.put_bytes("reg.json", b"{1}", if_none_match=True)
    new = store.put_bytes("reg.json", b'{"a": 1}', if_match=etag)
    with pytest.raises(PreconditionFailed):
        store.put_bytes("reg.json", b'{"b": 2}', if_match=etag)
    with pytest.raises(PreconditionFailed):
        store.put_bytes("never-existed.json", b"{}", if_match=new)
    assert store.get_bytes("reg.json") == (b'{"a": 1}', new)


def test_missing_bucket_is_typed_and_named(s3_server):
    store = s3_server.store("no-such-bucket-here")
    with pytest.raises(NoSuchBucket) as info:
        store.check_bucket()
    assert "no-such-bucket-here" in str(info.value)
    assert "secret" not in str(info.value).lower() or s3_server.secret_key not in str(info.value)


def test_wrong_credentials_are_access_denied(weed_server, weed_store):
    from pixel_tui.core.storage.s3 import Credentials

    bad = S3Store(weed_store.bucket, endpoint_url=weed_server.endpoint_url, credentials=Credentials("nobody", "wrong"))
    with pytest.raises(AccessDenied) as info:
        list(bad.iter_level(""))
    assert weed_store.bucket in str(info.value) and "wrong" not in str(info.value)


def test_unreachable_endpoint(tmp_path):
    from pixel_tui.core.storage.s3 import Credentials
    from pixel_tui.demo.seaweedfs import free_port

    store = S3Store("b", endpoint_url=f"http://127.0.0.1:{free_port()}", max_attempts=1, connect_timeout=1,
                    credentials=Credentials("k", "s"))
    with pytest.raises(EndpointUnreachable) as info:
        store.head("x")
    assert "127.0.0.1" in str(info.value)


def test_delete_many(store):
    keys = [f"d/{i}" for i in range(30)]
    for k in keys:
        _put(store, k)
    store.delete_many(keys)
    assert store.tree_size("d/") == (0, 0)


def test_credentials_from_an_rclone_remote_in_env(weed_server, weed_store, monkeypatch):
    from pixel_tui.core.config import Settings

    for k, v in weed_server.rclone_env("ovh").items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    settings = Settings(bucket=weed_store.bucket, rclone_remote="ovh")
    store = S3Store.from_settings(settings)
    assert store.endpoint_url == weed_server.endpoint_url
    store.put_bytes("via-rclone-remote", b"ok")
    assert weed_store.get_bytes("via-rclone-remote")[0] == b"ok"
    assert weed_server.secret_key not in repr(store._credentials)


def test_credentials_from_an_rclone_config_file(weed_server, weed_store, tmp_path, monkeypatch):
    from pixel_tui.core.config import Settings

    conf = tmp_path / "rclone.conf"
    conf.write_text(
        "[ovhfile]\ntype = s3\nprovider = Other\n"
        f"access_key_id = {weed_server.access_key}\nsecret_access_key = {weed_server.secret_key}\n"
        f"endpoint = {weed_server.endpoint_url}\n"
    )
    monkeypatch.setenv("RCLONE_CONFIG", str(conf))
    store = S3Store.from_settings(Settings(bucket=weed_store.bucket, rclone_remote="ovhfile"))
    store.put_bytes("via-rclone-file", b"ok")
    assert weed_store.head("via-rclone-file").size == 2


def test_unknown_rclone_remote_is_a_clear_error(monkeypatch, tmp_path):
    from pixel_tui.core.config import Settings
    from pixel_tui.core.errors import RcloneError

    monkeypatch.setenv("RCLONE_CONFIG", str(tmp_path / "none.conf"))
    with pytest.raises(RcloneError) as info:
        S3Store.from_settings(Settings(bucket="b", rclone_remote="nope"))
    assert "nope" in str(info.value) and "rclone config" in str(info.value)


@pytest.mark.parametrize("endpoint, url", [
    ("s3.gra.io.cloud.ovh.net", "https://s3.gra.io.cloud.ovh.net"),  # as rclone config stores it
    ("s3.gra.perf.cloud.ovh.net/", "https://s3.gra.perf.cloud.ovh.net/"),
    ("https://s3.gra.io.cloud.ovh.net", "https://s3.gra.io.cloud.ovh.net"),
    ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),  # an http server says so explicitly
])
def test_rclone_remote_endpoint_without_a_scheme_uses_https(endpoint, url, monkeypatch, tmp_path):
    from pixel_tui.core.config import Settings

    monkeypatch.setenv("RCLONE_CONFIG", str(tmp_path / "none.conf"))
    env = {"RCLONE_CONFIG_OVH_TYPE": "s3", "RCLONE_CONFIG_OVH_PROVIDER": "OVHcloud",
           "RCLONE_CONFIG_OVH_ENDPOINT": endpoint, "RCLONE_CONFIG_OVH_REGION": "gra",
           "RCLONE_CONFIG_OVH_ACCESS_KEY_ID": "AKIAEXAMPLE", "RCLONE_CONFIG_OVH_SECRET_ACCESS_KEY": "not-a-secret"}
    store = S3Store.from_settings(Settings(bucket="pixel-data", rclone_remote="ovh"), environ=env)
    assert store.endpoint_url == url and store.region == "gra"
    # boto3 builds its client from it (it raised "Invalid endpoint" on the bare host name); no request is sent
    assert store.client.meta.endpoint_url == url.rstrip("/") or store.client.meta.endpoint_url == url
    assert store.client.meta.region_name == "gra"
    # the same rule for the endpoint set directly
    assert S3Store.from_settings(Settings(bucket="b", endpoint_url=endpoint)).endpoint_url == url

"""s3:// URLs and ETags: one parser, one builder, one normaliser, one "is it an MD5"."""

from __future__ import annotations

import pytest

from pixel_tui.core.storage.s3url import is_s3_url, key_in_bucket, parse_s3_url, plain_md5, s3_url, strip_etag


def test_parse_and_build_round_trip():
    for bucket, key in [("b", "gdrive/raw/a b.json"), ("b", "gdrive/raw/folder/"), ("b", ""), ("b", "ü+%/x")]:
        assert parse_s3_url(s3_url(bucket, key)) == (bucket, key)
    assert s3_url("b") == "s3://b/"
    assert parse_s3_url("s3://b") == ("b", "")
    with pytest.raises(ValueError):
        parse_s3_url("/mnt/gdrive/x")
    assert is_s3_url("s3://b/k") and not is_s3_url("s3:/b/k") and not is_s3_url("gdrive:x")


def test_key_in_bucket():
    assert key_in_bucket("s3://b/p/x.json", "b") == "p/x.json"
    assert key_in_bucket("s3://b/", "b") == ""
    assert key_in_bucket("s3://b", "b") is None  # no key part at all
    assert key_in_bucket("s3://bb/p", "b") is None and key_in_bucket("s3://c/p", "b") is None
    assert key_in_bucket("/p/x", "b") is None


def test_etags():
    assert strip_etag(' "abc" ') == "abc" and strip_etag(None) == ""
    assert plain_md5('"ABCDEF0123456789ABCDEF0123456789"') == "abcdef0123456789abcdef0123456789"
    assert plain_md5("d41d8cd98f00b204e9800998ecf8427e") == "d41d8cd98f00b204e9800998ecf8427e"
    assert plain_md5("0123456789abcdef0123456789abcdef-4") is None  # multipart: no digest of the content
    assert plain_md5("xyz") is None and plain_md5(None) is None and plain_md5("") is None

"""Promotion's copy paths keep metadata, and servers without server-side copy get a streamed copy:
single CopyObject and multipart UploadPartCopy on SeaweedFS and moto keep rclone's Md5chksum and the
content type (verified); `rclone serve s3` (whose UploadPartCopy copies nothing) and a 501 NotImplemented
(injected) are copied through the client with the same verification."""

from __future__ import annotations

import os

import pytest
from conftest import make_promo_env

from pixel_tui.core.promotion import build_plan, execute
from pixel_tui.core.promotion.verify import check_copy
from pixel_tui.core.storage.md5meta import md5_from_metadata, md5_to_metadata
from pixel_tui.core.storage.s3 import copy_attributes

MiB = 1024 * 1024
RAW = "gdrive/raw/"
COT = "gdrive/processed/cot_reasoning/"


def _put_like_rclone(store, key: str, data: bytes) -> None:
    """An object as rclone writes a big upload: user metadata with the MD5 (base64) and mtime, a content type."""
    import hashlib

    store.client.put_object(Bucket=store.bucket, Key=key, Body=data, ContentType="application/x-ndjson",
                            Metadata={"md5chksum": md5_to_metadata(hashlib.md5(data).hexdigest()),
                                      "mtime": "1767225600.5"})


def _promote(env, keys, progress=None):
    plan = build_plan(env.store, env.settings, [f"s3://{env.store.bucket}/{RAW}{k}" for k in keys], "cot_reasoning",
                      registry=None)
    return plan, execute(env.store, env.settings, plan, progress=progress)


def test_both_copy_paths_keep_metadata(promo_env):
    env = promo_env  # copy_cutoff 6 MiB: the 13 MiB object goes through UploadPartCopy
    small, big = os.urandom(200_000), os.urandom(13 * MiB)
    _put_like_rclone(env.store, RAW + "small.jsonl", small)
    _put_like_rclone(env.store, RAW + "big_set/", b"")
    _put_like_rclone(env.store, RAW + "big_set/big.jsonl", big)
    _put_like_rclone(env.store, RAW + "big_set/small2.jsonl", small)
    plan, result = _promote(env, ["small.jsonl", "big_set/"])
    assert result.status == "done" and result.streamed == 0
    assert "Copies: server-side (CopyObject up to" in plan.render()
    for src, dst in ((RAW + "small.jsonl", COT + "small.jsonl"), (RAW + "big_set/big.jsonl", COT + "big_set/big.jsonl"),
                     (RAW + "big_set/small2.jsonl", COT + "big_set/small2.jsonl")):
        want, got = env.store.head_full(src), env.store.head_full(dst)
        assert copy_attributes(got) == copy_attributes(want), dst
        assert got["ContentType"] == "application/x-ndjson"
        assert md5_from_metadata(got["Metadata"]) == md5_from_metadata(want["Metadata"]) is not None
    assert "-" in env.store.head(COT + "big_set/big.jsonl").etag  # it really was a multipart copy


def test_verification_refuses_a_copy_that_lost_its_metadata(promo_env):
    env = promo_env
    data = os.urandom(50_000)
    _put_like_rclone(env.store, RAW + "x.jsonl", data)
    env.store.put_bytes(COT + "x.jsonl", data)  # same bytes, no metadata: what a plain multipart copy made
    src, dst = env.store.head(RAW + "x.jsonl"), env.store.head(COT + "x.jsonl")
    attrs = copy_attributes(env.store.head_full(RAW + "x.jsonl"))
    reason = check_copy(env.store, src, dst, {"etag": dst.etag, "parts": [], "attrs": attrs})
    assert reason is not None and "metadata not copied" in reason
    assert check_copy(env.store, src, dst, {"etag": dst.etag, "parts": []}) is None  # bytes alone are fine


def test_streamed_copy_on_a_server_whose_upload_part_copy_copies_nothing(rclone_s3_store, tmp_path):
    env = make_promo_env(rclone_s3_store, tmp_path)
    big, small = os.urandom(13 * MiB), os.urandom(100_000)
    _put_like_rclone(env.store, RAW + "big.jsonl", big)
    _put_like_rclone(env.store, RAW + "small.jsonl", small)
    ticks = []
    plan, result = _promote(env, ["big.jsonl", "small.jsonl"], progress=ticks.append)
    assert plan.stream_multipart and not plan.stream_single  # from the probe: CopyObject works there
    assert "streamed through this machine above it" in plan.render() and "UploadPartCopy does not work" in plan.render()
    assert plan.summary()["copy_method"].startswith("server-side up to")
    assert result.status == "done" and result.streamed == 1 and result.verified == 2
    assert env.store.get_bytes(COT + "big.jsonl")[0] == big
    assert env.store.get_bytes(COT + "small.jsonl")[0] == small
    got = env.store.head_full(COT + "big.jsonl")
    assert copy_attributes(got) == copy_attributes(env.store.head_full(RAW + "big.jsonl"))
    copy_ticks = [t.bytes_done for t in ticks if t.phase == "copy"]
    assert copy_ticks == sorted(copy_ticks) and copy_ticks[-1] == len(big) + len(small)


def test_stream_copy_reports_bytes_as_parts_arrive(rclone_s3_store):
    data = os.urandom(12 * MiB)
    rclone_s3_store.put_bytes("src.bin", data)
    heard: list[int] = []
    parts: list[str] = []
    etag = rclone_s3_store.stream_copy("src.bin", "dst.bin", len(data), part_size=5 * MiB, parts=parts,
                                       on_bytes=heard.append)
    assert heard and sorted(heard) == sorted([5 * MiB, 5 * MiB, 2 * MiB]) and len(parts) == 3
    assert etag.endswith("-3") and rclone_s3_store.get_bytes("dst.bin")[0] == data


@pytest.fixture
def refuse_server_side_copy(monkeypatch):
    """Inject the one fault: every CopyObject and UploadPartCopy answers 501 NotImplemented."""
    from botocore.awsrequest import AWSResponse

    from pixel_tui.core.storage.fastcopy import FastCopier
    from pixel_tui.core.storage.s3 import S3Store

    class Refused(list):
        active = True

    refused = Refused()

    def not_implemented(model, **_):
        if not refused.active:
            return None
        refused.append(model.name)
        body = {"Error": {"Code": "NotImplemented", "Message": "A header you provided implies functionality "
                          "that is not implemented"}, "ResponseMetadata": {"HTTPStatusCode": 501}}
        return AWSResponse("http://stub", 501, {}, None), body

    make = S3Store._make_client

    def make_client(self, *args, **kwargs):
        client = make(self, *args, **kwargs)
        for op in ("CopyObject", "UploadPartCopy"):
            client.meta.events.register(f"before-call.s3.{op}", not_implemented)
        return client

    monkeypatch.setattr(S3Store, "_make_client", make_client)
    fast_try = FastCopier._try
    # the signed fast path refused too (it does not go through botocore's events)
    monkeypatch.setattr(FastCopier, "_try", lambda self, src, dst: None if refused.active else fast_try(self, src, dst))
    return refused


def test_501_not_implemented_falls_back_to_a_streamed_copy(weed_server, tmp_path, refuse_server_side_copy):
    from conftest import _new_bucket

    env = make_promo_env(_new_bucket(weed_server), tmp_path)
    big, small = os.urandom(13 * MiB), os.urandom(70_000)
    _put_like_rclone(env.store, RAW + "big.jsonl", big)
    _put_like_rclone(env.store, RAW + "small.jsonl", small)
    # the probe at plan time found copies working; they are refused only when the promotion runs
    refuse_server_side_copy.active = False
    plan = build_plan(env.store, env.settings, [f"s3://{env.store.bucket}/{RAW}{k}" for k in ("big.jsonl", "small.jsonl")],
                      "cot_reasoning", registry=None)
    assert not plan.stream_single and not plan.stream_multipart
    refuse_server_side_copy.active = True
    result = execute(env.store, env.settings, plan)
    assert set(refuse_server_side_copy) == {"CopyObject", "UploadPartCopy"}
    assert result.status == "done" and result.streamed == 2 and result.verified == 2
    assert env.store.get_bytes(COT + "big.jsonl")[0] == big and env.store.get_bytes(COT + "small.jsonl")[0] == small
    for name in ("big.jsonl", "small.jsonl"):
        assert copy_attributes(env.store.head_full(COT + name)) == copy_attributes(env.store.head_full(RAW + name))


def test_promote_cli_says_copies_are_streamed_on_rclone_serve_s3(rclone_s3_store, tmp_path, monkeypatch, capsys):
    from pixel_tui.cli import main

    env = make_promo_env(rclone_s3_store, tmp_path)
    for k, v in env.cli_env().items():
        monkeypatch.setenv(k, v)
    _put_like_rclone(env.store, RAW + "big.jsonl", os.urandom(7 * MiB))
    src = f"s3://{env.store.bucket}/{RAW}big.jsonl"
    assert main(["promote", src, "--category", "cot_reasoning", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Copies: server-side up to 6.0 MiB, streamed through this machine above it" in out
    assert "UploadPartCopy does not work (pixel-tui check --provider)" in out
    assert main(["promote", src, "--category", "cot_reasoning", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "done: 1 copied" in out and "1 of them streamed through this machine" in out

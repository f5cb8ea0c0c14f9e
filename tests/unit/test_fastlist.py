"""The fast listing path gives exactly what plain boto3 gives, on both servers and on crafted XML."""

from __future__ import annotations

import math
from datetime import datetime

import boto3
import pytest
from botocore.config import Config
from botocore.parsers import RestXMLParser
from hypothesis import given, settings
from hypothesis import strategies as st

from pixel_tui.core.storage.fastlist import FastListParser, fast_timestamp, next_token_in
from pixel_tui.core.storage.listing import Level
from pixel_tui.core.storage.s3 import LevelPage, S3Object

AWKWARD = [
    "lvl/plain.json",
    "lvl/with space.jsonl",
    "lvl/ünïcödé – ✓.txt",
    "lvl/plus+sign.json",
    "lvl/percent%20not-a-space.json",
    "lvl/amp&lt;not-entity&gt;.json",
    "lvl/angle<bracket>.txt",
    "lvl/quote\"apos'.txt",
    "lvl/" + "long_" * 45 + "ü.json",  # SeaweedFS caps a name at 255 bytes
    "lvl/marker/",
    "lvl/marker",
    "lvl/sub/child.json",
    "lvl/sub dir/child.json",
    "lvl/ leading and trailing space ",
]


def _plain_client(store):
    """A boto3 client with botocore's own parser: the reference."""
    c = store._credentials
    return boto3.session.Session().client(
        "s3", endpoint_url=store.endpoint_url, region_name="us-east-1",
        aws_access_key_id=c.access_key_id, aws_secret_access_key=c.secret_access_key,
        config=Config(s3={"addressing_style": "path"}))


def _server_name(store) -> str:
    """'weed' or 'moto', from the Server header of a HEAD on the bucket."""
    server = store.client.head_bucket(Bucket=store.bucket)["ResponseMetadata"]["HTTPHeaders"].get("server", "")
    return "weed" if "seaweed" in server.lower() else "moto"


def _strip(resp: dict) -> dict:
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


@pytest.mark.parametrize("extra", [{"Delimiter": "/"}, {}, {"Delimiter": "/", "EncodingType": "url"}])
def test_fast_parser_matches_botocore_on_real_servers(store, extra):
    for key in AWKWARD:
        store.put_bytes(key, key.encode())
    plain = _plain_client(store)
    kwargs = {"Bucket": store.bucket, "Prefix": "lvl/", "MaxKeys": 4, **extra}
    ours_pages, ref_pages = [], []
    for client, out in ((store.client, ours_pages), (plain, ref_pages)):
        kw = dict(kwargs)
        while True:
            resp = client.list_objects_v2(**kw)
            out.append(_strip(resp))
            if not resp.get("IsTruncated"):
                break
            kw["ContinuationToken"] = resp["NextContinuationToken"]
    assert ours_pages == ref_pages
    keys = [c["Key"] for page in ours_pages for c in page.get("Contents", ())]
    if "EncodingType" not in extra:  # botocore decoded them back for us
        expected = [k for k in AWKWARD if "Delimiter" not in extra or "/" not in k[4:]]
        missing = set(expected) - set(keys)
        # SeaweedFS keeps files and folders in one namespace: `marker` replaces the `marker/` key.
        assert missing <= ({"lvl/marker/"} if store.endpoint_url and "weed" in _server_name(store) else set())
        assert set(keys) <= set(expected) and len(keys) == len(set(keys))


def test_iter_level_pipelined_equals_plain_pagination_order(store):
    keys = [f"p/k{i:03d}{'+ü %' if i % 5 == 0 else ''}" for i in range(53)] + ["p/d/x", "p/e/"]
    for key in keys:
        store.put_bytes(key, b"abc")
    pages = list(store.iter_level("p/", page_size=7))
    ours = [(o.key, o.size, o.etag, o.last_modified) for pg in pages for o in pg.objects]
    ours_prefixes = [p for pg in pages for p in pg.prefixes]
    ref, ref_prefixes = [], []
    for resp in _plain_client(store).get_paginator("list_objects_v2").paginate(
            Bucket=store.bucket, Prefix="p/", Delimiter="/", PaginationConfig={"PageSize": 7}):
        ref += [(c["Key"], c["Size"], c["ETag"].strip('"'), c["LastModified"]) for c in resp.get("Contents", ())]
        ref_prefixes += [p["Prefix"] for p in resp.get("CommonPrefixes", ())]
    assert ours == ref  # same order too: SeaweedFS lists in directory order, moto in byte order
    assert ours_prefixes == ref_prefixes == ["p/d/", "p/e/"]
    assert len(ours) == 53


def test_walk_is_complete_and_can_stop_early(store):
    for i in range(30):
        store.put_bytes(f"w/{i % 3}/{i:02d}", b"x" * i)
    assert sorted(o.key for o in store.walk("w/")) == sorted(f"w/{i % 3}/{i:02d}" for i in range(30))
    assert store.tree_size("w/") == (30, sum(range(30)))
    seen = []
    stop = lambda: len(seen) >= 1  # noqa: E731
    for page in store._list_pages({"Bucket": store.bucket, "Prefix": "w/", "MaxKeys": 5}, stop):
        seen.append(page)
    assert len(seen) == 1
    gen = store.iter_level("w/", page_size=1)
    next(gen)
    gen.close()  # abandoning a listing midway must not hang or leak an error


def test_missing_bucket_raises_typed_error_through_the_pipeline(store):
    from pixel_tui.core.errors import NoSuchBucket

    other = type(store)(store.bucket + "-nope", endpoint_url=store.endpoint_url, credentials=store._credentials)
    with pytest.raises(NoSuchBucket):
        list(other.iter_level(""))


# -- the parser alone, on crafted bodies --------------------------------------------------------

NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _body(keys: list[str], prefixes: list[str], token: str | None, ns: bool = True) -> bytes:
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult{" xmlns=%s" % chr(34) + NS + chr(34) if ns else ""}>',
             "<Name>b</Name><Prefix>lvl/</Prefix><KeyCount>%d</KeyCount><MaxKeys>1000</MaxKeys>" % len(keys),
             "<Delimiter>/</Delimiter>",
             f"<IsTruncated>{'true' if token else 'false'}</IsTruncated>"]
    if token:
        parts.append(f"<NextContinuationToken>{_esc(token)}</NextContinuationToken>")
    for i, key in enumerate(keys):
        parts.append(
            f"<Contents>\n  <Key>{_esc(key)}</Key><LastModified>2026-01-0{1 + i % 9}T10:20:30.{i:03d}Z</LastModified>"
            f"<ETag>&quot;{i:032x}&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>"
            f"<ChecksumAlgorithm>SHA256</ChecksumAlgorithm><Size>{i * 7}</Size>"
            f"<Owner><ID>o{i}</ID><DisplayName>me &amp; you</DisplayName></Owner>"
            f"<StorageClass>STANDARD</StorageClass><Unknown>ignored</Unknown><Empty/></Contents>")
    for p in prefixes:
        parts.append(f"<CommonPrefixes><Prefix>{_esc(p)}</Prefix></CommonPrefixes>")
    parts.append("</ListBucketResult>")
    return "".join(parts).encode()


def _shape():
    model = boto3.session.Session()._session.get_service_model("s3")
    return model.operation_model("ListObjectsV2").output_shape


def _both(body: bytes):
    response = {"body": body, "headers": {"x-amz-request-id": "r1"}, "status_code": 200, "context": {}}
    shape = _shape()
    fast = FastListParser(timestamp_parser=fast_timestamp).parse(dict(response), shape)
    ref = RestXMLParser(timestamp_parser=fast_timestamp).parse(dict(response), shape)
    return fast, ref


xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(keys=st.lists(xml_text, max_size=6), prefixes=st.lists(xml_text, max_size=3),
       token=st.none() | xml_text, ns=st.booleans())
def test_fast_parser_equals_botocore_on_any_text(keys, prefixes, token, ns):
    fast, ref = _both(_body(keys, prefixes, token, ns))
    assert fast == ref
    assert next_token_in(_body(keys, prefixes, token, ns)) == (token if token else None)


def test_single_entry_lists_and_nested_structures():
    fast, ref = _both(_body(["only one & <x>"], ["p/"], "tok&en=="))
    assert fast == ref
    entry = fast["Contents"][0]
    assert entry["Key"] == "only one & <x>" and entry["Size"] == 0
    assert entry["ChecksumAlgorithm"] == ["CRC32", "SHA256"]
    assert entry["Owner"] == {"ID": "o0", "DisplayName": "me & you"}
    assert isinstance(entry["LastModified"], datetime)
    assert fast["CommonPrefixes"] == [{"Prefix": "p/"}]
    assert fast["ResponseMetadata"]["RequestId"] == "r1"


def test_error_responses_still_use_botocore_error_parsing():
    body = b"<Error><Code>NoSuchBucket</Code><Message>nope</Message></Error>"
    response = {"body": body, "headers": {}, "status_code": 404, "context": {}}
    parsed = FastListParser().parse(response, _shape())
    assert parsed["Error"]["Code"] == "NoSuchBucket"


def test_level_holds_pages_compactly():
    level = Level("a/")
    stamp = datetime.fromisoformat("2026-01-02T03:04:05+00:00")
    md5 = "0123456789abcdef0123456789abcdef"
    level.add_page(LevelPage(["a/d/"], [S3Object("a/x y", 5, md5, stamp), S3Object("a/z/", 0, "e2-3", None)]))
    assert level.names == ["d/", "x y", "z/"]
    assert list(level.sizes) == [-1, 5, 0]
    assert level.mtimes[1] == stamp.timestamp() and math.isnan(level.mtimes[0])
    assert level.n_dirs == 1 and len(level) == 3
    assert [level.etag(i) for i in range(3)] == ["", md5, "e2-3"]


def _flat_body(keys: list[str], token: str | None) -> bytes:
    rows = "".join(f"<Contents><Key>{_esc(k)}</Key><ETag>&#34;{i:032x}&#34;</ETag><Size>{i}</Size>"
                   f"<LastModified>2026-11-25T19:34:2{i % 10}Z</LastModified></Contents>" for i, k in enumerate(keys))
    tok = f"<NextContinuationToken>{_esc(token)}</NextContinuationToken>" if token else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="{NS}"><Name>b</Name>'
            f"<IsTruncated>{'true' if token else 'false'}</IsTruncated>{tok}{rows}"
            "<CommonPrefixes><Prefix>a &amp; b/</Prefix></CommonPrefixes></ListBucketResult>").encode()


@settings(max_examples=60, deadline=None)
@given(keys=st.lists(xml_text, max_size=6), token=st.none() | xml_text)
def test_regex_scan_takes_flat_bodies_and_equals_botocore(keys, token):
    from pixel_tui.core.storage.fastlist import _plan_for

    body = _flat_body(keys, token)
    scanned = FastListParser(timestamp_parser=fast_timestamp)._scan(_plan_for(_shape()), body)
    assert scanned is not None  # the fast path was taken, not the fallback
    fast, ref = _both(body)
    assert fast == ref
    assert {k: v for k, v in ref.items() if k != "ResponseMetadata"} == scanned


def test_regex_scan_declines_what_it_does_not_understand():
    from pixel_tui.core.storage.fastlist import _plan_for

    parser, plan = FastListParser(timestamp_parser=fast_timestamp), _plan_for(_shape())
    assert parser._scan(plan, _body(["k"], [], None)) is None  # nested <Owner>, <Empty/>
    assert parser._scan(plan, _flat_body(["a\rb"], None)) is None  # XML turns CR into LF
    assert parser._scan(plan, _flat_body(["k"], None).replace(b"<Key>", b"<Key a='1'>")) is None
    assert parser._scan(plan, _flat_body(["k"], None)[:-30]) is None  # truncated body


def test_level_extend_keeps_rows_etags_and_folder_counts():
    md5 = "0123456789abcdef0123456789abcdef"
    a, b = Level(""), Level("")
    a.add([("d/", -1, float("nan"), ""), ("x", 1, 5.0, md5)])
    b.add([("y", 2, 6.0, "multi-2"), ("e/", -1, float("nan"), ""), ("z", 3, 7.0, md5.upper())])
    a.extend(b)
    assert a.names == ["d/", "x", "y", "e/", "z"] and list(a.sizes) == [-1, 1, 2, -1, 3]
    assert [a.etag(i) for i in range(5)] == ["", md5, "multi-2", "", md5.upper()]
    assert a.n_dirs == 2 and a.mtimes[4] == 7.0

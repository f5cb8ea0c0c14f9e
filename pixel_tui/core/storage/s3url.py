"""``s3://bucket/key`` URLs and S3 ETags: the one place that parses, builds and normalises them.

A URL is ``s3://`` + bucket + ``/`` + key; the key may be empty (the bucket root) and keeps a
trailing ``/`` when it names a prefix. Nothing here talks to S3.
"""

from __future__ import annotations

import re

SCHEME = "s3://"
_MD5 = re.compile(r"[0-9a-fA-F]{32}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def is_s3_url(text: str) -> bool:
    """True for ``s3://...`` (a registry path, a CLI argument); False for local or Drive paths."""
    return text.startswith(SCHEME)


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key); ValueError when it is not an s3:// URL."""
    if not is_s3_url(url):
        raise ValueError(f"not an s3:// URL: {url}")
    bucket, _, key = url[len(SCHEME):].partition("/")
    return bucket, key


def unsafe_key_reason(key: str) -> str | None:
    """Why ``key`` cannot be mapped onto a local file below a directory, or None when it can.

    S3 keys are opaque strings: ``/etc/x``, ``a/../../x`` and ``a//b`` are legal keys, and a cache that
    joined them onto a directory would write wherever they point.
    """
    if key.startswith("/"):
        return "it starts with '/'"
    if _CONTROL.search(key):
        return "it holds control characters"
    segments = key.split("/")
    if key.endswith("/"):
        segments.pop()  # a prefix's trailing slash is no empty segment
    for seg in segments:
        if seg in (".", ".."):
            return f"it has a {seg!r} segment"
        if not seg:
            return "it has an empty segment ('//')"
    return None


def s3_url(bucket: str, key: str = "") -> str:
    """(bucket, key) -> ``s3://bucket/key``."""
    return f"{SCHEME}{bucket}/{key}"


def key_in_bucket(url: str, bucket: str) -> str | None:
    """The key of ``url`` when it is an s3:// URL in ``bucket`` ('' for the bucket root); else None."""
    if not is_s3_url(url):
        return None
    b, sep, key = url[len(SCHEME):].partition("/")
    return key if b == bucket and sep else None


def strip_etag(etag: str | None) -> str:
    """ETags come quoted from AWS and moto but unquoted from SeaweedFS's CopyObject: normalise."""
    return (etag or "").strip().strip('"')


def plain_md5(etag: str | None) -> str | None:
    """The ETag as a lowercase MD5 when it is one (a one-part upload, or a CopyObject of one);
    None for a multipart ``<hex>-<parts>`` ETag, which is no digest of the content."""
    e = strip_etag(etag)
    return e.lower() if _MD5.fullmatch(e) else None

"""CopyObject for many small objects: botocore's SigV4 signer + one urllib3 pool, boto3 as the fallback.

boto3 spends ~2.7 ms of client CPU per CopyObject (request building, event hooks, XML parsing);
with the GIL that caps 16 threads well below the server's speed. Signing the same request with
botocore's own signer and sending it through urllib3 costs ~1 ms, which is what lets a promotion
of thousands of small objects keep up with rclone (see bench/bench_promotion.py). Anything
unexpected (connection error, non-200, an error body inside a 200) is retried once through
``S3Store.copy``, so retries, typed errors and messages stay those of the store; a 501 NotImplemented
is final (CopyNotSupported: the promotion streams that object instead).
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING
from urllib.parse import quote

from pixel_tui.core.storage.s3url import strip_etag

if TYPE_CHECKING:
    from pixel_tui.core.storage.s3 import S3Store

_ETAG = re.compile(rb"<ETag>\s*(.*?)\s*</ETag>", re.S)


class FastCopier:
    """Single-request server-side copies within one bucket, falling back to the store on any surprise."""

    def __init__(self, store: "S3Store", pool_size: int = 32) -> None:
        self.store = store
        self._enabled = bool(store.endpoint_url) and getattr(store, "_addressing_style", "path") == "path"
        self._failures = 0
        self._lock = threading.Lock()
        self._creds = None
        if self._enabled:
            try:
                import urllib3
                from botocore.auth import S3SigV4Auth

                client = store.client
                self._endpoint = client.meta.endpoint_url.rstrip("/")
                self._region = client.meta.region_name or "us-east-1"
                # botocore keeps the resolved (possibly refreshing) credentials on its signer.
                self._creds = client._request_signer._credentials
                self._auth_cls = S3SigV4Auth
                self._pool = urllib3.PoolManager(maxsize=pool_size, retries=False,
                                                 timeout=urllib3.Timeout(connect=5.0, read=300.0))
            except Exception:  # a botocore without these internals: boto3 does every copy
                self._enabled = False

    def copy(self, src_key: str, dst_key: str, size: int, **kwargs) -> str:
        """Copy one object (size at most the single-copy cutoff); returns the new ETag, unquoted."""
        if self._enabled and self._creds is not None:
            etag = self._try(src_key, dst_key)
            if etag:
                return etag
        return self.store.copy(src_key, dst_key, size, **kwargs)

    def _try(self, src_key: str, dst_key: str) -> str | None:
        from botocore.awsrequest import AWSRequest

        bucket = self.store.bucket
        url = f"{self._endpoint}/{quote(bucket)}/{quote(dst_key, safe='/~')}"
        req = AWSRequest(method="PUT", url=url, headers={
            "x-amz-copy-source": quote(f"{bucket}/{src_key}", safe="/~"),
            "x-amz-metadata-directive": "COPY",
        })
        req.context["payload_signing_enabled"] = False
        try:
            self._auth_cls(self._creds.get_frozen_credentials(), "s3", self._region).add_auth(req)
            r = self._pool.request("PUT", url, headers=dict(req.headers.items()), body=b"")
        except Exception:  # the store's retry and error translation take it from here
            self._failed()
            return None
        if r.status == 501 or b"<Code>NotImplemented</Code>" in r.data:
            from pixel_tui.core.errors import CopyNotSupported

            raise CopyNotSupported(f"copy: the server does not implement CopyObject ({r.status}) on "
                                   f"{self.store.where(dst_key)}", "promotion copies through this machine instead")
        m = _ETAG.search(r.data) if r.status == 200 and b"<Error>" not in r.data else None
        if m is None:
            self._failed()
            return None
        return strip_etag(m.group(1).decode().replace("&#34;", '"').replace("&quot;", '"'))

    def _failed(self) -> None:
        # An endpoint that keeps refusing the fast path (redirects, odd auth) goes straight to boto3.
        with self._lock:
            self._failures += 1
            if self._failures >= 20:
                self._enabled = False

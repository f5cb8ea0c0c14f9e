"""S3 store on boto3: head, ranged reads, conditional put, deletes (listings in s3_listing.py, copies in s3_copy.py)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator, Mapping

from pixel_tui.core.errors import (
    AccessDenied,
    CopyNotSupported,
    EndpointUnreachable,
    NoSuchBucket,
    NoSuchKey,
    PreconditionFailed,
    S3Error,
)
from pixel_tui.core.storage import s3url
from pixel_tui.core.storage.objects import Credentials, LevelPage, S3Object  # noqa: F401 - LevelPage: importers of s3
from pixel_tui.core.storage.s3_copy import (  # noqa: F401 - importers of s3 keep working
    COPIED_ATTRIBUTES,
    MAX_COPY_PART,
    CopyMethods,
    copy_attributes,
)
from pixel_tui.core.storage.s3_listing import LIST_AHEAD, ListingMethods  # noqa: F401 - importers of s3 keep working
from pixel_tui.core.units import human_duration, plural

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings

COPY_READ_TIMEOUT = 900.0  # seconds a CopyObject/UploadPartCopy may wait for the server's answer
def endpoint_url(value: str | None) -> str | None:
    """An endpoint as boto3 needs it: rclone stores ``s3.gra.io.cloud.ovh.net`` without a scheme and
    uses https for it, so do we (an http server needs its explicit ``http://``)."""
    value = (value or "").strip()
    if not value:
        return None
    return value if "://" in value else "https://" + value


def store_factory(settings: "Settings | None" = None,
                  reuse: "S3Store | None" = None) -> Callable[[str], "S3Store"]:
    """bucket -> S3Store, for the buckets registry paths name (``Registry.load``, the resolver, checks).

    Every store comes from ``S3Store.from_settings`` (plain defaults without ``settings``: AWS, the
    environment's credentials); ``reuse`` is returned for its own bucket instead of a second client.
    """
    if settings is None:
        from pixel_tui.core.config import Settings

        settings = Settings()

    def factory(bucket: str) -> "S3Store":
        if reuse is not None and bucket == reuse.bucket:
            return reuse
        return S3Store.from_settings(settings, bucket=bucket)

    return factory


class S3Store(ListingMethods, CopyMethods):
    """All S3 access for one bucket. Thread-safe: one botocore client shared by worker threads."""

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        addressing_style: str = "path",
        credentials: Credentials | None = None,
        profile: str | None = None,
        max_pool: int = 64,
        max_attempts: int = 3,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
    ) -> None:
        from pixel_tui.core.config import check_bucket, check_http_url

        # Checked here, where every bucket (config, s3:// URL, registry path) and endpoint passes: botocore
        # would raise a bare ParamValidationError / ValueError from deep inside a request instead.
        self.bucket = check_bucket(bucket)
        self.endpoint_url = check_http_url(endpoint_url, "S3 endpoint URL") if endpoint_url else endpoint_url
        self.region = region
        self._addressing_style = addressing_style
        self._credentials = credentials
        self._profile = profile
        self._max_pool = max_pool
        self._max_attempts = max_attempts
        self._timeouts = (connect_timeout, read_timeout)
        self._client = None
        self._copy_client = None
        self._lock = threading.Lock()
        # Where the provider probe keeps its answers and writes its scratch keys (core/storage/probe.py).
        self.state_dir: str | None = None
        self.probe_prefix = "pixel-tui-probe/"

    @classmethod
    def from_settings(cls, settings: "Settings", bucket: str | None = None,
                      environ: Mapping[str, str] | None = None) -> "S3Store":
        """The one way to build a store from Settings (of ``bucket``, default the configured one), taking
        credentials from an rclone remote when one is named (its RCLONE_CONFIG_* from ``environ``,
        default os.environ, or the rclone config file). ``store_factory`` makes one per bucket."""
        endpoint, region, creds, profile = settings.endpoint_url, settings.region, None, settings.profile
        if settings.rclone_remote:
            from pixel_tui.core.storage.rclone import s3_remote_settings

            remote = s3_remote_settings(settings.rclone_remote, environ=environ)
            endpoint = endpoint or remote.get("endpoint") or None
            region = remote.get("region") or region
            if remote.get("access_key_id"):
                creds = Credentials(remote["access_key_id"], remote.get("secret_access_key", ""), remote.get("session_token"))
        store = cls(
            bucket or settings.require_bucket(),
            endpoint_url=endpoint_url(endpoint),
            region=region,
            addressing_style=settings.addressing_style,
            credentials=creds,
            profile=profile,
            max_pool=max(settings.concurrency * 2, 16),
            max_attempts=settings.max_attempts,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
        )
        store.state_dir = str(settings.state_path)
        store.probe_prefix = settings.probe_prefix
        return store

    # -- plumbing -----------------------------------------------------------------------------
    @property
    def client(self):
        """The boto3 client, created on first use (importing boto3 costs ~0.2 s)."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._make_client()
        return self._client

    @property
    def copy_client(self):
        """A client for server-side copies: a server copying gigabytes may send nothing until it is done,
        so its read time-out is long (COPY_READ_TIMEOUT); everything else keeps the short one."""
        if self._copy_client is None:
            with self._lock:
                if self._copy_client is None:
                    self._copy_client = self._make_client(max(self._timeouts[1], COPY_READ_TIMEOUT))
        return self._copy_client

    def _make_client(self, read_timeout: float | None = None):
        import boto3
        from botocore.config import Config

        from pixel_tui.core.storage import fastlist_fence

        session = boto3.session.Session(profile_name=self._profile) if self._profile else boto3.session.Session()
        kwargs = {}
        if self._credentials:
            kwargs = {
                "aws_access_key_id": self._credentials.access_key_id,
                "aws_secret_access_key": self._credentials.secret_access_key,
                "aws_session_token": self._credentials.session_token,
            }
        fast = fastlist_fence.speed_up(session)
        config = Config(
            s3={"addressing_style": self._addressing_style},
            retries={"max_attempts": self._max_attempts, "mode": "standard"},
            max_pool_connections=self._max_pool,
            connect_timeout=self._timeouts[0],
            read_timeout=read_timeout or self._timeouts[1],
            # Checksums on every request cost CPU and are not understood by every S3 clone.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        client = session.client("s3", endpoint_url=self.endpoint_url, region_name=self.region, config=config, **kwargs)
        fastlist_fence.speed_up_client(client, fast)
        return client

    def where(self, key: str | None = None) -> str:
        """Human description of a location for messages: s3://bucket/key at endpoint."""
        loc = s3url.s3_url(self.bucket, key or "")
        return f"{loc} (endpoint {self.endpoint_url or 'AWS default'})"

    @contextmanager
    def _errors(self, op: str, key: str | None = None):
        """Translate botocore exceptions into typed S3Errors naming endpoint, bucket and key."""
        from botocore.exceptions import (
            ClientError,
            ConnectTimeoutError,
            EndpointConnectionError,
            NoCredentialsError,
            ReadTimeoutError,
        )

        try:
            yield
        except ClientError as exc:
            raise self._client_error(op, key, exc) from None
        except (EndpointConnectionError, ConnectTimeoutError) as exc:
            raise EndpointUnreachable(
                f"{op}: cannot reach the S3 endpoint {self.endpoint_url or 'AWS'}: {exc} "
                f"({plural(self._max_attempts, 'attempt')}, {human_duration(self._timeouts[0])} connect time-out each)",
                "check the endpoint URL and that the server is up (`s3.connect_timeout`, `s3.max_attempts`)",
            ) from None
        except ReadTimeoutError as exc:
            raise EndpointUnreachable(
                f"{op}: the S3 endpoint {self.endpoint_url or 'AWS'} stopped answering ({exc}; "
                f"{plural(self._max_attempts, 'attempt')})",
                "check that the server is up, try again later, or raise `s3.read_timeout`") from None
        except NoCredentialsError:
            raise AccessDenied(
                f"{op}: no S3 credentials found for {self.where(key)}",
                "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or name an rclone S3 remote (s3.rclone_remote)",
            ) from None

    def _client_error(self, op: str, key: str | None, exc) -> S3Error:
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        where = self.where(key)
        if code == "NoSuchBucket":
            return NoSuchBucket(f"{op}: bucket {self.bucket!r} does not exist at {self.endpoint_url or 'AWS'}",
                                "check s3.bucket in the config or --bucket")
        if code in ("NoSuchKey", "404", "NotFound") or status == 404:
            return NoSuchKey(f"{op}: {where} does not exist")
        if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403", "Forbidden") or status == 403:
            return AccessDenied(f"{op}: access denied to {where} ({code})",
                                "check the credentials and that they may read/write this bucket")
        if code in ("PreconditionFailed", "412", "ConditionalRequestConflict") or status in (409, 412):
            return PreconditionFailed(f"{op}: {where} changed since it was read")
        if code in ("NotImplemented", "501") or status == 501:
            return CopyNotSupported(f"{op}: the server does not implement this request ({code or status}) on {where}",
                                    "promotion copies through this machine instead")
        msg = err.get("Message") or str(exc)
        return S3Error(f"{op}: S3 error {code or status} on {where}: {msg}")

    # -- reading (listings: s3_listing.ListingMethods) -----------------------------------------
    def head(self, key: str) -> S3Object | None:
        """Metadata of one object, or None when it does not exist."""
        try:
            with self._errors("head", key):
                r = self.client.head_object(Bucket=self.bucket, Key=key)
        except NoSuchKey:
            return None
        return S3Object(key, int(r.get("ContentLength", 0)), s3url.strip_etag(r.get("ETag")), r.get("LastModified"))

    def head_full(self, key: str) -> dict:
        """The raw HEAD response (metadata, content type, checksums if the server keeps them)."""
        with self._errors("head", key):
            return self.client.head_object(Bucket=self.bucket, Key=key)

    def read_range(self, key: str, length: int, start: int = 0) -> bytes:
        """At most ``length`` bytes from ``start``: a bounded ranged GET, never the whole object."""
        if length <= 0:
            return b""
        with self._errors("read", key):
            try:
                r = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{start + length - 1}")
            except Exception as exc:  # an empty object cannot satisfy any range
                if getattr(exc, "response", {}).get("Error", {}).get("Code") == "InvalidRange":
                    return b""
                raise
            return r["Body"].read(length)

    def get_bytes(self, key: str) -> tuple[bytes, str]:
        """The whole object and its ETag (for small documents such as the registry)."""
        with self._errors("get", key):
            r = self.client.get_object(Bucket=self.bucket, Key=key)
            return r["Body"].read(), s3url.strip_etag(r.get("ETag"))

    def iter_chunks(self, key: str, chunk_size: int = 8 * 1024 * 1024) -> Iterator[bytes]:
        """Stream an object in chunks (for checksums and the dataset resolver)."""
        with self._errors("get", key):
            r = self.client.get_object(Bucket=self.bucket, Key=key)
            body = r["Body"]
            while chunk := body.read(chunk_size):
                yield chunk

    # -- writing ------------------------------------------------------------------------------
    def put_bytes(self, key: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False,
                  content_type: str | None = None, metadata: dict[str, str] | None = None) -> str:
        """Write an object, optionally only if its ETag is still ``if_match`` or it does not exist yet;
        ``metadata`` becomes its user metadata (x-amz-meta-*)."""
        kwargs = {"Bucket": self.bucket, "Key": key, "Body": data}
        if if_match:
            kwargs["IfMatch"] = f'"{s3url.strip_etag(if_match)}"'
        if if_none_match:
            kwargs["IfNoneMatch"] = "*"
        if content_type:
            kwargs["ContentType"] = content_type
        if metadata:
            kwargs["Metadata"] = metadata
        try:
            with self._errors("put", key):
                r = self.client.put_object(**kwargs)
        except NoSuchKey:
            # AWS and moto answer IfMatch on a missing key with 404 (SeaweedFS says 412): both
            # mean the object is not the one we read.
            if if_match:
                raise PreconditionFailed(f"put: {self.where(key)} was deleted since it was read") from None
            raise
        return s3url.strip_etag(r.get("ETag"))

    def delete(self, key: str) -> None:
        """Delete one object (no error when it is already gone)."""
        with self._errors("delete", key):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def delete_many(self, keys: list[str]) -> None:
        """Delete objects in batches of 1,000."""
        for i in range(0, len(keys), 1000):
            batch = keys[i : i + 1000]
            with self._errors("delete", batch[0] if batch else None):
                r = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
                )
            if r.get("Errors"):
                first = r["Errors"][0]
                raise S3Error(f"delete: {plural(len(r['Errors']), 'object')} not deleted, first {first.get('Key')}: {first.get('Message')}")

    def delete_if_unchanged(self, objects: list[S3Object]) -> list[str]:
        """Delete objects (batches of 1,000) only while each still has the given ETag; returns the keys the
        server refused because their ETag no longer matched. Servers that ignore the condition delete
        anyway, so callers HEAD-check first: this only narrows the window between the HEAD and the delete."""
        refused: list[str] = []
        for i in range(0, len(objects), 1000):
            batch = objects[i : i + 1000]
            ids = [{"Key": o.key, "ETag": f'"{s3url.strip_etag(o.etag)}"'} if o.etag else {"Key": o.key} for o in batch]
            with self._errors("delete", batch[0].key if batch else None):
                r = self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": ids, "Quiet": True})
            errors = []
            for e in r.get("Errors") or []:
                if str(e.get("Code", "")) in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                    refused.append(e.get("Key", ""))
                else:
                    errors.append(e)
            if errors:
                first = errors[0]
                raise S3Error(f"delete: {plural(len(errors), 'object')} not deleted, first {first.get('Key')}: {first.get('Message')}")
        return refused

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (demo and tests)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
            return
        except ClientError:
            pass
        with self._errors("create bucket"):
            try:
                self.client.create_bucket(Bucket=self.bucket)
            except Exception as exc:
                code = getattr(exc, "response", {}).get("Error", {}).get("Code")
                if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    def check_bucket(self) -> None:
        """Raise a typed error when the bucket is missing or unreachable."""
        try:
            with self._errors("open bucket"):
                self.client.head_bucket(Bucket=self.bucket)
        except NoSuchKey:
            raise NoSuchBucket(f"bucket {self.bucket!r} does not exist at {self.endpoint_url or 'AWS'}",
                               "check s3.bucket in the config or --bucket") from None

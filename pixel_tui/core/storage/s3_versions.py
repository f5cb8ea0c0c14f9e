"""Bucket versioning: whether a bucket keeps versions, the versions of one key, and reading one of them.

Kept apart from s3.py (the everyday store) because only the registry's history uses it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pixel_tui.core.errors import S3Error
from pixel_tui.core.storage import s3url

if TYPE_CHECKING:
    from pixel_tui.core.storage.s3 import S3Store


class NoSuchVersion(S3Error):
    """The version id is not one of the object's versions."""

    exit_code = 2


@dataclass(frozen=True)
class ObjectVersion:
    """One version of a key: its id, ETag, size and time; a delete marker has no content."""

    version_id: str
    etag: str
    size: int
    modified: datetime | None
    latest: bool
    delete_marker: bool = False
    metadata: dict | None = None  # user metadata (x-amz-meta-*), filled by with_metadata()


def versioning_status(store: "S3Store") -> str:
    """'Enabled', 'Suspended', or '' for a bucket that never had versioning turned on."""
    with store._errors("get bucket versioning"):
        r = store.client.get_bucket_versioning(Bucket=store.bucket)
    return str(r.get("Status") or "")


def list_versions(store: "S3Store", key: str) -> list[ObjectVersion]:
    """Every version and delete marker of exactly ``key``, newest first (all pages)."""
    out: list[ObjectVersion] = []
    kwargs = {"Bucket": store.bucket, "Prefix": key}
    while True:
        with store._errors("list versions", key):
            r = store.client.list_object_versions(**kwargs)
        # Prefix also matches `key.bak` and `key/...`: only the key itself counts.
        out += [ObjectVersion(v["VersionId"], s3url.strip_etag(v.get("ETag")), int(v.get("Size", 0)),
                              v.get("LastModified"), bool(v.get("IsLatest"))) for v in r.get("Versions", [])
                if v.get("Key") == key]
        out += [ObjectVersion(d["VersionId"], "", 0, d.get("LastModified"), bool(d.get("IsLatest")), True)
                for d in r.get("DeleteMarkers", []) if d.get("Key") == key]
        if not r.get("IsTruncated"):
            break
        kwargs.update(KeyMarker=r.get("NextKeyMarker", ""), VersionIdMarker=r.get("NextVersionIdMarker", ""))
    # The latest first, then by time; the server's order is not the same everywhere.
    return sorted(out, key=lambda v: (not v.latest, -(v.modified.timestamp() if v.modified else 0)))


def with_metadata(store: "S3Store", key: str, versions: list[ObjectVersion], workers: int = 8) -> list[ObjectVersion]:
    """The same versions with their user metadata (one HEAD each, a few at a time; none for delete markers)."""
    from dataclasses import replace

    def head(v: ObjectVersion) -> ObjectVersion:
        if v.delete_marker:
            return replace(v, metadata={})
        with store._errors("head version", key):
            r = store.client.head_object(Bucket=store.bucket, Key=key, VersionId=v.version_id)
        return replace(v, metadata=dict(r.get("Metadata") or {}))

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(versions)))) as pool:
        return list(pool.map(head, versions)) if versions else []


def get_version(store: "S3Store", key: str, version_id: str) -> bytes:
    """The content of one version of ``key``; NoSuchVersion when it has no such version."""
    with store._errors("get version", key), _VersionErrors(store, version_id, key):
        r = store.client.get_object(Bucket=store.bucket, Key=key, VersionId=version_id)
        return r["Body"].read()


class _VersionErrors:
    """Turn the server's 'no such version' answers (AWS says 400 InvalidArgument for an id of the wrong
    shape, 404 NoSuchVersion for one it does not hold) into NoSuchVersion; the rest to the store's errors."""

    def __init__(self, store: "S3Store", version_id: str, key: str) -> None:
        self.store, self.version_id, self.key = store, version_id, key

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        from botocore.exceptions import ClientError

        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("NoSuchVersion", "InvalidArgument", "InvalidVersion"):
                raise NoSuchVersion(f"{self.store.where(self.key)} has no version {self.version_id!r}",
                                    "list them with `pixel-tui registry versions`") from None
        return False

"""What the S3 store takes and returns: objects, listing pages, credentials. No boto3 here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pixel_tui.core.storage import s3url


@dataclass(frozen=True, slots=True)
class S3Object:
    """One object: key, size in bytes, unquoted ETag, modification time."""

    key: str
    size: int
    etag: str = ""
    last_modified: datetime | None = None

    @property
    def name(self) -> str:
        """Last path component of the key (a folder-marker key keeps its trailing slash)."""
        stripped = self.key[:-1] if self.key.endswith("/") else self.key
        return stripped.rsplit("/", 1)[-1] + ("/" if self.key.endswith("/") else "")


@dataclass(slots=True)
class LevelPage:
    """One page of a one-level listing: sub-prefixes (ending in '/') and objects."""

    prefixes: list[str]
    objects: list[S3Object]


@dataclass(frozen=True)
class Credentials:
    """Static credentials; never printed (repr hides the secret)."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def __repr__(self) -> str:
        return f"Credentials(access_key_id={self.access_key_id[:4]}…, secret=***)"


def object_from_listing(c: dict) -> S3Object:
    """An S3Object from one ListObjectsV2 ``Contents`` entry (ETag unquoted)."""
    return S3Object(c["Key"], int(c.get("Size", 0)), s3url.strip_etag(c.get("ETag")), c.get("LastModified"))

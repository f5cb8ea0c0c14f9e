"""The MD5 rclone stores beside a multipart upload: ``X-Amz-Meta-Md5chksum`` (base64), read with bounded
parallel HEADs and cached by ETag.

A multipart object's ETag is ``md5(part md5s)-N``, not the file's MD5, so a same-size change cannot be
seen from a listing. rclone computes the source's MD5 before such an upload and keeps it in the object's
user metadata; one HEAD reads it. The cache (a small JSON file in the state directory) maps
endpoint + bucket + key to (ETag, MD5): an object re-written gets a new ETag, so a cached MD5 is never
served for content it was not read from.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from pixel_tui.core.files import ensure_private_dir, replace_atomically

if TYPE_CHECKING:
    from pixel_tui.core.storage.s3 import S3Store

META_KEY = "md5chksum"
CACHE_FILE = "rclone-md5-metadata.json"
MAX_CACHE_ENTRIES = 200_000


def md5_from_metadata(metadata: Mapping[str, str] | None) -> str | None:
    """The hex MD5 in a HEAD's user metadata (key compared case-insensitively), None when absent or bad."""
    for key, value in (metadata or {}).items():
        if key.lower() == META_KEY:
            try:
                raw = base64.b64decode(value.strip(), validate=True)
            except (binascii.Error, ValueError, AttributeError):
                return None
            return raw.hex() if len(raw) == 16 else None
    return None


def md5_to_metadata(md5_hex: str) -> str:
    """The base64 form rclone writes for a hex MD5."""
    return base64.b64encode(bytes.fromhex(md5_hex)).decode()


class Md5Cache:
    """(ETag, MD5 or '') per object, in a JSON file (or only in memory without a path). Thread-safe."""

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self._data: dict[str, list[str]] = {}
        self._dirty = False
        if self.path is not None:
            try:
                loaded = json.loads(self.path.read_text())
                if isinstance(loaded, dict):
                    self._data = {k: v for k, v in loaded.items() if isinstance(v, list) and len(v) == 2}
            except (OSError, ValueError):
                pass  # a missing or damaged cache only costs HEADs

    @staticmethod
    def _id(store: "S3Store", key: str) -> str:
        return f"{store.endpoint_url or 'aws'}|{store.bucket}|{key}"

    def get(self, store: "S3Store", key: str, etag: str) -> str | None:
        """The cached MD5 ('' = the object has none) while the ETag is the same; None when unknown."""
        with self._lock:
            hit = self._data.get(self._id(store, key))
        return hit[1] if hit and hit[0] == etag else None

    def put(self, store: "S3Store", key: str, etag: str, md5: str) -> None:
        """Remember what one HEAD said."""
        with self._lock:
            self._data[self._id(store, key)] = [etag, md5]
            self._dirty = True

    def save(self) -> None:
        """Write the cache atomically (best effort: a read-only state dir only costs HEADs next time)."""
        if self.path is None or not self._dirty:
            return
        with self._lock:
            items = list(self._data.items())[-MAX_CACHE_ENTRIES:]
            self._dirty = False
        try:
            ensure_private_dir(self.path.parent)  # the state dir: owner-only
            replace_atomically(self.path, json.dumps(dict(items)))
        except OSError:
            pass


def rclone_md5s(store: "S3Store", wanted: Mapping[str, str], cache: Md5Cache | None = None,
                workers: int = 16, cancelled: Callable[[], bool] | None = None) -> dict[str, str]:
    """{key: hex MD5} from rclone's metadata of the objects in ``wanted`` ({key: ETag}); keys without it
    are left out. At most ``workers`` HEADs in flight; cached answers cost none."""
    cache = cache or Md5Cache()
    out: dict[str, str] = {}
    todo = []
    for key, etag in wanted.items():
        hit = cache.get(store, key, etag)
        if hit is None:
            todo.append((key, etag))
        elif hit:
            out[key] = hit

    def one(item: tuple[str, str]) -> tuple[str, str, str | None]:
        key, etag = item
        if cancelled is not None and cancelled():
            return key, etag, None
        from pixel_tui.core.errors import NoSuchKey

        try:
            head = store.head_full(key)
        except NoSuchKey:
            return key, etag, None
        from pixel_tui.core.storage.s3url import strip_etag

        if strip_etag(head.get("ETag")) != etag:
            return key, etag, None  # re-written since the listing: its metadata is not that object's
        return key, etag, md5_from_metadata(head.get("Metadata")) or ""

    if todo:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo))), thread_name_prefix="md5meta") as pool:
            for key, etag, md5 in pool.map(one, todo):
                if md5 is None:
                    continue
                cache.put(store, key, etag, md5)
                if md5:
                    out[key] = md5
        cache.save()
    return out

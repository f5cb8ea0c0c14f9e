"""For training scripts: dataset name -> S3 URL from the registry, and a stream of it.

The optional local cache is only a cache: every open re-checks the object's size and ETag in S3,
and a dataset gone from S3 is gone, whatever the cache still holds.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterator

from pixel_tui.core.errors import NoSuchKey, PixelError
from pixel_tui.core.registry.document import DatasetRef, Registry, RegistryEditError
from pixel_tui.core.storage.s3url import is_s3_url, parse_s3_url, s3_url, unsafe_key_reason

if TYPE_CHECKING:
    from pixel_tui.core.storage.s3 import S3Store


class DatasetNotResolved(PixelError):
    """The name is unknown, ambiguous, or its primary path is not in S3 yet."""


class _ChunkStream(io.RawIOBase):
    """A read-only file object over an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buf = b""

    def readable(self) -> bool:
        """Always: this is a read stream."""
        return True

    def readinto(self, b) -> int:
        """Fill ``b`` from the next chunks; 0 at the end."""
        while not self._buf:
            try:
                self._buf = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


class Resolver:
    """Resolve dataset names through one registry."""

    def __init__(self, registry: Registry | str, store_factory: Callable[[str], "S3Store"] | None = None,
                 cache_dir: str | os.PathLike | None = None) -> None:
        from pixel_tui.core.storage.s3 import store_factory as default_factory

        self._factory = store_factory or default_factory()
        self.registry = registry if isinstance(registry, Registry) else Registry.load(registry, self._factory)
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else None
        self._stores: dict[str, "S3Store"] = {}

    def ref(self, name: str, group: str | None = None) -> DatasetRef:
        """The registry entry of ``name`` (GROUP/NAME, or a unique NAME; ``group`` picks one when it is in several)."""
        from pixel_tui.core.registry.lookup import find_dataset

        try:
            return find_dataset(self.registry, name, group)
        except RegistryEditError as exc:  # unknown or ambiguous: the lookup's message, with the candidates
            raise DatasetNotResolved(exc.message, exc.hint) from None

    def url(self, name: str, group: str | None = None) -> str:
        """The dataset's S3 URL; an error if its primary path is still a Drive or local path."""
        ref = self.ref(name, group)
        if not is_s3_url(ref.path):
            raise DatasetNotResolved(f"dataset {ref.key} is not in S3 yet (path {ref.path or '(none)'})",
                                     "promote it with pixel-tui first")
        return ref.path

    def cache_path(self, bucket: str, key: str) -> Path:
        """Where the cache keeps ``bucket``/``key``: always inside ``cache_dir``, or an error."""
        assert self.cache_dir is not None
        reason = unsafe_key_reason(key) or unsafe_key_reason(bucket)
        if reason is None and (not bucket or "/" in bucket):
            reason = "the bucket name is not one path segment"
        root = self.cache_dir.resolve()
        local = root / bucket / key
        # The segment rules above are the guard; this is the proof, after symlinks too.
        if reason is None and not local.resolve().is_relative_to(root):
            reason = "it leads outside the cache directory"
        if reason:
            raise DatasetNotResolved(f"refusing to cache {s3_url(bucket, key)!r}: {reason}",
                                     "fix the dataset's path in the registry (pixel-tui check lists such paths)")
        return local

    def _store(self, bucket: str) -> "S3Store":
        if bucket not in self._stores:
            self._stores[bucket] = self._factory(bucket)
        return self._stores[bucket]

    def open(self, name: str, group: str | None = None) -> BinaryIO:
        """A binary stream of the dataset object (from the cache when it still matches S3)."""
        url = self.url(name, group)
        bucket, key = parse_s3_url(url)
        local = self.cache_path(bucket, key) if self.cache_dir is not None else None
        store = self._store(bucket)
        head = store.head(key)
        if head is None:
            raise NoSuchKey(f"dataset {name}: {url} does not exist in S3",
                            "it may be a folder: list it, or fix the registry path")
        if local is None:
            return io.BufferedReader(_ChunkStream(store.iter_chunks(key)), buffer_size=1024 * 1024)
        meta = local.with_name(local.name + ".s3meta")
        wanted = {"etag": head.etag, "size": head.size}
        try:
            if json.loads(meta.read_text()) == wanted and local.stat().st_size == head.size:
                return open(local, "rb")
        except (OSError, ValueError):
            pass
        self._download(store, key, local, meta, wanted)
        return open(local, "rb")

    @staticmethod
    def _download(store: "S3Store", key: str, local: Path, meta: Path, wanted: dict) -> None:
        local.parent.mkdir(parents=True, exist_ok=True)
        meta.unlink(missing_ok=True)  # a stale sidecar must never vouch for a half-written file
        fd, tmp = tempfile.mkstemp(dir=local.parent, prefix=f".{local.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in store.iter_chunks(key):
                    fh.write(chunk)
            if os.path.getsize(tmp) != wanted["size"]:
                raise PixelError(f"download of {key} was cut short; the cache was not updated")
            os.replace(tmp, local)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        meta.write_text(json.dumps(wanted))


def resolve(name: str, registry: str, store_factory: Callable[[str], "S3Store"] | None = None) -> str:
    """One-shot helper: the S3 URL of dataset ``name`` in the registry at ``registry``."""
    return Resolver(registry, store_factory).url(name)

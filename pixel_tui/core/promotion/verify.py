"""Check that a server-side copy holds exactly its source's bytes, on AWS-style servers and SeaweedFS.

Design (what each check proves, and why ETags alone are not enough):

1. **Size.** The destination must exist and have the source's size. Catches truncation and
   missing objects.
2. **Single CopyObject.** Both AWS-style servers (moto, AWS without SSE-KMS) and SeaweedFS keep a
   single-part object's ETag (the MD5 of its bytes) on CopyObject; SeaweedFS returns it unquoted,
   so every ETag is normalised with ``strip_etag`` first. If the source ETag is a plain MD5, the
   destination ETag must equal it: that is a full content check at no extra cost.
   If the source was itself uploaded in parts (ETag ``<hex>-N``), servers disagree: SeaweedFS
   keeps ``<hex>-N``, AWS/moto give the MD5 of the new object. Then the destination ETag must
   equal the source's or the ETag CopyObject returned, and sampled ranges are compared (4.).
3. **Multipart copy (UploadPartCopy).** The destination ETag must equal the composite
   ``md5(concat(md5 bytes of each part ETag)) + "-N"`` computed from the part ETags
   UploadPartCopy returned (SeaweedFS returns part ETags that are themselves ``<hex>-k``; the
   hex before the dash is what its composite uses, so the same formula holds on both servers,
   as tests on both show). This proves the destination is the assembly of the parts we copied,
   but not that each part holds the source's bytes (SeaweedFS's part ETags are not MD5s of the
   part), so sampled ranges are compared too.
4. **Sampled ranged reads.** 64 KiB from the start, the end, each part boundary (up to 8) and
   two pseudo-random offsets are read from source and destination and compared byte for byte.
   Cheap (a few hundred KiB per large object) and it catches misplaced or altered parts.

5. **Metadata.** A multipart or streamed copy creates a new object and passes the source's user
   metadata (rclone's ``Md5chksum``) and content headers on itself; they are read back from the
   destination and compared, so a later ``rclone check`` of processed/ can still verify it. (A single
   CopyObject keeps them on the server with ``MetadataDirective=COPY``.)

When nothing about the copy is known (a crash between the copy and the journal line), a plain-MD5
source with an equal destination ETag is accepted; anything else is copied again, which is
idempotent.
"""

from __future__ import annotations

import hashlib
import random
from typing import TYPE_CHECKING

from pixel_tui.core.storage import s3url
from pixel_tui.core.storage.s3 import S3Object
from pixel_tui.core.units import exact_bytes

if TYPE_CHECKING:
    from pixel_tui.core.storage.s3 import S3Store

SAMPLE = 64 * 1024


def composite_etag(part_etags: list[str]) -> str:
    """The ETag S3 gives a multipart object whose parts had these ETags."""
    digest = hashlib.md5()
    for etag in part_etags:
        digest.update(bytes.fromhex(s3url.strip_etag(etag).split("-", 1)[0]))
    return f"{digest.hexdigest()}-{len(part_etags)}"


def sample_offsets(size: int, part_size: int | None = None, seed: str = "") -> list[int]:
    """Where sampled reads start: start, end, part boundaries, two seeded random spots."""
    if size <= 0:
        return []
    offs = {0, max(0, size - SAMPLE)}
    if part_size:
        for b in range(part_size, size, part_size)[:8]:
            offs.add(max(0, b - SAMPLE // 2))
    rnd = random.Random(seed or size)
    for _ in range(2):
        offs.add(rnd.randrange(0, max(1, size - SAMPLE)))
    return sorted(offs)


def ranges_match(store: "S3Store", src_key: str, dst_key: str, size: int, part_size: int | None = None) -> str | None:
    """Compare sampled byte ranges of two objects; None when equal, else the first differing offset."""
    for off in sample_offsets(size, part_size, seed=dst_key):
        n = min(SAMPLE, size - off)
        if store.read_range(src_key, n, off) != store.read_range(dst_key, n, off):
            return f"bytes at offset {off} differ from the source"
    return None


def attributes_match(store: "S3Store", key: str, expected: dict) -> str | None:
    """None when the object at ``key`` has the metadata and content headers in ``expected``, else what differs."""
    from pixel_tui.core.storage.s3 import copy_attributes

    got = copy_attributes(store.head_full(key))
    for name, want in expected.items():
        if got.get(name) != want:
            return f"{name} is {got.get(name)!r}, the source has {want!r} (metadata not copied)"
    return None


def check_copy(store: "S3Store", src: S3Object, dst: S3Object | None, record: dict | None,
               part_size: int | None = None) -> str | None:
    """Verify one copy; None when it is good, else the reason it is not (for the message and journal)."""
    reason = _check_bytes(store, src, dst, record, part_size)
    if reason is None and (record or {}).get("attrs"):
        reason = attributes_match(store, dst.key, record["attrs"])
    return reason


def _check_bytes(store: "S3Store", src: S3Object, dst: S3Object | None, record: dict | None,
                 part_size: int | None = None) -> str | None:
    if dst is None:
        return "the destination does not exist"
    if dst.size != src.size:
        return f"size {exact_bytes(dst.size)}, the source has {exact_bytes(src.size)} (truncated or altered)"
    src_etag, dst_etag = s3url.strip_etag(src.etag), s3url.strip_etag(dst.etag)
    record = record or {}
    parts = record.get("parts") or []
    if parts:
        expected = composite_etag(parts)
        if dst_etag != expected:
            # Some servers (rclone serve s3) give an assembled object the MD5 of its whole content: that
            # proves the bytes when it is the source's MD5 (its plain ETag, or rclone's MD5 metadata).
            if s3url.plain_md5(dst_etag) and dst_etag in _known_md5s(src_etag, record):
                return None
            return f"ETag {dst_etag} is not the composite {expected} of the copied parts"
        return ranges_match(store, src.key, dst.key, src.size, part_size or record.get("part_size"))
    if s3url.plain_md5(src_etag):
        if dst_etag != src_etag:
            return f"ETag {dst_etag} differs from the source's MD5 {src_etag}"
        return None
    copied = s3url.strip_etag(record.get("etag", ""))
    if dst_etag != src_etag and (not copied or dst_etag != copied):
        return f"ETag {dst_etag} matches neither the source ({src_etag}) nor the copy ({copied or '?'})"
    return ranges_match(store, src.key, dst.key, src.size)


def _known_md5s(src_etag: str, record: dict) -> set[str]:
    """MD5s of the whole source known without reading it."""
    from pixel_tui.core.storage.md5meta import md5_from_metadata

    out = {m for m in (s3url.plain_md5(src_etag), md5_from_metadata((record.get("attrs") or {}).get("Metadata"))) if m}
    return out


def same_content(a: S3Object, b: S3Object) -> bool:
    """Whether two existing objects surely hold the same bytes (same size and same ETag)."""
    if a.size != b.size:
        return False
    ea, eb = s3url.strip_etag(a.etag), s3url.strip_etag(b.etag)
    # ETags of different kinds (one multipart) cannot prove equality, and a wrong "skip" would
    # register foreign bytes, so that case counts as different: overwriting equal bytes is harmless.
    return bool(ea) and ea == eb

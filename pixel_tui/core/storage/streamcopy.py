"""Copy an object through this machine: for servers whose CopyObject or UploadPartCopy is refused
(501 NotImplemented) or fake (rclone serve s3 answers UploadPartCopy with an empty part).

Ranged GETs are uploaded as they arrive: one PUT up to the part size, a multipart upload above it,
at most ``parallel`` parts in flight (so memory stays at ``parallel * part_size``). The source's user
metadata and content headers are passed on, and the result is verified like a server-side copy.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Callable

from pixel_tui.core.errors import S3Error
from pixel_tui.core.storage import s3url

if TYPE_CHECKING:
    from pixel_tui.core.storage.s3 import S3Store


def stream_copy(store: "S3Store", src_key: str, dst_key: str, size: int, *, part_size: int = 256 * 1024**2,
                parallel: int = 4, parts: list | None = None, attrs_out: dict | None = None,
                on_bytes: Callable[[int], None] | None = None) -> str:
    """Copy through this machine, for servers without (working) server-side copy: ranged GETs uploaded
    as they arrive, one PUT up to ``part_size``, a multipart upload of ``part_size`` parts above it (at
    most ``parallel`` parts, so ``parallel * part_size`` bytes, in memory). Keeps metadata and content
    headers; ``parts`` receives the part ETags, ``on_bytes`` hears each uploaded piece's size."""
    attrs = store.source_attributes(src_key)
    if attrs_out is not None:
        attrs_out.update(attrs)
    part_size = max(part_size, 5 * 1024**2, -(-size // 10_000))
    if size <= part_size:
        data = store.read_range(src_key, size) if size else b""
        if len(data) != size:
            raise S3Error(f"copy: read {len(data)} bytes of {store.where(src_key)}, expected {size}")
        with store._errors("copy", dst_key):
            r = store.client.put_object(Bucket=store.bucket, Key=dst_key, Body=data, **attrs)
        if on_bytes:
            on_bytes(size)
        return s3url.strip_etag(r.get("ETag"))
    with store._errors("copy", dst_key):
        upload_id = store.client.create_multipart_upload(Bucket=store.bucket, Key=dst_key, **attrs)["UploadId"]
    ranges = [(n + 1, off, min(off + part_size, size)) for n, off in enumerate(range(0, size, part_size))]

    def one(part):
        number, start, end = part
        data = store.read_range(src_key, end - start, start)
        if len(data) != end - start:
            raise S3Error(f"copy: read {len(data)} bytes at {start} of {store.where(src_key)}, expected {end - start}")
        with store._errors("copy part", dst_key):
            r = store.client.upload_part(Bucket=store.bucket, Key=dst_key, UploadId=upload_id, PartNumber=number,
                                        Body=data)
        if on_bytes:
            on_bytes(len(data))
        return {"PartNumber": number, "ETag": r["ETag"]}

    try:
        with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(ranges)))) as pool:
            done = list(pool.map(one, ranges))
        with store._errors("copy", dst_key):
            r = store.client.complete_multipart_upload(
                Bucket=store.bucket, Key=dst_key, UploadId=upload_id, MultipartUpload={"Parts": done})
    except BaseException:
        try:
            store.client.abort_multipart_upload(Bucket=store.bucket, Key=dst_key, UploadId=upload_id)
        except Exception:  # the original error matters more than a failed cleanup
            pass
        raise
    if parts is not None:
        parts.extend(s3url.strip_etag(p["ETag"]) for p in done)
    return s3url.strip_etag(r.get("ETag"))

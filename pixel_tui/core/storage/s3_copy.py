"""Server-side copies and multipart uploads of the S3 store: one CopyObject up to the cut-off,
UploadPartCopy above it, a streamed copy where the server cannot copy, and the clean-up of
unfinished uploads. A mixin of S3Store (s3.py), which brings the clients and the error mapping."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Mapping

from pixel_tui.core.errors import CopyNotSupported, NoSuchKey
from pixel_tui.core.storage import s3url

MAX_COPY_PART = 5 * 1024**3
# What a copy keeps of its source besides the bytes: user metadata (rclone's Md5chksum and mtime) and
# the content headers. CopyObject keeps them itself (MetadataDirective=COPY); a multipart copy and a
# streamed copy create a new object, so they pass them on explicitly.
COPIED_ATTRIBUTES = ("Metadata", "ContentType", "CacheControl", "ContentDisposition", "ContentEncoding",
                     "ContentLanguage")


def copy_attributes(head: Mapping) -> dict:
    """The attributes of a HEAD response that a copy must keep (absent ones left out; metadata keys
    lower-cased, as S3 stores them)."""
    out = {k: head[k] for k in COPIED_ATTRIBUTES[1:] if head.get(k)}
    meta = {str(k).lower(): v for k, v in (head.get("Metadata") or {}).items()}
    if meta:
        out["Metadata"] = meta
    return out


class CopyMethods:
    """Copy and multipart methods; they use S3Store's ``client``, ``copy_client``, ``bucket``, ``_errors``,
    ``where`` and ``head_full``."""

    def copy(self, src_key: str, dst_key: str, size: int | None = None, *, cutoff: int = 4_995 * 1024**2,
             part_size: int = 256 * 1024**2, parallel: int = 8, src_bucket: str | None = None,
             parts: list | None = None, attrs_out: dict | None = None) -> str:
        """Server-side copy: one CopyObject up to ``cutoff``, multipart UploadPartCopy above it.

        ``parts``, when given, receives the part ETags of a multipart copy (to verify the result);
        ``attrs_out`` the metadata and content headers a multipart copy passed on (to verify them).
        """
        src_bucket = src_bucket or self.bucket
        if size is None:
            head = self.head(src_key)
            if head is None:
                raise NoSuchKey(f"copy: source {self.where(src_key)} does not exist")
            size = head.size
        cutoff = min(cutoff, MAX_COPY_PART)
        if size <= cutoff:
            with self._errors("copy", dst_key):
                r = self.copy_client.copy_object(
                    Bucket=self.bucket, Key=dst_key, CopySource={"Bucket": src_bucket, "Key": src_key},
                    MetadataDirective="COPY",
                )
            return s3url.strip_etag(r.get("CopyObjectResult", {}).get("ETag"))
        attrs = self.source_attributes(src_key, src_bucket)
        if attrs_out is not None:
            attrs_out.update(attrs)
        done = self._multipart_copy(src_bucket, src_key, dst_key, size, min(part_size, MAX_COPY_PART), parallel, attrs)
        if parts is not None:
            parts.extend(done[1])
        return done[0]

    def source_attributes(self, key: str, bucket: str | None = None) -> dict:
        """What a copy of ``key`` must keep besides its bytes (one HEAD): see COPIED_ATTRIBUTES."""
        with self._errors("head", key):
            head = self.client.head_object(Bucket=bucket or self.bucket, Key=key)
        return copy_attributes(head)

    def stream_copy(self, src_key: str, dst_key: str, size: int, **kwargs) -> str:
        """Copy through this machine (servers without working server-side copy): see storage/streamcopy.py."""
        from pixel_tui.core.storage.streamcopy import stream_copy

        return stream_copy(self, src_key, dst_key, size, **kwargs)

    def _multipart_copy(self, src_bucket: str, src_key: str, dst_key: str, size: int, part_size: int,
                        parallel: int, attrs: dict | None = None) -> tuple[str, list[str]]:
        part_size = max(part_size, 5 * 1024**2, -(-size // 10_000))
        if attrs is None:
            attrs = self.source_attributes(src_key, src_bucket)
        with self._errors("copy", dst_key):
            upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=dst_key, **attrs)["UploadId"]
        ranges = [(n + 1, off, min(off + part_size, size) - 1) for n, off in enumerate(range(0, size, part_size))]

        def one(part):
            number, first, last = part
            with self._errors("copy part", dst_key):
                r = self.copy_client.upload_part_copy(
                    Bucket=self.bucket, Key=dst_key, UploadId=upload_id, PartNumber=number,
                    CopySource={"Bucket": src_bucket, "Key": src_key}, CopySourceRange=f"bytes={first}-{last}",
                )
            etag = (r.get("CopyPartResult") or {}).get("ETag")
            if not etag:  # rclone serve s3 answers 200 and copies nothing
                raise CopyNotSupported(f"copy part: the server returned no part ETag for {self.where(dst_key)}: "
                                       "it does not really copy parts (UploadPartCopy)",
                                       "promotion copies through this machine instead")
            return {"PartNumber": number, "ETag": etag}

        try:
            with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(ranges)))) as pool:
                parts = list(pool.map(one, ranges))
            with self._errors("copy", dst_key):
                r = self.client.complete_multipart_upload(
                    Bucket=self.bucket, Key=dst_key, UploadId=upload_id, MultipartUpload={"Parts": parts}
                )
        except BaseException:
            try:
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=dst_key, UploadId=upload_id)
            except Exception:  # the original error matters more than a failed cleanup
                pass
            raise
        return s3url.strip_etag(r.get("ETag")), [s3url.strip_etag(p["ETag"]) for p in parts]

    def unfinished_uploads(self, prefix: str = "") -> list[tuple[str, str]]:
        """(key, upload id) of every multipart upload under ``prefix`` that was neither completed nor
        aborted: a process killed mid-copy leaves them, and the server keeps (and bills) their parts."""
        out: list[tuple[str, str]] = []
        with self._errors("list multipart uploads", prefix):
            for page in self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=prefix):
                out.extend((u["Key"], u["UploadId"]) for u in page.get("Uploads") or ())
        return out

    def abort_upload(self, key: str, upload_id: str) -> None:
        """Abort one unfinished multipart upload (its parts are freed; the key's object is untouched)."""
        with self._errors("abort multipart upload", key):
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

"""What an S3 endpoint really does, tried on scratch keys: conditional writes, server-side copies, addressing.

S3 clones differ where it matters most: some accept ``If-Match`` and write anyway (rclone serve s3; OVH
until mid-2026), so a registry save that trusts the condition can silently drop another operator's edit;
some answer UploadPartCopy with 200 and copy nothing (rclone serve s3), or refuse CopyObject. The probe
writes a few bytes under a scratch prefix (``s3.probe_prefix``), tries each feature, checks what was
really stored, and deletes everything it wrote. Results are cached per endpoint in the state directory,
so saves and promotions ask once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pixel_tui.core.errors import PixelError, PreconditionFailed, redact
from pixel_tui.core.files import ensure_private_dir, replace_atomically

if TYPE_CHECKING:
    from pixel_tui.core.storage.s3 import S3Store

DEFAULT_PREFIX = "pixel-tui-probe/"
CACHE_FILE = "provider-probes.json"
CACHE_SECONDS = 7 * 24 * 3600  # a provider that starts enforcing conditions is seen within a week


@dataclass
class ProviderReport:
    """The truth about one endpoint. ``None``: could not be told (see ``notes``)."""

    endpoint: str
    bucket: str
    if_match: bool | None = None  # a stale If-Match put is refused (412) and nothing is written
    if_none_match: bool | None = None  # If-None-Match: * on an existing key is refused
    copy_object: bool | None = None  # CopyObject copies the bytes and the user metadata
    upload_part_copy: bool | None = None  # UploadPartCopy copies the bytes of a range
    addressing: list[str] = field(default_factory=list)  # "path", "virtual": the styles that answer
    notes: dict[str, str] = field(default_factory=dict)
    probed_at: float = 0.0

    @property
    def conditional_writes(self) -> bool:
        """Both conditions are enforced: a save that lost a race is refused by the server itself."""
        return bool(self.if_match and self.if_none_match)

    @property
    def server_side_copy(self) -> bool:
        """Both copy paths work (promotion can copy without downloading)."""
        return bool(self.copy_object and self.upload_part_copy)

    def rows(self) -> list[tuple[str, str, str]]:
        """(check, result, detail) for a table."""
        def yes(v: bool | None, good: str, bad: str) -> str:
            return "unknown" if v is None else (good if v else bad)

        return [
            ("stale If-Match refused (412)", yes(self.if_match, "yes", "NO: written anyway"), self.notes.get("if_match", "")),
            ("If-None-Match: * on existing refused", yes(self.if_none_match, "yes", "NO: written anyway"),
             self.notes.get("if_none_match", "")),
            ("CopyObject", yes(self.copy_object, "works", "does not work"), self.notes.get("copy_object", "")),
            ("UploadPartCopy", yes(self.upload_part_copy, "works", "does not work"), self.notes.get("upload_part_copy", "")),
            ("addressing", " and ".join(self.addressing) or "unknown", self.notes.get("addressing", "")),
        ]

    def to_json(self) -> dict:
        """Plain data for `--json` and the cache."""
        d = asdict(self)
        d["conditional_writes"] = self.conditional_writes
        d["server_side_copy"] = self.server_side_copy
        return d

    @classmethod
    def from_json(cls, d: dict) -> "ProviderReport":
        """Back from ``to_json`` (unknown keys ignored)."""
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in names})


def _short(exc: Exception) -> str:
    from pixel_tui.core.errors import render_error

    return render_error(exc, one_line=True)[:200] if isinstance(exc, PixelError) else f"{type(exc).__name__}: {exc}"[:200]


def probe_provider(store: "S3Store", prefix: str = DEFAULT_PREFIX) -> ProviderReport:
    """Try every feature on scratch keys under ``prefix`` in the store's bucket, then delete them."""
    base = f"{prefix.rstrip('/')}/{uuid.uuid4().hex[:12]}/" if prefix.strip("/") else f"{uuid.uuid4().hex[:12]}/"
    report = ProviderReport(_cache_key(store), store.bucket, probed_at=time.time())
    _abort_stale_probe_uploads(store, base.rsplit("/", 2)[0] + "/" if "/" in base.rstrip("/") else "")
    written: list[str] = []
    try:
        _probe_writes(store, base, report, written)
        _probe_copies(store, base, report, written)
    finally:
        for key in written:
            try:
                store.delete(key)
            except Exception as exc:  # noqa: BLE001 - say what was left behind rather than hide the probe
                report.notes.setdefault("cleanup", f"could not delete {key}: {_short(exc)}")
    _probe_addressing(store, report)
    return report


def _abort_stale_probe_uploads(store: "S3Store", prefix: str) -> None:
    """A probe killed mid-way leaves its scratch multipart upload open; abort those (and only those: our
    own ``<12 hex>/upload-part-copy`` keys under the probe prefix) before probing again."""
    own = re.compile(re.escape(prefix) + r"[0-9a-f]{12}/upload-part-copy")
    try:
        for key, upload_id in store.unfinished_uploads(prefix):
            if own.fullmatch(key):
                store.abort_upload(key, upload_id)
    except PixelError:
        pass  # a server without ListMultipartUploads: nothing we can clean, and the probe still runs


def _probe_writes(store: "S3Store", base: str, report: ProviderReport, written: list[str]) -> None:
    key = base + "conditional"
    first = b"pixel-tui probe: first version\n"
    try:
        store.put_bytes(key, first)
    except Exception as exc:  # noqa: BLE001
        report.notes["if_match"] = report.notes["if_none_match"] = f"cannot write {key}: {_short(exc)}"
        return
    written.append(key)
    stale = hashlib.md5(b"not the stored version").hexdigest()
    try:
        store.put_bytes(key, b"pixel-tui probe: stale If-Match\n", if_match=stale)
        report.if_match = False
        report.notes["if_match"] = "the server accepted a put whose If-Match named another version"
    except PreconditionFailed:
        report.if_match = store.get_bytes(key)[0] == first
        if not report.if_match:
            report.notes["if_match"] = "refused, yet the object changed"
    except Exception as exc:  # noqa: BLE001
        report.notes["if_match"] = _short(exc)
    current = store.get_bytes(key)
    try:
        store.put_bytes(key, b"pixel-tui probe: If-None-Match\n", if_none_match=True)
        report.if_none_match = False
        report.notes["if_none_match"] = "the server overwrote an existing key despite If-None-Match: *"
    except PreconditionFailed:
        report.if_none_match = store.get_bytes(key)[0] == current[0]
    except Exception as exc:  # noqa: BLE001
        report.notes["if_none_match"] = _short(exc)


def _probe_copies(store: "S3Store", base: str, report: ProviderReport, written: list[str]) -> None:
    src = base + "copy-source"
    data = os.urandom(4096)
    try:
        with store._errors("put", src):
            store.client.put_object(Bucket=store.bucket, Key=src, Body=data, ContentType="application/x-probe",
                                    Metadata={"md5chksum": "probe"})
    except Exception as exc:  # noqa: BLE001
        report.notes["copy_object"] = report.notes["upload_part_copy"] = f"cannot write {src}: {_short(exc)}"
        return
    written.append(src)
    dst = base + "copy-object"
    try:
        with store._errors("copy", dst):
            store.client.copy_object(Bucket=store.bucket, Key=dst, CopySource={"Bucket": store.bucket, "Key": src},
                                     MetadataDirective="COPY")
        written.append(dst)
        got = store.get_bytes(dst)[0]
        head = store.head_full(dst)
        meta = {k.lower(): v for k, v in (head.get("Metadata") or {}).items()}
        report.copy_object = got == data
        if not report.copy_object:
            report.notes["copy_object"] = f"the copy holds {len(got)} bytes, not the source's {len(data)}"
        elif meta.get("md5chksum") != "probe":
            report.notes["copy_object"] = "copies the bytes but not the user metadata"
    except Exception as exc:  # noqa: BLE001
        written.append(dst)
        report.copy_object = False
        report.notes["copy_object"] = _short(exc)
    _probe_part_copy(store, src, data, base + "upload-part-copy", report, written)


def _probe_part_copy(store: "S3Store", src: str, data: bytes, dst: str, report: ProviderReport,
                     written: list[str]) -> None:
    client = store.client
    upload_id = None
    try:
        with store._errors("copy", dst):
            upload_id = client.create_multipart_upload(Bucket=store.bucket, Key=dst)["UploadId"]
            r = client.upload_part_copy(Bucket=store.bucket, Key=dst, UploadId=upload_id, PartNumber=1,
                                        CopySource={"Bucket": store.bucket, "Key": src},
                                        CopySourceRange=f"bytes=0-{len(data) - 1}")
        etag = (r.get("CopyPartResult") or {}).get("ETag")
        if not etag:
            report.upload_part_copy = False
            report.notes["upload_part_copy"] = "answered 200 without a part ETag: nothing was copied"
            return
        with store._errors("copy", dst):
            client.complete_multipart_upload(Bucket=store.bucket, Key=dst, UploadId=upload_id,
                                             MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
        upload_id = None
        written.append(dst)
        got = store.get_bytes(dst)[0]
        report.upload_part_copy = got == data
        if not report.upload_part_copy:
            report.notes["upload_part_copy"] = f"the copy holds {len(got)} bytes, not the source's {len(data)}"
    except Exception as exc:  # noqa: BLE001
        report.upload_part_copy = False
        report.notes["upload_part_copy"] = _short(exc)
    finally:
        if upload_id is not None:
            try:
                client.abort_multipart_upload(Bucket=store.bucket, Key=dst, UploadId=upload_id)
            except Exception:  # noqa: BLE001 - the finding matters more than the cleanup
                pass


def _probe_addressing(store: "S3Store", report: ProviderReport) -> None:
    """Which addressing styles answer a HEAD on the bucket (one attempt each, short timeouts). The URL
    really sent is checked: botocore quietly falls back to path-style where the endpoint is an IP address."""
    from pixel_tui.core.storage.s3 import S3Store

    failures = []
    for style in ("path", "virtual"):
        other = S3Store(store.bucket, endpoint_url=store.endpoint_url, region=store.region, addressing_style=style,
                        credentials=store._credentials, profile=store._profile, max_attempts=1,
                        connect_timeout=3.0, read_timeout=10.0)
        sent: list[str] = []
        try:
            other.client.meta.events.register("before-send.s3", lambda request, _sent=sent, **_: _sent.append(request.url))
            other.check_bucket()
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{style}: {_short(exc)}")
            continue
        from urllib.parse import urlsplit

        host = urlsplit(sent[-1]).hostname or "" if sent else ""
        used = "virtual" if host.startswith(store.bucket.lower() + ".") else "path"
        if used == style:
            report.addressing.append(style)
        else:
            failures.append(f"{style}: not tried, the client sends {used}-style requests to this endpoint")
    if failures:
        report.notes["addressing"] = "; ".join(failures)


# -- the cache, per endpoint ----------------------------------------------------------------------------
def cache_path(state_dir: str | os.PathLike | None) -> Path:
    """Where probe results are kept (the state directory, default the XDG one)."""
    if state_dir is None:
        from pixel_tui.core.config import xdg_state_dir

        state_dir = xdg_state_dir()
    return Path(state_dir) / CACHE_FILE


def _cache_key(store: "S3Store") -> str:
    # The cache is a file: an endpoint's user:password@ must not land in it.
    return redact(store.endpoint_url) if store.endpoint_url else "aws"


def cached(store: "S3Store", state_dir=None) -> ProviderReport | None:
    """The kept result for the store's endpoint, None when there is none or it is old."""
    state_dir = state_dir if state_dir is not None else getattr(store, "state_dir", None)
    try:
        data = json.loads(cache_path(state_dir).read_text())
        d = data[_cache_key(store)]
        report = ProviderReport.from_json(d)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return report if time.time() - report.probed_at < CACHE_SECONDS else None


def remember(report: ProviderReport, state_dir=None) -> None:
    """Keep a result for its endpoint (best effort: an unwritable state dir only means probing again)."""
    path = cache_path(state_dir)
    try:
        data = json.loads(path.read_text())
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data[report.endpoint] = report.to_json()
    try:
        ensure_private_dir(path.parent)  # the state dir: owner-only
        replace_atomically(path, json.dumps(data, indent=1))
    except OSError:
        pass


def provider(store: "S3Store", state_dir=None, prefix: str | None = None, refresh: bool = False) -> ProviderReport:
    """The endpoint's report: from the cache, or probed now (and kept). ``state_dir`` and ``prefix``
    default to what the store was built with (``S3Store.from_settings``)."""
    state_dir = state_dir if state_dir is not None else getattr(store, "state_dir", None)
    if not refresh:
        hit = cached(store, state_dir)
        if hit is not None:
            return hit
    report = probe_provider(store, prefix if prefix is not None else getattr(store, "probe_prefix", DEFAULT_PREFIX))
    if report.if_match is not None and report.if_none_match is not None:
        remember(report, state_dir if state_dir is not None else cache_path(None).parent)  # a probe that could not write says nothing lasting
    return report

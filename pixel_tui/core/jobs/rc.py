"""rclone's remote-control API (`rclone rcd` / `--rc-addr`): `core/stats` as a Snapshot."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

from pixel_tui.core.jobs.parse import Snapshot, parse_json_stats


def display_url(url: str) -> str:
    """The URL without any user:password, safe to show."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def fetch_stats(url: str, timeout: float = 2.0) -> Snapshot:
    """POST `core/stats` to an rc endpoint (`http://[user:pass@]host:5572`); raises OSError on failure."""
    import urllib.request  # ~0.1 s of imports (http, ssl, email): only when an endpoint is polled

    parts = urlsplit(url if "://" in url else f"http://{url}")
    base = display_url(url).rstrip("/")
    req = urllib.request.Request(f"{base}/core/stats", data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json"})
    if parts.username:
        token = base64.b64encode(f"{parts.username}:{parts.password or ''}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - user-configured URL
        try:
            doc = json.loads(resp.read())
        except ValueError as exc:
            raise OSError(f"not an rclone rc endpoint: {exc}") from None
    if not isinstance(doc, dict):
        raise OSError("not an rclone rc endpoint: unexpected reply")
    fields = parse_json_stats(doc)
    fatal = fields.pop("fatal_flag", False)
    now = datetime.now(timezone.utc).astimezone()
    err = doc.get("lastError")
    return Snapshot(format="json", has_stats=True, updated_at=now, progress_at=None, last_line_at=now,
                    fatal=bool(fatal), last_errors=(str(err),) if err else (), blocks=1, **fields)

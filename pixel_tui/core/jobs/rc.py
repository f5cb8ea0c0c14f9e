"""rclone's remote-control API (`rclone rcd` / `--rc-addr`): stats, the jobs it runs, and acting on them.

An rc endpoint is a URL `http://[user:pass@]host:port`. Every call is a POST of a JSON object; the
password goes in a Basic auth header and never into a message (`display_url`, `redact`).

rclone 1.7x runs *every* rc call as a job (our own `job/list` is one), so `job/list` alone is mostly
noise. The jobs that move data are the ones with a stats group (`core/group-list` lists `job/N`);
reading `core/stats group=job/N` for a listed group does not add one, so polling stays bounded.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

from pixel_tui.core.errors import PixelError, redact
from pixel_tui.core.jobs.parse import Snapshot, parse_json_stats


class RcError(PixelError):
    """An rc call failed: the endpoint is down, refused us, or rclone returned an error."""


class BadRate(PixelError):
    """A bandwidth limit rclone would not take (exit code 2)."""

    exit_code = 2


def _split(url: str):
    return urlsplit(url if "://" in url else f"http://{url}")


def display_url(url: str) -> str:
    """The URL without any user:password, safe to show."""
    parts = _split(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def call(url: str, method: str, params: dict | None = None, timeout: float = 2.0) -> dict:
    """POST one rc method; the reply object. Raises OSError when the endpoint cannot be reached or
    does not speak rc, RcError when rclone answers with an error."""
    import urllib.error
    import urllib.request  # ~0.1 s of imports (http, ssl, email): only when an endpoint is used

    parts = _split(url)
    base = display_url(url).rstrip("/")
    req = urllib.request.Request(f"{base}/{method}", data=json.dumps(params or {}).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    if parts.username:
        token = base64.b64encode(f"{parts.username}:{parts.password or ''}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - user-configured URL
            body = resp.read()
    except urllib.error.HTTPError as exc:  # rclone's errors are JSON too: {"error": ..., "status": ...}
        try:
            detail = json.loads(exc.read()).get("error") or exc.reason
        except (ValueError, AttributeError):
            detail = exc.reason
        hint = "check monitor.rc_urls' user:password" if exc.code in (401, 403) else ""
        raise RcError(f"{base} {method}: {detail}", hint) from None
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise OSError(f"not an rclone rc endpoint: {exc}") from None
    if not isinstance(doc, dict):
        raise OSError("not an rclone rc endpoint: unexpected reply")
    return doc


def snapshot_of(doc: dict) -> Snapshot:
    """A `core/stats` reply as a Snapshot (timestamped now)."""
    fields = parse_json_stats(doc)
    fatal = fields.pop("fatal_flag", False)
    now = datetime.now(timezone.utc).astimezone()
    err = doc.get("lastError")
    return Snapshot(format="json", has_stats=True, updated_at=now, progress_at=None, last_line_at=now,
                    fatal=bool(fatal), last_errors=(redact(str(err)),) if err else (), blocks=1, **fields)


def fetch_stats(url: str, timeout: float = 2.0) -> Snapshot:
    """`core/stats` of an rc endpoint, summed over its groups; raises OSError (or RcError) on failure."""
    try:
        return snapshot_of(call(url, "core/stats", timeout=timeout))
    except RcError as exc:
        raise OSError(exc.message) from None


# -- the jobs of an endpoint --------------------------------------------------------------------------
@dataclass(frozen=True)
class RcJob:
    """One rc job (`job/status` + `core/stats group=job/N`): what it copies where, and how it ended."""

    endpoint: str  # display URL, no password
    id: int
    src: str = ""
    dst: str = ""
    operation: str = ""
    finished: bool = False
    success: bool = False
    error: str = ""
    started_at: datetime | None = None
    ended_at: datetime | None = None
    snapshot: Snapshot = field(default_factory=Snapshot)

    @property
    def state(self) -> str:
        """running, finished or failed (stalls are for the caller's clock to decide)."""
        if not self.finished:
            return "running"
        return "finished" if self.success else "failed"

    @property
    def source(self) -> str:
        """The key of this job wherever jobs are listed: `<endpoint>#job/<id>`."""
        return f"{self.endpoint}#job/{self.id}"


def _when(value) -> datetime | None:
    if not isinstance(value, str) or value.startswith("0001-"):
        return None
    try:
        return datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _operation(stats: dict) -> str:
    """What the job does, from its stats (rc does not say which method started it)."""
    if stats.get("serverSideMoves") or stats.get("renames"):
        return "move"
    if stats.get("deletes"):
        return "sync"
    if stats.get("totalTransfers") or stats.get("transfers") or stats.get("bytes"):
        return "copy"
    if stats.get("totalChecks") or stats.get("checks"):
        return "check"
    return "list"


def _idle_call(status: dict, stats: dict) -> bool:
    """True for a finished job that moved, listed and checked nothing: another rc query, not a transfer."""
    busy = any(stats.get(k) for k in ("bytes", "transfers", "totalTransfers", "checks", "totalChecks",
                                       "listed", "errors", "deletes", "renames"))
    return bool(status.get("finished")) and bool(status.get("success")) and not busy


class RcJobs:
    """The transfer jobs of one endpoint, polled; finished jobs are read once and kept."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self.url = url
        self.endpoint = display_url(url)
        self.timeout = timeout
        self._done: dict[int, RcJob | None] = {}  # finished jobs (None: a finished rc query, hidden)
        self._paths: dict[int, tuple[str, str]] = {}
        self._execute_id: str | None = None

    def poll(self) -> list[RcJob]:
        """Every transfer job the endpoint remembers, oldest first. Raises OSError / RcError."""
        listed = call(self.url, "job/list", timeout=self.timeout)
        if listed.get("executeId") != self._execute_id:  # rclone restarted: job ids start again at 1
            self._done.clear()
            self._paths.clear()
            self._execute_id = listed.get("executeId")
        known = {j for j in listed.get("jobids") or () if isinstance(j, int)}
        groups = call(self.url, "core/group-list", timeout=self.timeout).get("groups") or []
        ids = sorted(int(g[4:]) for g in groups if isinstance(g, str) and re.fullmatch(r"job/\d+", g))
        jobs = []
        for jid in ids:
            if jid not in known:  # expired (`--rc-job-expire-duration`)
                continue
            if jid in self._done:
                if self._done[jid] is not None:
                    jobs.append(self._done[jid])
                continue
            job = self._read(jid)
            if job is not None:
                jobs.append(job)
        return jobs

    def _read(self, jid: int) -> RcJob | None:
        try:
            status = call(self.url, "job/status", {"jobid": jid}, timeout=self.timeout)
        except RcError:  # expired between the two calls: nothing to show
            self._done[jid] = None
            return None
        stats = call(self.url, "core/stats", {"group": f"job/{jid}"}, timeout=self.timeout)
        if _idle_call(status, stats):
            self._done[jid] = None
            return None
        src, dst = self._where(jid, stats)
        snap = snapshot_of(stats)
        err = redact(str(status.get("error") or ""))
        if err and err not in snap.last_errors:
            snap = replace(snap, last_errors=(*snap.last_errors, err))
        finished = bool(status.get("finished"))
        if finished and not status.get("success"):
            snap = replace(snap, fatal=True)
        job = RcJob(self.endpoint, jid, src, dst, _operation(stats), finished, bool(status.get("success")), err,
                    _when(status.get("startTime")), _when(status.get("endTime")), snap)
        if finished:
            self._done[jid] = job
        return job

    def _where(self, jid: int, stats: dict) -> tuple[str, str]:
        """srcFs/dstFs of the job: from a file in flight, else from one it finished (`core/transferred`)."""
        if jid in self._paths:
            return self._paths[jid]
        found = [t for t in stats.get("transferring") or () if isinstance(t, dict) and t.get("srcFs")]
        if not found:
            done = call(self.url, "core/transferred", {"group": f"job/{jid}"}, timeout=self.timeout)
            found = [t for t in done.get("transferred") or () if isinstance(t, dict) and t.get("srcFs")]
        if not found:
            return "", ""
        where = (redact(str(found[0].get("srcFs", ""))), redact(str(found[0].get("dstFs", ""))))
        self._paths[jid] = where
        return where


# -- acting on an endpoint ----------------------------------------------------------------------------
_RATE_ONE = r"(?:off|\d+(?:\.\d+)?(?:[bBkKmMgGtTpP]i?)?)"
_RATE = re.compile(rf"{_RATE_ONE}(?::{_RATE_ONE})?")


def check_rate(rate: str) -> str:
    """A bandwidth limit as `--bwlimit` takes one (`10M`, `512k`, `1M:100k`, `off`); raises BadRate."""
    rate = (rate or "").strip()
    if not _RATE.fullmatch(rate):
        raise BadRate(f"not a bandwidth limit: {rate!r}",
                      "give bytes per second like 10M, 512k, 1.5M, upload:download like 10M:1M, or off")
    return rate


def stop_job(url: str, job_id: int, timeout: float = 5.0) -> None:
    """`job/stop`: cancel one rc job (it ends failed with `context canceled`)."""
    call(url, "job/stop", {"jobid": int(job_id)}, timeout=timeout)


def quit_rclone(url: str, timeout: float = 5.0) -> None:
    """`core/quit`: end an `rclone copy --rc` process (a copy started outside rcd has no job to stop)."""
    try:
        call(url, "core/quit", {"exitCode": 1}, timeout=timeout)
    except OSError:
        pass  # rclone may exit before it answers


def set_bwlimit(url: str, rate: str, timeout: float = 5.0) -> str:
    """`core/bwlimit`: change the endpoint's bandwidth limit live; returns the rate rclone now uses."""
    doc = call(url, "core/bwlimit", {"rate": check_rate(rate)}, timeout=timeout)
    return str(doc.get("rate", rate))

"""Registry validation: each finding names its severity and entry; S3 lookups run in parallel and are cached."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

from pixel_tui.core import units
from pixel_tui.core.errors import render_error
from pixel_tui.core.registry.document import STAGES, Registry
from pixel_tui.core.storage.s3url import is_s3_url, parse_s3_url, unsafe_key_reason

if TYPE_CHECKING:
    from pixel_tui.core.storage.s3 import S3Store

ERROR, WARNING = "error", "warning"

# code -> (severity, status label shown in tables); order = which status wins when an entry has several
KINDS = {
    "not_an_object": (ERROR, "not an object"),
    "empty_name": (ERROR, "empty name"),
    "no_path": (ERROR, "no path"),
    "outside_bucket": (ERROR, "outside bucket"),
    "unsafe_path": (ERROR, "unsafe path"),
    "missing_in_s3": (ERROR, "missing in S3"),
    "s3_error": (ERROR, "S3 error"),
    "size_mismatch": (WARNING, "size mismatch"),
    "not_migrated": (WARNING, "not migrated"),
    "unknown_stage": (WARNING, "unknown stage"),
    "duplicate_name": (WARNING, "duplicate name"),
}
OK = "ok"
NOT_CHECKED = "not checked"  # an S3 path nobody looked up (offline): neither ok nor missing


@dataclass(frozen=True)
class Finding:
    """One problem with one registry entry."""

    code: str
    group: str
    name: str
    message: str

    @property
    def severity(self) -> str:
        """"error" or "warning"."""
        return KINDS[self.code][0]

    @property
    def label(self) -> str:
        """Short status text, e.g. "missing in S3"."""
        return KINDS[self.code][1]

    @property
    def key(self) -> str:
        """``group/name`` of the entry."""
        return f"{self.group}/{self.name}"

    def as_dict(self) -> dict:
        """JSON-friendly form."""
        return {"severity": self.severity, "code": self.code, "entry": self.key, "message": self.message}


@dataclass(frozen=True)
class Probe:
    """What S3 holds at a path: one object, or a prefix ("folder") with ``count`` objects."""

    exists: bool
    size: int = 0
    count: int = 0
    is_prefix: bool = False
    etag: str = ""
    error: str = ""


class S3Checker:
    """Existence and size of s3:// paths, looked up in parallel and cached for ``ttl`` seconds."""

    LIST_THRESHOLD = 8  # this many paths in one folder: list the folder instead of HEADing each

    def __init__(self, store_factory: Callable[[str], "S3Store"], workers: int = 16, ttl: float = 60.0,
                 keep_listings: bool = False) -> None:
        self._factory = store_factory
        # (bucket, folder) -> sorted keys of a complete recursive listing made while probing, kept
        # only when asked (`check` reads processed/<category>/ from them instead of listing again)
        self.listings: dict[tuple[str, str], list[str]] | None = {} if keep_listings else None
        self._stores: dict[str, "S3Store"] = {}
        self._cache: dict[str, tuple[float, Probe]] = {}
        self._lock = threading.Lock()
        self.workers = workers
        self.ttl = ttl

    def _store(self, bucket: str) -> "S3Store":
        with self._lock:
            if bucket not in self._stores:
                self._stores[bucket] = self._factory(bucket)
            return self._stores[bucket]

    def probe(self, url: str, fresh: bool = False) -> Probe:
        """One path: HEAD it as an object, else total the objects under it as a prefix."""
        now = time.monotonic()
        if not fresh:
            with self._lock:
                hit = self._cache.get(url)
            if hit and now - hit[0] < self.ttl:
                return hit[1]
        probe = self._lookup(url)
        with self._lock:
            self._cache[url] = (now, probe)
        return probe

    def _lookup(self, url: str) -> Probe:
        from pixel_tui.core.errors import S3Error

        bucket, key = parse_s3_url(url)
        try:
            store = self._store(bucket)
            if key and not key.endswith("/"):
                head = store.head(key)
                if head is not None:
                    return Probe(True, head.size, 1, False, head.etag)
            count, total = store.tree_size(key.rstrip("/") + "/" if key else "")
        except S3Error as exc:
            return Probe(False, error=render_error(exc, one_line=True))
        return Probe(count > 0, total, count, True)

    def probe_many(self, urls: Iterable[str], cancelled: Callable[[], bool] | None = None,
                   fresh: bool = False) -> dict[str, Probe]:
        """Many paths at once: cached answers first, then one listing per busy folder, then HEADs in parallel."""
        todo = list(dict.fromkeys(urls))
        out: dict[str, Probe] = {}
        if not fresh:
            now = time.monotonic()
            with self._lock:
                for url in todo:
                    hit = self._cache.get(url)
                    if hit and now - hit[0] < self.ttl:
                        out[url] = hit[1]
            todo = [u for u in todo if u not in out]
        todo = self._by_listing(todo, out, cancelled)

        def one(url: str) -> tuple[str, Probe | None]:
            if cancelled and cancelled():
                return url, None
            return url, self.probe(url, fresh=True)

        if todo:
            with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(todo)))) as pool:
                out.update((u, p) for u, p in pool.map(one, todo) if p is not None)
        return out

    def _by_listing(self, urls: list[str], out: dict[str, Probe], cancelled) -> list[str]:
        """Answer paths that share a folder with one recursive listing of it; returns the rest.

        Thousands of entries usually sit in a few category folders: a few LIST pages of 1,000 keys
        beat one HEAD per entry. A folder holding far more objects than we ask about is not listed.
        """
        from pixel_tui.core.errors import S3Error

        groups: dict[tuple[str, str], list[str]] = {}
        for url in urls:
            bucket, key = parse_s3_url(url)
            parent = key.rstrip("/").rpartition("/")[0]
            groups.setdefault((bucket, parent + "/" if parent else ""), []).append(url)
        rest: list[str] = []
        for (bucket, parent), members in groups.items():
            if len(members) < self.LIST_THRESHOLD or (cancelled and cancelled()):
                rest += members
                continue
            limit = max(10_000, 20 * len(members))
            objects: dict[str, tuple[int, str]] = {}
            try:
                for obj in self._store(bucket).walk(parent, cancelled):
                    objects[obj.key] = (obj.size, obj.etag)
                    if len(objects) > limit:
                        break
            except S3Error:
                rest += members
                continue
            if len(objects) > limit:
                rest += members
                continue
            now = time.monotonic()
            keys = sorted(objects)
            if self.listings is not None:
                self.listings[(bucket, parent)] = keys
            for url in members:
                probe = _probe_from_listing(parse_s3_url(url)[1], objects, keys)
                out[url] = probe
                with self._lock:
                    self._cache[url] = (now, probe)
        return rest


def _probe_from_listing(key: str, objects: dict[str, tuple[int, str]], keys: list[str]) -> Probe:
    """The same answer _lookup would give, read from a complete listing of the key's folder."""
    import bisect

    if key and not key.endswith("/") and key in objects:
        size, etag = objects[key]
        return Probe(True, size, 1, False, etag)
    prefix = key.rstrip("/") + "/"
    i = bisect.bisect_left(keys, prefix)
    count = total = 0
    while i < len(keys) and keys[i].startswith(prefix):
        count += 1
        total += objects[keys[i]][0]
        i += 1
    return Probe(count > 0, total, count, True)


@dataclass
class Report:
    """Findings of one validation run, with a status per entry and the S3 answers used."""

    findings: list[Finding] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    probes: dict[str, Probe] = field(default_factory=dict)
    total: int = 0
    on_s3: int = 0

    @property
    def errors(self) -> list[Finding]:
        """Findings of severity error."""
        return [f for f in self.findings if f.severity == ERROR]

    def counts(self) -> dict[str, int]:
        """How many entries have each status."""
        return dict(Counter(self.statuses.values()))


def size_matches(size_mb: float, size_bytes: int) -> bool:
    """True when a hand-written size in MB agrees with S3 (MB or MiB, within 5% or 1 MB)."""
    for unit in (1_000_000, 1024 * 1024):
        actual = size_bytes / unit
        if abs(actual - size_mb) <= max(1.0, 0.05 * max(actual, size_mb)):
            return True
    return False


def validate(reg: Registry, bucket: str | None = None, checker: S3Checker | None = None,
             cancelled: Callable[[], bool] | None = None, fresh: bool = False) -> Report:
    """Check every entry of ``reg``; S3 checks are skipped when ``checker`` is None."""
    report = Report()
    refs = reg.datasets()
    report.total = len(refs)
    for odd in reg.odd_entries():
        report.findings.append(Finding("not_an_object", odd.group, odd.name,
                                       f"{odd.group}/{odd.name} is a {type(odd.value).__name__}, not an object"))
    names = Counter(r.name for r in refs)
    to_probe: dict[str, list] = {}
    for r in refs:
        add = lambda code, msg, r=r: report.findings.append(Finding(code, r.group, r.name, msg))  # noqa: E731
        if not r.name.strip():
            add("empty_name", f"a dataset in {r.group} has an empty name")
        elif names[r.name] > 1:
            others = [x.group for x in refs if x.name == r.name and x.group != r.group]
            add("duplicate_name", f"{r.name} is also in {', '.join(others)}: resolving it by name is ambiguous")
        stage = r.entry.get("stage")
        if stage is not None and stage not in STAGES:
            add("unknown_stage", f"unknown stage {stage!r} (known: {', '.join(STAGES)})")
        path = r.entry.get("path")
        if not isinstance(path, str) or not path.strip():
            add("no_path", "the entry has no path")
            continue
        if not is_s3_url(path):
            add("not_migrated", f"primary path {path} is not in S3 yet")
            continue
        report.on_s3 += 1
        b, key = parse_s3_url(path)
        if bucket and b != bucket:
            add("outside_bucket", f"{path} is outside the configured bucket {bucket}")
            continue
        unsafe = unsafe_key_reason(key)
        if unsafe:
            add("unsafe_path", f"{path} cannot be resolved safely: {unsafe}")
            continue
        to_probe.setdefault(path, []).append(r)
    if checker is not None:
        report.probes = checker.probe_many(to_probe, cancelled, fresh)
        for path, entries in to_probe.items():
            probe = report.probes.get(path)
            if probe is None:
                continue
            for r in entries:
                _judge(report, r, path, probe)
    _statuses(report, refs)
    return report


def _judge(report: Report, r, path: str, probe: Probe) -> None:
    add = lambda code, msg: report.findings.append(Finding(code, r.group, r.name, msg))  # noqa: E731
    if probe.error:
        add("s3_error", f"{path}: {probe.error}")
    elif not probe.exists:
        add("missing_in_s3", f"{path} does not exist in S3")
    else:
        size_mb = r.entry.get("size_mb")
        if isinstance(size_mb, (int, float)) and not isinstance(size_mb, bool) and not size_matches(size_mb, probe.size):
            what = (f"its {units.plural(probe.count, 'object')} in S3 " + ("holds" if probe.count == 1 else "hold")
                    if probe.is_prefix else "the object in S3 holds")
            add("size_mismatch", f"size_mb is {size_mb} but {what} {units.human_bytes(probe.size)} "
                                 f"(size_mb {units.size_mb(probe.size)})")


def _statuses(report: Report, refs) -> None:
    rank = {code: i for i, code in enumerate(KINDS)}
    worst: dict[str, Finding] = {}
    for f in report.findings:
        cur = worst.get(f.key)
        if cur is None or rank[f.code] < rank[cur.code]:
            worst[f.key] = f
    for r in refs:
        report.statuses[r.key] = worst[r.key].label if r.key in worst else OK

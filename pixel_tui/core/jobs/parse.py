"""rclone logs -> typed snapshots. Pure functions and a feedable parser; no file IO here.

Reads every form rclone writes, in any mix: text logs with multi-line stats blocks in every
`--log-format` layout (any of date, time, microseconds, UTC, longfile/shortfile, pid, nolevel, and
the older Go-log layouts with the pid first), `--stats-one-line` (with or without
`--stats-one-line-date` and the `(xfr#N/M)` tail), `--use-json-log` records (the structured `stats`
object, else the `msg` text), and `-P` output redirected to a file or captured from a terminal
(ANSI codes, CRLF, blocks glued together). Only the tail of a log is run through Python line by
line; history uses history.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone

from pixel_tui.core.jobs.log_units import (
    LOG_TIME,
    parse_duration,
    parse_iso_time,
    parse_log_time,
    parse_rate,
    parse_size,
)

MAX_ERRORS = 10
_MAX_LINE = 64 * 1024  # a longer "line" is garbage (binary junk); cut it so nothing grows without bound
_BLOCK_LINES = 512  # a stats block longer than this (files in flight) is parsed line by line
_MAX_SINCE = 4 * MAX_ERRORS  # events kept between two blocks (only errors and a few flags matter)


@dataclass(frozen=True, slots=True)
class Transfer:
    """One file in flight."""

    name: str
    bytes: int | None
    size: int | None
    percent: int | None
    speed: float | None
    eta: float | None


@dataclass(frozen=True)
class Snapshot:
    """The state of one rclone job as its log shows it (sizes in bytes, times in seconds)."""

    format: str = "text"  # "text", "json", "oneline" or "progress": how the log is written
    has_stats: bool = False
    bytes: int = 0
    total_bytes: int = 0
    transfers: int = 0
    total_transfers: int = 0
    checks: int = 0
    total_checks: int = 0
    errors: int = 0
    speed: float = 0.0
    eta: float | None = None
    elapsed: float | None = None
    transferring: tuple[Transfer, ...] = ()
    last_errors: tuple[str, ...] = ()
    updated_at: datetime | None = None
    progress_at: datetime | None = None  # time of the first block showing the current byte count
    last_line_at: datetime | None = None
    fatal: bool = False
    nothing_to_transfer: bool = False
    copied: int = 0
    deleted: int = 0
    blocks: int = 0
    # Lines read, and lines recognised as rclone's; None when the snapshot is not from a log (rc).
    lines: int | None = None
    rclone_lines: int | None = None
    # A Google Drive limit seen in the log: "throttled", "quota" or "blocked" (state.CONDITIONS).
    condition: str | None = None
    condition_line: str = ""
    # Retries (`--retries`): the attempt running (or the last), of how many, and how many failed.
    attempt: int = 1
    max_attempts: int | None = None
    failed_attempts: int = 0
    # For each of last_errors: the number of the failed attempt it belongs to, or None (this attempt).
    error_attempts: tuple[int | None, ...] = ()
    utc: bool = False  # the text stamps were read as UTC (`--log-format UTC`)

    @property
    def all_transferred(self) -> bool:
        """True when the last block shows every byte and file transferred (or nothing to do)."""
        if self.nothing_to_transfer and self.bytes == 0:
            return True
        if not self.has_stats:
            return False
        bytes_done = self.bytes >= self.total_bytes
        files_done = self.total_transfers == 0 or self.transfers >= self.total_transfers
        return bytes_done and files_done and not self.transferring

    @property
    def percent(self) -> float | None:
        """Bytes done as a percentage of the total, or None when the total is unknown."""
        return 100.0 * self.bytes / self.total_bytes if self.total_bytes else None

    @property
    def average_speed(self) -> float | None:
        """Bytes over elapsed time (what a finished job shows), or None when elapsed is unknown."""
        return self.bytes / self.elapsed if self.elapsed else None

    @property
    def current_errors(self) -> tuple[str, ...]:
        """The error lines not from an attempt that rclone retried (those still count against the run)."""
        if not self.error_attempts:
            return self.last_errors
        return tuple(e for e, a in zip(self.last_errors, self.error_attempts) if a is None)


_FIELDS = tuple(f.name for f in fields(Snapshot))


# --- line-level patterns -------------------------------------------------------------------------

_ANSI = re.compile(rb"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")
# In -P output a block's last line runs straight into the next block or log line.
# A glued block is split in normalise(); a log line glued to a block's last line is split by the
# parser, which sees block lines one by one (a regex over every byte would cost more than the parse).
_T = b"Transferred:   \t"
_GLUE = re.compile(rb"(?<=[^\n])(?=Transferred:   \t)")
# A block body that the fast path may take whole: printable ASCII lines starting with a capital or a
# space, none a log line, a new block or a glued log line (see _line for the same rules, line by line).
_NOT_PLAIN_BODY = re.compile(rb"[^\t\n\x20-\x7e]|\n(?![ A-Z])|\n[ \t]*(?:\n|$)"
                             rb"|\n(?:DEBUG|INFO|NOTICE|ERROR|CRITICAL|EMERGENCY|ALERT|WARNING) *:"
                             rb"|\nTransferred:[^\n]*, ETA |\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? [A-Z]+ *:")
_FATAL_BLOCK = re.compile(rb"(?m)^Errors:[^\n]*fatal error")
_GLUED_LOG = re.compile(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? [A-Z]+ *:")
_LEVELS = "DEBUG|INFO|NOTICE|ERROR|CRITICAL|EMERGENCY|ALERT|WARNING"
# Every --log-format layout, in rclone's order: date, time(.micro), file:line, [pid], level. Older
# rclone (Go's log package) put the [pid] before the date. Each part is optional (`nolevel`, "").
_PREFIX = re.compile(
    r"(?:\[\d+\] )?"
    r"(?:(?P<date>\d{4}/\d\d/\d\d) )?"
    r"(?:(?P<time>\d\d:\d\d:\d\d(?:\.\d{1,9})?) )?"
    r"(?:(?P<file>[^\s:\[]+\.go:\d+): )?"
    r"(?:(?P<pid>\[\d+\]) )?"
    r"(?:(?P<level>" + _LEVELS + r") *: ?)?"
)
_SIZE = r"\d+(?:\.\d+)? ?[A-Za-z]*"
_STATS_LINE = re.compile(
    rf"^\s*(?:(?P<date>\S.*?) - +)?(?P<done>{_SIZE}) / (?P<total>{_SIZE}|-), (?P<pct>\d+%|-), "
    rf"(?P<speed>{_SIZE}/s|-), ETA (?P<eta>\S+)(?: \((?P<tail>[^)]*)\))?\s*$"
)
# The same without the `--stats-one-line-date` part, whose lazy `.*?` backtracks over the whole line.
_STATS_NODATE = re.compile(
    rf"^\s*(?P<date>)(?P<done>{_SIZE}) / (?P<total>{_SIZE}|-), (?P<pct>\d+%|-), "
    rf"(?P<speed>{_SIZE}/s|-), ETA (?P<eta>\S+)(?: \((?P<tail>[^)]*)\))?\s*$"
)
# A log line in the "" layout starts with its level; inside a block, such a line ends the block.
_LEVEL_START = re.compile(r"(?:" + "|".join(("DEBUG", "INFO", "NOTICE", "ERROR", "CRITICAL", "EMERGENCY", "ALERT",
                                              "WARNING")) + r") *:")
_OLD_BYTES = re.compile(rf"^\s*(?P<done>{_SIZE}) \((?P<speed>{_SIZE}/s)\)\s*$")  # rclone < 1.39
_COUNT = re.compile(r"^\s*(\d+)(?: / (\d+))?")
_XFR = re.compile(r"xfr#(\d+)/(\d+)")
_CHK = re.compile(r"chk#(\d+)/(\d+)")
_TRANSFER = re.compile(
    rf"^ \* +(?P<name>.*?):\s*(?P<pct>\d+)% ?/ ?(?P<size>{_SIZE}|-), ?(?P<speed>{_SIZE}/s|-)?,? ?(?P<eta>\S*)\s*$"
)
_TRANSFER_BARE = re.compile(r"^ \* +(?P<name>.*?):\s*(?:transferring|checking)?\s*$")
_ELAPSED = re.compile(r"^Elapsed time:\s+\S+$")
_FINAL_FAILURE = re.compile(r"^Failed to [a-z]+( with \d+ errors)?:")
_ATTEMPT = re.compile(r"Attempt (\d+)/(\d+) (failed|succeeded)")
_FATAL_MSG = re.compile(r"Fatal error received|fatal error encountered")
# Without a level (`--log-format nolevel`), what rclone logs at ERROR, told by the message itself.
_ERRORISH = re.compile(r"(?:^|: )(?:Failed to [a-z]|Attempt \d+/\d+ (?:failed|succeeded)|Fatal error received|"
                       r"Cancelling sync due to fatal error|Received (?:download|upload) limit error|error reading)")
# Lines that say "this is rclone" even with no prefix at all (`--log-format nolevel` or "").
_RCLONE_BARE = re.compile(r"(?:^|: )(?:Copied \(|Updated|Deleted|Moved|Skipped|Failed to|There was nothing to"
                          r"|Config file |Starting bandwidth|Attempt \d+/|Fatal error|Cancelling sync|rclone: Version)")
_START_LINE = re.compile(r'starting with parameters .*--log-format[=" ,]+"?([^"\]]*)', re.IGNORECASE)
# Google Drive's limits, in the words of rclone's Drive backend and of Google's API errors.
_CONDITIONS = (
    ("quota", re.compile(r"downloadQuotaExceeded|download quota for this file has been exceeded"
                         r"|Received (?:download|upload) limit error|downloadLimitExceeded")),
    ("blocked", re.compile(r"cannotDownloadAbusiveFile|identified as malware or spam")),
    ("throttled", re.compile(r"userRateLimitExceeded|rateLimitExceeded|User Rate Limit Exceeded"
                             r"|Rate Limit Exceeded")),
)
_CONDITION_HINT = ("xceeded", "Abusive", "malware", "limit error", "Limit Exceeded", "download quota")
_RANK = {None: 0, "throttled": 1, "blocked": 2, "quota": 3}  # a lasting condition is not hidden by a passing one


def normalise(data: bytes) -> bytes:
    """Strip ANSI codes, turn CRLF/CR into LF and split glued -P blocks onto their own lines."""
    if b"\x1b" in data:
        data = _ANSI.sub(b"", data)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    n = data.count(_T)
    if n and n > data.count(b"\n" + _T) + data.startswith(_T):  # C-speed counts: only sub when one is glued
        data = _GLUE.sub(b"\n", data)
    return data


def parse_stats_line(text: str) -> dict | None:
    """The bytes line (`3.0 MiB / 8.5 MiB, 36%, 1 MiB/s, ETA 2s`, one-line or in a block) -> fields."""
    if ", ETA " not in text:
        m = _OLD_BYTES.match(text) if "/s)" in text else None
        if m and (done := parse_size(m["done"])) is not None:
            return {"bytes": done, "total_bytes": 0, "speed": parse_rate(m["speed"]) or 0.0, "eta": None}
        return None
    dash = text.find(" - ")
    m = (_STATS_LINE if 0 <= dash < text.find(" / ") else _STATS_NODATE).match(text)
    if m:
        done = parse_size(m["done"])
        if done is None:
            return None
        out = {"bytes": done, "total_bytes": parse_size(m["total"]) or 0,
               "speed": parse_rate(m["speed"]) or 0.0, "eta": parse_duration(m["eta"])}
        if m["date"]:
            out["date"] = m["date"]
        tail = m["tail"] or ""
        if x := _XFR.search(tail):
            out["transfers"], out["total_transfers"] = int(x[1]), int(x[2])
        if c := _CHK.search(tail):
            out["checks"], out["total_checks"] = int(c[1]), int(c[2])
        return out
    return None


def parse_transfer_line(line: str) -> Transfer | None:
    """` *  name: 54% / 2.861 MiB, 1.1 MiB/s, 3s` -> Transfer (bytes from percent x size)."""
    m = _TRANSFER.match(line)
    if m:
        size = parse_size(m["size"])
        pct = int(m["pct"])
        done = size * pct // 100 if size is not None else None
        return Transfer(m["name"].strip(), done, size, pct, parse_rate(m["speed"] or "-"), parse_duration(m["eta"]))
    m = _TRANSFER_BARE.match(line)
    if m and m["name"].strip():
        return Transfer(m["name"].strip(), None, None, None, None, None)
    return None


def parse_block(lines: list[str]) -> dict | None:
    """A multi-line stats block (first line `Transferred: <bytes line>`) -> snapshot fields."""
    if not lines or not lines[0].startswith("Transferred:"):
        return None
    out = parse_stats_line(lines[0][len("Transferred:"):])
    if out is None:
        return None
    out.pop("date", None)
    # A block without a line means zero for that line (rclone omits lines that would read 0).
    out.update(errors=0, checks=0, total_checks=0, transfers=0, total_transfers=0, deleted=0, elapsed=None)
    transferring: list[Transfer] = []
    section = None
    for line in lines[1:]:
        if line.startswith(" *"):
            if section == "Transferring" and (t := parse_transfer_line(line)):
                transferring.append(t)
            continue
        key, _, value = line.partition(":")
        key = key.strip()
        m = _COUNT.match(value)
        if key == "Errors" and m:
            out["errors"] = int(m[1])
            if "fatal error" in value:
                out["fatal_flag"] = True  # `Errors: 4 (fatal error encountered)`: rclone stops
        elif key == "Checks" and m:
            out["checks"], out["total_checks"] = int(m[1]), int(m[2] or m[1])
        elif key == "Transferred" and m:
            out["transfers"], out["total_transfers"] = int(m[1]), int(m[2] or m[1])
        elif key == "Deleted" and m:
            out["deleted"] = int(m[1])
        elif key == "Elapsed time":
            out["elapsed"] = parse_duration(value.strip())
        elif key in ("Transferring", "Checking"):
            section = key
    out["transferring"] = tuple(transferring)
    return out


def parse_json_stats(stats: dict) -> dict:
    """rclone's structured `stats` object (JSON log or `rc core/stats`) -> snapshot fields."""
    def num(key, default=0):
        v = stats.get(key)
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v else default

    transferring = []
    for t in stats.get("transferring") or ():
        if not isinstance(t, dict):
            continue
        size = t.get("size")
        transferring.append(Transfer(
            str(t.get("name", ""))[:4096],
            int(t["bytes"]) if _finite(t.get("bytes")) else None,
            int(size) if _finite(size) and size >= 0 else None,
            int(t["percentage"]) if _finite(t.get("percentage")) else None,
            float(t["speed"]) if _finite(t.get("speed")) else None,
            float(t["eta"]) if _finite(t.get("eta")) else None,
        ))
    eta = stats.get("eta")
    return {
        "bytes": _int(num("bytes")), "total_bytes": _int(num("totalBytes")),
        "transfers": _int(num("transfers")), "total_transfers": _int(num("totalTransfers")),
        "checks": _int(num("checks")), "total_checks": _int(num("totalChecks")),
        "errors": _int(num("errors")), "speed": float(num("speed", 0.0)),
        "eta": float(eta) if _finite(eta) else None,
        "elapsed": float(num("elapsedTime", 0.0)), "deleted": _int(num("deletes")),
        "transferring": tuple(transferring), "fatal_flag": bool(stats.get("fatalError")),
    }


def _finite(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def _int(v) -> int:
    return int(v) if _finite(v) else 0


def condition_of(msg: str) -> str | None:
    """Which Google Drive limit a message reports ("quota", "blocked", "throttled"), if any."""
    if not any(h in msg for h in _CONDITION_HINT):
        return None
    for name, pattern in _CONDITIONS:
        if pattern.search(msg):
            return name
    return None


def _as_utc(dt: datetime | None) -> datetime | None:
    """A stamp read as local time, read again as UTC (the wall-clock digits are the same)."""
    if dt is None:
        return None
    return dt.replace(tzinfo=None).replace(tzinfo=timezone.utc).astimezone()


class LogParser:
    """Feed it bytes as they arrive (any cut, any mix of formats); `snapshot` is the state so far.

    The state lives in a plain dict while lines stream in; the frozen Snapshot is built only when
    asked for, so a line costs a regex or two, not a dataclass copy.
    """

    def __init__(self, state: Snapshot | None = None, utc: bool = False) -> None:
        self._f: dict = {}
        self._snap: Snapshot | None = None
        self.state = state if state is not None else Snapshot(lines=0, rclone_lines=0)
        self.utc = utc or self._f["utc"]
        self._carry = b""
        self._block: list[str] | None = None
        self._block_head: dict = {}
        self._pending: list[str] | None = None  # the newest text block, parsed in full only when asked for
        self._block_time: datetime | None = None
        self._header_time: datetime | None = None
        self._errors: list[list] = [[e, a] for e, a in zip(self._f["last_errors"], self._padded_attempts())]
        self._seen_header = False
        self._since_block: list = []  # (kind, time, payload) of events since the last block
        self._stamp_cache: tuple[str, datetime | None] = ("", None)
        self.last_stamp: str | None = None  # the newest text stamp as written (for the UTC check in tail)
        self._condition_bytes = 0

    def _padded_attempts(self) -> list:
        a = list(self._f["error_attempts"])
        return a + [None] * (len(self._f["last_errors"]) - len(a))

    @property
    def state(self) -> Snapshot:
        """The state so far as a Snapshot (built on demand)."""
        if self._pending is not None:
            self._materialise()
        if self._snap is None:
            f = self._f
            f["last_errors"] = tuple(e for e, _ in self._errors)
            f["error_attempts"] = tuple(a for _, a in self._errors) if any(a for _, a in self._errors) else ()
            self._snap = Snapshot(**f)
        return self._snap

    @state.setter
    def state(self, snap: Snapshot) -> None:
        self._pending = None
        self._f = {name: getattr(snap, name) for name in _FIELDS}
        if self._f["lines"] is None:
            self._f["lines"] = self._f["rclone_lines"] = 0
        self._snap = None
        if hasattr(self, "_errors"):
            self._errors = [[e, a] for e, a in zip(self._f["last_errors"], self._padded_attempts())]
            self._snap = None

    def feed(self, data: bytes) -> None:
        """Parse whole lines of ``data`` (keeping a partial last line for the next call)."""
        cut = data.rfind(b"\n")
        if cut < 0:
            self._carry = (self._carry + data)[-_MAX_LINE:] if self._carry else data[-_MAX_LINE:]
            return
        head = self._carry + data[:cut + 1] if self._carry else data[:cut + 1]
        self._carry = data[cut + 1:][-_MAX_LINE:]
        self._snap = None
        line = self._line
        lines = normalise(head).split(b"\n")
        n = len(lines) - 1  # the last piece is the empty one after the final newline
        i = 0
        while i < n:
            raw = lines[i]
            i += 1
            if len(raw) > _MAX_LINE:
                raw = raw[:_MAX_LINE]
            line(raw.decode("utf-8", errors="replace"))
            block = self._block
            if block is not None and len(block) == 1 and i < n:
                i = self._take_block(lines, i, n, block)

    def _take_block(self, lines: list[bytes], i: int, n: int, block: list[str]) -> int:
        """A block just began at line ``i - 1``: take its body whole when it is plain (C-speed checks).

        Exactly what line-by-line parsing would do, minus a Python call per line; anything unusual
        (a log line inside, odd bytes, no blank line yet) is left to the line-by-line path.
        """
        try:
            # A bounded look: -P output has no blank line between blocks, and an unbounded search
            # from every block would make a chunk quadratic in its blocks.
            j = lines.index(b"", i, min(n, i + _BLOCK_LINES))
        except ValueError:
            return i
        body = b"\n".join(lines[i:j])
        if len(body) > _MAX_LINE or _NOT_PLAIN_BODY.search(b"\n" + body):
            return i
        if j > i:
            block.extend(body.decode("ascii").split("\n"))
        self._f["lines"] += j - i + 1
        # The two facts _end_block looks for, found by C code in the joined body.
        k = body.find(b"\nElapsed time:") + 1 if not body.startswith(b"Elapsed time:") else 0
        elapsed = None
        if k > 0 or body.startswith(b"Elapsed time:"):
            e = body.find(b"\n", k)
            elapsed = parse_duration(body[k + 13:e if e >= 0 else len(body)].decode("ascii").strip())
        fatal = b"fatal error" in body and _FATAL_BLOCK.search(body) is not None
        self._end_block(facts=(elapsed, fatal))
        return j + 1

    def finish(self) -> None:
        """End of input: close an open block (the -P file's last block has no terminator)."""
        self._snap = None
        if self._carry:
            carry, self._carry = self._carry, b""
            for raw in normalise(carry).split(b"\n"):
                self._line(raw.decode("utf-8", errors="replace"), last=True)
        if self._block is not None:
            self._end_block()

    def snapshot(self) -> Snapshot:
        """The current state, counting an unterminated -P block that already has its elapsed line."""
        if self._block is None or self._f["format"] != "progress":
            return self.state
        lines = list(self._block)
        tail = normalise(self._carry).decode("utf-8", errors="replace").split("\n")[-1]
        if _ELAPSED.match(tail) and parse_duration(tail.partition(":")[2]) is not None:
            lines.append(tail)  # -P writes the block's last line without a newline
        if not any(ln.startswith("Elapsed time:") for ln in lines):
            return self.state
        probe = LogParser(self.state, self.utc)
        probe._block, probe._block_time, probe._condition_bytes = lines, self._block_time, self._condition_bytes
        probe._block_head = self._block_head
        probe._end_block()
        return probe.state

    def set_utc(self) -> None:
        """Read text stamps as UTC from now on, and those already read again (`--log-format UTC`)."""
        if self.utc:
            return
        self.utc = True
        f = self._f
        if f["format"] != "json":
            for key in ("updated_at", "progress_at", "last_line_at"):
                f[key] = _as_utc(f[key])
            self._block_time = _as_utc(self._block_time)
            self._header_time = _as_utc(self._header_time)
        f["utc"] = True
        self._stamp_cache = ("", None)
        self._snap = None

    # --- internals ---------------------------------------------------------------------------

    def _when(self, date: str | None, time_: str | None) -> datetime | None:
        if not date or not time_:
            return None  # a date alone or a time alone is not a moment we can compare with the clock
        stamp = f"{date} {time_}"
        self.last_stamp = stamp
        if self._stamp_cache[0] == stamp:
            return self._stamp_cache[1]
        when = parse_log_time(stamp, utc=self.utc)
        self._stamp_cache = (stamp, when)
        return when

    def _line(self, line: str, last: bool = False) -> None:
        f = self._f
        f["lines"] += 1
        block = self._block
        if block is not None:
            # Inside a stats block: its lines start with a capital or a space; a blank line ends it, and
            # so does a log line (-P output runs them on without a blank line) or the next block.
            c = line[:1]
            if c == "" or line.isspace():
                self._end_block()
                return
            if (c == " " or "A" <= c <= "Z") and not (c in "DINECWA" and _LEVEL_START.match(line)) \
                    and not (c == "T" and line.startswith("Transferred:") and ", ETA " in line):
                if "/" in line and (g := _GLUED_LOG.search(line, 1)):
                    # -P output: a log line straight after the block's last line, with no newline.
                    f["lines"] -= 1
                    self._line(line[:g.start()])
                    self._line(line[g.start():], last)
                    return
                if not last or not line.startswith(" *") or _TRANSFER.match(line):
                    block.append(line)
                return
            self._end_block()
        if line.startswith("{"):
            self._json(line)
            return
        if line.startswith("Transferred:") and (", ETA " in line or "/s)" in line) \
                and (head := parse_stats_line(line[len("Transferred:"):])) is not None:
            if self._block is not None:
                self._end_block()
            f["rclone_lines"] += 1
            self._block = [line]
            self._block_head = head
            self._block_time = self._header_time
            if not self._seen_header:
                f["format"] = "progress"
            self._header_time = None
            return
        m = _PREFIX.match(line)
        if m.end():
            level = m["level"]
            if level or m["date"] or m["time"] or m.end() == len(line) or _RCLONE_BARE.search(line[m.end():]):
                # (a `[12] ` or `x.go:1: ` alone is too little to call a line rclone's: its message must say so)
                f["rclone_lines"] += 1
                when = self._when(m["date"], m["time"])
                if when is not None:
                    f["last_line_at"] = when
                self._event(level, line[m.end():], when, line)
                return
        stats = parse_stats_line(line)
        if stats is not None:  # a one-line stats line with no log prefix (-P --stats-one-line)
            f["rclone_lines"] += 1
            self._stats(stats, None, "oneline")
            return
        if line and _RCLONE_BARE.search(line):  # `--log-format nolevel` (or ""): the message alone
            f["rclone_lines"] += 1
            self._event(None, line, None, line)

    def _event(self, level: str | None, msg: str, when: datetime | None, line: str) -> None:
        if msg.strip() == "":
            # The header line of a text stats block: the block starts on the next line.
            self._header_time = when
            self._seen_header = True
            self._f["format"] = "text"
            return
        if ", ETA " in msg:
            stats = parse_stats_line(msg)
            if stats is not None:
                date = stats.pop("date", None)
                if "transfers" not in stats and stats["bytes"] >= stats["total_bytes"]:
                    # The (xfr#N/M) tail only shows while files are queued; with every byte done, so are the files.
                    if self._pending is not None:
                        self._materialise()
                    stats["transfers"] = self._f["total_transfers"]
                at = (parse_log_time(date, utc=self.utc) if date and LOG_TIME.match(date) else None) or when
                self._stats(stats, at, "oneline")
                return
        if level is None:
            level = _infer_level(msg)
        self._message(level.lower(), msg, line, when)

    def _message(self, level: str, msg: str, line: str, when: datetime | None = None) -> None:
        f = self._f
        if level == "debug":
            if "starting with parameters" in msg:
                self._start_line(msg)
            elif (cond := condition_of(msg)) is not None:
                self._condition(cond, line)
            return
        if (cond := condition_of(msg)) is not None:
            self._condition(cond, line)
        if level == "notice" and _FINAL_FAILURE.match(msg):
            level = "critical"  # rclone >= 1.6x reports the run's failure at NOTICE, then exits non-zero
        if level in ("error", "critical", "emergency", "alert", "fatal"):
            attempt = _ATTEMPT.search(msg) if "Attempt " in msg else None
            if attempt is not None:
                self._attempt(int(attempt[1]), int(attempt[2]), attempt[3] == "succeeded", when)
                if attempt[3] == "succeeded":
                    return  # rclone logs a successful retry at ERROR level; it is good news
            entry = [line.strip(), None]
            self._errors.append(entry)
            del self._errors[:-MAX_ERRORS]
            if attempt is not None:
                self._tag_failed_attempt(int(attempt[1]))
            fatal = level != "error" or _FATAL_MSG.search(msg) is not None
            self._since(("fatal" if fatal else "error", when, entry))
            if f["format"] == "oneline":
                if self._pending is not None:
                    self._materialise()
                f["errors"] += 1  # one-line stats carry no error count
            if fatal:
                f["fatal"] = True
        elif "There was nothing to transfer" in msg:
            self._since(("nothing", when, None))
            f["nothing_to_transfer"] = True
        elif "Copied (" in msg or msg.endswith(": Updated") or "Updated modification time" in msg:
            self._since(("copied", when, None))
            f["copied"] += 1
        elif msg.endswith("Deleted"):
            if self._pending is not None:
                self._materialise()  # the block's count first, then this one on top
            f["deleted"] += 1
        elif "starting with parameters" in msg:
            self._start_line(msg)

    def _since(self, event: tuple) -> None:
        self._since_block.append(event)
        if len(self._since_block) > 2 * _MAX_SINCE:
            # Keep the errors (bounded by MAX_ERRORS anyway) and the newest few other events.
            keep = [e for e in self._since_block if e[0] in ("error", "fatal")][-MAX_ERRORS:]
            self._since_block = keep + [e for e in self._since_block[-_MAX_SINCE:] if e[0] not in ("error", "fatal")]

    def _attempt(self, n: int, of: int, ok: bool, when: datetime | None) -> None:
        f = self._f
        f["max_attempts"] = of
        f["attempt"] = n if ok else min(n + 1, of)
        if not ok:
            f["failed_attempts"] = max(f["failed_attempts"], n)
        self._since(("attempt", when, (n, of, ok)))

    def _tag_failed_attempt(self, n: int) -> None:
        """The errors logged during attempt ``n`` (every untagged one so far) belong to a failed attempt."""
        for entry in self._errors:
            if entry[1] is None:
                entry[1] = n

    def _condition(self, cond: str, line: str) -> None:
        f = self._f
        if _RANK[cond] >= _RANK[f["condition"]]:
            f["condition"], f["condition_line"] = cond, line.strip()[:1000]
            self._condition_bytes = f["bytes"]

    def _start_line(self, msg: str) -> None:
        m = _START_LINE.search(msg)
        if m and "utc" in m[1].lower():
            self.set_utc()

    def _json(self, line: str) -> None:
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError):
            return
        if not isinstance(rec, dict):
            return
        f = self._f
        f["rclone_lines"] += 1
        f["format"] = "json"
        when = parse_iso_time(rec.get("time"))
        if when:
            f["last_line_at"] = when
        stats = rec.get("stats")
        msg = rec.get("msg") if isinstance(rec.get("msg"), str) else ""
        if isinstance(stats, dict):
            self._stats(parse_json_stats(stats), when, "json")
            return
        lines = msg.strip("\n").split("\n")
        block = parse_block(lines) if lines and lines[0].startswith("Transferred:") else None
        if block is not None:
            self._stats(block, when, "json")
            return
        obj = rec.get("object")
        text = f"{obj}: {msg}" if isinstance(obj, str) and obj else msg
        level = str(rec.get("level", ""))[:16].lower()
        stamp = rec.get("time") if isinstance(rec.get("time"), str) else ""
        self._message(level, text, f"{stamp[:64]} {level.upper()} : {text}".strip(), when)

    def _end_block(self, facts: tuple[float | None, bool] | None = None) -> None:
        """A text block is complete: take what the state machine needs now, the rest when asked for.

        Only its bytes, elapsed time and fatal flag matter until the next block replaces it, so the
        full parse (every line, every file in flight) runs once per snapshot, not once per block.
        """
        block, self._block = self._block, None
        if not block:
            return
        head = self._block_head  # the first line, parsed when the block began
        if facts is not None:
            elapsed, fatal = facts
        else:
            elapsed, fatal = None, False
            for ln in block:
                if ln.startswith("Elapsed time:"):
                    elapsed = parse_duration(ln[13:].strip())
                elif ln.startswith("Errors:") and "fatal error" in ln:
                    fatal = True
        fmt = self._f["format"] if self._f["format"] in ("text", "progress") else "text"
        self._stats({"bytes": head["bytes"], "elapsed": elapsed, "fatal_flag": fatal}, self._block_time, fmt,
                    lazy=True)
        self._pending = block

    def _materialise(self) -> None:
        """Parse the pending block in full into the state."""
        block, self._pending = self._pending, None
        parsed = parse_block(block) if block else None
        if parsed is not None:
            parsed.pop("fatal_flag", None)
            self._f.update(parsed)
            self._snap = None

    def _stats(self, fields_: dict, when: datetime | None, fmt: str, lazy: bool = False) -> None:
        f = self._f
        self._pending = None  # a newer record replaces every field the pending block would set
        fatal_flag = fields_.pop("fatal_flag", False)
        elapsed = fields_.get("elapsed")
        if elapsed is not None and f["elapsed"] is not None and elapsed + 1 < f["elapsed"]:
            self._new_run(elapsed, when, fmt)
        if "transferring" not in fields_ and not lazy:
            fields_["transferring"] = ()
        moved = not f["has_stats"] or fields_.get("bytes") != f["bytes"]
        f.update(fields_)
        f["has_stats"], f["format"], f["updated_at"] = True, fmt, when
        if moved:
            f["progress_at"] = when
        f["blocks"] += 1
        if fatal_flag:
            f["fatal"] = True
        if f["condition"] == "throttled" and f["bytes"] > self._condition_bytes:
            f["condition"], f["condition_line"] = None, ""  # rclone backed off and bytes flow again
        self._since_block = []
        self._snap = None

    def _new_run(self, elapsed: float, when: datetime | None, fmt: str) -> None:
        """Elapsed time went down: a new rclone run appended to the same log.

        Of what was logged since the previous block, keep what the new run logged: its start is this
        block's time minus its elapsed time (events without a time are kept).
        """
        f = self._f
        start = when - timedelta(seconds=elapsed + 1) if when is not None else None
        since = [e for e in self._since_block if start is None or e[1] is None or e[1] >= start]
        self._errors = [e[2] for e in since if e[0] in ("error", "fatal")][-MAX_ERRORS:]
        kinds = [e[0] for e in since]
        f.update(fatal="fatal" in kinds, nothing_to_transfer="nothing" in kinds, copied=kinds.count("copied"),
                 deleted=0, attempt=1, max_attempts=None, failed_attempts=0, condition=None, condition_line="")
        if fmt == "oneline":
            f["errors"] = len(self._errors)
        for e in since:
            if e[0] == "attempt":
                self._attempt(*e[2], e[1])


def _infer_level(msg: str) -> str:
    """The level of a line logged without one (`--log-format nolevel`), from rclone's own words."""
    if _FINAL_FAILURE.match(msg):
        return "notice"  # the run's own last line; _message promotes it
    if msg.startswith("Failed to "):
        return "critical"  # no object before it: rclone itself gave up (`Failed to create file system for`)
    if _ERRORISH.search(msg):
        return "error"
    return "info"


def parse_bytes(data: bytes) -> Snapshot:
    """Parse a whole buffer (e.g. the tail of a log) and return its final snapshot."""
    parser = LogParser()
    parser.feed(data)
    parser.finish()
    return parser.state

"""What one rclone log line or stats block says: the Transfer and Snapshot records, and the line-level
patterns and parsers that LogParser (parse.py) builds on. Pure functions, no file IO."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime, timezone

from pixel_tui.core.jobs.log_units import (
    parse_duration,
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
# The same hints as one search: one C call per message instead of a generator over six (most lines have none).
_CONDITION_HINTS = re.compile("|".join(re.escape(h) for h in _CONDITION_HINT))
# A plain line's stamp: the default layouts (date, time, optional fraction), most of a -vv log.
_PLAIN_DEBUG_STAMP = re.compile(rb"(\d{4}/\d\d/\d\d) (\d\d:\d\d:\d\d(?:\.\d{1,9})?)")
# What a plain DEBUG or INFO "Copied (" line may also say, searched once per piece (parse._hint_starts).
# For the Drive conditions, four pieces that every _CONDITIONS wording holds one of are enough ("xceeded"
# is in all the quota and rate-limit wordings); tests/unit/test_logparse_plain_lines.py checks. A glued
# -P block needs none: normalise() puts every "Transferred:" on a line of its own, which is not plain.
_HINTS = (b", ETA ", b"starting with parameters", b"There was nothing to transfer", b"xceeded", b"limit error",
          b"Abusive", b"malware")
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
    if _CONDITION_HINTS.search(msg) is None:
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

"""rclone logs -> typed snapshots. Pure functions and a feedable parser; no file IO here.

Reads every form rclone writes, in any mix: text logs with multi-line stats blocks,
`--stats-one-line` (with or without `--stats-one-line-date` and the `(xfr#N/M)` tail),
`--use-json-log` records (the structured `stats` object, else the `msg` text), and `-P` output
redirected to a file or captured from a terminal (ANSI codes, CRLF, blocks glued together).
Only the tail of a log is run through Python line by line; history uses loghistory.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

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


# --- line-level patterns -------------------------------------------------------------------------

_ANSI = re.compile(rb"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")
# In -P output a block's last line runs straight into the next block or log line.
_GLUE = re.compile(rb"(?<=[^\n])(?=Transferred:   \t|\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? [A-Z]+ *:)")
_LOG_LINE = re.compile(r"^(?:\[\d+\] )?(" + LOG_TIME.pattern + r")\s+(DEBUG|INFO|NOTICE|ERROR|CRITICAL|EMERGENCY|ALERT|WARNING)\s*: ?(.*)$")
_SIZE = r"\d+(?:\.\d+)? ?[A-Za-z]*"
_STATS_LINE = re.compile(
    rf"^\s*(?:(?P<date>\S.*?) - +)?(?P<done>{_SIZE}) / (?P<total>{_SIZE}|-), (?P<pct>\d+%|-), "
    rf"(?P<speed>{_SIZE}/s|-), ETA (?P<eta>\S+)(?: \((?P<tail>[^)]*)\))?\s*$"
)
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
_ATTEMPT_OK = re.compile(r"Attempt \d+/\d+ succeeded")


def normalise(data: bytes) -> bytes:
    """Strip ANSI codes, turn CRLF/CR into LF and split glued -P blocks onto their own lines."""
    if b"\x1b" in data:
        data = _ANSI.sub(b"", data)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"Transferred:   \t" in data or b"/" in data:
        data = _GLUE.sub(b"\n", data)
    return data


def parse_stats_line(text: str) -> dict | None:
    """The bytes line (`3.0 MiB / 8.5 MiB, 36%, 1 MiB/s, ETA 2s`, one-line or in a block) -> fields."""
    m = _STATS_LINE.match(text)
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
    m = _OLD_BYTES.match(text)
    if m and (done := parse_size(m["done"])) is not None:
        return {"bytes": done, "total_bytes": 0, "speed": parse_rate(m["speed"]) or 0.0, "eta": None}
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
        key, _, value = line.partition(":")
        key = key.strip()
        if line.startswith(" *"):
            if section == "Transferring" and (t := parse_transfer_line(line)):
                transferring.append(t)
            continue
        m = _COUNT.match(value)
        if key == "Errors" and m:
            out["errors"] = int(m[1])
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
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else default

    transferring = []
    for t in stats.get("transferring") or ():
        if not isinstance(t, dict):
            continue
        size = t.get("size")
        transferring.append(Transfer(
            str(t.get("name", "")),
            int(t["bytes"]) if isinstance(t.get("bytes"), (int, float)) else None,
            int(size) if isinstance(size, (int, float)) and size >= 0 else None,
            int(t["percentage"]) if isinstance(t.get("percentage"), (int, float)) else None,
            float(t["speed"]) if isinstance(t.get("speed"), (int, float)) else None,
            float(t["eta"]) if isinstance(t.get("eta"), (int, float)) else None,
        ))
    eta = stats.get("eta")
    return {
        "bytes": int(num("bytes")), "total_bytes": int(num("totalBytes")),
        "transfers": int(num("transfers")), "total_transfers": int(num("totalTransfers")),
        "checks": int(num("checks")), "total_checks": int(num("totalChecks")),
        "errors": int(num("errors")), "speed": float(num("speed", 0.0)),
        "eta": float(eta) if isinstance(eta, (int, float)) and not isinstance(eta, bool) else None,
        "elapsed": float(num("elapsedTime", 0.0)), "deleted": int(num("deletes")),
        "transferring": tuple(transferring), "fatal_flag": bool(stats.get("fatalError")),
    }


@dataclass
class LogParser:
    """Feed it bytes as they arrive (any cut, any mix of formats); `snapshot` is the state so far."""

    state: Snapshot = field(default_factory=Snapshot)
    _carry: bytes = b""
    _block: list[str] | None = None
    _block_time: datetime | None = None
    _header_time: datetime | None = None
    _errors: list[str] = field(default_factory=list)
    _seen_header: bool = False
    _since_block: list = field(default_factory=list)  # (kind, time, line) of events since the last block

    def feed(self, data: bytes) -> None:
        """Parse whole lines of ``data`` (keeping a partial last line for the next call)."""
        buf = self._carry + data
        cut = buf.rfind(b"\n")
        if cut < 0:
            self._carry = buf[-_MAX_LINE:]
            return
        self._carry = buf[cut + 1:][-_MAX_LINE:]
        for raw in normalise(buf[:cut + 1]).split(b"\n")[:-1]:
            self._line(raw[:_MAX_LINE].decode("utf-8", errors="replace"))

    def finish(self) -> None:
        """End of input: close an open block (the -P file's last block has no terminator)."""
        if self._carry:
            carry, self._carry = self._carry, b""
            for raw in normalise(carry).split(b"\n"):
                self._line(raw.decode("utf-8", errors="replace"), last=True)
        if self._block is not None:
            self._end_block()

    def snapshot(self) -> Snapshot:
        """The current state, counting an unterminated -P block that already has its elapsed line."""
        if self._block is None or self.state.format != "progress":
            return self.state
        lines = list(self._block)
        tail = normalise(self._carry).decode("utf-8", errors="replace").split("\n")[-1]
        if _ELAPSED.match(tail) and parse_duration(tail.partition(":")[2]) is not None:
            lines.append(tail)  # -P writes the block's last line without a newline
        if not any(ln.startswith("Elapsed time:") for ln in lines):
            return self.state
        probe = LogParser(self.state, b"", lines, self._block_time, self._header_time,
                          list(self._errors), self._seen_header)
        probe._end_block()
        return probe.state

    # --- internals ---------------------------------------------------------------------------

    def _line(self, line: str, last: bool = False) -> None:
        if line.startswith("{"):
            self._json(line)
            return
        if line.startswith("Transferred:") and parse_stats_line(line[len("Transferred:"):]) is not None:
            if self._block is not None:
                self._end_block()
            self._block = [line]
            self._block_time = self._header_time
            if not self._seen_header:
                self._set(format="progress")
            self._header_time = None
            return
        m = _LOG_LINE.match(line)
        if m:
            if self._block is not None:
                self._end_block()
            when = parse_log_time(m[1])
            self._set(last_line_at=when)
            self._event(m[9], m[10], when, line)
            return
        if self._block is not None:
            if line.strip() == "":
                self._end_block()
            elif not last or _TRANSFER.match(line) or not line.startswith(" *"):
                self._block.append(line)
            return
        stats = parse_stats_line(line)
        if stats is not None:  # a one-line stats line with no log prefix (-P --stats-one-line)
            self._stats(stats, None, "oneline")

    def _event(self, level: str, msg: str, when: datetime | None, line: str) -> None:
        if msg.strip() == "":
            # The header line of a text stats block: the block starts on the next line.
            self._header_time = when
            self._seen_header = True
            self._set(format="text")
            return
        stats = parse_stats_line(msg)
        if stats is not None:
            date = stats.pop("date", None)
            if "transfers" not in stats and stats["bytes"] >= stats["total_bytes"]:
                # The (xfr#N/M) tail only shows while files are queued; with every byte done, so are the files.
                stats["transfers"] = self.state.total_transfers
            self._stats(stats, (parse_log_time(date) if date else None) or when, "oneline")
            return
        self._message(level.lower(), msg, line, when)

    def _message(self, level: str, msg: str, line: str, when: datetime | None = None) -> None:
        if level == "notice" and _FINAL_FAILURE.match(msg):
            level = "critical"  # rclone >= 1.6x reports the run's failure at NOTICE, then exits non-zero
        if level in ("error", "critical", "emergency", "alert", "fatal"):
            if _ATTEMPT_OK.search(msg):
                return  # rclone logs a successful retry at ERROR level; it is good news
            self._errors.append(line.strip())
            self._since_block.append(("error" if level == "error" else "fatal", when, line.strip()))
            del self._errors[:-MAX_ERRORS]
            changes = {"last_errors": tuple(self._errors)}
            if self.state.format == "oneline":
                changes["errors"] = self.state.errors + 1  # one-line stats carry no error count
            if level != "error":
                changes["fatal"] = True
            self._set(**changes)
        elif "There was nothing to transfer" in msg:
            self._since_block.append(("nothing", when, ""))
            self._set(nothing_to_transfer=True)
        elif "Copied (" in msg or msg.endswith(": Updated") or "Updated modification time" in msg:
            self._since_block.append(("copied", when, ""))
            self._set(copied=self.state.copied + 1)
        elif msg.endswith("Deleted"):
            self._set(deleted=self.state.deleted + 1)

    def _json(self, line: str) -> None:
        try:
            rec = json.loads(line)
        except ValueError:
            return
        if not isinstance(rec, dict):
            return
        self._set(format="json")
        when = parse_iso_time(rec.get("time"))
        if when:
            self._set(last_line_at=when)
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
        level = str(rec.get("level", "")).lower()
        stamp = rec.get("time") if isinstance(rec.get("time"), str) else ""
        self._message(level, text, f"{stamp} {level.upper()} : {text}".strip(), when)

    def _end_block(self) -> None:
        block, self._block = self._block, None
        parsed = parse_block(block or [])
        if parsed is not None:
            fmt = self.state.format if self.state.format in ("text", "progress") else "text"
            self._stats(parsed, self._block_time, fmt)

    def _stats(self, fields_: dict, when: datetime | None, fmt: str) -> None:
        fields_ = dict(fields_)
        fatal_flag = fields_.pop("fatal_flag", False)
        prev = self.state
        elapsed = fields_.get("elapsed")
        if elapsed is not None and prev.elapsed is not None and elapsed + 1 < prev.elapsed:
            # Elapsed time went down: a new rclone run appended to the same log. Of what was logged
            # since the previous block, keep what the new run logged: its start is this block's time
            # minus its elapsed time (events without a time are kept).
            start = when - timedelta(seconds=elapsed + 1) if when is not None else None
            since = [e for e in self._since_block if start is None or e[1] is None or e[1] >= start]
            self._errors = [line for kind, _, line in since if kind in ("error", "fatal")][-MAX_ERRORS:]
            kinds = [kind for kind, _, _ in since]
            prev = replace(prev, last_errors=tuple(self._errors), fatal="fatal" in kinds,
                           nothing_to_transfer="nothing" in kinds, copied=kinds.count("copied"), deleted=0,
                           errors=len(self._errors) if fmt == "oneline" else prev.errors)
        if "transferring" not in fields_:
            fields_["transferring"] = ()
        moved = not prev.has_stats or fields_.get("bytes") != prev.bytes
        new = replace(prev, has_stats=True, format=fmt, updated_at=when,
                      progress_at=when if moved else prev.progress_at,
                      blocks=prev.blocks + 1, **fields_)
        if fatal_flag:
            new = replace(new, fatal=True)
        self.state = new
        self._since_block = []

    def _set(self, **changes) -> None:
        self.state = replace(self.state, **changes)


def parse_bytes(data: bytes) -> Snapshot:
    """Parse a whole buffer (e.g. the tail of a log) and return its final snapshot."""
    parser = LogParser()
    parser.feed(data)
    parser.finish()
    return parser.state

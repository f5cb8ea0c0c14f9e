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
from datetime import datetime, timedelta

from pixel_tui.core.jobs.log_events import LogEvents
from pixel_tui.core.jobs.log_records import (  # noqa: F401 - records and line parsers live there; importers of parse keep working
    _ATTEMPT,
    _ELAPSED,
    _ERRORISH,
    _FATAL_BLOCK,
    _FATAL_MSG,
    _FIELDS,
    _FINAL_FAILURE,
    _GLUED_LOG,
    _HINTS,
    _LEVEL_START,
    _MAX_LINE,
    _MAX_SINCE,
    _NOT_PLAIN_BODY,
    _PLAIN_DEBUG_STAMP,
    _PREFIX,
    _RANK,
    _RCLONE_BARE,
    _START_LINE,
    _T,
    _TRANSFER,
    MAX_ERRORS,
    Snapshot,
    Transfer,
    _as_utc,
    condition_of,
    normalise,
    parse_block,
    parse_json_stats,
    parse_stats_line,
    parse_transfer_line,
)
from pixel_tui.core.jobs.log_units import (
    parse_duration,
    parse_iso_time,
    parse_log_time,
)
from pixel_tui.core.jobs.plain_lines import PlainLines, hint_starts

# Fed bytes are read together at the latest every _QUEUE bytes, in pieces of that size (a reader of
# the state reads sooner). Larger pieces read slower (out of the CPU's cache); and at most _MAX_LINE,
# only a piece's first line (the carry's) can be longer than _MAX_LINE, which _read checks.
_QUEUE = 64 * 1024
# A stretch of plain lines shorter than this goes line by line: in a -v log with frequent stats the
# stretches between blocks are a line or two, and the bulk reader's checks cost more than they save
# there (a stats-only log read 16% slower than line by line); -vv stretches run to kilobytes.
_BULK_MIN = 512

class LogParser(PlainLines, LogEvents):
    """Feed it bytes as they arrive (any cut, any mix of formats); `snapshot` is the state so far.

    The state lives in a plain dict while lines stream in; the frozen Snapshot is built only when
    asked for, so a line costs a regex or two, not a dataclass copy.
    """

    def __init__(self, state: Snapshot | None = None, utc: bool = False) -> None:
        self._fast = True  # take plain lines in bulk (tests turn it off to compare with _line alone)
        self._f: dict = {}
        self._snap: Snapshot | None = None
        self.state = state if state is not None else Snapshot(lines=0, rclone_lines=0)
        self._utc = utc or self._f["utc"]
        self._queue = bytearray()  # fed bytes not read yet (feed coalesces; every reader drains)
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
        self._debug_stamp = b""  # the stamp of the last plain DEBUG line, and its time (_take_plain)
        self._debug_when: datetime | None = None
        self._debug_text: str | None = None
        self._last_stamp: str | None = None  # the newest text stamp as written (for the UTC check in tail)
        self._copied_event: tuple = ("copied", None, None)  # one tuple per stamp for the plain Copied lines
        self._tags = (b"", b"")  # the stamp followed by " DEBUG : " and by " INFO  : " (_take_plain)
        self._headers = (b"", b"")  # the same, each an empty message on its own line: a stats block's header
        self._condition_bytes = 0
        self._blank_memo: tuple = (None, 0, 0, -1)  # the last blank-line search (_blank_line)

    def _padded_attempts(self) -> list:
        a = list(self._f["error_attempts"])
        return a + [None] * (len(self._f["last_errors"]) - len(a))

    @property
    def state(self) -> Snapshot:
        """The state so far as a Snapshot (built on demand)."""
        self._drain()
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
        """Take ``data`` (any cut: a line, a chunk, a partial line); it is read when the state is asked for.

        Bytes are queued and read together (at the latest every _QUEUE bytes), so a tail that feeds a
        live log line by line pays the chunk reader's per-line cost, not a pass of checks per call.
        """
        queue = self._queue
        if len(data) >= _QUEUE:  # a chunk (a tail's read): no need to queue it
            self._drain()
            self._pieces(data)
            return
        queue += data
        if len(queue) >= _QUEUE:
            self._drain()

    def _drain(self) -> None:
        """Read what feed queued (every reader of the state calls this first)."""
        if self._queue:
            data = bytes(self._queue)
            self._queue.clear()
            self._pieces(data)

    def _pieces(self, data: bytes) -> None:
        """Read ``data`` in pieces of at most _QUEUE bytes (see _QUEUE for why)."""
        for at in range(0, len(data), _QUEUE):
            self._read(data[at:at + _QUEUE] if len(data) > _QUEUE else data)

    @property
    def utc(self) -> bool:
        """Are the stamps read as UTC (`--log-format UTC`, given or seen in the start line)?"""
        self._drain()
        return self._utc

    @property
    def last_stamp(self) -> str | None:
        """The text stamp of the last line read, as written (tail's UTC check compares it with mtime)."""
        self._drain()
        return self._last_stamp

    def _read(self, data: bytes) -> None:
        """Parse whole lines of ``data`` (keeping a partial last line for the next call)."""
        cut = data.rfind(b"\n")
        if cut < 0:
            self._carry = (self._carry + data)[-_MAX_LINE:] if self._carry else data[-_MAX_LINE:]
            return
        head = self._carry + data[:cut + 1] if self._carry else data[:cut + 1]
        self._carry = data[cut + 1:][-_MAX_LINE:]
        self._snap = None
        line = self._line
        head = normalise(head)  # ends with a newline: every line below is whole
        n = len(head)
        fast = self._fast and self._f["format"] != "json"  # JSON lines have no plain stretches to take
        hints = hint_starts(head) if fast else [n + 1]
        if hints[0] and head.find(b"\n") > _MAX_LINE:
            hints.insert(0, 0)  # the carry made a long first line: _line cuts it (the only one; see _QUEUE)
        h = 0
        p = 0
        while p < n:
            if fast and self._block is None and hints[h] - p >= _BULK_MIN:
                p = self._take_plain(head, p, hints[h])
                if p >= n:
                    break
            while hints[h] <= p:
                h += 1
            e = head.find(b"\n", p)
            raw = head[p:min(e, p + _MAX_LINE)]
            p = e + 1
            line(raw.decode("utf-8", errors="replace"))
            block = self._block
            if block is not None and len(block) == 1 and p < n:
                p = self._take_block(head, p, n, block)

    def finish(self) -> None:
        """End of input: close an open block (the -P file's last block has no terminator)."""
        self._drain()
        self._snap = None
        if self._carry:
            carry, self._carry = self._carry, b""
            for raw in normalise(carry).split(b"\n"):
                self._line(raw.decode("utf-8", errors="replace"), last=True)
        if self._block is not None:
            self._end_block()

    def snapshot(self) -> Snapshot:
        """The current state, counting an unterminated -P block that already has its elapsed line."""
        self._drain()
        if self._block is None or self._f["format"] != "progress":
            return self.state
        lines = list(self._block)
        tail = normalise(self._carry).decode("utf-8", errors="replace").split("\n")[-1]
        if _ELAPSED.match(tail) and parse_duration(tail.partition(":")[2]) is not None:
            lines.append(tail)  # -P writes the block's last line without a newline
        if not any(ln.startswith("Elapsed time:") for ln in lines):
            return self.state
        probe = LogParser(self.state, self._utc)
        probe._block, probe._block_time, probe._condition_bytes = lines, self._block_time, self._condition_bytes
        probe._block_head = self._block_head
        probe._end_block()
        return probe.state

    def set_utc(self) -> None:
        """Read text stamps as UTC from now on, and those already read again (`--log-format UTC`)."""
        self._drain()
        if self._utc:
            return
        self._utc = True
        f = self._f
        if f["format"] != "json":
            for key in ("updated_at", "progress_at", "last_line_at"):
                f[key] = _as_utc(f[key])
            self._block_time = _as_utc(self._block_time)
            self._header_time = _as_utc(self._header_time)
        f["utc"] = True
        self._stamp_cache = ("", None)
        self._debug_stamp = b""
        self._snap = None

    # --- internals ---------------------------------------------------------------------------

    def _when(self, date: str | None, time_: str | None) -> datetime | None:
        if not date or not time_:
            return None  # a date alone or a time alone is not a moment we can compare with the clock
        stamp = f"{date} {time_}"
        self._last_stamp = stamp
        if self._stamp_cache[0] == stamp:
            return self._stamp_cache[1]
        when = parse_log_time(stamp, utc=self._utc)
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



def parse_bytes(data: bytes) -> Snapshot:
    """Parse a whole buffer (e.g. the tail of a log) and return its final snapshot."""
    parser = LogParser()
    parser.feed(data)
    parser.finish()
    return parser.state

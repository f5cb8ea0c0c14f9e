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
    _BLOCK_LINES,
    _ELAPSED,
    _ERRORISH,
    _FATAL_BLOCK,
    _FATAL_MSG,
    _FIELDS,
    _FINAL_FAILURE,
    _GLUED_LOG,
    _LEVEL_START,
    _MAX_LINE,
    _MAX_SINCE,
    _NOT_PLAIN_BODY,
    _PLAIN_DEBUG_NOT,
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


class LogParser(LogEvents):
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
        self._debug_stamp = b""  # the stamp of the last plain DEBUG line, and its time (_plain_debug)
        self._debug_when: datetime | None = None
        self._debug_text: str | None = None
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
        if not self._carry and data.find(b"\n") == len(data) - 1 >= 0 and b"\r" not in data \
                and b"\x1b" not in data and _T not in data:
            # One whole plain line (a tail follows a live log line by line): nothing to split, normalise
            # or take as a block body; the same as below, minus the splitting.
            self._snap = None
            raw = data[:min(len(data) - 1, _MAX_LINE)]
            if self._block is not None or not self._plain_debug(raw):
                self._line(raw.decode("utf-8", errors="replace"))
            return
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
            if self._block is None and raw[:1].isdigit() and self._plain_debug(raw):
                continue
            line(raw.decode("utf-8", errors="replace"))
            block = self._block
            if block is not None and len(block) == 1 and i < n:
                i = self._take_block(lines, i, n, block)

    def _plain_debug(self, raw: bytes) -> bool:
        """Take a plain DEBUG line (outside a block) at C speed: what _line would do with it, which is to
        count it and move the clock. False: not one, _line must read it."""
        cut = raw.find(b" DEBUG : ", 19, 40)
        if cut < 0:
            return False
        end = cut + 9
        if end == len(raw) or _PLAIN_DEBUG_NOT.search(raw, end) is not None or raw[end:].isspace():
            return False
        stamp = raw[:cut]
        if stamp != self._debug_stamp:  # lines of one second share theirs: read it once
            m = _PLAIN_DEBUG_STAMP.fullmatch(stamp)
            if m is None:
                return False
            self._debug_stamp = stamp
            self._debug_when = self._when(m[1].decode(), m[2].decode())
            self._debug_text = self.last_stamp
        else:
            self.last_stamp = self._debug_text
        f = self._f
        f["lines"] += 1
        f["rclone_lines"] += 1
        if self._debug_when is not None:
            f["last_line_at"] = self._debug_when
        return True

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
        self._debug_stamp = b""
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

"""What the events of an rclone log mean for the snapshot: errors (and the attempts rclone retried),
fatal stops, Drive conditions, start lines. A mixin of LogParser (parse.py), kept apart so the
parser's reading loop and its judgement of messages are each one room."""

from __future__ import annotations

from datetime import datetime

from pixel_tui.core.jobs.log_records import (
    _ATTEMPT,
    _ERRORISH,
    _FATAL_MSG,
    _FINAL_FAILURE,
    _MAX_SINCE,
    _RANK,
    _START_LINE,
    MAX_ERRORS,
    condition_of,
    parse_stats_line,
)
from pixel_tui.core.jobs.log_units import (
    LOG_TIME,
    parse_log_time,
)


class LogEvents:
    """The event handlers of LogParser; they use its ``_f`` (facts), ``_since`` list and ``set_utc``."""

    def _event(self, level: str | None, msg: str, when: datetime | None, line: str) -> None:
        if not msg or msg.isspace():
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
                at = (parse_log_time(date, utc=self._utc) if date and LOG_TIME.match(date) else None) or when
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


def _infer_level(msg: str) -> str:
    """The level of a line logged without one (`--log-format nolevel`), from rclone's own words."""
    if _FINAL_FAILURE.match(msg):
        return "notice"  # the run's own last line; _message promotes it
    if msg.startswith("Failed to "):
        return "critical"  # no object before it: rclone itself gave up (`Failed to create file system for`)
    if _ERRORISH.search(msg):
        return "error"
    return "info"

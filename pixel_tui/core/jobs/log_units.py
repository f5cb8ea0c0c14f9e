"""Sizes, rates, durations and timestamps as rclone prints them, old versions and new, to numbers."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache

# rclone has always meant binary multiples, whatever the spelling: `M` and `MBytes` (before 1.54)
# are MiB just like `MiB` and `Mi` are now.
_PREFIX = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50, "e": 1 << 60}
_NUMBER_UNIT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|y|w|d|h|m|s)")
_DURATION_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600,
                     "d": 86400, "w": 7 * 86400, "y": 365 * 86400}
LOG_TIME = re.compile(r"(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?")


def _scaled(value: str, unit: str) -> float | None:
    low = unit.lower()
    bits = "bit" in low
    prefix = low[:1] if low[:1] in _PREFIX and not low.startswith("b") else ""
    rest = low[len(prefix):]
    # Anything after the prefix must be a byte or bit word: `i`, `b`, `bytes`, `ibit`, ...
    if rest not in ("", "i", "b", "ib", "byte", "bytes", "bit", "bits", "ibit", "ibits"):
        return None
    number = float(value) * _PREFIX[prefix]
    return number / 8 if bits else number


@lru_cache(maxsize=4096)  # the same few strings come back block after block
def parse_size(text: str) -> int | None:
    """`3.055 MiB`, `120.188M`, `1.234 GBytes`, `2.861Mi`, `0 B` -> bytes; `-` or garbage -> None."""
    m = _NUMBER_UNIT.match(text)
    if not m:
        return None
    value = _scaled(m[1], m[2])
    return None if value is None else int(round(value))


@lru_cache(maxsize=4096)  # the same few strings come back block after block
def parse_rate(text: str) -> float | None:
    """`3.054 MiB/s`, `12.000 MBytes/s`, `24.4 Mibit/s`, `0/s` -> bytes per second; `-` -> None."""
    text = text.strip()
    if not text.endswith("/s"):
        return None
    m = _NUMBER_UNIT.match(text[:-2])
    return None if not m else _scaled(m[1], m[2])


@lru_cache(maxsize=4096)  # the same few strings come back block after block
def parse_duration(text: str) -> float | None:
    """`1.0s`, `1m30s`, `2h3m4s`, `1d2h`, `1w2d`, `500ms` -> seconds; `-` or garbage -> None."""
    text = text.strip()
    if not text or text == "-":
        return None
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(a + b for a, b in parts) != text:
        return None
    return sum(float(n) * _DURATION_SECONDS[u] for n, u in parts)


def parse_log_time(text: str, utc: bool = False) -> datetime | None:
    """`2026/11/25 19:32:55[.123456]` -> an aware datetime: the host's local time, or UTC with ``utc``.

    rclone stamps its lines in the local time of the host that wrote them unless `--log-format UTC`.
    """
    m = LOG_TIME.match(text)
    if not m:
        return None
    frac = (m[7] or "0")[:6].ljust(6, "0")
    try:
        naive = datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]), int(frac))
    except ValueError:
        return None
    if utc:
        return naive.replace(tzinfo=timezone.utc).astimezone()
    return naive.astimezone()


def parse_iso_time(text: str) -> datetime | None:
    """rclone's JSON `time` (RFC 3339 with nanoseconds) -> an aware datetime."""
    if not isinstance(text, str):
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", text.strip()).replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def stamp_is_utc(stamp: str, written_at: float, tolerance: float = 120.0) -> bool | None:
    """Was ``stamp`` (a log line's `date time`) written in UTC? Judged against when the file was written.

    A log line's stamp is within moments of the file's mtime when that line was the last written.
    Read as local time it then matches mtime, read as UTC it is off by the host's UTC offset (or the
    other way round with `--log-format UTC`). None when it cannot tell: a host on UTC, or a file
    touched or copied since.
    """
    m = LOG_TIME.match(stamp)
    if not m:
        return None
    try:
        naive = datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]))
    except ValueError:
        return None
    local = naive.astimezone().timestamp()
    utc = naive.replace(tzinfo=timezone.utc).timestamp()
    if abs(local - utc) <= 2 * tolerance:
        return None
    if abs(written_at - local) <= tolerance:
        return False
    if abs(written_at - utc) <= tolerance:
        return True
    return None

"""How pixel_tui writes sizes, rates and durations for people: one policy, used by the CLI and the TUI.

Sizes (``human_bytes``) are binary IEC units, as rclone prints them, so a file reads the same in an
rclone log, the browser, a promotion plan and ``pixel-tui check``:

* below 1 KiB, whole bytes: ``0 B``, ``512 B``, ``1023 B``;
* from 1 KiB on, one decimal and the IEC unit (humanize's ``naturalsize(binary=True)``):
  ``1.0 KiB``, ``37.0 MiB``, ``1.4 GiB``, ... up to ``YiB``; a value that rounds up to the next
  unit takes it (1023.96 KiB is ``1.0 MiB``, never ``1024.0 KiB``);
* negative sizes (a difference) keep their sign: ``-1.5 KiB``;
* unknown (None, NaN, infinite): ``?``.

Byte-exact figures (``exact_bytes``: ``1,000 B``, ``38,797,312 B``) are for the few places where a
rounded size could hide the point: two sizes that differ (``pixel-tui diff`` rows of files that
differ, a registry ``size_mb`` that disagrees with S3). JSON output never goes through here: it
carries plain integers of bytes.

Rates (``human_rate``) are a size per second: ``299.3 KiB/s``, ``0 B/s``; unknown is ``-``, as in
rclone's own stats.

Durations and ETAs (``human_duration``) are one compact, rclone-like form, narrow enough for a job
strip: ``42s``, ``1m05s``, ``1h02m``, ``2d03h`` (rounded to whole seconds; hours up to 47, then
days). Unknown (None, NaN, infinite) is ``-``; a negative value (clock skew, an ETA already
passed) is ``0s``. humanize's phrases ("an hour") are too wide and too vague for this, so
durations do not use it.

The registry's ``size_mb`` field is data, not display, shown as written wherever the field itself
is shown (``12.5 MB`` in the registry table, the form's ``size (MB)`` label). Teams write it in
decimal megabytes or in MiB-based values (37 for 37 MiB): ``size_mb_unit`` tells which one a value
agrees with, ``size_convention`` infers a file's from its entries, and ``size_mb`` writes in either
(decimal MB when the file does not say).
"""

from __future__ import annotations

import math

import humanize

KIB = 1024


def _known(n: float | None) -> bool:
    return n is not None and math.isfinite(n)


def human_bytes(n: float | None) -> str:
    """``512`` -> ``512 B``, ``1536`` -> ``1.5 KiB``, ``38797312`` -> ``37.0 MiB``; None -> ``?``."""
    if not _known(n):
        return "?"
    whole = round(n)
    if abs(whole) < KIB:
        return f"{whole} B"
    return humanize.naturalsize(max(abs(n), KIB) * (1 if n > 0 else -1), binary=True, format="%.1f")


def exact_bytes(n: float | None) -> str:
    """Every byte, grouped in thousands: ``1000`` -> ``1,000 B``; None -> ``?``."""
    return f"{round(n):,} B" if _known(n) else "?"


def human_rate(bytes_per_second: float | None) -> str:
    """Bytes per second -> ``299.3 KiB/s``; unknown -> ``-``."""
    return human_bytes(bytes_per_second) + "/s" if _known(bytes_per_second) else "-"


def human_duration(seconds: float | None) -> str:
    """``42`` -> ``42s``, ``65`` -> ``1m05s``, ``3725`` -> ``1h02m``, ``180000`` -> ``2d02h``; unknown -> ``-``."""
    if not _known(seconds):
        return "-"
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m{s:02d}s"
    h, m = divmod(m, 60)
    if h < 48:
        return f"{h}h{m:02d}m"
    d, h = divmod(h, 24)
    return f"{d}d{h:02d}h"


MB, MIB = 1_000_000, 1024 * 1024


def size_mb(n_bytes: int, unit: int = MB) -> float:
    """Bytes as the registry's ``size_mb`` field in ``unit`` (decimal MB unless the file uses MiB), two decimals."""
    return round(n_bytes / unit, 2)


def _decimals(value: float) -> int:
    """Decimal places a written number states: 37 none, 3.0 and 38.8 one, 0.25 two."""
    if isinstance(value, int):
        return 0
    text = repr(float(value))
    return max(1, len(text.split(".")[1].rstrip("0"))) if "." in text and "e" not in text else 0


def size_mb_units(value: float, n_bytes: int) -> set[int]:
    """The units (MB, MIB) in which a written ``size_mb`` equals ``n_bytes`` within the value's own rounding
    (37 agrees with 38,797,312 B in MiB; 38.8 agrees with it in MB); empty when neither."""
    places = min(_decimals(value), 6)
    slack = 0.5 * 10 ** -places + 1e-9
    return {unit for unit in (MB, MIB) if abs(n_bytes / unit - value) <= slack}


def size_convention(pairs) -> int | None:
    """The unit a registry writes ``size_mb`` in, from (size_mb, bytes) pairs of its entries: the one more
    entries agree with only in that unit (None when the pairs do not tell)."""
    votes = {MB: 0, MIB: 0}
    for value, n_bytes in pairs:
        agree = size_mb_units(value, n_bytes)
        if len(agree) == 1:
            votes[agree.pop()] += 1
    if votes[MB] == votes[MIB]:
        return None
    return MB if votes[MB] > votes[MIB] else MIB

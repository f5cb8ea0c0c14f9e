"""A job's speed sampled on a clock (bytes/s against wall-clock time), so a stall draws as zero.

rclone reports in blocks (every `--stats` interval, 1 min by default); sampled only then, a chart
has no trace of a stall. Here the caller ticks once a second: between two byte counts the rate is
their difference over the time between them; with no new bytes for ``hold`` seconds (a few stats
intervals) the rate is zero, and the moments it stopped and resumed are kept for the chart.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

MAX_POINTS = 3600  # an hour at one sample a second
MIN_HOLD = 15.0


@dataclass
class RateClock:
    """Samples (time, bytes/s) of one job; `tick(now, bytes)` once a second."""

    samples: deque = field(default_factory=lambda: deque(maxlen=MAX_POINTS))
    stops: list = field(default_factory=list)  # times the rate fell to zero
    resumes: list = field(default_factory=list)  # times bytes moved again after a stop
    _bytes: int | None = None
    _changed_at: float | None = None
    _rate: float = 0.0
    _gaps: deque = field(default_factory=lambda: deque(maxlen=8))

    @property
    def hold(self) -> float:
        """How long a rate is held without new bytes: three report intervals, at least MIN_HOLD s."""
        return max(MIN_HOLD, 3 * max(self._gaps)) if self._gaps else MIN_HOLD

    def tick(self, now: float, total_bytes: int | None, running: bool = True) -> float:
        """One sample at ``now`` of a job whose byte count is ``total_bytes``; returns the rate drawn."""
        if total_bytes is None:
            rate = 0.0
        elif self._bytes is None or total_bytes < self._bytes:  # first look, or a new run in the same log
            self._bytes, self._changed_at, self._rate, rate = total_bytes, now, 0.0, 0.0
        elif total_bytes > self._bytes:
            gap = max(1e-3, now - (self._changed_at or now))
            self._gaps.append(gap)
            self._rate = (total_bytes - self._bytes) / gap
            if self.samples and self.samples[-1][1] == 0 and self.stops:
                self.resumes.append(now)
            self._bytes, self._changed_at, rate = total_bytes, now, self._rate
        elif running and self._changed_at is not None and now - self._changed_at < self.hold:
            rate = self._rate
        else:
            rate = 0.0
        if rate == 0 and self.samples and self.samples[-1][1] > 0:
            self.stops.append(now)
        self.samples.append((now, rate))
        return rate

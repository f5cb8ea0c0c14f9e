"""A job's speed against wall-clock time (textual-plotext): bytes/s on a labelled axis, sampled on a
clock (core/jobs/rate_clock.py), so a stall is a line at zero and its stop/resume are marked."""

from __future__ import annotations

import time

from textual_plotext import PlotextPlot

from pixel_tui.core.jobs.rate_clock import RateClock
from pixel_tui.core.units import rate_scale

WINDOW = 600.0  # the last ten minutes: readable at 80 columns


class SpeedChart(PlotextPlot):
    """`show_rates(clock, now)` redraws it (UI thread)."""

    def show_rates(self, clock: RateClock | None, now: float) -> None:
        """Plot the samples of the last WINDOW seconds; x labels are local clock times."""
        plt = self.plt
        plt.clear_figure()
        samples = [(t, r) for t, r in (clock.samples if clock else ()) if t >= now - WINDOW]
        top = max((r for _, r in samples), default=0.0)
        divisor, unit = rate_scale(top)
        start = samples[0][0] if samples else now - 60
        xs = [t - now for t, _ in samples]
        plt.plot(xs or [start - now, 0], [r / divisor for _, r in samples] or [0, 0], marker="braille")
        plt.ylim(0, max(1.0, top / divisor * 1.15))
        ticks = _ticks(start - now)
        plt.xticks(ticks, [time.strftime("%H:%M:%S" if -ticks[0] < 180 else "%H:%M", time.localtime(now + t))
                           for t in ticks])
        plt.xlim(min(start - now, -10), 0)
        plt.ylabel(unit)
        for t in (clock.stops if clock else ()):
            if t >= now - WINDOW:
                plt.vline(t - now, "red")
        for t in (clock.resumes if clock else ()):
            if t >= now - WINDOW:
                plt.vline(t - now, "green")
        self.refresh()


def _ticks(span_start: float) -> list[float]:
    """Three or four x positions (seconds before now, 0 last)."""
    span = max(10.0, -span_start)
    return [-span, -span * 2 / 3, -span / 3, 0.0]

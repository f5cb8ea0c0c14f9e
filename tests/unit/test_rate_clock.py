"""The clock-sampled speed: steady uploads stay level between reports, a stall falls to zero."""

from pixel_tui.core.jobs.rate_clock import RateClock


def test_steady_between_reports_then_a_stall_draws_zero_and_resume_is_marked():
    clock = RateClock()
    t, done = 1000.0, 0
    clock.tick(t, done)
    for _ in range(60):  # 300 KiB/s, reported every 5 s, sampled every second
        t += 1
        if int(t) % 5 == 0:
            done += 5 * 300 * 1024
        clock.tick(t, done)
    steady = [r for _, r in list(clock.samples)[10:]]
    assert min(steady) > 250 * 1024 and max(steady) < 350 * 1024  # no collapse to zero between blocks
    for _ in range(40):  # stuck: the same byte count for 40 s
        t += 1
        clock.tick(t, done)
    assert clock.samples[-1][1] == 0 and clock.stops and clock.stops[-1] <= t - 20
    t += 1
    clock.tick(t, done + 1024 * 1024)
    assert clock.samples[-1][1] > 0 and clock.resumes == [t]


def test_unknown_bytes_and_a_restarted_log_read_zero():
    clock = RateClock()
    assert clock.tick(1.0, None) == 0
    clock.tick(2.0, 10_000)
    assert clock.tick(3.0, 20_000) == 10_000
    assert clock.tick(4.0, 500) == 0  # a new run in the same log starts over...
    assert clock.tick(5.0, 500) == 0  # ...without the old run's speed

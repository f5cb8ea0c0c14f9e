"""The one unit policy: binary IEC sizes as rclone prints them, exact bytes, rates, compact durations."""

from __future__ import annotations

import math

import pytest

from pixel_tui.core.units import exact_bytes, human_bytes, human_duration, human_rate, size_mb


@pytest.mark.parametrize("n, text", [
    (None, "?"), (math.nan, "?"), (math.inf, "?"),
    (0, "0 B"), (1, "1 B"), (512, "512 B"), (1023, "1023 B"), (1023.4, "1023 B"),
    (1023.6, "1.0 KiB"),  # rounds up into the next unit, never "1024 B"
    (1024, "1.0 KiB"), (1536, "1.5 KiB"), (1024 * 1024 - 1, "1.0 MiB"),  # never "1024.0 KiB"
    (38_797_312, "37.0 MiB"), (40_685_260, "38.8 MiB"), (1.4 * 2**30, "1.4 GiB"), (5 * 2**40, "5.0 TiB"),
    (2**60, "1.0 EiB"), (2**80, "1.0 YiB"), (2**90, "1.0 RiB"),  # huge: humanize's units on
    (-1536, "-1.5 KiB"), (-5, "-5 B"),
])
def test_human_bytes(n, text):
    assert human_bytes(n) == text


def test_the_tree_and_the_plan_agree_on_one_file():
    # The browser once said "38.8 MB" (decimal) where the plan said "37.0 MiB" for this file.
    assert human_bytes(38_800_000) == "37.0 MiB"


@pytest.mark.parametrize("n, text", [(None, "?"), (math.nan, "?"), (0, "0 B"), (1000, "1,000 B"),
                                     (38_797_312, "38,797,312 B"), (-1000, "-1,000 B"), (2.6, "3 B")])
def test_exact_bytes(n, text):
    assert exact_bytes(n) == text


@pytest.mark.parametrize("n, text", [(None, "-"), (math.nan, "-"), (0, "0 B/s"), (1000, "1000 B/s"),
                                     (1536, "1.5 KiB/s"), (306_483, "299.3 KiB/s"), (3.25 * 2**20, "3.2 MiB/s")])
def test_human_rate(n, text):
    assert human_rate(n) == text


@pytest.mark.parametrize("s, text", [
    (None, "-"), (math.nan, "-"), (math.inf, "-"), (-math.inf, "-"),
    (-5, "0s"), (-0.4, "0s"), (0, "0s"), (0.4, "0s"), (0.6, "1s"), (42, "42s"), (59.6, "1m00s"),
    (65, "1m05s"), (3599, "59m59s"), (3600, "1h00m"), (3725, "1h02m"), (47 * 3600 + 59 * 60, "47h59m"),
    (48 * 3600, "2d00h"), (180_000, "2d02h"), (10**9, "11574d01h"),
])
def test_human_duration(s, text):
    assert human_duration(s) == text


def test_size_mb_is_the_registry_field_in_decimal_megabytes():
    assert size_mb(0) == 0 and size_mb(1_000_000) == 1.0 and size_mb(38_797_312) == 38.8

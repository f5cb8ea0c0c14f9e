"""Sorting a browser level while it streams in (core/browse/order.py): RowOrder.merge per page against a full
re-sort per page, and one full sort of the finished level, for each order. Pure CPU, no server.

    PYTHONPATH=. .venv/bin/python bench/bench_sort.py [--rows 100000] [--page 1000]
"""

from __future__ import annotations

import argparse
import math
import random
import time

from pixel_tui.core.browse.order import RowOrder, sort_key, sorted_rows
from pixel_tui.core.storage.listing import Level


def pages(rows: int, page: int, seed: int = 1) -> list[list[tuple]]:
    """``rows`` random rows (10% folders, 5% unknown times, some unknown sizes) in pages of ``page``."""
    rnd = random.Random(seed)
    out = []
    for start in range(0, rows, page):
        out.append([(f"dataset {rnd.random():.9f}" + ("/" if rnd.random() < 0.1 else ""),
                     rnd.choice([-1, rnd.randrange(10**10)]), math.nan if rnd.random() < 0.05 else rnd.uniform(0, 2e9), "")
                    for _ in range(min(page, rows - start))])
    return out


def stream(batches, sort: str, merge: bool) -> tuple[float, float]:
    """(total seconds spent ordering, worst single page) over the stream."""
    level, total, worst = Level(""), 0.0, 0.0
    order = RowOrder(level, sort)
    for rows in batches:
        start = len(level)
        level.add(rows)
        t0 = time.perf_counter()
        if merge:
            order.merge(level, start)
        else:
            order.rows = sorted(range(len(level)), key=sort_key(level, sort))
        spent = time.perf_counter() - t0
        total, worst = total + spent, max(worst, spent)
    return total, worst


def main() -> None:
    """Print one line per order."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--page", type=int, default=1000)
    args = ap.parse_args()
    batches = pages(args.rows, args.page)
    level = Level("")
    for rows in batches:
        level.add(rows)
    print(f"{args.rows:,} rows in pages of {args.page:,}: total / worst page (ms)")
    for sort in ("name", "size", "time"):
        merged = stream(batches, sort, True)
        resorted = stream(batches, sort, False)
        t0 = time.perf_counter()
        sorted_rows(level, sort)
        once = time.perf_counter() - t0
        print(f"{sort:>5}: merge {merged[0] * 1e3:7.0f} / {merged[1] * 1e3:5.1f}   "
              f"re-sort {resorted[0] * 1e3:7.0f} / {resorted[1] * 1e3:5.1f}   one sort {once * 1e3:5.0f}")


if __name__ == "__main__":
    main()

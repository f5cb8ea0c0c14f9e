"""Listing one S3 level: `pixel-tui ls --json` against `rclone lsf`/`lsjson`, and the dashboard opening it.

Every row times whole processes as an operator runs them, alternated with the reference, median
(min-max) over --rounds. Starts its own `weed mini` and seeds one level of N keys once (``--keep DIR``
reuses the server data on the next run).

Rows:
- `pixel-tui ls s3://bench/level/ --json` vs `rclone lsf` and `rclone lsjson --no-mimetype --use-server-modtime`
  (wall, CPU of that process, peak RSS);
- the dashboard (a fresh process running the app headless at 120x40 on that level, Drive pane on an
  empty folder): first S3 rows, last row, event-loop lag p95 from the first rows to the last, first
  rows again after `r` in the running app; its reference is a
  fresh process that lists the same level bare with S3Store.iter_level (same imports of boto3).

    PYTHONPATH=. .venv/bin/python bench/bench_listing.py [--keys 100000] [--rounds 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PIXEL, Series, alternate, header, measure, ratio_line, rclone_seed, server_env, work_dir  # noqa: E402

from pixel_tui.core.binaries import find_binary  # noqa: E402
from pixel_tui.demo.seaweedfs import WeedServer  # noqa: E402

BUCKET = "bench"
PREFIX = "level/"


def seed(server: WeedServer, n: int, work: Path) -> None:
    """n small files under PREFIX, uploaded with rclone."""
    src = work / f"seed-{n}"
    src.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (src / f"dataset file {i:06d}{'_downloaded' if i % 7 == 0 else ''}.jsonl").write_bytes(b"x" * (i % 97))
    rclone_seed(server, src, f"{BUCKET}/{PREFIX}")


# -- the child processes (the same script, run with --child) --------------------------------------------
def child_bare() -> dict:
    """A fresh process listing the level with S3Store.iter_level: what the dashboard cannot beat."""
    t0 = time.perf_counter()
    from pixel_tui.core.config import load_settings
    from pixel_tui.core.storage.s3 import S3Store

    store = S3Store.from_settings(load_settings())
    first, count = None, 0
    for page in store.iter_level(PREFIX):
        count += len(page.objects) + len(page.prefixes)
        if first is None and count:
            first = time.perf_counter() - t0
    return {"first": first, "full": time.perf_counter() - t0, "rows": count}


def child_app() -> dict:
    """A fresh process running the dashboard headless on the level: first rows, last row, loop lag."""
    t0 = time.perf_counter()
    import asyncio

    from pixel_tui.core.config import load_settings
    from pixel_tui.tui.app import make_app

    app = make_app(load_settings(), rclone_env={"RCLONE_CONFIG_DRIVE_TYPE": "alias",
                                                "RCLONE_CONFIG_DRIVE_REMOTE": os.environ["BENCH_EMPTY_DRIVE"]})

    async def run() -> dict:
        gaps: list[float] = []
        last = [0.0]

        streaming = [False]  # lag counts from the first rows to the last: start-up is its own row

        def tick() -> None:
            now = time.perf_counter()
            if last[0] and streaming[0]:
                gaps.append(now - last[0] - 0.02)
            last[0] = now

        first = None
        async with app.run_test(size=(120, 40)):
            app.set_interval(0.02, tick)
            while True:
                await asyncio.sleep(0.01)
                pane = app.screen.query_one("S3Pane")
                if pane.error:
                    raise SystemExit(f"S3 pane failed: {pane.error}")
                if first is None and len(pane.entries.level):
                    first = time.perf_counter() - t0
                    streaming[0] = True
                if not pane.loading and len(pane.entries.level):
                    break
            full = time.perf_counter() - t0
            rows = len(pane.entries.level)
            streaming[0] = False
            # `r` in the running app (client warm, a fresh listing): what an operator waits for.
            pane.action_refresh()
            t1 = time.perf_counter()
            while not len(pane.entries.level):
                await asyncio.sleep(0.002)
            reopen = time.perf_counter() - t1
            while pane.loading:
                await asyncio.sleep(0.01)
        gaps.sort()
        return {"first": first, "full": full, "rows": rows, "reopen_first": reopen, "lag_p95": gaps[int(len(gaps) * 0.95)] if gaps else 0.0,
                "lag_max": gaps[-1] if gaps else 0.0}

    return asyncio.run(run())


def child_main(which: str) -> int:
    """Run one child and print its figures as JSON on stdout."""
    print(json.dumps(child_bare() if which == "bare" else child_app()))
    return 0


# -- the bench ------------------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", metavar="DIR", help="keep server data here; reuse it when already seeded")
    ap.add_argument("--child", choices=("bare", "app"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child_main(args.child)
    work = work_dir(args.keep, "bench-listing-")
    server = WeedServer(work / "weed").start()
    try:
        from pixel_tui.core.storage.s3 import Credentials, S3Store

        store = S3Store(BUCKET, endpoint_url=server.endpoint_url,
                        credentials=Credentials(server.access_key, server.secret_key))
        store.ensure_bucket()
        marker = work / f"seeded-{args.keys}"
        if not marker.exists():
            t = time.perf_counter()
            seed(server, args.keys, work)
            marker.write_text("ok")
            print(f"seeded {args.keys} keys in {time.perf_counter() - t:.1f} s")
        drive = work / "empty-drive"
        drive.mkdir(exist_ok=True)
        env = {**server_env(server), "PIXEL_TUI_BUCKET": BUCKET, "PIXEL_TUI_RAW_PREFIX": PREFIX,
               "PIXEL_TUI_DRIVE": "drive:", "PIXEL_TUI_STATE_DIR": str(work / "state"),
               "BENCH_EMPTY_DRIVE": str(drive)}
        renv = {**os.environ, **server.rclone_env("bench")}
        rclone = find_binary("rclone")
        url = f"bench:{BUCKET}/{PREFIX}"
        contenders = {
            "ours": lambda: measure([*PIXEL, "ls", f"s3://{BUCKET}/{PREFIX}", "--json"], env),
            "lsf": lambda: measure([rclone, "lsf", url], renv),
            "lsjson": lambda: measure([rclone, "lsjson", "--no-mimetype", "--use-server-modtime", url], renv),
        }
        counts = {name: _count(name, fn()) for name, fn in contenders.items()}  # warm-up, same cache for all
        if len(set(counts.values())) != 1:
            print(f"WARNING: entry counts differ: {counts}", file=sys.stderr)
            return 1
        s = alternate(contenders, args.rounds)
        me = [sys.executable, str(Path(__file__).resolve())]
        apps = alternate({"app": lambda: measure([*me, "--child", "app"], env),
                          "bare": lambda: measure([*me, "--child", "bare"], env)}, args.rounds)
    finally:
        server.stop()
    n = counts["ours"]
    print(f"\none level of {n:,} keys on weed mini (127.0.0.1); median (min-max) over {args.rounds} alternated rounds")
    print(header("pixel-tui ls --json vs rclone (whole processes)", "pixel-tui ls", "rclone"))
    print(ratio_line("wall, vs rclone lsf", s["ours"], s["lsf"], "<= 0.7x"))
    print(ratio_line("CPU of the process, vs rclone lsf", s["ours"], s["lsf"], "", "cpu"))
    print(ratio_line("wall, vs rclone lsjson (fast flags)", s["ours"], s["lsjson"], ""))
    print(f"{'peak RSS':<44} {s['ours'].spread('own_mib', 'MiB', digits=0):>22} "
          f"{s['lsf'].spread('own_mib', 'MiB', digits=0):>22}")
    app, bare = _figures(apps["app"]), _figures(apps["bare"])
    print(header("dashboard opening the level vs the bare listing (fresh processes, times from process start)",
                 "dashboard", "bare iter_level"))
    print(ratio_line("last row", app["full"], bare["full"], "<= 1.2x"))
    print(ratio_line("first rows", app["first"], bare["first"], "<= 0.5 s after opening"))
    print(ratio_line("first rows after `r` in the running app", app["reopen_first"], bare["first"],
                     "<= 0.5 s"))
    print(f"{'event-loop lag p95 while rows stream':<44} {app['lag_p95'].spread(unit='ms', scale=1000, digits=0):>22}"
          f"{'':>23}          goal < 50 ms")
    print(f"{'event-loop lag max':<44} {app['lag_max'].spread(unit='ms', scale=1000, digits=0):>22}")
    print(f"{'peak RSS of the process':<44} {apps['app'].spread('own_mib', 'MiB', digits=0):>22} "
          f"{apps['bare'].spread('own_mib', 'MiB', digits=0):>22}")
    return 0


def _count(name: str, run) -> int:
    if name == "ours" or name == "lsjson":
        return len(json.loads(run.out))
    return len(run.out.splitlines())


def _figures(series: Series) -> dict[str, Series]:
    """The child's own JSON figures as one Series per figure (wall = that figure)."""
    from _common import Run

    out: dict[str, Series] = {}
    for run in series.runs:
        for k, v in json.loads(run.out).items():
            out.setdefault(k, Series(k)).runs.append(Run(float(v or 0), 0.0, 0.0, 0))
    return out


if __name__ == "__main__":
    sys.exit(main())

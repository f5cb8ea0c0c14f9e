"""Listing speed: our S3Store.iter_level vs raw boto3 pagination vs rclone lsf / lsjson, one run.

Starts its own `weed mini`, seeds one level of N keys (rclone copy of a local folder of small
files), then prints times, ratios and the memory of the open level.

    .venv/bin/python bench/bench_listing.py [--keys 100000] [--keep DIR]

``--keep DIR`` keeps the server's data in DIR so a second run skips seeding.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from pixel_tui.core.binaries import find_binary
from pixel_tui.core.storage.s3 import Credentials, S3Store
from pixel_tui.demo.seaweedfs import WeedServer

BUCKET = "bench"
PREFIX = "level/"


def seed(server: WeedServer, n: int, work: Path) -> None:
    """Upload n small files under PREFIX with rclone (Go, parallel): the quickest way in."""
    src = work / "seed"
    src.mkdir(parents=True, exist_ok=True)
    names = [f"dataset file {i:06d}{'_downloaded' if i % 7 == 0 else ''}.jsonl" for i in range(n)]
    for i, name in enumerate(names):
        (src / name).write_bytes(b"x" * (i % 97))
    env = {**os.environ, **server.rclone_env("bench")}
    subprocess.run([find_binary("rclone"), "copy", str(src), f"bench:{BUCKET}/{PREFIX}", "--transfers=64",
                    "--checkers=64", "--no-traverse", "--no-check-dest", "--s3-no-check-bucket",
                    "--s3-no-head", "--retries=3"], env=env, check=True)


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def ours(store: S3Store) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    first = None
    count = 0
    for page in store.iter_level(PREFIX):
        if first is None:
            first = time.perf_counter() - t0
        count += len(page.objects) + len(page.prefixes)
    return first or 0.0, time.perf_counter() - t0, count


def raw_boto3(server: WeedServer) -> tuple[float, float, int]:
    import boto3
    from botocore.config import Config

    client = boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint_url, region_name="us-east-1",
        aws_access_key_id=server.access_key, aws_secret_access_key=server.secret_key,
        config=Config(s3={"addressing_style": "path"}))
    t0 = time.perf_counter()
    first = None
    count = 0
    for resp in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX, Delimiter="/"):
        if first is None:
            first = time.perf_counter() - t0
        count += len(resp.get("Contents", ())) + len(resp.get("CommonPrefixes", ()))
    return first or 0.0, time.perf_counter() - t0, count


def rclone_count(server: WeedServer, *args: str) -> tuple[float, int]:
    env = {**os.environ, **server.rclone_env("bench")}
    t0 = time.perf_counter()
    out = subprocess.run([find_binary("rclone"), *args, f"bench:{BUCKET}/{PREFIX}"], env=env, check=True,
                         capture_output=True).stdout
    elapsed = time.perf_counter() - t0
    lines = [ln for ln in out.splitlines() if ln.strip() not in (b"[", b"]", b"")]
    return elapsed, len(lines)


def level_memory(store: S3Store) -> tuple[float, float]:
    """MiB held by the open level: our compact Level vs a plain list of S3Object."""
    from pixel_tui.core.storage.listing import Level

    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    level = Level(PREFIX)
    for page in store.iter_level(PREFIX):
        level.add_page(page)
    compact = (tracemalloc.get_traced_memory()[0] - base) / 2**20
    del level
    base = tracemalloc.get_traced_memory()[0]
    objs = [o for page in store.iter_level(PREFIX) for o in page.objects]
    plain = (tracemalloc.get_traced_memory()[0] - base) / 2**20
    del objs
    tracemalloc.stop()
    return compact, plain


def in_app(server: WeedServer, work: Path) -> tuple[float, float, float, float, float]:
    """The dashboard itself (headless): first S3 rows from app start, full level, event-loop lag
    p95/max while loading, and first rows when the level is opened again in the running app."""
    import asyncio

    from pixel_tui.core.config import Settings
    from pixel_tui.tui.app import make_app

    os.environ.update({"AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key})
    drive = work / "empty-drive"
    drive.mkdir(exist_ok=True)
    app = make_app(Settings(endpoint_url=server.endpoint_url, bucket=BUCKET, raw_prefix=PREFIX, drive="drive:"),
                   rclone_env={"RCLONE_CONFIG_DRIVE_TYPE": "alias", "RCLONE_CONFIG_DRIVE_REMOTE": str(drive)})

    async def run() -> tuple[float, float, float, float, float]:
        gaps: list[float] = []
        last = [0.0]

        def tick() -> None:
            now = time.perf_counter()
            if last[0]:
                gaps.append(now - last[0])
            last[0] = now

        t0 = time.perf_counter()
        first = None
        async with app.run_test(size=(120, 40)):
            app.set_interval(0.02, tick)
            while True:
                await asyncio.sleep(0.01)
                pane = app.screen.query_one("S3Pane")
                if first is None and len(pane.entries.level):
                    first = time.perf_counter() - t0
                if not pane.loading and len(pane.entries.level):
                    break
                if pane.error:
                    raise SystemExit(f"S3 pane failed: {pane.error}")
            full = time.perf_counter() - t0
            # Re-open the level in the running app (client warm): what an operator waits for.
            pane.open_location(PREFIX)
            t1 = time.perf_counter()
            while not len(pane.entries.level):
                await asyncio.sleep(0.002)
            reopen = time.perf_counter() - t1
            while pane.loading:
                await asyncio.sleep(0.01)
        gaps.sort()
        return first or 0.0, full, gaps[int(len(gaps) * 0.95)], gaps[-1], reopen

    return asyncio.run(run())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys", type=int, default=100_000)
    ap.add_argument("--keep", metavar="DIR", help="keep server data here; reuse it when already seeded")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-listing-"))
    marker = work / f"seeded-{args.keys}"
    server = WeedServer(work / "weed").start()
    try:
        store = S3Store(BUCKET, endpoint_url=server.endpoint_url,
                        credentials=Credentials(server.access_key, server.secret_key))
        store.ensure_bucket()
        if not marker.exists():
            t, _ = timed(lambda: seed(server, args.keys, work))
            marker.write_text("ok")
            print(f"seeded {args.keys} keys in {t:.1f} s")
        store.client  # build the client outside the timings, like a running app has
        ours(store)  # warm the server's caches for every contender alike
        o_first, o_full, o_n = ours(store)
        b_first, b_full, b_n = raw_boto3(server)
        lsf, lsf_n = rclone_count(server, "lsf")
        lsj, lsj_n = rclone_count(server, "lsjson", "--no-mimetype", "--use-server-modtime")
        compact, plain = level_memory(store)
        a_first, a_full, a_p95, a_max, a_reopen = in_app(server, work)
        print(f"{'':28}{'first page':>12}{'full level':>12}{'entries':>10}{'ours is':>16}")
        print(f"{'ours (S3Store.iter_level)':28}{o_first:11.3f}s{o_full:11.2f}s{o_n:10d}")
        for name, first, full, n in [("raw boto3 paginate", b_first, b_full, b_n),
                                     ("rclone lsf", None, lsf, lsf_n),
                                     ("rclone lsjson (fast flags)", None, lsj, lsj_n)]:
            f = f"{first:11.3f}s" if first is not None else f"{'-':>12}"
            print(f"{name:28}{f}{full:11.2f}s{n:10d}{full / o_full:13.2f}x faster")
        print(f"{'dashboard (headless, 120x40)':28}{a_first:11.3f}s{a_full:11.2f}s{'':10}"
              f"  event-loop lag while loading: p95 {a_p95 * 1000:.0f} ms, max {a_max * 1000:.0f} ms"
              " (from app start: boto3 import, client)")
        print(f"{'dashboard, open level again':28}{a_reopen:11.3f}s  (first rows in the list, client warm)")
        print(f"memory of the open level: compact Level {compact:.1f} MiB, list of S3Object {plain:.1f} MiB "
              f"(boto3's own dicts hold ~52 MiB)")
        if len({o_n, b_n, lsf_n, lsj_n}) != 1:
            print(f"WARNING: entry counts differ: {o_n} {b_n} {lsf_n} {lsj_n}", file=sys.stderr)
            return 1
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

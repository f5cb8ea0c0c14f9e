"""Promotion speed: our plan+copy+verify vs `rclone copy` server-side, same server, same prefixes, one run.

Starts its own `weed mini`, seeds N small objects and one large object under gdrive/raw/, then
times, for each workload:
  - rclone: `rclone copy s3:bucket/gdrive/raw/X s3:bucket/rclone/X --transfers 16 --checkers 16`
  - ours:   build_plan + execute (journal, every copy verified) into gdrive/processed/priority/X

    .venv/bin/python bench/bench_promotion.py [--small 1000] [--big-mib 300] [--concurrency 16]

Prints seconds, objects/s or MiB/s, and ours/rclone speed ratios (>1 means we are faster).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from pixel_tui.core.binaries import find_binary
from pixel_tui.core.config import Settings
from pixel_tui.core.promotion import build_plan, execute
from pixel_tui.core.storage.s3 import Credentials, S3Store
from pixel_tui.demo.seaweedfs import WeedServer

BUCKET = "bench"


def rclone(server: WeedServer, *args: str) -> None:
    env = {**os.environ, **server.rclone_env("bench")}
    subprocess.run([find_binary("rclone"), *args], env=env, check=True)


def seed(server: WeedServer, work: Path, small: int, big_mib: int) -> None:
    """Upload the small files and the big one with rclone (the quickest way in)."""
    s = work / "small"
    s.mkdir()
    for i in range(small):
        (s / f"record_{i:05d}.jsonl").write_bytes(os.urandom(200 + i % 800))
    b = work / "big"
    b.mkdir()
    with open(b / "big.bin", "wb") as fh:
        for _ in range(big_mib):
            fh.write(os.urandom(1024 * 1024))
    common = ["--transfers=32", "--checkers=32", "--s3-no-check-bucket", "--s3-upload-cutoff=5G"]
    rclone(server, "copy", str(s), f"bench:{BUCKET}/gdrive/raw/small", *common)
    rclone(server, "copy", str(b), f"bench:{BUCKET}/gdrive/raw/bigdir", *common)


def time_rclone(server: WeedServer, folder: str, round_no: int) -> float:
    t0 = time.perf_counter()
    rclone(server, "copy", f"bench:{BUCKET}/gdrive/raw/{folder}", f"bench:{BUCKET}/rclone{round_no}/{folder}",
           "--transfers", "16", "--checkers", "16")
    return time.perf_counter() - t0


def time_ours(store: S3Store, settings: Settings, folder: str, round_no: int) -> float:
    settings = replace(settings, processed_prefix=f"processed{round_no}/")
    t0 = time.perf_counter()
    plan = build_plan(store, settings, [f"gdrive/raw/{folder}/"], "priority")
    result = execute(store, settings, plan)
    elapsed = time.perf_counter() - t0
    assert result.verified == plan.object_count, result
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--big-mib", type=int, default=300)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = WeedServer(work / "weed", buckets=(BUCKET,)).start()
        try:
            store = S3Store(BUCKET, endpoint_url=server.endpoint_url,
                            credentials=Credentials(server.access_key, server.secret_key),
                            max_pool=max(64, args.concurrency * 2))
            store.ensure_bucket()
            seed(server, work, args.small, args.big_mib)
            settings = Settings(bucket=BUCKET, endpoint_url=server.endpoint_url, state_dir=str(work / "state"),
                                concurrency=args.concurrency)
            rows = []
            for label, folder, n, size in (("small", "small", args.small, None),
                                           ("big", "bigdir", 1, args.big_mib * 1024 * 1024)):
                rs, os_ = [], []
                # The machine is shared: alternate who goes first and report medians of the rounds.
                for k in range(args.rounds):
                    if k % 2:
                        os_.append(time_ours(store, settings, folder, k))
                        rs.append(time_rclone(server, folder, k))
                    else:
                        rs.append(time_rclone(server, folder, k))
                        os_.append(time_ours(store, settings, folder, k))
                print(f"{label}: rclone rounds {[round(x, 2) for x in rs]}  ours rounds {[round(x, 2) for x in os_]}")
                rows.append((label, n, size, statistics.median(rs), statistics.median(os_)))
            print(f"weed mini, {args.small} small objects, one {args.big_mib} MiB object, "
                  f"concurrency {args.concurrency} (ours) vs --transfers 16 --checkers 16 (rclone), "
                  f"median of {args.rounds} rounds, verification included in ours")
            for label, n, size, r, o in rows:
                if size is None:
                    print(f"{label:>5}: rclone {r:6.2f} s ({n / r:7.0f} obj/s)   ours {o:6.2f} s ({n / o:7.0f} obj/s)"
                          f"   speed ratio ours/rclone {r / o:4.2f}")
                else:
                    mib = size / 1024 / 1024
                    print(f"{label:>5}: rclone {r:6.2f} s ({mib / r:7.0f} MiB/s)   ours {o:6.2f} s ({mib / o:7.0f} MiB/s)"
                          f"   speed ratio ours/rclone {r / o:4.2f}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Promotion speed: `pixel-tui promote --yes` against `rclone copy` server-side, whole processes, same server.

Starts its own `weed mini`, seeds N small objects and one large object under gdrive/raw/ once
(``--keep DIR`` reuses them), then alternates, for each workload, round k:
  - rclone: `rclone copy bench:bench/gdrive/raw/X bench:bench/rclone{k}/X --transfers 16 --checkers 16`
  - ours:   `pixel-tui promote s3://bench/gdrive/raw/X/ --category priority --yes --json` into
            processed{k}/priority/ (journal, every copy verified, as an operator runs it)
Both write to a fresh destination each round, so both copy everything every time. A third row times
start-up: `pixel-tui promote --dry-run` of one object against `rclone copy --dry-run` of it.

    PYTHONPATH=. .venv/bin/python bench/bench_promotion.py [--small 1000] [--big-mib 300] [--rounds 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PIXEL, alternate, header, measure, ratio_line, server_env, work_dir  # noqa: E402

from pixel_tui.core.binaries import find_binary  # noqa: E402
from pixel_tui.demo.seaweedfs import WeedServer  # noqa: E402

BUCKET = "bench"


def seed(server: WeedServer, work: Path, small: int, big_mib: int) -> None:
    """Upload the small files and the big one with rclone (the quickest way in)."""
    s = work / "small"
    s.mkdir(exist_ok=True)
    for i in range(small):
        (s / f"record_{i:05d}.jsonl").write_bytes(os.urandom(200 + i % 800))
    b = work / "big"
    b.mkdir(exist_ok=True)
    with open(b / "big.bin", "wb") as fh:
        for _ in range(big_mib):
            fh.write(os.urandom(1024 * 1024))
    env = {**os.environ, **server.rclone_env("bench")}
    common = ["--transfers=32", "--checkers=32", "--s3-no-check-bucket", "--s3-upload-cutoff=5G"]
    for local, folder in ((s, "small"), (b, "bigdir"), (s / "record_00001.jsonl", "one")):
        subprocess.run([find_binary("rclone"), "copy", str(local), f"bench:{BUCKET}/gdrive/raw/{folder}", *common],
                       env=env, check=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--big-mib", type=int, default=300)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", metavar="DIR")
    args = ap.parse_args()
    work = work_dir(args.keep, "bench-promotion-")
    server = WeedServer(work / "weed", buckets=(BUCKET,)).start()
    rows = []
    try:
        marker = work / f"seeded-{args.small}-{args.big_mib}"
        if not marker.exists():
            seed(server, work, args.small, args.big_mib)
            marker.write_text("ok")
        renv = {**os.environ, **server.rclone_env("bench")}
        rclone = find_binary("rclone")
        counter = itertools.count()
        run_id = f"{int(time.time())}-"  # with --keep, a second run must not find the first one's copies
        state = work / "state"

        def ours(folder: str, dry: bool = False):
            k = next(counter)
            env = {**server_env(server), "PIXEL_TUI_BUCKET": BUCKET, "PIXEL_TUI_STATE_DIR": str(state),
                   "PIXEL_TUI_PROCESSED_PREFIX": f"processed{run_id}{k}/", "PIXEL_TUI_CONCURRENCY": str(args.concurrency)}
            argv = [*PIXEL, "promote", f"s3://{BUCKET}/gdrive/raw/{folder}/", "--category", "priority", "--json"]
            run = measure(argv + (["--dry-run"] if dry else ["--yes"]), env)
            if not dry:
                result = json.loads(run.out.splitlines()[-1])
                assert result["verified"] == result["copied"] > 0, result  # every copy made and verified
            return run

        def theirs(folder: str, dry: bool = False):
            k = next(counter)
            argv = [rclone, "copy", f"bench:{BUCKET}/gdrive/raw/{folder}", f"bench:{BUCKET}/rclone{run_id}{k}/{folder}",
                    "--transfers", "16", "--checkers", "16"]
            return measure(argv + (["--dry-run"] if dry else []), renv)

        # Same cache state for both: our first promote on an endpoint probes the provider once (cached
        # in the state dir) and both sides' first run warms the page cache and the server.
        ours("one", True)
        theirs("one", True)
        for label, folder, dry, goal in (
                (f"{args.small:,} small objects", "small", False, "<= 0.9x"),
                (f"one {args.big_mib} MiB object", "bigdir", False, "<= 1.0x"),
                ("start-up: one object, --dry-run", "one", True, "")):
            s = alternate({"ours": lambda: ours(folder, dry), "rclone": lambda: theirs(folder, dry)}, args.rounds)
            rows.append(ratio_line(label, s["ours"], s["rclone"], goal))
            print(rows[-1], flush=True)
    finally:
        server.stop()
    print(f"\nweed mini on 127.0.0.1, concurrency {args.concurrency} (ours) vs --transfers 16 --checkers 16 "
          f"(rclone); median (min-max) over {args.rounds} alternated rounds; whole processes, verification "
          "included in ours")
    print(header("pixel-tui promote --yes vs rclone copy (server-side)", "pixel-tui promote", "rclone copy"))
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

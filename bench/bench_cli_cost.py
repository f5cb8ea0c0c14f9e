"""What a small CLI command costs against boto3 itself: `pixel-tui ls` of a small prefix vs a minimal
boto3 script that lists the same level (issue 14: "within 1.1x of a minimal boto3 script").

Run: .venv/bin/python bench/bench_cli_cost.py [--keys 50] [--rounds 7]
Whole processes, alternated, medians with min-max. The reference imports boto3, builds one client and
prints one line per key and prefix of the level: the least any Python S3 tool pays. `ls --json` is timed
too (the same listing, another printer).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PIXEL, alternate, header, measure, ratio_line, server_env, work_dir  # noqa: E402

from pixel_tui.demo.seaweedfs import WeedServer  # noqa: E402

BUCKET = "bench-cli"
PREFIX = "gdrive/raw/small/"

MINIMAL_BOTO3 = """
import os, sys, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["PIXEL_TUI_ENDPOINT_URL"])
pages = s3.get_paginator("list_objects_v2").paginate(Bucket=sys.argv[1], Prefix=sys.argv[2], Delimiter="/")
for page in pages:
    for p in page.get("CommonPrefixes", []):
        print(p["Prefix"])
    for o in page.get("Contents", []):
        print(o["Size"], o["LastModified"], o["Key"])
"""


def main() -> int:
    """Seed a small level, then time both whole processes round by round."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--keep", metavar="DIR", help="keep server data here; reuse it when already seeded")
    args = ap.parse_args()
    work = work_dir(args.keep, "bench-cli-")
    server = WeedServer(work / "weed").start()
    try:
        from pixel_tui.core.storage.s3 import Credentials, S3Store

        store = S3Store(BUCKET, endpoint_url=server.endpoint_url,
                        credentials=Credentials(server.access_key, server.secret_key))
        store.ensure_bucket()
        for i in range(args.keys):
            store.put_bytes(f"{PREFIX}{'sub/' if i % 10 == 0 else ''}file_{i:04d}.jsonl", b"x" * i)
        env = {**server_env(server), "PIXEL_TUI_BUCKET": BUCKET, "PIXEL_TUI_STATE_DIR": str(work / "state"),
               "PIXEL_TUI_DRIVE": str(work)}
        url = f"s3://{BUCKET}/{PREFIX}"
        contenders = {
            "ls": lambda: measure([*PIXEL, "ls", url], env),
            "ls_json": lambda: measure([*PIXEL, "ls", url, "--json"], env),
            "boto3": lambda: measure([sys.executable, "-c", MINIMAL_BOTO3, BUCKET, PREFIX], env),
        }
        for fn in contenders.values():  # warm-up: the same page cache and server state for all
            fn()
        s = alternate(contenders, args.rounds)
    finally:
        server.stop()
    print(f"\nload average {os.getloadavg()[0]:.1f}; one level of {args.keys} keys on weed mini; "
          f"{args.rounds} alternated rounds")
    print(header("a small CLI listing vs a minimal boto3 script (whole processes)", "pixel-tui", "boto3 script"))
    print(ratio_line("pixel-tui ls s3://…/small/", s["ls"], s["boto3"], "<= 1.1x"))
    print(ratio_line("pixel-tui ls --json", s["ls_json"], s["boto3"], "<= 1.1x"))
    print(ratio_line("  CPU, ls", s["ls"], s["boto3"], "", "cpu"))
    print(f"{'peak RSS, ls':<44} {s['ls'].spread('own_mib', 'MiB', digits=0):>22} "
          f"{s['boto3'].spread('own_mib', 'MiB', digits=0):>22}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

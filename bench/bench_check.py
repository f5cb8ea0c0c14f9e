"""`pixel-tui check` against validating the registry alone, whole processes, N-entry registries.

`check` validates the registry against S3 and then lists processed/ and raw/ to find unregistered
and unpromoted items. The reference is a process that only validates (the same S3Checker `check`
uses, the same registry file, the same server): check's extra work must stay within ~10% of it.

Seeds once per size (``--keep DIR`` reuses the server data on the next run):
N objects under gdrive/processed/<3 categories>/, N/2 sources under gdrive/raw/, 1 in 50 missing.

    PYTHONPATH=. .venv/bin/python bench/bench_check.py [--entries 10000 50000] [--rounds 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PIXEL, alternate, header, measure, ratio_line, rclone_seed, server_env, work_dir  # noqa: E402

from pixel_tui.demo.seaweedfs import WeedServer  # noqa: E402

GROUPS = ("cot_reasoning", "professional_therapeutic", "priority")

VALIDATE_ONLY = """
import sys
from pixel_tui.core.config import load_settings
from pixel_tui.core.registry.document import Registry
from pixel_tui.core.registry.validate import S3Checker, validate
from pixel_tui.core.storage.s3 import S3Store
settings = load_settings(overrides={"bucket": sys.argv[1], "registry": sys.argv[2]})
store = S3Store.from_settings(settings)
reg = Registry.load(settings.registry)
report = validate(reg, bucket=store.bucket, checker=S3Checker(lambda b: store))
print(len(report.statuses), len(report.errors))
"""


def key_of(i: int) -> str:
    """Processed key of entry i."""
    return f"gdrive/processed/{GROUPS[i % 3]}/dataset_{i:06d}.jsonl"


def seed(server: WeedServer, bucket: str, n: int, work: Path) -> Path:
    """Objects and the registry for n entries; returns the registry path."""
    src = work / f"seed-{n}"
    for i in range(n):
        if i % 50 != 0:
            p = src / key_of(i)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(b"x" * (i % 200))
        if i % 2 == 0:
            p = src / f"gdrive/raw/Dataset_{i:06d}_downloaded.jsonl"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(b"x" * (i % 200))
    for i in range(n // 100):  # what check is for: items nobody registered or promoted
        for key in (f"gdrive/processed/priority/unregistered_{i:05d}.jsonl", f"gdrive/raw/never_{i:05d}.jsonl"):
            (src / key).write_bytes(b"u")
    rclone_seed(server, src, bucket)
    doc = {"gdrive_mount": "/mnt/gdrive/datasets", "datasets": {g: {} for g in GROUPS}}
    for i in range(n):
        entry = {"path": f"s3://{bucket}/{key_of(i)}", "size_mb": 0.0, "stage": "stage1_foundation",
                 "source_path": (f"s3://{bucket}/gdrive/raw/Dataset_{i:06d}_downloaded.jsonl" if i % 2 == 0
                                 else f"/mnt/gdrive/datasets/dataset_{i:06d}.jsonl")}
        doc["datasets"][GROUPS[i % 3]][f"dataset_{i:06d}"] = entry
    reg = work / f"registry-{n}.json"
    reg.write_text(json.dumps(doc, indent=4) + "\n")
    return reg


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, nargs="+", default=[10_000, 50_000])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", metavar="DIR")
    args = ap.parse_args()
    work = work_dir(args.keep, "bench-check-")
    server = WeedServer(work / "weed").start()
    lines = [header("pixel-tui check --no-drive vs a validate-only process (whole processes, same registry)",
                    "check", "validate only")]
    try:
        env = server_env(server)
        for n in args.entries:
            bucket = f"check{n}"
            reg = work / f"registry-{n}.json"
            if not reg.exists():
                from pixel_tui.core.storage.s3 import Credentials, S3Store

                S3Store(bucket, endpoint_url=server.endpoint_url,
                        credentials=Credentials(server.access_key, server.secret_key)).ensure_bucket()
                seed(server, bucket, n, work)
            check = [*PIXEL, "check", "--no-drive", "--json", "--bucket", bucket, "--registry", str(reg)]
            ref = [sys.executable, "-c", VALIDATE_ONLY, bucket, str(reg)]
            measure(ref, env)  # warm the server and the page cache alike for both
            out = json.loads(measure(check, env, ok_codes=(0, 1)).out)
            assert len(out["unregistered_processed"]) == n // 100, len(out["unregistered_processed"])
            assert len(out["raw_not_promoted"]) == n // 100, len(out["raw_not_promoted"])
            s = alternate({"check": lambda: measure(check, env, ok_codes=(0, 1)), "ref": lambda: measure(ref, env)},
                          args.rounds)
            lines.append(ratio_line(f"{n:,} entries, wall", s["check"], s["ref"], "<= 1.1x"))
            lines.append(ratio_line(f"{n:,} entries, CPU", s["check"], s["ref"], "", "cpu"))
            print(lines[-2], lines[-1], sep="\n", flush=True)
    finally:
        server.stop()
    print(f"\nmedian (min-max) over {args.rounds} alternated rounds; weed mini on 127.0.0.1")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

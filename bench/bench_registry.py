"""Registry speed on 10,000 entries: load, validate against S3, save, each with a reference, in one run.

Starts its own `weed mini`, seeds one small object per entry (rclone copy, parallel), writes a
registry in the real shape (4-space indent, two-level and one-level groups, some inline entries), then:

- load:     Registry.load (span parse, duplicate-key check)  vs  json.loads of the same bytes
- validate: validate() with the S3Checker (HEADs on a thread pool; or one listing per busy folder,
            the default), against one sequential HEAD per entry; then again from its cache
- save:     one edit + Registry.save (conflict check, backup, fsync, rename)  vs  json.dump to a file

    .venv/bin/python bench/bench_registry.py [--entries 10000] [--workers 16]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pixel_tui.core.binaries import find_binary
from pixel_tui.core.registry.document import Registry
from pixel_tui.core.registry.validate import S3Checker, validate
from pixel_tui.core.storage.s3 import Credentials, S3Store
from pixel_tui.demo.seaweedfs import WeedServer

BUCKET = "bench-registry"
GROUPS = ("cot_reasoning", "professional_therapeutic", "priority_datasets")


def key_of(i: int) -> str:
    """Object key of entry i."""
    return f"gdrive/processed/{GROUPS[i % 3]}/dataset_{i:05d}.jsonl"


def seed(server: WeedServer, n: int, work: Path) -> None:
    """One small object per entry, except every 50th (so validation finds some missing)."""
    src = work / "seed"
    for i in range(n):
        if i % 50 == 0:
            continue
        p = src / key_of(i)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x" * (i % 200))
    env = {**os.environ, **server.rclone_env("bench")}
    subprocess.run([find_binary("rclone"), "copy", str(src), f"bench:{BUCKET}/", "--transfers=32",
                    "--checkers=32", "--no-traverse", "--no-check-dest", "--s3-no-check-bucket",
                    "--s3-no-head", "--retries=3"], env=env, check=True)


def registry_text(n: int) -> str:
    """A registry in the team's shape with ``n`` entries, most in two-level groups."""
    doc = {"description": "bench", "gdrive_mount": "/mnt/gdrive/datasets", "total_size_gb": 10,
           "datasets": {g: {} for g in GROUPS}, "edge_case_sources": {}, "training_strategy": {"s": {"datasets": []}}}
    for i in range(n):
        entry = {"path": f"s3://{BUCKET}/{key_of(i)}", "size_mb": 0.0, "type": "bench",
                 "stage": "stage1_foundation", "source_path": f"/mnt/gdrive/datasets/dataset_{i:05d}.jsonl"}
        if i % 10 == 9:
            doc["edge_case_sources"][f"dataset_{i:05d}"] = entry
        else:
            doc["datasets"][GROUPS[i % 3]][f"dataset_{i:05d}"] = entry
    return json.dumps(doc, indent=4, ensure_ascii=False) + "\n"


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=16)
    args = ap.parse_args()
    n = args.entries
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = WeedServer(work / "weed").start()
        try:
            store = S3Store(BUCKET, endpoint_url=server.endpoint_url,
                            credentials=Credentials(server.access_key, server.secret_key), max_pool=64)
            store.ensure_bucket()
            t0 = time.perf_counter()
            seed(server, n, work)
            print(f"seeded {n - n // 50} objects in {time.perf_counter() - t0:.1f} s")
            reg_path = work / "dataset_registry.json"
            reg_path.write_text(registry_text(n))
            size = reg_path.stat().st_size
            print(f"registry: {n} entries, {size / 1e6:.1f} MB")

            # load
            data = reg_path.read_bytes()
            t_ref, _ = timed(lambda: json.loads(data), 3)
            t_load, reg = timed(lambda: Registry.load(str(reg_path), backup_dir=work / "backups"), 3)
            assert len(reg.datasets()) == n

            # validate: one HEAD per entry in a loop is the reference
            def sequential() -> int:
                missing = 0
                for ref in reg.datasets():
                    if store.head(ref.path[len(f"s3://{BUCKET}/"):]) is None:
                        missing += 1
                return missing

            store.head(key_of(1))  # connection warm-up for both
            t_seq, missing_seq = timed(sequential)
            heads = S3Checker(lambda b: store, workers=args.workers, ttl=3600)
            heads.LIST_THRESHOLD = 10**9  # HEAD every entry, in parallel
            t_heads, head_report = timed(lambda: validate(reg, bucket=BUCKET, checker=heads))
            checker = S3Checker(lambda b: store, workers=args.workers, ttl=3600)
            t_par, report = timed(lambda: validate(reg, bucket=BUCKET, checker=checker))
            assert head_report.statuses == report.statuses
            t_cached, _ = timed(lambda: validate(reg, bucket=BUCKET, checker=checker))
            missing_par = sum(1 for s in report.statuses.values() if s == "missing in S3")
            assert missing_par == missing_seq == n // 50, (missing_par, missing_seq)

            # save: one edit, then our safe save vs a plain json.dump
            reg.update_fields("datasets/cot_reasoning", "dataset_00000", size_mb=1.5)
            t_save, _ = timed(lambda: reg.save(backups=5))
            ref_path = work / "plain.json"
            doc = json.loads(reg.render())

            def plain() -> None:
                with open(ref_path, "w") as fh:
                    json.dump(doc, fh, indent=4, ensure_ascii=False)

            t_plain, _ = timed(plain, 3)
            changed = sum(1 for a, b in zip(data.decode().splitlines(), reg_path.read_text().splitlines()) if a != b)
        finally:
            server.stop()
    print(f"{'step':<40}{'ours':>10}{'reference':>12}{'ratio':>9}")
    rows = [
        ("load (span parse vs json.loads)", t_load, t_ref),
        (f"validate, HEADs on {args.workers} threads", t_heads, t_seq),
        ("validate (folder listings + HEADs)", t_par, t_seq),
        ("validate again (cached)", t_cached, t_seq),
        ("save (atomic+backup vs json.dump)", t_save, t_plain),
    ]
    for name, ours, ref in rows:
        print(f"{name:<40}{ours * 1000:>8.0f}ms{ref * 1000:>10.0f}ms{ours / ref:>8.2f}x")
    print(f"validation found {missing_par} missing of {n} (sequential reference: {missing_seq}); "
          f"the saved edit changed {changed} line(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

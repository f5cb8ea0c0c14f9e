"""Registry speed on 10,000 entries: load, validate against S3, save, each with a reference, in one run.

Starts its own `weed mini`, seeds one small object per entry (rclone copy, parallel), writes a
registry in the real shape (4-space indent, two-level and one-level groups, some inline entries), then:

Whole processes where an operator runs a command (`registry show`); the library steps are timed
in-process and their rows say so. Every contender starts uncached each round.

- load:     Registry.load (span parse, duplicate-key check)  vs  json.loads of the same bytes
- validate: validate() with the S3Checker (HEADs on a thread pool; or one listing per busy folder,
            the default), against one sequential HEAD per entry; 
- save:     one edit + Registry.save (conflict check, backup, fsync, rename)  vs  json.dump to a file

    .venv/bin/python bench/bench_registry.py [--entries 10000] [--workers 16] [--rounds 3]
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
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PIXEL, Run, alternate, header, measure, ratio_line, server_env  # noqa: E402

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


def inproc(fn) -> "Callable[[], Run]":
    """A contender timed in-process (the row says so): wall time of one call."""
    def run() -> Run:
        t = time.perf_counter()
        fn()
        return Run(time.perf_counter() - t, 0.0, 0.0, 0)
    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    n = args.entries
    rows = []
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
            print(f"registry: {n} entries, {reg_path.stat().st_size / 1e6:.1f} MB")
            env = {**server_env(server), "PIXEL_TUI_BUCKET": BUCKET, "PIXEL_TUI_REGISTRY": str(reg_path)}

            # load, whole processes: `registry show --json` (load + local checks + print) vs json.load + print
            show = [*PIXEL, "registry", "show", "--json"]
            plain = [sys.executable, "-c", "import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d))",
                     str(reg_path)]
            s = alternate({"ours": lambda: measure(show, env), "ref": lambda: measure(plain, env)}, args.rounds)
            rows.append(ratio_line("registry show --json vs json.load+dump", s["ours"], s["ref"]))

            data = reg_path.read_bytes()
            s = alternate({"ours": inproc(lambda: Registry.load(str(reg_path), backup_dir=work / "backups")),
                           "ref": inproc(lambda: json.loads(data))}, args.rounds)
            rows.append(ratio_line("load, in-process (span parse vs json.loads)", s["ours"], s["ref"]))
            reg = Registry.load(str(reg_path), backup_dir=work / "backups")
            assert len(reg.datasets()) == n

            # validate, in-process, every side uncached (a new checker per round): one HEAD per entry
            # in a loop is the reference
            found = {}

            def sequential() -> None:
                found["seq"] = sum(1 for ref in reg.datasets()
                                   if store.head(ref.path[len(f"s3://{BUCKET}/"):]) is None)

            def heads() -> None:
                checker = S3Checker(lambda b: store, workers=args.workers, ttl=3600)
                checker.LIST_THRESHOLD = 10**9  # HEAD every entry, in parallel
                found["heads"] = validate(reg, bucket=BUCKET, checker=checker).statuses

            def listing() -> None:
                found["list"] = validate(reg, bucket=BUCKET, checker=S3Checker(lambda b: store,
                                                                                workers=args.workers)).statuses

            store.head(key_of(1))  # connection warm-up for all
            s = alternate({"heads": inproc(heads), "list": inproc(listing), "seq": inproc(sequential)}, args.rounds)
            rows.append(ratio_line(f"validate, in-process, HEADs on {args.workers} threads", s["heads"], s["seq"]))
            rows.append(ratio_line("validate, in-process, folder listings + HEADs", s["list"], s["seq"]))
            assert found["heads"] == found["list"]
            missing = sum(1 for v in found["list"].values() if v == "missing in S3")
            assert missing == found["seq"] == n // 50, (missing, found["seq"])

            # save, in-process: one edit + our safe save vs a plain json.dump of the same document
            ref_path = work / "plain.json"
            doc = json.loads(reg.render())
            sizes = iter(range(1, 10**6))

            def save() -> None:
                reg.update_fields("datasets/cot_reasoning", "dataset_00000", size_mb=float(next(sizes)))
                reg.save(backups=5)

            def dump() -> None:
                with open(ref_path, "w") as fh:
                    json.dump(doc, fh, indent=4, ensure_ascii=False)

            s = alternate({"ours": inproc(save), "ref": inproc(dump)}, args.rounds)
            rows.append(ratio_line("save, in-process (edit+atomic+backup vs dump)", s["ours"], s["ref"]))
            changed = sum(1 for a, b in zip(data.decode().splitlines(), reg_path.read_text().splitlines()) if a != b)
        finally:
            server.stop()
    print(f"\n{n:,} entries on weed mini; median (min-max) over {args.rounds} alternated rounds")
    print(header("registry: ours vs a plain reference (same work, same cache state)"))
    print("\n".join(rows))
    print(f"validation found {missing} missing of {n} (sequential reference: {found['seq']}); "
          f"the saved edit changed {changed} line(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

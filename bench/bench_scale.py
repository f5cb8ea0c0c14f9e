"""At scale: a 1M-key level, a 1M-file `diff`, a 100k-entry registry `check`, each against its reference.

Rows (whole processes, alternated with the reference, median (min-max) over --rounds, wall, CPU and
peak RSS; a process's CPU and peak RSS include the children it waits for, e.g. our `rclone lsjson`;
the "own peak RSS" row is the process alone, its VmHWM; the kernel's figure also starts from the
bench process's own size at fork, ~76 MiB, so below that it says nothing):
- `pixel-tui ls s3://bench/level/ --json` vs `rclone lsf` on one level of --scale keys;
- `pixel-tui diff` (a local folder as the Drive remote, --scale files in folders of 1,000) vs
  `rclone check --size-only` of the same folder and raw prefix: 1 in 100 files missing on S3, 1 in 500
  differing by size, 1 in 1,000 extra on S3;
- folder totals of that raw prefix: `pixel-tui ls <its parent> --recursive --json` vs `rclone size`;
- `pixel-tui check --no-drive` on a registry of --scale/10 entries vs a validate-only process
  (bench_check.py's seed and reference).

Seeded once and reused: the weed data dir, the local folder and a marker file per seed
(`seeded-<what>-<n>.json`: what, how many, how long seeding took) live under --state
(default ~/.cache/pixel-tui-bench/scale); a second run at the same scale seeds nothing.

    PYTHONPATH=. .venv/bin/python bench/bench_scale.py --scale 100000 [--rounds 3] [--only level diff check]
        [--diff-on-level]  (the diff on the level's own folder and objects: no second seeding at 1M)
        [--before /work/main]  (the diff of another checkout too, alternated: before/after figures)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PIXEL, alternate, compile_checkout, header, measure, ratio_line, rclone_seed, server_env  # noqa: E402

from pixel_tui.core.binaries import find_binary  # noqa: E402
from pixel_tui.demo.seaweedfs import WeedServer  # noqa: E402

BUCKET = "bench"  # levels under level-<n>/; the diff's raw prefix in its own bucket diff-<n>
PER_FOLDER = 1000


def seeded(state: Path, what: str, n: int, make) -> dict:
    """Run ``make()`` once per (what, n): the marker file records it, so later runs skip the seeding."""
    marker = state / f"seeded-{what}-{n}.json"
    if marker.exists():
        return json.loads(marker.read_text())
    t0 = time.perf_counter()
    make()
    info = {"what": what, "n": n, "seconds": round(time.perf_counter() - t0, 1), "load": os.getloadavg()[0]}
    marker.write_text(json.dumps(info) + "\n")
    return info


def ensure_bucket(server: WeedServer, bucket: str) -> None:
    """Create ``bucket`` on the bench server (no-op when it is there)."""
    from pixel_tui.core.storage.s3 import Credentials, S3Store

    S3Store(bucket, endpoint_url=server.endpoint_url,
            credentials=Credentials(server.access_key, server.secret_key)).ensure_bucket()


def seed_level(server: WeedServer, state: Path, n: int) -> None:
    """n empty-ish objects in one level, uploaded by rclone (32 transfers) from a scratch folder."""
    src = state / f"level-src-{n}"
    src.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (src / f"dataset file {i:07d}.jsonl").write_bytes(b"x" * (i % 3))
    ensure_bucket(server, BUCKET)
    rclone_seed(server, src, f"{BUCKET}/level-{n}/")


def drive_path(i: int) -> str:
    """File i of the diff's Drive folder."""
    return f"part {i // PER_FOLDER:04d}/item_{i:07d}.json"


def seed_diff(server: WeedServer, state: Path, n: int) -> Path:
    """The Drive folder (n files) and its raw copy with what a diff is for: missing, differing, extra."""
    drive = state / f"drive-{n}"
    upload = state / f"upload-{n}"
    for i in range(n):
        data = b"" if i % 10 else b"{}\n"
        for root in (drive, upload):
            if root is upload and i % 100 == 7:
                continue  # missing on S3
            p = root / drive_path(i)
            if i % PER_FOLDER == 0:
                p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data + (b"changed" if root is upload and i % 500 == 3 else b""))
    for i in range(n // 1000):
        p = upload / f"only on s3/extra_{i:06d}.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"e")
    ensure_bucket(server, f"diff-{n}")
    rclone_seed(server, upload, f"diff-{n}/gdrive/raw/")
    return drive


def seed_diff_on_level(state: Path, n: int) -> None:
    """The level's own source folder as the Drive (one folder of n files), its objects as the raw copy:
    seeding no second million. Made different on the Drive side: 1 in 500 files changed, 1 in 1,000
    removed (extra on S3), n/100 new files (missing on S3)."""
    src = state / f"level-src-{n}"
    for i in range(3, n, 500):
        with open(src / f"dataset file {i:07d}.jsonl", "ab") as fh:
            fh.write(b"changed")
    for i in range(5, n, 1000):
        (src / f"dataset file {i:07d}.jsonl").unlink()
    for i in range(n // 100):
        (src / f"new file {i:07d}.jsonl").write_bytes(b"")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1_000_000, help="keys in the level, files in the diff (registry: /10)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", nargs="+", choices=("level", "diff", "check"), default=["level", "diff", "check"])
    ap.add_argument("--diff-on-level", action="store_true",
                    help="diff the level's source folder against the level (one folder; no second seeding)")
    ap.add_argument("--before", metavar="CHECKOUT",
                    help="also run the diff of another checkout (e.g. /work/main), alternated with ours")
    ap.add_argument("--seed-only", action="store_true", help="seed what --only names at --scale, measure nothing")
    ap.add_argument("--state", default=os.path.expanduser("~/.cache/pixel-tui-bench/scale"))
    args = ap.parse_args()
    n = args.scale
    state = Path(args.state)
    state.mkdir(parents=True, exist_ok=True)
    server = WeedServer(state / "weed").start()
    # Above 1M entries in one folder rclone sorts listings on disk (--list-cutoff), minutes slower: both
    # sides' rclone processes sort in memory here, ours (lsjson) and the reference alike.
    cutoff = {"RCLONE_LIST_CUTOFF": str(max(1_000_000, 2 * n))}
    env = {**server_env(server), **cutoff}
    renv = {**os.environ, **server.rclone_env("bench"), **cutoff}
    rclone = find_binary("rclone")
    lines = []

    def row(title, ours, ref, goal):
        lines.extend([ratio_line(f"{title}, wall", ours, ref, goal), ratio_line(f"{title}, CPU", ours, ref, "", "cpu"),
                      f"{title + ', peak RSS':<44} {ours.spread('rss_mib', 'MiB', digits=0):>22} "
                      f"{ref.spread('rss_mib', 'MiB', digits=0):>22}",
                      f"{title + ', own peak RSS (no children)':<44} {ours.spread('own_mib', 'MiB', digits=0):>22} "
                      f"{ref.spread('own_mib', 'MiB', digits=0):>22}"])
        print(*lines[-4:], sep="\n", flush=True)

    try:
        if "level" in args.only:
            info = seeded(state, "level", n, lambda: seed_level(server, state, n))
            print(f"level seed: {info}", flush=True)
        if "level" in args.only and not args.seed_only:
            ours = [*PIXEL, "ls", f"s3://{BUCKET}/level-{n}/", "--json"]
            ref = [rclone, "lsf", f"bench:{BUCKET}/level-{n}/"]
            measure(ref, renv)  # the same warm server for both
            s = alternate({"ours": lambda: measure(ours, env), "ref": lambda: measure(ref, renv)}, args.rounds)
            row(f"ls --json, {n:,}-key level vs rclone lsf", s["ours"], s["ref"], "<= 0.7x")
        if "diff" in args.only:
            if args.diff_on_level:
                seeded(state, "level", n, lambda: seed_level(server, state, n))
                info = seeded(state, "diff-on-level", n, lambda: seed_diff_on_level(state, n))
                drive, bucket, raw = state / f"level-src-{n}", BUCKET, f"level-{n}/"
                files, missing, differ = n - n // 1000 + n // 100, n // 100, n // 500
            else:
                info = seeded(state, "diff", n, lambda: seed_diff(server, state, n))
                drive, bucket, raw = state / f"drive-{n}", f"diff-{n}", "gdrive/raw/"
                files, missing, differ = n, n // 100, n // 500
            print(f"diff seed: {info}", flush=True)
        if "diff" in args.only and not args.seed_only:
            denv = {**env, "RCLONE_CONFIG_DRIVE_TYPE": "alias", "RCLONE_CONFIG_DRIVE_REMOTE": str(drive),
                    "PIXEL_TUI_DRIVE": "drive:", "PIXEL_TUI_BUCKET": bucket, "PIXEL_TUI_RAW_PREFIX": raw,
                    "PIXEL_TUI_STATE_DIR": str(state / "pixel-state")}
            renv_d = {**renv, "RCLONE_CONFIG_DRIVE_TYPE": "alias", "RCLONE_CONFIG_DRIVE_REMOTE": str(drive)}
            ours = [*PIXEL, "diff"]
            ref = [rclone, "check", "--size-only", "drive:", f"bench:{bucket}/{raw}"]
            import subprocess

            first = subprocess.run(ours, env=denv, capture_output=True, text=True)
            out = first.stdout
            if first.returncode != 1:
                raise SystemExit(f"diff exited {first.returncode}: {first.stderr[-2000:]}")
            want = f"{files - missing - differ}/{files} uploaded, {missing} missing"
            assert want in out, (want, out.splitlines()[-3:], first.stderr[-2000:])
            measure(ref, renv_d, ok_codes=(1,))
            contenders = {"ours": lambda: measure(ours, denv, ok_codes=(1,)),
                          "ref": lambda: measure(ref, renv_d, ok_codes=(1,))}
            if args.before:
                compile_checkout(args.before)
                benv = {**denv, "PYTHONPATH": args.before}
                contenders["before"] = lambda: measure(ours, benv, ok_codes=(1,), cwd=args.before)
            s = alternate(contenders, args.rounds)
            what = f"diff, {files:,} files{' in one folder' if args.diff_on_level else ''}"
            row(f"{what} vs rclone check --size-only", s["ours"], s["ref"], "<= 1.0x, < 300 MiB at 1M")
            if args.before:
                row(f"{what} vs {args.before}", s["ours"], s["before"], "")
            # Folder totals of the same raw prefix: `ls --recursive` of its parent (one folder, counted
            # with tree_size: the first-level folders side by side) against `rclone size` of it.
            parent = raw.rstrip("/").rpartition("/")[0]
            parent = parent + "/" if parent else ""
            tot = [*PIXEL, "ls", f"s3://{bucket}/{parent}", "--recursive", "--json"]
            size_ref = [rclone, "size", "--json", f"bench:{bucket}/{raw}"]
            got = [r for r in json.loads(measure(tot, denv).out) if r["name"] == raw[len(parent):]]
            want = json.loads(measure(size_ref, renv_d).out)
            assert got and (got[0]["count"], got[0]["bytes"]) == (want["count"], want["bytes"]), (got, want)
            s = alternate({"ours": lambda: measure(tot, denv), "ref": lambda: measure(size_ref, renv_d)}, args.rounds)
            row(f"folder totals of {raw}, {want['count']:,} objects, vs rclone size", s["ours"], s["ref"], "keep <= 1.0x")
        if "check" in args.only:
            from bench_check import VALIDATE_ONLY
            from bench_check import seed as seed_check

            m = n // 10
            bucket = f"check{m}"
            reg = state / f"registry-{m}.json"

            def make():
                ensure_bucket(server, bucket)
                seed_check(server, bucket, m, state)

            info = seeded(state, "check", m, make)
            print(f"check seed: {info}", flush=True)
            if args.seed_only:
                return 0
            ours = [*PIXEL, "check", "--no-drive", "--json", "--bucket", bucket, "--registry", str(reg)]
            ref = [sys.executable, "-c", VALIDATE_ONLY, bucket, str(reg)]
            measure(ref, env)
            s = alternate({"ours": lambda: measure(ours, env, ok_codes=(0, 1)), "ref": lambda: measure(ref, env)},
                          args.rounds)
            row(f"check --no-drive, {m:,} entries vs validate", s["ours"], s["ref"], "<= 1.1x")
    finally:
        server.stop()
    print(header(f"at scale {n:,}: median (min-max) over {args.rounds} alternated rounds, weed mini on 127.0.0.1, "
                 f"load average now {os.getloadavg()[0]:.1f}"))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

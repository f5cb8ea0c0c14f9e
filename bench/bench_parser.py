"""The incremental log parser on the fastest log rclone writes: `-vv --stats 100ms`, many small files.

A real `rclone copy -vv --stats 100ms` of --files small files (local to local) makes the log once (kept
under --state); it is repeated to --mb MB. Each contender is a fresh process (so two checkouts can be
set side by side with --before), fed the same bytes in-process there: `LogParser.feed` line by line
(what a tail does with a live log), in 1 MiB chunks, and the reference, a naive loop of one regex
match per line. Rounds alternate the contenders; the figures are MB/s (10^6 bytes) of wall time and
of the process's CPU time, median (min-max).

    PYTHONPATH=. .venv/bin/python bench/bench_parser.py [--files 20000] [--mb 40] [--rounds 3] [--before /work/main]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, re, sys, time
data = open(sys.argv[1], "rb").read()
how = sys.argv[2]
lines = data.splitlines(keepends=True)
if how == "naive":
    pat = re.compile(rb"^(?:\S+ \S+ )?(?:\[\d+\] )?([A-Z]+) *: (.*)$")
    def run():
        n = 0
        for line in lines:
            if pat.match(line):
                n += 1
else:
    from pixel_tui.core.jobs.parse import LogParser
    def run():
        p = LogParser()
        if how == "lines":
            for line in lines:
                p.feed(line)
        else:
            for i in range(0, len(data), 1 << 20):
                p.feed(data[i:i + (1 << 20)])
        p.finish()
        p.snapshot()
w, c = time.perf_counter(), time.process_time()
run()
print(json.dumps({"wall": time.perf_counter() - w, "cpu": time.process_time() - c}))
"""


def make_log(state: Path, files: int) -> Path:
    """The real -vv --stats 100ms log of copying ``files`` small files (made once)."""
    from pixel_tui.core.binaries import find_binary

    log = state / f"vv-{files}.log"
    if log.exists():
        return log
    src = state / f"src-{files}"
    for i in range(files):
        d = src / f"d{i // 1000:03d}"
        if i % 1000 == 0:
            d.mkdir(parents=True, exist_ok=True)
        (d / f"file_{i:06d}.jsonl").write_bytes(b"x" * (i % 50))
    tmp = log.with_suffix(".tmp")
    subprocess.run([find_binary("rclone"), "copy", str(src), str(state / f"dst-{files}"), "-vv", "--stats", "100ms",
                    "--transfers", "8", "--log-file", str(tmp)], check=True, stdin=subprocess.DEVNULL)
    tmp.rename(log)
    return log


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=20_000)
    ap.add_argument("--mb", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", metavar="CHECKOUT", help="also run another checkout's parser (e.g. /work/main)")
    ap.add_argument("--state", default=os.path.expanduser("~/.cache/pixel-tui-bench/parser"))
    args = ap.parse_args()
    state = Path(args.state)
    state.mkdir(parents=True, exist_ok=True)
    run = make_log(state, args.files).read_bytes()
    data = state / f"vv-{args.files}-{args.mb}mb.log"
    if not data.exists():
        data.write_bytes(run * max(1, args.mb * 1_000_000 // len(run)))
    size = data.stat().st_size
    here = str(Path(__file__).resolve().parent.parent)
    who = {"lines": (here, "lines"), "chunks": (here, "chunks"), "naive": (here, "naive")}
    if args.before:
        who["before lines"] = (args.before, "lines")
        who["before chunks"] = (args.before, "chunks")
    got: dict[str, list[dict]] = {k: [] for k in who}
    names = list(who)
    for r in range(max(3, args.rounds)):
        for name in names[r % len(names):] + names[:r % len(names)]:
            path, how = who[name]
            out = subprocess.run([sys.executable, "-c", CHILD, str(data), how], capture_output=True, text=True,
                                 env={**os.environ, "PYTHONPATH": path}, cwd=path, check=True).stdout
            got[name].append(json.loads(out))
    n_lines = data.read_bytes().count(b"\n")
    print(f"\n`-vv --stats 100ms` log of {args.files:,} small files, repeated to {size / 1e6:.0f} MB "
          f"({size / n_lines:.0f} B/line), in a fresh process each, median (min-max) of {max(3, args.rounds)} rounds,"
          f" load average {os.getloadavg()[0]:.1f}")
    for name in names:
        for what in ("wall", "cpu"):
            r = sorted(size / x[what] / 1e6 for x in got[name])
            print(f"  {name:>14} ({who[name][0]}), MB/s of {what:>4}: {statistics.median(r):7.1f} ({r[0]:.1f}-{r[-1]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Weighing obstore (Rust `object_store` bindings) for listing: key fidelity, then whole-process speed.

Not a dependency of pixel-tui: `pip install obstore` into the venv to run this. It starts its own
`weed mini` on the server data of bench_listing.py (``--keep`` the same DIR; seed there first with
`bench_listing.py --keys N --keep DIR`), then:

1. lists one level holding the keys our layout really has (a level's own folder-marker key, a
   folder marker inside, an empty path segment, spaces, '+', '%', non-ASCII) with S3Store and with
   obstore's list_with_delimiter, and prints both;
2. times, as whole processes alternated over --rounds, `pixel-tui ls --json`, a process listing the
   level with obstore.list_with_delimiter (printing the same JSON rows), and `rclone lsf`.

    PYTHONPATH=. .venv/bin/python bench/bench_obstore.py --keep DIR [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PIXEL, alternate, header, measure, ratio_line, server_env  # noqa: E402

from pixel_tui.core.binaries import find_binary  # noqa: E402
from pixel_tui.demo.seaweedfs import WeedServer  # noqa: E402

OBSTORE_LS = r"""
import json, os, sys
from obstore.store import S3Store
store = S3Store(sys.argv[2], endpoint=sys.argv[1], access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"], region="us-east-1",
                virtual_hosted_style_request=False, client_options={"allow_http": True})
level = store.list_with_delimiter(sys.argv[3])  # the whole level at once: obstore has no paged form
rows = [{"name": p, "is_dir": True} for p in level["common_prefixes"]]
rows += [{"name": o["path"], "size": o["size"], "modified": o["last_modified"].isoformat()} for o in level["objects"]]
print(json.dumps(rows))
"""

EDGE_KEYS = ["e/", "e/plain.json", "e/with space.json", "e/plus+sign.json", "e/odd//x.json", "e/Folder/",
             "e/Folder/a.json", "e/ünï.json", "e/pct%20.json"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", required=True, metavar="DIR", help="bench_listing.py's --keep DIR (seeded)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    server = WeedServer(Path(args.keep) / "weed").start()
    try:
        from pixel_tui.core.storage.s3 import Credentials, S3Store

        env = server_env(server)
        edge = S3Store("edge", endpoint_url=server.endpoint_url,
                       credentials=Credentials(server.access_key, server.secret_key))
        edge.ensure_bucket()
        for key in EDGE_KEYS:
            edge.put_bytes(key, b"x")
        pages = list(edge.iter_level("e/"))
        ours = sorted([p for pg in pages for p in pg.prefixes] + [o.key for pg in pages for o in pg.objects])
        theirs = sorted(r["name"] for r in json.loads(
            measure([sys.executable, "-c", OBSTORE_LS, server.endpoint_url, "edge", "e/"], env).out))
        print("keys under e/ as S3Store lists them:", ours)
        print("the same level through obstore:     ", theirs)
        renv = {**os.environ, **server.rclone_env("bench")}
        s = alternate({
            "ours": lambda: measure([*PIXEL, "ls", "s3://bench/level/", "--json"], env),
            "obstore": lambda: measure([sys.executable, "-c", OBSTORE_LS, server.endpoint_url, "bench", "level/"], env),
            "lsf": lambda: measure([find_binary("rclone"), "lsf", "bench:bench/level/"], renv),
        }, args.rounds)
    finally:
        server.stop()
    n = len(s["lsf"].runs[0].out.splitlines())
    print(header(f"one level of {n:,} keys, whole processes, median (min-max) of {args.rounds} alternated rounds",
                 "ours / obstore", "rclone lsf"))
    for name in ("ours", "obstore"):
        print(ratio_line(f"{name}: wall", s[name], s["lsf"]))
        print(ratio_line(f"{name}: CPU", s[name], s["lsf"], "", "cpu"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

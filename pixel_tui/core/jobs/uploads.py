"""Start a Drive -> S3 raw upload as a detached `rclone copy` with a log file.

rclone needs an S3 remote for our bucket. When `s3.rclone_remote` names one, it is used as is;
otherwise a remote called PIXELS3 is defined through RCLONE_CONFIG_PIXELS3_* variables in the
child's environment only, so secrets never appear on a command line (`ps` shows argv to all).

Every upload runs with `--rc` on a free loopback port, so the app (and `pixel-tui jobs`) can stop it
and change its bandwidth live; it is remembered in the state dir (see `launched`).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Mapping

from pixel_tui.core.config import Settings
from pixel_tui.core.errors import ConfigError, UnsafeNameError
from pixel_tui.core.files import state_subdir
from pixel_tui.core.jobs.launched import RC_USER, Launched, free_loopback_port, proc_start, rc_secret, remember
from pixel_tui.core.jobs.rc import check_rate
from pixel_tui.core.storage.rclone import CopyJob, Rclone, RcloneEnv, join_remote, rclone_s3_env

REMOTE = "pixels3"


def s3_remote_env(settings: Settings, environ: Mapping[str, str] | None = None) -> tuple[str, RcloneEnv]:
    """(remote name, RCLONE_CONFIG_* variables) reaching the configured bucket."""
    if settings.rclone_remote:
        return settings.rclone_remote.rstrip(":"), RcloneEnv()
    environ = os.environ if environ is None else environ
    key, secret = environ.get("AWS_ACCESS_KEY_ID"), environ.get("AWS_SECRET_ACCESS_KEY")
    return REMOTE, rclone_s3_env(REMOTE, endpoint_url=settings.endpoint_url, region=settings.region,
                                 path_style=settings.addressing_style == "path", access_key=key,
                                 secret_key=secret, session_token=environ.get("AWS_SESSION_TOKEN"))


def _clean_rel(path: str) -> str:
    rel = path.strip().strip("/")
    parts = rel.split("/") if rel else []
    if any(p in ("", ".", "..") for p in parts):
        raise UnsafeNameError(f"unsafe path {path!r}", "use a plain relative path inside the Drive remote")
    return rel


def upload_destination(settings: Settings, drive_rel: str, remote: str) -> str:
    """The S3 raw path mirroring a Drive path: `<remote>:<bucket>/gdrive/raw/<drive_rel>`."""
    bucket = settings.require_bucket()
    return join_remote(f"{remote}:{bucket}", settings.raw_prefix, drive_rel)


def default_log_path(settings: Settings, drive_rel: str, now: datetime | None = None) -> Path:
    """`<state>/uploads/upload_<name>_<time>.log`."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", drive_rel.strip("/").replace("/", "_")) or "all"
    return settings.state_path / "uploads" / f"upload_{name[:60]}_{stamp}.log"


def _is_file(rclone: Rclone, src: str) -> bool:
    """True when ``src`` is a file (one `lsjson --stat` call; raises RcloneError if it does not exist)."""
    doc = json.loads(rclone.run("lsjson", "--stat", "--no-mimetype", "--no-modtime", src, timeout=60) or "{}")
    return not doc.get("IsDir", False)


def start_upload(settings: Settings, drive_rel: str, *, log_file: str | os.PathLike | None = None,
                 rclone: Rclone | None = None, bwlimit: str | None = None, stats: str = "5s",
                 environ: Mapping[str, str] | None = None, is_file: bool | None = None,
                 files_from: str | os.PathLike | None = None) -> CopyJob:
    """Start `rclone copy <drive>/<rel> <s3 raw>/<rel>` detached; it keeps running after we quit.

    ``files_from``: a list of paths under the folder ``drive_rel`` (one per line, as written by
    core/browse/folder_details.write_files_from): only those are copied (`--files-from-raw`).
    """
    if settings.read_only:
        raise ConfigError("read-only mode: uploads are disabled", "restart without --read-only")
    rel = _clean_rel(drive_rel)
    if bwlimit:
        bwlimit = check_rate(bwlimit)
    remote, env = s3_remote_env(settings, environ)
    src = join_remote(settings.drive, rel)
    base = rclone or Rclone()
    if files_from is not None:
        is_file = False  # the list names files inside the folder
    elif is_file is None:
        is_file = _is_file(base, src)
    # `rclone copy` copies a file *into* a directory, so a file goes to its parent folder.
    dst = upload_destination(settings, rel.rpartition("/")[0] if is_file else rel, remote)
    rc_args, rc_env = rc_control(settings)
    listed = (f"--files-from-raw={Path(files_from).resolve()}",) if files_from is not None else ()
    runner = Rclone(binary=base._binary, env={**base.extra_env, **env, **rc_env}, config_file=base.config_file)
    if log_file:
        log = Path(log_file)
    else:
        log = default_log_path(settings, rel)
        state_subdir(settings.state_path, "uploads")  # owner-only; an unwritable state dir is a message
    job = runner.start_copy(src, dst, log, bwlimit=bwlimit, stats=stats, extra_args=rc_args + listed)
    track(settings, job, rc_args, src, dst)
    return job


def rc_control(settings: Settings) -> tuple[tuple[str, ...], RcloneEnv]:
    """The flags and environment that put an rclone we start under our control: `--rc` on a free
    loopback port, user and pass from the state dir's secret (in the environment, not argv)."""
    port = free_loopback_port()
    env = RcloneEnv(RCLONE_RC_USER=RC_USER, RCLONE_RC_PASS=rc_secret(settings.state_path))
    return ("--rc", f"--rc-addr=127.0.0.1:{port}"), env


def track(settings: Settings, job: CopyJob, rc_args: tuple[str, ...], src: str, dst: str) -> None:
    """Reap ``job`` when it ends and remember it in the state dir (its log, rc endpoint and source)."""
    reap(job)
    addr = next(a.split("=", 1)[1] for a in rc_args if a.startswith("--rc-addr="))
    remember(settings.state_path, Launched(job.pid, str(job.log_file), addr, src, dst, time.time(),
                                           proc_start(job.pid)))


def reap(job: CopyJob) -> None:
    """Wait for the child in a daemon thread, so an upload that ends leaves no zombie while the app runs."""
    if job.process is not None:
        threading.Thread(target=job.process.wait, name=f"reap-{job.pid}", daemon=True).start()


def job_source(job: CopyJob) -> str | None:
    """The source an upload copies from, from its argv (`rclone ... copy SRC DST ...`)."""
    argv = list(job.argv)
    if "copy" in argv and argv.index("copy") + 1 < len(argv):
        return argv[argv.index("copy") + 1]
    return None

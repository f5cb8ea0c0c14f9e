"""The embedded demo: a private S3 server, a local "Drive" remote, a registry and a real upload."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pixel_tui.core.config import Settings
from pixel_tui.core.errors import ConfigError
from pixel_tui.core.storage.rclone import CopyJob, Rclone, RcloneEnv
from pixel_tui.core.storage.s3 import S3Store
from pixel_tui.demo.data import FILES, PROCESSED, file_bytes, registry_text, write_drive
from pixel_tui.demo.seaweedfs import WeedServer, read_pidfile

BUCKET = "pixel-data"
DRIVE_REMOTE = "demodrive"
S3_REMOTE = "demos3"
LOG_NAME = "upload_raw_final.log"
MARKER = ".pixel-tui-demo"  # the file that makes a directory the demo's own (and --reset able to delete it)


@dataclass
class DemoEnv:
    """Everything the demo started; ``stop()`` ends it all."""

    root: Path
    server: WeedServer
    settings: Settings
    rclone_env: dict[str, str]
    job: CopyJob | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def drive_dir(self) -> Path:
        """The local folder playing Google Drive."""
        return self.root / "drive"

    @property
    def log_path(self) -> Path:
        """The log file of the demo's rclone upload."""
        return self.root / "logs" / LOG_NAME

    @property
    def registry_path(self) -> Path:
        """The demo's dataset_registry.json."""
        return self.root / "registry" / "dataset_registry.json"

    def store(self) -> S3Store:
        """An S3Store on the demo bucket."""
        return S3Store.from_settings(self.settings, environ=self.process_env())

    def process_env(self) -> dict[str, str]:
        """Variables a child process (or this one) needs to reach the demo: AWS_* and RCLONE_CONFIG_*."""
        return {**self.server.env(), **self.rclone_env}

    def stop(self) -> None:
        """Stop the rclone job and the S3 server, by PID."""
        if self.job is not None:
            _kill(self.job.pid)
            self.job = None
        self.server.stop()


def _kill(pid: int, timeout: float = 5.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            # Reap it if it is our child; otherwise just probe that it is gone.
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        time.sleep(0.05)
    try:
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _load_state(root: Path) -> dict:
    try:
        return json.loads((root / "demo.json").read_text())
    except (OSError, ValueError):
        return {}


def _save_state(root: Path, state: dict) -> None:
    path = root / "demo.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the S3 secret
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(state, indent=2))
    path.chmod(0o600)


def start_demo(root: Path, reset: bool = False, bwlimit: str = "300k", start_upload: bool = True) -> DemoEnv:
    """Start (or restart) the demo under ``root``: server, seeded bucket, Drive folder, registry, upload."""
    root = Path(root).expanduser().resolve()
    claim_state_dir(root, reset)
    state = _load_state(root)
    _stop_leftovers(root)
    server = WeedServer(root / "weed", buckets=(BUCKET,))
    if state.get("access_key"):
        server.access_key, server.secret_key = state["access_key"], state["secret_key"]
    server.start()
    _save_state(root, {**state, "access_key": server.access_key, "secret_key": server.secret_key})
    rclone_env = RcloneEnv({
        f"RCLONE_CONFIG_{DRIVE_REMOTE.upper()}_TYPE": "alias",
        f"RCLONE_CONFIG_{DRIVE_REMOTE.upper()}_REMOTE": str(root / "drive"),
        **server.rclone_env(S3_REMOTE),
    })
    settings = Settings(
        endpoint_url=server.endpoint_url,
        bucket=BUCKET,
        rclone_remote=S3_REMOTE,
        drive=f"{DRIVE_REMOTE}:",
        logs=(str(root / "logs" / "*.log"),),
        registry=str(root / "registry" / "dataset_registry.json"),
        state_dir=str(root / "state"),
        stall_seconds=120.0,
    )
    env = DemoEnv(root, server, settings, rclone_env)
    try:
        _seed(env, fresh=not state.get("seeded"))
        state = _load_state(root)
        _save_state(root, {**state, "seeded": True})
        if start_upload:
            env.job = _start_upload(env, bwlimit)
            _save_state(root, {**_load_state(root), "rclone_pid": env.job.pid, "rclone_argv": list(env.job.argv)})
    except BaseException:
        env.stop()
        raise
    return env


def _stop_leftovers(root: Path) -> None:
    """A demo killed without cleanup leaves weed and rclone running: stop each process whose pid file
    this demo wrote, and only while its command line is still exactly the one the demo started (a
    reused pid, or another program whose arguments merely contain this path, is left alone)."""
    state = _load_state(root)
    recorded = [read_pidfile(root / "weed" / "weed.pid"), (state.get("rclone_pid"), state.get("rclone_argv"))]
    for pid, argv in recorded:
        if isinstance(pid, int) and isinstance(argv, list) and _cmdline(pid) == argv:
            _kill(pid)
    pidfile = root / "weed" / "weed.pid"
    if pidfile.exists():
        pidfile.unlink()


def _cmdline(pid: int) -> list[str] | None:
    """The argv of a running process, or None when it is gone (or a zombie, or not ours to read)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if not raw:
        return None
    return [arg.decode(errors="surrogateescape") for arg in raw.rstrip(b"\0").split(b"\0")]


def claim_state_dir(root: Path, reset: bool) -> None:
    """Make sure ``root`` is the demo's own directory (its marker file) before using or deleting it.

    An existing directory without the marker is refused: ``--reset`` would otherwise delete whatever
    folder it was given. A directory from before the marker existed (a ``demo.json`` with the demo's
    credentials in it) is adopted when not resetting.
    """
    marker = root / MARKER
    if root.exists() and not root.is_dir():
        raise ConfigError(f"demo state dir {root} exists and is not a directory",
                          "give --state-dir a new or empty folder")
    if root.is_dir() and not marker.is_file():
        legacy = "access_key" in _load_state(root)
        if any(root.iterdir()) and (reset or not legacy):
            raise ConfigError(f"{root} is not a pixel-tui demo directory (no {MARKER} in it); "
                              f"the demo {'deletes' if reset else 'writes into'} only its own",
                              "give --state-dir a new or empty folder")
    if reset and root.exists():
        _stop_leftovers(root)
        shutil.rmtree(root)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    root.chmod(0o700)
    if not marker.is_file():
        marker.write_text("This folder is the pixel-tui demo's; `pixel-tui demo --reset` deletes it.\n")


def _seed(env: DemoEnv, fresh: bool) -> None:
    write_drive(env.drive_dir)
    store = env.store()
    raw, processed = env.settings.raw_prefix, env.settings.processed_prefix
    by_path = {f.path: f for f in FILES}
    uploads: list[tuple[str, bytes]] = []
    if fresh:
        for demo in FILES:
            if demo.state == "uploaded":
                uploads.append((raw + demo.path, file_bytes(demo)))
            elif demo.state == "differs":
                uploads.append((raw + demo.path, file_bytes(demo, variant=1)))
        uploads.append((raw + "datasets-wendy/", b""))  # an empty folder-marker key, as some tools leave
        for src, dst in PROCESSED:
            uploads.append((processed + dst, file_bytes(by_path[src])))
        uploads.append((processed + "cot_reasoning/orphan_unregistered.jsonl", b'{"messages": []}\n'))
    # The in-progress upload is re-created at every start, so the demo always shows one running.
    pending = [raw + f.path for f in FILES if f.state == "pending"]
    store.delete_many(pending)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda kv: store.put_bytes(*kv), uploads))
    reg = env.registry_path
    if fresh or not reg.exists():
        reg.parent.mkdir(parents=True, exist_ok=True)
        reg.write_text(registry_text(BUCKET, processed), encoding="utf-8")
    (env.root / "logs").mkdir(exist_ok=True)
    (env.root / "state").mkdir(exist_ok=True)


def _start_upload(env: DemoEnv, bwlimit: str) -> CopyJob:
    log = env.log_path
    if log.exists():
        # Keep the previous run's log as rotated history, like logrotate would.
        log.rename(log.with_suffix(".log.1"))
    rclone = Rclone(env=env.process_env())
    # Files still "only on Drive" stay out of this job, so the demo always has missing items.
    excludes = tuple(f"--exclude=/{f.path}" for f in FILES if f.state == "local")
    return rclone.start_copy(
        f"{DRIVE_REMOTE}:", f"{S3_REMOTE}:{BUCKET}/{env.settings.raw_prefix}", log,
        bwlimit=bwlimit, stats="2s",
        extra_args=("--transfers=2", "--checkers=4", "--size-only", "--order-by=size,ascending", "--check-first",
                    *excludes),
    )

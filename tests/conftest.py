"""Session-wide real servers: SeaweedFS `weed mini` and moto's S3 server, both on 127.0.0.1."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from pixel_tui.core.storage.rclone import Rclone, rclone_s3_env
from pixel_tui.core.storage.s3 import Credentials, S3Store
from pixel_tui.demo.seaweedfs import WeedServer, free_port


@dataclass(frozen=True)
class ServerInfo:
    """Where a test S3 server listens and how to log in."""

    name: str
    endpoint_url: str
    access_key: str
    secret_key: str

    def store(self, bucket: str, **kwargs) -> S3Store:
        """An S3Store on this server."""
        return S3Store(bucket, endpoint_url=self.endpoint_url,
                       credentials=Credentials(self.access_key, self.secret_key), **kwargs)

    def rclone_env(self, remote: str = "s3test") -> dict[str, str]:
        """RCLONE_CONFIG_* variables defining an S3 remote for this server."""
        return rclone_s3_env(remote, endpoint_url=self.endpoint_url, path_style=True,
                             provider="SeaweedFS" if self.name == "weed" else "Other",
                             access_key=self.access_key, secret_key=self.secret_key)


@pytest.fixture(scope="session", autouse=True)
def _isolated_home(tmp_path_factory):
    """Keep the developer's own config, state and rclone config out of every test."""
    home = tmp_path_factory.mktemp("home")
    saved = {k: os.environ.get(k) for k in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "RCLONE_CONFIG", "PIXEL_TUI_CONFIG")}
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_STATE_HOME"] = str(home / "state")
    os.environ["RCLONE_CONFIG"] = str(home / "rclone.conf")
    os.environ.pop("PIXEL_TUI_CONFIG", None)
    for key in [k for k in os.environ if k.startswith("PIXEL_TUI_")]:
        os.environ.pop(key)
    yield home
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def weed_server(tmp_path_factory):
    """One real SeaweedFS server for the whole session."""
    server = WeedServer(tmp_path_factory.mktemp("weed")).start()
    yield ServerInfo("weed", server.endpoint_url, server.access_key, server.secret_key)
    server.stop()


@pytest.fixture(scope="session")
def moto_server():
    """moto's S3 server (flask), in-process on a free port."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield ServerInfo("moto", f"http://127.0.0.1:{port}", "testing", "testing")
    server.stop()


def _serve(argv: list[str], port: int, log: Path):
    """Start a server process and wait until its port answers (stopped by the caller)."""
    import socket
    import subprocess
    import time

    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{argv[0]} exited: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{argv[0]} did not listen on {port}: {log.read_text()[-2000:]}")


def _stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except Exception:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def rclone_s3_server(tmp_path_factory):
    """`rclone serve s3` (the suite's own rclone binary) over a local folder: an S3 server that accepts
    If-Match / If-None-Match and writes anyway, and whose UploadPartCopy copies nothing."""
    from pixel_tui.core.binaries import find_binary

    root = tmp_path_factory.mktemp("rclone-s3")
    (root / "data").mkdir()
    port = free_port()
    access, secret = "rclone-test-key", "rclone-test-secret-123"
    proc = _serve([find_binary("rclone"), "serve", "s3", "--addr", f"127.0.0.1:{port}",
                   "--auth-key", f"{access},{secret}", "--config", "/dev/null", str(root / "data")],
                  port, root / "serve.log")
    yield ServerInfo("rclone", f"http://127.0.0.1:{port}", access, secret)
    _stop(proc)


@pytest.fixture
def rclone_s3_store(rclone_s3_server) -> S3Store:
    """A fresh empty bucket on `rclone serve s3`."""
    return _new_bucket(rclone_s3_server)


@dataclass(frozen=True)
class HttpDrive:
    """A folder served by `python -m http.server`, reached as an rclone `http` remote with no_head:
    a remote whose listing has no sizes (lsjson says -1), like Google Docs on a real Drive."""

    root: Path
    url: str

    def env(self, remote: str = "web") -> dict[str, str]:
        """RCLONE_CONFIG_* variables of the http remote."""
        up = f"RCLONE_CONFIG_{remote.upper()}_"
        return {up + "TYPE": "http", up + "URL": self.url, up + "NO_HEAD": "true"}


@pytest.fixture(scope="session")
def _http_server(tmp_path_factory):
    import sys

    root = tmp_path_factory.mktemp("http-drive")
    port = free_port()
    proc = _serve([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(root)],
                  port, tmp_path_factory.mktemp("http-log") / "http.log")
    yield root, f"http://127.0.0.1:{port}/"
    _stop(proc)


@pytest.fixture
def http_drive(_http_server) -> HttpDrive:
    """An empty folder of the session's http server."""
    root, url = _http_server
    sub = "d" + uuid.uuid4().hex[:10]
    (root / sub).mkdir()
    return HttpDrive(root / sub, f"{url}{sub}/")


@pytest.fixture(params=["weed", "moto"])
def s3_server(request) -> ServerInfo:
    """Each test using this runs against both servers, so their differences are caught."""
    return request.getfixturevalue(f"{request.param}_server")


def _new_bucket(server: ServerInfo) -> S3Store:
    store = server.store("t-" + uuid.uuid4().hex[:12])
    store.ensure_bucket()
    return store


@pytest.fixture
def store(s3_server) -> S3Store:
    """A fresh empty bucket on each server in turn."""
    return _new_bucket(s3_server)


@pytest.fixture
def weed_store(weed_server) -> S3Store:
    """A fresh empty bucket on the SeaweedFS server only."""
    return _new_bucket(weed_server)


@pytest.fixture
def drive_dir(tmp_path) -> Path:
    """A local folder that plays Google Drive."""
    d = tmp_path / "drive"
    d.mkdir()
    return d


@pytest.fixture
def rclone(drive_dir, weed_server) -> Rclone:
    """Real rclone with two remotes: `drive:` (alias of drive_dir) and `s3test:` (the weed server)."""
    env = {"RCLONE_CONFIG_DRIVE_TYPE": "alias", "RCLONE_CONFIG_DRIVE_REMOTE": str(drive_dir)}
    env.update(weed_server.rclone_env("s3test"))
    return Rclone(env=env)


# -- promotion (issue 5) -------------------------------------------------------------------------
PROMO_REGISTRY = {
    "description": "Dataset registry for the training pipeline",
    "gdrive_mount": "/mnt/gdrive/datasets",
    "datasets": {
        "cot_reasoning": {
            "CoT_Heartbreak_and_Breakups": {
                "path": "/mnt/gdrive/datasets/CoT_Heartbreak_and_Breakups/CoT_Heartbreak_and_Breakups.json",
                "size_mb": 37,
                "type": "chain_of_thought",
                "focus": "relationships",
                "stage": "stage2_therapeutic_expertise",
            }
        },
        "priority_datasets": {
            "priority_1": {"path": "/mnt/gdrive/datasets/curated/priority_1_FINAL.jsonl", "type": "curated_priority",
                           "tier": 1, "stage": "stage1_foundation"}
        },
    },
    "edge_case_sources": {
        "example_edge_source": {"path": "/home/someone/edge_cases.jsonl", "type": "synthetic_edge",
                                "stage": "stage3_edge_stress_test"}
    },
    "usage_notes": {"s3_is_canonical": "free text"},
}


@dataclass
class PromoEnv:
    """A bucket, settings pointing at it (low multipart threshold), a registry file and a state dir."""

    store: S3Store
    settings: "object"
    registry_path: Path

    def put(self, key: str, data: bytes) -> None:
        """Write one object."""
        self.store.put_bytes(key, data)

    def inventory(self) -> dict[str, tuple[int, str]]:
        """Every key in the bucket with (size, ETag): compared before/after to prove nothing lost or duplicated."""
        return {o.key: (o.size, o.etag) for o in self.store.walk("")}

    def cli_env(self) -> dict[str, str]:
        """Environment for a `pixel-tui` subprocess using the same bucket, state and registry."""
        creds = self.store._credentials
        s = self.settings
        return {
            **os.environ,
            "AWS_ACCESS_KEY_ID": creds.access_key_id, "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
            "AWS_DEFAULT_REGION": "us-east-1",
            "PIXEL_TUI_ENDPOINT_URL": self.store.endpoint_url, "PIXEL_TUI_BUCKET": self.store.bucket,
            "PIXEL_TUI_STATE_DIR": s.state_dir, "PIXEL_TUI_REGISTRY": s.registry,
            "PIXEL_TUI_COPY_CUTOFF": str(s.copy_cutoff), "PIXEL_TUI_PART_SIZE": str(s.part_size),
            "PIXEL_TUI_CONCURRENCY": str(s.concurrency),
        }


def make_promo_env(store: S3Store, tmp_path: Path, **overrides) -> PromoEnv:
    """Build a PromoEnv on ``store`` under ``tmp_path``."""
    import json

    from pixel_tui.core.config import Settings

    reg = tmp_path / "dataset_registry.json"
    reg.write_text(json.dumps(PROMO_REGISTRY, indent=4) + "\n")
    values = dict(bucket=store.bucket, endpoint_url=store.endpoint_url, state_dir=str(tmp_path / "state"),
                  registry=str(reg), copy_cutoff=6 * 1024 * 1024, part_size=5 * 1024 * 1024, concurrency=8)
    values.update(overrides)
    return PromoEnv(store, Settings(**values), reg)


@pytest.fixture
def promo_env(store, tmp_path) -> PromoEnv:
    """Promotion environment on each server in turn."""
    return make_promo_env(store, tmp_path)


@pytest.fixture
def weed_promo_env(weed_store, tmp_path) -> PromoEnv:
    """Promotion environment on SeaweedFS only (heavier tests)."""
    return make_promo_env(weed_store, tmp_path)


@pytest.fixture(scope="session")
def rclone_logs(weed_server, tmp_path_factory):
    """Real rclone logs in every format (text, one-line, JSON, -P to a file and to a terminal), made once."""
    from logfixtures import make_rclone_logs

    store = weed_server.store("logs-" + uuid.uuid4().hex[:8])
    store.ensure_bucket()
    return make_rclone_logs(tmp_path_factory.mktemp("rclone-logs"), weed_server.rclone_env("s3test"), store.bucket)


@pytest.fixture(scope="session")
def layout_logs(weed_server, tmp_path_factory):
    """Real rclone logs in every --log-format layout: finished, fatal (--max-transfer) and CRITICAL runs."""
    from logfixtures import make_layout_logs

    store = weed_server.store("layouts-" + uuid.uuid4().hex[:8])
    store.ensure_bucket()
    return make_layout_logs(tmp_path_factory.mktemp("rclone-layouts"), weed_server.rclone_env("s3test"), store.bucket)


@pytest.fixture(autouse=True)
def _steady_cursor(monkeypatch):
    """Inputs never blink in app tests, so a snapshot or a screen read never catches the cursor mid-blink."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)

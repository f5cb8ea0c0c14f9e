"""The private SeaweedFS server answers only through S3 with credentials: its master, filer and volume
ports (HTTP and gRPC) refuse anonymous reads, writes and deletes from any local user."""

from __future__ import annotations

import json
import socket
import ssl
import stat
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pixel_tui.core.binaries import find_binary
from pixel_tui.core.storage.s3 import Credentials, S3Store
from pixel_tui.demo.seaweedfs import WeedServer

BUCKET = "lockdown"
KEY = "data/secret.jsonl"
BODY = b'{"messages": ["private"]}\n'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A weed server of our own: the test needs its internal ports, which the session fixture hides."""
    srv = WeedServer(tmp_path_factory.mktemp("weed-lockdown"), buckets=(BUCKET,)).start()
    yield srv
    srv.stop()


@pytest.fixture
def store(server) -> S3Store:
    """The bucket through S3 with the right credentials, holding one object."""
    s = S3Store(BUCKET, endpoint_url=server.endpoint_url, credentials=Credentials(server.access_key, server.secret_key))
    s.put_bytes(KEY, BODY)
    return s


def _http(method: str, url: str, data: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _volume_ids(server) -> list[int]:
    """The ids of the volumes holding the bucket's data (the volume server's status page names them)."""
    url = f"http://127.0.0.1:{server.ports['volume.port']}/status"
    with urllib.request.urlopen(url, timeout=5) as resp:
        volumes = json.load(resp)["Volumes"]
    ids = [v["Id"] for v in volumes if v.get("Collection") == BUCKET]
    assert ids
    return ids


def test_s3_with_credentials_reads_writes_and_deletes(store):
    assert store.get_bytes(KEY)[0] == BODY
    store.put_bytes("data/other.txt", b"x")
    store.delete_many(["data/other.txt"])
    assert store.head("data/other.txt") is None


def test_anonymous_http_on_master_filer_and_volume_is_refused(server, store):
    master = f"http://127.0.0.1:{server.ports['master.port']}"
    filer = f"http://127.0.0.1:{server.ports['filer.port']}"
    volume = f"http://127.0.0.1:{server.ports['volume.port']}"
    attempts = [
        ("GET", f"{filer}/buckets/{BUCKET}/{KEY}", None),                 # read the object
        ("GET", f"{filer}/buckets/{BUCKET}/data/", None),                 # list the bucket
        ("PUT", f"{filer}/buckets/{BUCKET}/data/evil.txt", b"evil"),      # write
        ("POST", f"{filer}/buckets/{BUCKET}/data/evil2.txt", b"evil"),    # write
        ("DELETE", f"{filer}/buckets/{BUCKET}/{KEY}", None),              # delete
        ("GET", f"{master}/dir/assign", None),                            # a file id to write with
        ("POST", f"{master}/submit", b"evil"),                            # write through the master
        ("GET", f"{master}/col/delete?collection={BUCKET}", None),        # drop the bucket's volumes
        ("GET", f"{master}/vol/grow?count=1", None),
    ]
    for vid in _volume_ids(server):
        fid = f"{vid},01637037d6"
        attempts += [("GET", f"{volume}/{fid}", None), ("POST", f"{volume}/{fid}", b"evil"),
                     ("PUT", f"{volume}/{fid}", b"evil"), ("DELETE", f"{volume}/{fid}", None)]
    answered = {(method, url): _http(method, url, data) for method, url, data in attempts}
    allowed = {k: v for k, v in answered.items() if v < 400}
    assert not allowed, allowed
    for (method, url), code in answered.items():
        if url.startswith(volume):
            assert code == 401, (method, url, code)  # refused for want of a signed token, not "not found"
    # Nothing changed behind S3's back.
    assert store.get_bytes(KEY)[0] == BODY
    assert {o.key for o in store.walk("data/")} == {KEY}


@pytest.mark.parametrize("port", ["master.port.grpc", "filer.port.grpc", "volume.port.grpc", "s3.port.grpc",
                                  "admin.port.grpc"])
def test_grpc_ports_demand_a_client_certificate(server, port):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    with socket.create_connection(("127.0.0.1", server.ports[port]), timeout=5) as raw, \
            context.wrap_socket(raw) as tls, pytest.raises(ssl.SSLError, match="CERTIFICATE_REQUIRED"):
        tls.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        tls.recv(1024)
        tls.recv(1024)


def test_weed_shell_without_the_certificate_cannot_delete(server, store, tmp_path):
    """The real client an attacker would use: `weed shell fs.rm` over the filer's gRPC port."""
    p = server.ports
    cmd = [find_binary("weed"), "shell", f"-master=127.0.0.1:{p['master.port']}.{p['master.port.grpc']}",
           f"-filer=127.0.0.1:{p['filer.port']}.{p['filer.port.grpc']}"]
    try:
        subprocess.run(cmd, input=f"fs.rm /buckets/{BUCKET}/{KEY}\n", capture_output=True, text=True,
                       timeout=8, cwd=tmp_path, check=False)
    except subprocess.TimeoutExpired:
        pass  # it retries the TLS handshake forever: refused
    assert store.get_bytes(KEY)[0] == BODY


def test_secrets_are_private_to_the_owner(server):
    assert stat.S_IMODE(server.data_dir.stat().st_mode) == 0o700
    for name in ("security.toml", "weed.key", "s3.json"):
        assert stat.S_IMODE((server.data_dir / name).stat().st_mode) == 0o600, name


def test_stop_removes_the_sockets_weed_leaves_in_tmp(tmp_path):
    srv = WeedServer(tmp_path / "w").start()
    ports = list(srv.ports.values())
    assert any(Path("/tmp").glob(f"seaweedfs-*-{p}.sock") for p in ports)
    srv.stop()
    assert not [s for p in ports for s in Path("/tmp").glob(f"seaweedfs-*-{p}.sock")]


def test_a_data_dir_too_long_for_a_unix_socket_still_starts(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    with WeedServer(deep, buckets=("long-path",)) as srv:
        store = S3Store("long-path", endpoint_url=srv.endpoint_url,
                        credentials=Credentials(srv.access_key, srv.secret_key))
        store.put_bytes("k", b"v")
        assert store.get_bytes("k")[0] == b"v"

"""Lock a private `weed mini` to its S3 gateway: JWT-signed filer/volume HTTP, mTLS on every gRPC port.

Without this, any local user can read, write and delete the bucket through the master, filer and
volume ports (HTTP and gRPC), bypassing the S3 credentials. weed reads `security.toml` from its
working directory first, so the server runs in its own 0700 data dir holding this file, the CA and
the one certificate every component (and only they) present; the CA key is not kept.
"""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path

# Every component weed mini runs that serves or dials gRPC.
_GRPC_COMPONENTS = ("master", "volume", "filer", "s3", "admin", "worker", "msg_broker", "msg_agent", "mq")
COMMON_NAME = "pixel-weed"


def _write_private(path: Path, data: bytes) -> None:
    """Create (or replace) ``path`` readable by its owner only, from the first byte on."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throw-away CA and one server+client certificate it signed (CN pixel-weed, 127.0.0.1)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=3650)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pixel-weed-ca-" + secrets.token_hex(4))])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, COMMON_NAME)]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    paths = directory / "ca.crt", directory / "weed.crt", directory / "weed.key"
    _write_private(paths[0], ca.public_bytes(pem))
    _write_private(paths[1], leaf.public_bytes(pem))
    _write_private(paths[2], key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return paths


def write_security(directory: Path) -> Path:
    """Write ``directory``/security.toml (and its certificates) with fresh keys; returns the toml path."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    ca, cert, key = _certificates(directory)
    lines = []
    # Master<->volume and S3<->filer tokens, for writes and for reads: an unsigned HTTP request gets 401.
    for section in ("jwt.signing", "jwt.signing.read", "jwt.filer_signing", "jwt.filer_signing.read"):
        lines += [f"[{section}]", f'key = "{secrets.token_hex(32)}"', "expires_after_seconds = 10", ""]
    lines += ["[access]", "ui = false", "", "[filer.expose_directory_metadata]", "enabled = false", ""]
    lines += ["[grpc]", f'ca = "{ca}"', ""]
    for component in _GRPC_COMPONENTS:
        lines += [f"[grpc.{component}]", f'cert = "{cert}"', f'key = "{key}"',
                  f'allowed_commonNames = "{COMMON_NAME}"', ""]
    lines += ["[grpc.client]", f'cert = "{cert}"', f'key = "{key}"', ""]
    path = directory / "security.toml"
    _write_private(path, "\n".join(lines).encode())
    return path


def scrubbed_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for weed without WEED_* variables, which would override security.toml."""
    source = os.environ if environ is None else environ
    return {k: v for k, v in source.items() if not k.startswith("WEED_")}

"""Who is acting: the OS user and host, as the audit log and every S3 registry save record them."""

from __future__ import annotations

import getpass
import os
import socket


def who() -> dict[str, str]:
    """The OS user and host, as recorded in every audit line."""
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry in some containers
        user = os.environ.get("USER", "unknown")
    return {"user": user, "host": socket.gethostname()}


def user_at_host() -> str:
    """``user@host``, ASCII only (it travels as an HTTP header: x-amz-meta-pixel-user)."""
    w = who()
    return f"{w['user']}@{w['host']}".encode("ascii", "replace").decode("ascii")

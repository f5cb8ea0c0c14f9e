"""`demo --no-ui`: the `export ...` lines that point every CLI command (and aws, rclone) at the running demo.

Secrets (the demo server's secret key, in the AWS and RCLONE_CONFIG_* variables) are never printed: they go
into ``<state dir>/demo.env`` (mode 0600) with every other line, and the printed text sources that file."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from pixel_tui.core.config import env_name

SECRET_WORDS = ("SECRET", "TOKEN", "PASSWORD", "PASS")


def _is_secret(name: str) -> bool:
    return any(word in name.upper() for word in SECRET_WORDS)


def demo_variables(env) -> dict[str, str]:
    """Every variable a shell needs to reach the demo: pixel-tui settings, AWS credentials, rclone remotes."""
    s = env.settings
    out = {
        env_name("endpoint_url"): s.endpoint_url or "",
        env_name("bucket"): s.bucket or "",
        env_name("drive"): s.drive,
        env_name("rclone_remote"): s.rclone_remote or "",
        env_name("registry"): s.registry or "",
        env_name("state_dir"): s.state_dir or "",
        env_name("logs"): ",".join(s.logs),
    }
    out.update(env.process_env())
    return {k: v for k, v in out.items() if v}


def export_lines(variables: dict[str, str], env_file: Path) -> list[str]:
    """`export NAME=value` for the non-secret variables, then `. env_file` for everything (secrets too)."""
    lines = [f"export {k}={shlex.quote(v)}" for k, v in variables.items() if not _is_secret(k)]
    hidden = [k for k in variables if _is_secret(k)]
    if hidden:
        lines.append(f". {shlex.quote(str(env_file))}   # all of the above and {', '.join(hidden)}")
    return lines


def write_env_file(variables: dict[str, str], env_file: Path) -> None:
    """Every export line, secrets included, in a file only its owner can read."""
    text = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in variables.items())
    fd = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(env_file, 0o600)

"""Typed errors whose messages say what went wrong and what to do about it, and the one way to show them.

``render_error`` is what every person sees, in a pane, a dialog, a notice or on the CLI's stderr:
``message`` and, on a second line, ``what to do: hint`` for our errors; ``Type: text`` for anything
else (never a traceback). ``one_line=True`` joins the two for a status line. ``error_parts`` gives
the two halves to a widget that styles them itself.
"""

from __future__ import annotations

import re

from pixel_tui.core.printable import printable

MASK = "***"

# The password of a URL's user:password@ (rc endpoints, proxies, endpoint URLs), also without a
# scheme when a port follows (`monitor.rc_urls` takes `user:pass@host:5572`).
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*):[^/\s]*@"
                           r"|(?<![\w/:.@-])([\w.~%-]+):[^/\s@]+@(?=[\w.-]+:\d+\b)")
# Secret parameters of an rclone connection string (`:s3,access_key_id=...,secret_access_key=...:bucket`);
# rclone quotes a value holding , or : with " or ' (doubling the quote inside).
_SECRET_PARAMS = (r"access_key_id|secret_access_key|session_token|pass|password|client_secret|token|key"
                  r"|account_key|sas_url|service_account_credentials|bearer_token")
_CONN_PARAM = re.compile(rf"(?i)(,(?:{_SECRET_PARAMS})=)(\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*'|[^,:\s]*)")
# The same secrets as environment assignments or command-line flags:
# AWS_SECRET_ACCESS_KEY=..., RCLONE_CONFIG_S3_SECRET_ACCESS_KEY=..., --s3-secret-access-key=..., --rc-pass x.
_ENV_SECRET = re.compile(r"(\b(?:AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|RCLONE_RC_PASS|RCLONE_CONFIG_PASS"
                         r"|RCLONE_CONFIG_\w+?_(?:SECRET_ACCESS_KEY|SESSION_TOKEN|PASS|PASSWORD|CLIENT_SECRET|TOKEN"
                         r"|ACCOUNT_KEY|SAS_URL|KEY))=)(\S+)")
_FLAG_SECRET = re.compile(r"(--(?:[\w-]+-)?(?:secret-access-key|session-token|pass|password|client-secret|token"
                          r"|account-key|sas-url)(?:=|\s+))(\S+)")


def redact(text: str) -> str:
    """``text`` with the secrets it may carry replaced by ***: URL passwords, the secret
    parameters of rclone connection strings, and secret environment assignments and flags."""
    if not text:
        return text
    # Each pattern needs a character most text lacks: test for it first (the CLI redacts every line it
    # prints, and the full patterns cost ~50 µs a line).
    if "@" in text:
        text = _URL_PASSWORD.sub(lambda m: f"{m.group(1) or m.group(2)}:{MASK}@", text)
    if "=" in text:
        text = _CONN_PARAM.sub(rf"\1{MASK}", text)
        if "AWS_" in text or "RCLONE_" in text:
            text = _ENV_SECRET.sub(rf"\1{MASK}", text)
    if "--" in text:
        text = _FLAG_SECRET.sub(rf"\1{MASK}", text)
    return text


class PixelError(Exception):
    """Base of every error pixel_tui reports to a person; ``hint`` says what to do.

    Message and hint are redacted (see ``redact``): rclone errors quote remote paths, which may
    be connection strings with keys in them.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        message, hint = redact(message), redact(hint)
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return render_error(self)


def error_parts(exc: BaseException) -> tuple[str, str]:
    """(message, hint) of an exception; the hint is empty when there is none."""
    if isinstance(exc, PixelError):
        return exc.message, exc.hint
    return redact(f"{type(exc).__name__}: {exc}"), ""  # ours are redacted when made


def render_error(exc: BaseException, one_line: bool = False) -> str:
    """'message\\nwhat to do: hint' (or 'message (what to do: hint)' on one line); 'Type: text' otherwise."""
    message, hint = error_parts(exc)
    # Messages quote keys, names and server replies: data, which must not steer the terminal.
    message, hint = printable(message), printable(hint)
    if not hint:
        return message
    return f"{message} (what to do: {hint})" if one_line else f"{message}\nwhat to do: {hint}"


class ConfigError(PixelError):
    """Bad configuration: unknown key, wrong type, missing bucket (exit code 2)."""

    exit_code = 2


class UnsafeNameError(PixelError):
    """A name or key that would escape the configured bucket/prefixes (``..``, leading ``/``...)."""

    exit_code = 2


class BinaryNotFound(PixelError):
    """rclone or weed could not be found next to the interpreter or on PATH."""

    exit_code = 2


class S3Error(PixelError):
    """Any S3 failure; names endpoint, bucket and key."""


class NoSuchBucket(S3Error):
    """The bucket does not exist."""


class NoSuchKey(S3Error):
    """The object does not exist."""


class AccessDenied(S3Error):
    """Credentials are missing, wrong, or lack permission."""


class EndpointUnreachable(S3Error):
    """The endpoint could not be reached at all."""


class PreconditionFailed(S3Error):
    """A conditional write lost: the object changed (or appeared) since it was read."""


class CopyNotSupported(S3Error):
    """The server refuses (NotImplemented / 501) or fakes a server-side copy: copy through the client."""


class RcloneError(PixelError):
    """rclone failed or a remote is not configured."""

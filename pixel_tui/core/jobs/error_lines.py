"""rclone error lines made readable on one line: the time, the path and the cause, without the
noise S3 SDKs add (`operation error S3: PutObject, https response error StatusCode: 403, RequestID: ,
HostID: , api error AccessDenied: Access Denied.` -> `PutObject 403 AccessDenied: Access Denied.`)."""

from __future__ import annotations

import json
import re

from pixel_tui.core.errors import redact

# date? time(.micro)? [pid]? file:line:? LEVEL :  -- whatever --log-format wrote before the message
_PREFIX = re.compile(r"^(?:\d{4}/\d\d/\d\d )?(?P<time>\d\d:\d\d:\d\d)?(?:\.\d+)?\s*(?:\[\d+\]\s*)?"
                     r"(?:\S+\.go:\d+:\s*)?(?:ERROR|CRITICAL|NOTICE|INFO|DEBUG)\s*:\s*")
_NOISE = (
    (re.compile(r"\boperation error S3: "), ""),
    (re.compile(r"\bhttps? response error "), ""),
    (re.compile(r"\bStatusCode: (\d+),?"), r"\1"),
    (re.compile(r"\b(?:RequestID|HostID|request id|host id|RequestId|HostId): [^,]*,\s*"), ""),
    (re.compile(r"\b(?:RequestID|HostID|request id|host id): \S*$"), ""),
    (re.compile(r"\bapi error "), ""),
    (re.compile(r"\bgoogleapi: "), ""),
)


def tidy(line: str) -> str:
    """One error line, short: `HH:MM:SS path: cause` with the SDK noise removed (and secrets masked)."""
    line = line.strip()
    if line.startswith("{"):
        try:
            doc = json.loads(line)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            when = str(doc.get("time", ""))[11:19]
            obj = doc.get("object")
            line = f"{when} " * bool(when) + (f"{obj}: " if obj else "") + str(doc.get("msg", ""))
            return redact(_clean(line))
    m = _PREFIX.match(line)
    if m:
        line = (m.group("time") + " " if m.group("time") else "") + line[m.end():]
    return redact(_clean(line))


def _clean(text: str) -> str:
    for pattern, repl in _NOISE:
        text = pattern.sub(repl, text)
    text = re.sub(r",\s*,", ",", text)
    text = re.sub(r"\s+,", ",", text)
    return re.sub(r"\s{2,}", " ", text).strip().rstrip(",")


_WRAPPERS = (
    re.compile(r"^\d\d:\d\d:\d\d "),  # the time: a strip or a card says "now" already
    re.compile(r"^Failed to [a-z]+ with \d+ errors?: last error was: "),  # rclone's closing summary
    re.compile(r"^(?:Cancelling sync due to fatal error|Attempt \d+/\d+ failed with \d+ errors? and): "),
)


def short_error(line: str) -> str:
    """An error line as short as it can be and still say what broke: `path: cause`, or just the cause of
    rclone's closing summary (`Failed to copy with 3 errors: last error was: ...`)."""
    text = tidy(line)
    for pattern in _WRAPPERS:
        text = pattern.sub("", text)
    return text.replace(": Failed to copy: ", ": ", 1)

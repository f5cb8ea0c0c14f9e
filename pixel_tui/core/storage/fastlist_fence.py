"""The fence around the fast list parser: use it when it fits this botocore, else botocore's own.

Why the fast parser exists: botocore spends ~85% of a 100k-key listing in its generic XML-to-dict
walk (see fastlist.py); ours lists the same bytes several times faster. Why the fence: fastlist
subclasses botocore internals (RestXMLParser and its private helpers, the response-parser factory
component, the 200-error handler), which a botocore release may rename at any time. So every use
goes through here: if anything it needs is missing, or installing it raises, the stock parser
lists instead (identical results, slower) and one warning says so. ``PIXEL_TUI_FAST_LIST=0``
switches it off. Nothing in this module imports botocore.
"""

from __future__ import annotations

import importlib
import os
import threading
import warnings
from typing import Callable

_hook = threading.local()  # the early continuation-token callback fastlist's parser calls
_warned = threading.Lock()
_state = {"warned": False}


class FastListUnavailable(UserWarning):
    """The fast list parser does not fit this botocore; listings use botocore's own parser."""


class early_token:
    """Context manager: while active in this thread, call ``callback(token)`` as soon as a
    listing response arrives, before it is parsed (at most once per request; fast parser only)."""

    def __init__(self, callback: Callable[[str], None]) -> None:
        self.callback = callback

    def __enter__(self) -> "early_token":
        _hook.callback = self.callback
        return self

    def __exit__(self, *exc) -> None:
        _hook.callback = None


def enabled() -> bool:
    """False when PIXEL_TUI_FAST_LIST=0 (or off/false/no)."""
    return os.environ.get("PIXEL_TUI_FAST_LIST", "1").strip().lower() not in ("0", "off", "false", "no")


def _warn_once(exc: BaseException) -> None:
    with _warned:
        if _state["warned"]:
            return
        _state["warned"] = True
    warnings.warn(FastListUnavailable(
        f"fast S3 listing disabled, botocore's parser is used instead ({type(exc).__name__}: {exc})"), stacklevel=3)


def _fastlist():
    # import_module, not `from ... import`: a failed earlier import must be retried, not cached.
    fastlist = importlib.import_module("pixel_tui.core.storage.fastlist")
    fastlist.check_botocore()
    return fastlist


def speed_up(session) -> bool:
    """Install the fast list parser on a boto3 session; False (stock parser) when off or unfit."""
    if not enabled():
        return False
    try:
        _fastlist().install_fast_list_parser(session)
    except Exception as exc:  # noqa: BLE001 - any mismatch with botocore's internals: fall back
        _warn_once(exc)
        return False
    return True


def speed_up_client(client, installed: bool) -> None:
    """Skip botocore's second XML parse of listing bodies (only with the fast parser installed)."""
    if not installed:
        return
    try:
        _fastlist().tune_client(client)
    except Exception as exc:  # noqa: BLE001 - as above
        _warn_once(exc)

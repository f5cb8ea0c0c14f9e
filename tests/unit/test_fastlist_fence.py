"""The fast list parser is fenced: off with PIXEL_TUI_FAST_LIST=0, and a botocore that renamed what it
needs falls back to botocore's own parser with one warning. Every path lists the same."""

from __future__ import annotations

import sys
import warnings

import pytest

from pixel_tui.core.storage import fastlist_fence
from pixel_tui.core.storage.fastlist import FastParserFactory

KEYS = ["lvl/plain.json", "lvl/with space.jsonl", "lvl/plus+sign.json", "lvl/ünï – ✓.txt", "lvl/amp&lt;.json",
        "lvl/sub/child.json", "lvl/sub dir/child.json", "lvl/marker/"] + [f"lvl/many/{i:04d}.json" for i in range(2100)]


def _listing(server, bucket: str):
    """What a fresh store lists: one level and the recursive walk (several pages), in full."""
    store = server.store(bucket)
    prefixes, objects = [], []
    for page in store.iter_level("lvl/", page_size=1000):
        prefixes += page.prefixes
        objects += [(o.key, o.size, o.etag, o.last_modified) for o in page.objects]
    walked = [(o.key, o.size, o.etag, o.last_modified) for o in store.walk("lvl/")]
    return store, (sorted(prefixes), objects, walked)


def _fast(store) -> bool:
    """Whether this store's client parses responses with our factory (botocore asks it per request)."""
    return isinstance(store.client._endpoint._response_parser_factory, FastParserFactory)


@pytest.fixture
def filled(s3_server):
    store = s3_server.store("f-" + __import__("uuid").uuid4().hex[:10])
    store.ensure_bucket()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: store.put_bytes(k, k.encode()), KEYS))
    return s3_server, store.bucket


@pytest.fixture(autouse=True)
def _fresh_warning_state(monkeypatch):
    monkeypatch.setitem(fastlist_fence._state, "warned", False)


def test_on_and_off_list_identically(filled, monkeypatch):
    server, bucket = filled
    monkeypatch.setenv("PIXEL_TUI_FAST_LIST", "1")
    fast_store, fast = _listing(server, bucket)
    assert _fast(fast_store)
    monkeypatch.setenv("PIXEL_TUI_FAST_LIST", "0")
    stock_store, stock = _listing(server, bucket)
    assert not _fast(stock_store)
    assert fast == stock
    assert len(fast[2]) == len(KEYS) and fast[0] == ["lvl/many/", "lvl/marker/", "lvl/sub dir/", "lvl/sub/"]


@pytest.mark.parametrize("renamed", ["botocore.handlers._handle_200_error", "botocore.parsers.RestXMLParser"])
def test_a_botocore_without_what_we_need_falls_back_with_one_warning(filled, monkeypatch, renamed):
    server, bucket = filled
    monkeypatch.setenv("PIXEL_TUI_FAST_LIST", "1")
    _, fast = _listing(server, bucket)
    # A botocore release renames a private name the fast path uses (botocore itself holds its own
    # references, so its stock parser keeps working); fastlist is imported afresh against it.
    monkeypatch.delattr(renamed)
    monkeypatch.delitem(sys.modules, "pixel_tui.core.storage.fastlist")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store_a, first = _listing(server, bucket)
        _, second = _listing(server, bucket)
    ours = [w for w in caught if issubclass(w.category, fastlist_fence.FastListUnavailable)]
    assert len(ours) == 1 and renamed.rsplit(".", 1)[1] in str(ours[0].message), [str(w.message) for w in caught]
    assert not _fast(store_a)
    assert first == fast and second == fast

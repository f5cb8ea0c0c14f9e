"""walk_split lists exactly what walk lists (as a set), on SeaweedFS, moto and `rclone serve s3`:
first-level files and folder markers, nested folders, odd names, the one-listing fallback above
MAX_SPLIT folders; a reader that stops early stops the folders' listings; an error in one folder
reaches the reader."""

from __future__ import annotations

import threading
import time

import pytest

from pixel_tui.core.storage.walk_split import walk_split

P = "gdrive/raw/"
KEYS = [
    P,  # the prefix's own folder marker
    P + "top.json", P + "top two.bin", P + "zz-last.txt",
    P + "Alpha Set/", P + "Alpha Set/a.json", P + "Alpha Set/deep/er/b.json",
    P + "Beta_downloaded/x.jsonl", P + "Beta_downloaded/x.jsonl.part",
    P + "é unicode/ü.json", P + "plus+sign/a b.json",
    P + "many/" + "f0.json",
    "gdrive/raw-not-below/x.json", "gdrive/rawx.json",  # same leading text, not under P
]


def _seed(store, keys) -> None:
    for k in keys:
        store.put_bytes(k, b"" if k.endswith("/") else k.encode())


def _walked(store, prefix):
    return sorted((o.key, o.size, o.etag) for o in store.walk(prefix))


def _split(store, prefix, **kw):
    return sorted((o.key, o.size, o.etag) for o in walk_split(store, prefix, **kw))


def test_walk_split_lists_what_walk_lists(store):
    _seed(store, KEYS + [f"{P}many/f{i}.json" for i in range(1, 30)])
    want = _walked(store, P)
    assert len(want) == len(KEYS) - 2 + 29
    assert _split(store, P) == want
    assert _split(store, P, workers=1) == want  # one recursive listing
    assert _split(store, P, max_split=2) == want  # more folders than the split allows: the fallback
    assert _split(store, P + "Alpha Set/") == _walked(store, P + "Alpha Set/")
    assert _split(store, "gdrive/raw") == _walked(store, "gdrive/raw")  # a prefix without its slash
    assert _split(store, P + "nothing here/") == []


def test_walk_split_on_a_server_that_ignores_conditional_writes(rclone_s3_store):
    _seed(rclone_s3_store, [k for k in KEYS if not k.endswith("/")])  # a directory server: no marker keys
    assert _split(rclone_s3_store, P) == _walked(rclone_s3_store, P)


def test_a_reader_that_stops_early_stops_the_listings(weed_store):
    _seed(weed_store, [f"{P}d{d}/f{i:04d}.json" for d in range(6) for i in range(1200)])
    before = threading.active_count()
    it = walk_split(weed_store, P)
    got = [next(it) for _ in range(10)]
    assert len(got) == 10
    it.close()
    deadline = time.monotonic() + 10
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before, [t.name for t in threading.enumerate()]


def test_an_error_in_one_folder_reaches_the_reader(weed_store, monkeypatch):
    _seed(weed_store, [f"{P}ok{d}/f.json" for d in range(3)] + [P + "bad/f.json"])
    walk = type(weed_store).walk

    def failing(self, prefix, cancelled=None):  # the one fault: listing this folder fails
        if prefix == P + "bad/":
            raise RuntimeError("listing bad/ failed")
        return walk(self, prefix, cancelled)

    monkeypatch.setattr(type(weed_store), "walk", failing)
    with pytest.raises(RuntimeError, match="bad/ failed"):
        list(walk_split(weed_store, P))


def test_an_emptied_folder_lists_nothing_as_walk_does(store):
    # SeaweedFS keeps the emptied folder, and its delimiter listing shows it as the level's own marker.
    keys = [f"d/{i}" for i in range(30)]
    _seed(store, keys)
    store.delete_many(keys)
    assert _split(store, "d/") == _walked(store, "d/") == []
    assert store.tree_size("d/") == (0, 0)


def test_an_emptied_subfolder_lists_nothing_as_walk_does(store):
    _seed(store, ["d2/e/x.json", "d2/e/f/y.json", "d2/keep.json"])
    store.delete_many(["d2/e/x.json", "d2/e/f/y.json"])
    assert _split(store, "d2/") == _walked(store, "d2/")
    assert [k for k, _, _ in _split(store, "d2/")] == ["d2/keep.json"]

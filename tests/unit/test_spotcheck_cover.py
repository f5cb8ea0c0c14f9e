"""`check`'s registry cover: the O(items + entries) KeyCover answers exactly what the old pairwise
comparison of every item with every key answered, on generated keys and on a real bucket."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pixel_tui.core.browse.spotcheck import KeyCover, spot_check
from pixel_tui.core.config import Settings
from pixel_tui.core.registry.document import Registry


def pairwise_covers(keys: set[str], item: str) -> bool:
    """The definition `check` used before (quadratic over a whole listing): the oracle."""
    keys = {k.rstrip("/") for k in keys}
    item = item.rstrip("/")
    return any(k == item or k.startswith(item + "/") or item.startswith(k + "/") for k in keys)


# Short paths over a tiny alphabet with slashes, so prefixes, doubled and trailing slashes collide often.
paths = st.text(alphabet="ab/", min_size=0, max_size=7)


@settings(max_examples=400, deadline=None)
@given(keys=st.sets(paths, max_size=8), items=st.lists(paths, max_size=8))
def test_key_cover_matches_the_pairwise_definition(keys, items):
    cover = KeyCover(keys)
    for item in items:
        assert cover.covers(item) == pairwise_covers(keys, item), (keys, item)


def test_key_cover_named_cases():
    cover = KeyCover({"p/cat/file.json", "p/cat/folder/", "p/other"})
    assert cover.covers("p/cat/file.json")          # the key itself
    assert cover.covers("p/cat/")                   # a folder holding a key
    assert cover.covers("p/cat/folder/")            # folder key, with or without its slash
    assert cover.covers("p/cat/folder/part-0.json")  # inside a registered folder
    assert not cover.covers("p/cat/file.json.bak")  # a longer name is not inside the key
    assert not cover.covers("p/cat/fold")           # nor a shorter one
    assert not cover.covers("p/othe")
    assert cover.covers("p/other/x")                # a file key treated as a folder, as before


def _layout(store, tmp_path):
    """Processed and raw items around registry paths: exact files, folders, trailing slashes,
    look-alike names, sources on the Drive mount and in raw."""
    b = store.bucket
    for key in ["gdrive/processed/cot/a.json", "gdrive/processed/cot/a.json.bak", "gdrive/processed/cot/ab.json",
                "gdrive/processed/cot/folder/part-0.jsonl", "gdrive/processed/cot/folder2/part-0.jsonl",
                "gdrive/processed/cot/deep/x/y.jsonl", "gdrive/processed/pri/solo.jsonl",
                "gdrive/processed/pri/orphan.jsonl", "gdrive/raw/A_downloaded.json", "gdrive/raw/Folder/p.json",
                "gdrive/raw/Folder2/p.json", "gdrive/raw/mounted/m.json", "gdrive/raw/mount/m.json",
                "gdrive/raw/never.json", "gdrive/raw/solo.jsonl"]:
        store.put_bytes(key, b"x")
    doc = {"gdrive_mount": "/mnt/gdrive/datasets", "datasets": {"g": {
        "a": {"path": f"s3://{b}/gdrive/processed/cot/a.json", "source_path": f"s3://{b}/gdrive/raw/A_downloaded.json"},
        "folder": {"path": f"s3://{b}/gdrive/processed/cot/folder/", "source_path": f"s3://{b}/gdrive/raw/Folder"},
        "deep": {"path": f"s3://{b}/gdrive/processed/cot/deep/x/y.jsonl"},
        "mounted": {"path": f"s3://{b}/gdrive/processed/pri/solo.jsonl",
                    "source_path": "/mnt/gdrive/datasets/mounted/m.json"},
        "elsewhere": {"path": "s3://another-bucket/gdrive/processed/pri/orphan.jsonl"},
    }}}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc, indent=4))
    return Registry.load(str(path))


def test_check_on_a_real_bucket_gives_the_pairwise_answers(store, tmp_path):
    reg = _layout(store, tmp_path)
    cfg = Settings(bucket=store.bucket, endpoint_url=store.endpoint_url, registry=str(tmp_path / "r.json"))
    result = spot_check(cfg, reg, store)
    assert sorted(result.unregistered) == ["gdrive/processed/cot/a.json.bak", "gdrive/processed/cot/ab.json",
                                           "gdrive/processed/cot/folder2/", "gdrive/processed/pri/orphan.jsonl"]
    assert sorted(result.unpromoted) == ["gdrive/raw/Folder2/", "gdrive/raw/mount/", "gdrive/raw/never.json"]

    # The same listing judged by the old definition gives the same lists, item for item.
    from pixel_tui.core.browse.spotcheck import _level_items, _registry_keys

    primary, sources = _registry_keys(reg, store.bucket, cfg.raw_prefix)
    cats = [c for c in _level_items(store, cfg.processed_prefix) if c.endswith("/")]
    processed = [(c, i) for c in cats for i in _level_items(store, c)]
    names = {i[len(c):] for c, i in processed}
    assert sorted(result.unregistered) == sorted(i for _, i in processed if not pairwise_covers(primary, i))
    assert result.unpromoted == [i for i in _level_items(store, cfg.raw_prefix)
                                 if not pairwise_covers(sources, i) and i[len(cfg.raw_prefix):] not in names]


def test_check_reads_busy_categories_from_validates_listing(store, tmp_path):
    """Ten entries in one category: validate lists that folder, and check takes its items from that
    listing instead of listing again; the items are the ones a delimiter listing gives."""
    from pixel_tui.core.browse.spotcheck import _level_items
    from pixel_tui.core.registry.validate import S3Checker

    b, cat = store.bucket, "gdrive/processed/cot/"
    keys = [f"{cat}d{i}.jsonl" for i in range(10)] + [cat, f"{cat}nested/", f"{cat}nested/a/b.jsonl",
                                                       f"{cat}d1.jsonl.bak", f"{cat}odd//x.jsonl", f"{cat}z-last"]
    for key in keys:
        store.put_bytes(key, b"x")
    datasets = {f"d{i}": {"path": f"s3://{b}/{cat}d{i}.jsonl"} for i in range(10)}
    (tmp_path / "r.json").write_text(json.dumps({"datasets": {"g": datasets}}, indent=4))
    reg = Registry.load(str(tmp_path / "r.json"))
    cfg = Settings(bucket=b, endpoint_url=store.endpoint_url, registry=str(tmp_path / "r.json"))
    checker = S3Checker(lambda _b: store, keep_listings=True)
    result = spot_check(cfg, reg, store, checker=checker)
    assert (b, cat) in checker.listings  # the shared path was taken
    assert sorted(result.unregistered) == [f"{cat}d1.jsonl.bak", f"{cat}nested/", f"{cat}odd/", f"{cat}z-last"]
    from pixel_tui.core.browse.spotcheck import _items_of_walk

    assert _items_of_walk(cat, checker.listings[(b, cat)]) == sorted(_level_items(store, cat))


def parsed_registry_keys(reg: Registry, bucket: str, raw_prefix: str) -> tuple[set[str], set[str]]:
    """The parse-every-field definition `check` used before its prefix tests: the oracle."""
    from pixel_tui.core.storage.s3url import is_s3_url, parse_s3_url

    mount = str(reg.metadata().get("gdrive_mount") or "/mnt/gdrive/datasets").rstrip("/")
    primary, sources = set(), set()
    for ref in reg.datasets():
        for fld, out in (("path", primary), ("source_path", sources), ("path", sources)):
            value = ref.entry.get(fld)
            if not isinstance(value, str) or not value:
                continue
            if is_s3_url(value):
                b, key = parse_s3_url(value)
                if b == bucket and key:
                    out.add(key.rstrip("/"))
            elif fld == "source_path" and value.startswith(mount + "/"):
                out.add(raw_prefix + value[len(mount) + 1:].rstrip("/"))
    return primary, sources


# Values that sit on every boundary: this bucket, a bucket whose name starts with it, no key, slashes
# only, the mount with and without its slash, relative paths, non-strings.
_values = st.one_of(
    st.builds(lambda b, k: f"s3://{b}{k}", st.sampled_from(["b", "bb", "b/", "", "x"]), st.text("a/", max_size=4)),
    st.builds(lambda m, k: f"{m}{k}", st.sampled_from(["/mnt/g", "/mnt/g/", "/mnt/gx/", "s3:/", "mnt/g/"]),
              st.text("a/", max_size=4)),
    st.sampled_from(["", None, 3, ["s3://b/x"], "s3://b"]))


@settings(max_examples=300, deadline=None)
@given(entries=st.lists(st.fixed_dictionaries({}, optional={"path": _values, "source_path": _values}), max_size=6),
       mount=st.sampled_from(["/mnt/g", "/mnt/g/", "s3:"]))
def test_registry_keys_match_the_parse_of_every_field(entries, mount):
    from pixel_tui.core.browse.spotcheck import _registry_keys

    doc = {"gdrive_mount": mount, "datasets": {"g": {f"d{i}": e for i, e in enumerate(entries)}}}
    reg = Registry.from_text(json.dumps(doc))
    assert _registry_keys(reg, "b", "raw/") == parsed_registry_keys(reg, "b", "raw/")

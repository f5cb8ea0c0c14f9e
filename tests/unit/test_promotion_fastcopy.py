"""The signed fast CopyObject path: awkward key names on both servers, and its fallback to boto3."""

from __future__ import annotations

import pytest

from pixel_tui.core.errors import NoSuchKey
from pixel_tui.core.promotion import build_plan, execute
from pixel_tui.core.storage.fastcopy import FastCopier

AWKWARD = ["plain.json", "with space.json", "plus+sign.json", "percent %41.json", "ünïcødé 日本.json",
           "amp&eq=q?hash#.json", "tilde~star*.json", "semi;colon,comma'quote.json"]


def test_fast_path_copies_awkward_names_without_falling_back(store):
    copier = FastCopier(store)
    for i, name in enumerate(AWKWARD):
        store.put_bytes("src/" + name, name.encode() * (i + 1))
        etag = copier.copy("src/" + name, "dst/" + name, len(name.encode()) * (i + 1))
        head = store.head("dst/" + name)
        assert head is not None and etag == head.etag == store.head("src/" + name).etag
    assert copier._failures == 0, "every copy went through the fast path"


def test_fallback_gives_the_store_typed_error(store):
    copier = FastCopier(store)
    with pytest.raises(NoSuchKey):
        copier.copy("missing/key.json", "dst/key.json", 10)
    assert copier._failures == 1
    assert store.head("dst/key.json") is None


def test_promotion_of_awkward_names_verifies_every_one(promo_env):
    env = promo_env
    for name in AWKWARD:
        env.put("gdrive/raw/odd names/" + name, name.encode())
    before = env.inventory()
    plan = build_plan(env.store, env.settings, ["gdrive/raw/odd names/"], "priority")
    assert plan.items[0].dest == "gdrive/processed/priority/odd_names/"
    result = execute(env.store, env.settings, plan)
    assert result.verified == len(AWKWARD)
    after = env.inventory()
    assert {k.rsplit("/", 1)[-1]: v for k, v in after.items() if k.startswith("gdrive/processed/")} == \
        {k.rsplit("/", 1)[-1]: v for k, v in before.items()}

"""Verification catches truncated and altered destinations, for single and multipart copies, on both servers."""

from __future__ import annotations

import json
import os

import pytest

from pixel_tui.core.promotion import build_plan, execute, resume
from pixel_tui.core.promotion.errors import VerificationFailed
from pixel_tui.core.promotion.journal import Journal
from pixel_tui.core.promotion.verify import check_copy, composite_etag, sample_offsets
from pixel_tui.core.storage.s3url import plain_md5

MiB = 1024 * 1024


def copy_with_record(store, src, dst, **kw):
    parts: list[str] = []
    etag = store.copy(src, dst, parts=parts, **kw)
    return {"etag": etag, "parts": parts}


def test_good_single_copy_passes_and_truncation_or_alteration_is_caught(store):
    data = os.urandom(200_000)
    store.put_bytes("src", data)
    rec = copy_with_record(store, "src", "dst")
    src = store.head("src")
    assert check_copy(store, src, store.head("dst"), rec) is None
    store.put_bytes("dst", data[:-1])
    assert "truncated" in check_copy(store, src, store.head("dst"), rec)
    store.put_bytes("dst", data[:-1] + bytes([data[-1] ^ 1]))
    assert "differs from the source's MD5" in check_copy(store, src, store.head("dst"), rec)
    store.delete("dst")
    assert check_copy(store, src, store.head("dst"), rec) == "the destination does not exist"


def test_multipart_copy_checks_the_composite_etag_and_sampled_bytes(store):
    data = os.urandom(12 * MiB + 5)
    store.put_bytes("src", data)
    rec = copy_with_record(store, "src", "dst", cutoff=5 * MiB, part_size=5 * MiB)
    assert len(rec["parts"]) == 3
    dst = store.head("dst")
    assert dst.etag == composite_etag(rec["parts"])  # the formula holds on this server
    assert check_copy(store, store.head("src"), dst, rec, 5 * MiB) is None
    altered = bytearray(data)
    altered[6 * MiB] ^= 0xFF
    store.put_bytes("dst", bytes(altered))
    assert "composite" in check_copy(store, store.head("src"), store.head("dst"), rec, 5 * MiB)


def test_sampled_reads_catch_parts_with_wrong_bytes_even_when_the_composite_matches(store):
    """A multipart object assembled from another source of the same size: ETags agree with the parts, bytes do not."""
    data = os.urandom(11 * MiB)
    other = bytearray(data)
    other[-100] ^= 0x01  # differs only near the end: within the last sampled window
    store.put_bytes("src", data)
    store.put_bytes("impostor", bytes(other))
    rec = copy_with_record(store, "impostor", "dst", cutoff=5 * MiB, part_size=5 * MiB)
    reason = check_copy(store, store.head("src"), store.head("dst"), rec, 5 * MiB)
    assert reason is not None and "bytes at offset" in reason


def test_sample_offsets_cover_both_ends_and_part_boundaries():
    offs = sample_offsets(20 * MiB, 5 * MiB, seed="k")
    assert offs[0] == 0 and offs[-1] >= 20 * MiB - 64 * 1024
    for b in (5 * MiB, 10 * MiB, 15 * MiB):
        assert any(o <= b < o + 64 * 1024 for o in offs)
    assert sample_offsets(0) == []
    assert plain_md5('"d41d8cd98f00b204e9800998ecf8427e"') and not plain_md5("abc-2")


def test_corrupted_destination_stops_before_registry_and_move_then_resume_fixes_it(promo_env):
    env = promo_env
    for i in range(6):
        env.put(f"gdrive/raw/set/{i:02d}.bin", os.urandom(5000))
    reg = env.registry_path.read_text()
    plan = build_plan(env.store, env.settings, ["gdrive/raw/set/"], "priority", move=True)

    def corrupt_once_copied(p):
        # The fault: between the copies and their verification, one destination loses its last bytes.
        if p.phase == "verify" and p.objects_done == 0:
            dst = "gdrive/processed/priority/set/03.bin"
            env.put(dst, env.store.get_bytes(dst)[0][:-10])

    with pytest.raises(VerificationFailed, match=r"1 of 6 copies failed verification; first .*03\.bin.*truncated"):
        execute(env.store, env.settings, plan, progress=corrupt_once_copied)
    assert env.registry_path.read_text() == reg, "registry untouched"
    assert len([k for k in env.inventory() if k.startswith("gdrive/raw/set/")]) == 6, "sources untouched"
    st = Journal.find(env.settings, plan.id).state()
    assert len(st.verified) == 5 and not st.done and "verification" in st.last_error
    result = resume(env.store, env.settings, plan.id)
    assert result.status == "done" and result.copied == 1 and result.sources_deleted == 6
    inv = env.inventory()
    assert not [k for k in inv if k.startswith("gdrive/raw/")]
    assert [v[0] for k, v in sorted(inv.items())] == [5000] * 6
    assert json.loads(env.registry_path.read_text())["datasets"]["priority_datasets"]["set"]["size_mb"] == 0.03

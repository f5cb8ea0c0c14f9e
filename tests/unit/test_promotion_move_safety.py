"""--move never deletes a raw object that changed after its copy was verified."""

from __future__ import annotations

import json
import os

from pixel_tui.core.promotion import build_plan, execute
from pixel_tui.core.promotion.journal import Journal

RAW = "gdrive/raw/"


def test_move_keeps_a_source_reuploaded_after_verification(promo_env, capsys):
    env = promo_env
    env.put(RAW + "edge/", b"")
    for i in range(6):
        env.put(f"{RAW}edge/{i}.jsonl", os.urandom(1000 + i))
    plan = build_plan(env.store, env.settings, [RAW + "edge"], "edge_cases", move=True)
    changed_key, same_size_key = f"{RAW}edge/2.jsonl", f"{RAW}edge/4.jsonl"
    new_bytes = b"re-uploaded after verification " + os.urandom(64)
    same_size_bytes = os.urandom(1004)  # same size, other content: only the ETag tells
    injected = []

    def on_progress(p):
        if p.phase == "verify" and p.objects_total and p.objects_done == p.objects_total and not injected:
            env.put(changed_key, new_bytes)  # someone re-uploads the raw file between verify and delete
            env.put(same_size_key, same_size_bytes)
            injected.append(p)

    result = execute(env.store, env.settings, plan, progress=on_progress)
    assert injected, "the verify phase never reported its end"
    assert env.store.get_bytes(changed_key)[0] == new_bytes, "a re-uploaded source was deleted"
    assert env.store.get_bytes(same_size_key)[0] == same_size_bytes, "a same-size re-upload was deleted"
    assert sorted(result.sources_kept_changed) == sorted([changed_key, same_size_key])
    assert result.sources_deleted == 5  # 4 unchanged raw objects + the folder marker
    left = sorted(o.key for o in env.store.walk(RAW))
    assert left == sorted([changed_key, same_size_key])
    assert result.to_dict()["sources_kept_changed"] == result.sources_kept_changed
    # the journal says which were kept
    rec = [r for r in Journal.find(env.settings, plan.id).records() if r.get("event") == "sources_deleted"]
    assert rec and sorted(rec[0]["kept_changed"]) == sorted([changed_key, same_size_key])
    # the CLI summary says so too
    from pixel_tui.commands.promote import _print_result

    _print_result(result, as_json=False)
    out = capsys.readouterr().out
    assert "2 changed sources kept" in out and changed_key in out
    _print_result(result, as_json=True)
    assert sorted(json.loads(capsys.readouterr().out)["sources_kept_changed"]) == sorted([changed_key, same_size_key])

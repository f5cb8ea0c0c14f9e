"""Interrupted promotions: cancel then resume, S3 server gone mid-way then back. Nothing lost, nothing duplicated."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import make_promo_env

from pixel_tui.core.promotion import Cancelled, PromotionError, build_plan, execute, resume
from pixel_tui.core.promotion.history import list_promotions
from pixel_tui.core.promotion.journal import Journal
from pixel_tui.core.promotion.journal_index import incomplete
from pixel_tui.core.storage.s3 import Credentials, S3Store
from pixel_tui.demo.seaweedfs import WeedServer

RAW = "gdrive/raw/"


def seed(env, n: int, folder: str = "many") -> None:
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: env.put(f"{RAW}{folder}/{i:04d}.json", f"{i}".encode() * (i % 9 + 1)), range(n)))


def check_complete(env, before: dict, n: int, dest: str) -> None:
    after = env.inventory()
    made = {k: v for k, v in after.items() if k.startswith(dest)}
    assert len(made) == n, "every object copied exactly once"
    assert len(after) == len(before) + n, "nothing else appeared or vanished"
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted(v for v in made.values()) == sorted(v for k, v in before.items() if k.startswith(RAW))


def test_cancel_then_resume(promo_env):
    env = promo_env
    n = 250
    seed(env, n)
    before = env.inventory()
    reg = env.registry_path.read_text()
    plan = build_plan(env.store, env.settings, [RAW + "many/"], "priority")
    cancel = threading.Event()

    def progress(p):
        if p.phase == "copy" and p.objects_done >= 40:
            cancel.set()

    with pytest.raises(Cancelled, match="cancelled after"):
        execute(env.store, env.settings, plan, progress=progress, cancel=cancel)
    partial = [k for k in env.inventory() if k.startswith("gdrive/processed/")]
    assert 40 <= len(partial) < n
    assert env.registry_path.read_text() == reg
    assert [j.id for j, _ in incomplete(env.settings)] == [plan.id]
    assert list_promotions(env.settings)[0].status == "cancelled"
    journaled = len(Journal.find(env.settings, plan.id).state().copies)
    assert journaled == len(partial)

    result = resume(env.store, env.settings, plan.id)
    assert result.status == "done" and result.verified == n
    assert result.copied == n - journaled, "journaled copies are verified, not copied again"
    check_complete(env, before, n, "gdrive/processed/priority/many/")
    assert json.loads(env.registry_path.read_text())["datasets"]["priority_datasets"]["many"]["path"].endswith("many/")
    assert incomplete(env.settings) == []
    assert resume(env.store, env.settings, plan.id).status == "already done"


def test_s3_server_stopped_mid_promotion_then_restarted_and_resumed(tmp_path):
    server = WeedServer(tmp_path / "weed").start()
    try:
        store = S3Store("resume-test", endpoint_url=server.endpoint_url,
                        credentials=Credentials(server.access_key, server.secret_key),
                        max_attempts=1, connect_timeout=1, read_timeout=5)
        store.ensure_bucket()
        env = make_promo_env(store, tmp_path, concurrency=2)
        n = 600
        seed(env, n)
        before = env.inventory()
        reg = env.registry_path.read_text()
        plan = build_plan(store, env.settings, [RAW + "many/"], "priority")
        stopped = threading.Event()

        def progress(p):
            if p.phase == "copy" and p.objects_done >= 50 and not stopped.is_set():
                stopped.set()
                server.stop()

        with pytest.raises(PromotionError) as exc:
            execute(store, env.settings, plan, progress=progress)
        assert stopped.is_set()
        assert f"--resume {plan.id}" in exc.value.hint and "nothing in the registry changed" in exc.value.hint
        assert env.registry_path.read_text() == reg
        row = list_promotions(env.settings)[0]
        assert row.status == "failed" and row.resumable

        server.start()  # same data dir, same ports
        result = resume(store, env.settings, plan.id)
        assert result.status == "done" and result.verified == n
        check_complete(env, before, n, "gdrive/processed/priority/many/")
        assert "many" in json.loads(env.registry_path.read_text())["datasets"]["priority_datasets"]
    finally:
        server.stop()


def test_a_second_process_cannot_resume_a_running_promotion(promo_env):
    from pixel_tui.core.promotion.journal import JournalBusy

    env = promo_env
    env.put(RAW + "x.json", b"x")
    plan = build_plan(env.store, env.settings, [RAW + "x.json"], "priority")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        execute(env.store, env.settings, plan, cancel=cancel)
    with Journal.find(env.settings, plan.id).open():
        with pytest.raises(JournalBusy, match="running in another process"):
            resume(env.store, env.settings, plan.id)
        assert incomplete(env.settings) == []
    assert resume(env.store, env.settings, plan.id).status == "done"

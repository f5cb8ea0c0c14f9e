"""The journal index: a start and an S3 refresh read no journal that did not change since it was
indexed (in this process or by an earlier one), and a changed journal is read again."""

from __future__ import annotations

import pytest

from pixel_tui.core.promotion import build_plan, execute, journal_index
from pixel_tui.core.promotion import journal as journal_mod
from pixel_tui.core.promotion.history import list_promotions, promoted_sources
from pixel_tui.core.promotion.journal import journal_dir
from pixel_tui.core.promotion.journal_index import INDEX_NAME, incomplete
from pixel_tui.core.promotion.undo import undo

RAW = "gdrive/raw/"


@pytest.fixture
def reads(monkeypatch):
    """Count the journal files read (a spy: the real read still happens)."""
    seen: list[str] = []
    real = journal_mod.Journal.records

    def spy(self):
        seen.append(self.id)
        return real(self)

    monkeypatch.setattr(journal_mod.Journal, "records", spy)
    return seen


def _promote(env, name: str) -> str:
    env.put(f"{RAW}{name}/a.jsonl", b"a" * 100)
    env.put(f"{RAW}{name}/b.jsonl", b"b" * 200)
    plan = build_plan(env.store, env.settings, [f"{RAW}{name}/"], "cot_reasoning")
    assert execute(env.store, env.settings, plan).status == "done"
    return plan.id


def test_unchanged_journals_are_read_once_then_only_when_they_change(weed_promo_env, reads):
    env = weed_promo_env
    ids = [_promote(env, f"set{i}") for i in range(3)]
    journal_index._memo.clear()  # a new process: what it knows comes from the index file
    reads.clear()

    sources = promoted_sources(env.settings)
    assert {f"{RAW}set{i}/" for i in range(3)} <= sources
    assert sorted(reads) == sorted(ids)  # the promotions above wrote the journals: each read once
    assert (journal_dir(env.settings) / INDEX_NAME).is_file()

    reads.clear()
    assert promoted_sources(env.settings) == sources  # an S3 refresh
    assert sorted(r.id for r in list_promotions(env.settings)) == sorted(ids)  # the history screen
    assert incomplete(env.settings) == []  # the resume offer at start
    assert reads == []

    journal_index._memo.clear()  # the next start of the dashboard
    assert promoted_sources(env.settings) == sources and reads == []

    undo(env.store, env.settings, ids[1])  # appends to one journal: only that one is read again
    reads.clear()
    assert f"{RAW}set1/" not in promoted_sources(env.settings)
    assert reads == [ids[1]]
    assert {r.id: r.status for r in list_promotions(env.settings)}[ids[1]] == "undone"


def test_a_damaged_index_is_rebuilt_from_the_journals(weed_promo_env, reads):
    env = weed_promo_env
    pid = _promote(env, "only")
    promoted_sources(env.settings)
    (journal_dir(env.settings) / INDEX_NAME).write_text("{not json")
    journal_index._memo.clear()
    reads.clear()
    assert f"{RAW}only/" in promoted_sources(env.settings)
    assert reads == [pid]


def test_a_corrupt_journal_stays_an_unreadable_row(weed_promo_env):
    env = weed_promo_env
    pid = _promote(env, "fine")
    bad = journal_dir(env.settings) / "20990101T000000-bad.jsonl"
    bad.write_text('{"event": "plan", "plan": {"id": 3}}\n')
    journal_index._memo.clear()
    rows = {r.id: r for r in list_promotions(env.settings)}
    assert rows[bad.stem].status == "unreadable" and rows[bad.stem].error
    assert rows[pid].status == "done"
    journal_index._memo.clear()
    assert {r.id: r.status for r in list_promotions(env.settings)}[bad.stem] == "unreadable"  # from the index

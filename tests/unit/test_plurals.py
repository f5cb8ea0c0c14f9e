"""Plurals right, through the one helper (core/units.plural): real outputs with a count of 1 and of 2 (issue 14)."""

from __future__ import annotations

import re
import tokenize
from pathlib import Path

import pytest
from conftest import make_promo_env

import pixel_tui
from pixel_tui.cli import main
from pixel_tui.core.promotion import build_plan
from pixel_tui.core.promotion.errors import ConflictsBlock
from pixel_tui.core.promotion.plan import require_runnable
from pixel_tui.core.registry.document import Registry
from pixel_tui.core.registry.validate import S3Checker, validate

RAW = "gdrive/raw/set/"
DEST = "gdrive/processed/cot_reasoning/set/"


def test_no_word_s_placeholders_left_in_the_sources():
    # "item(s)", "line(s)", "conflict(s)" in any string: the helper says 1 item / 2 items instead ("http(s)" is a
    # URL scheme). Python 3.11 tokenizes an f-string as one STRING token.
    hits = []
    for path in Path(pixel_tui.__file__).parent.rglob("*.py"):
        with open(path, "rb") as fh:
            for tok in tokenize.tokenize(fh.readline):
                if tok.type == tokenize.STRING and re.search(r"[a-z]\((s|es)\)", tok.string.replace("http(s)", "")):
                    hits.append(f"{path.name}:{tok.start[0]}: {tok.string[:60]}")
    assert not hits, hits


@pytest.mark.parametrize("n", [1, 2])
def test_promote_conflicts_say_1_conflict_blocks_and_2_conflicts_block(weed_store, tmp_path, monkeypatch, capsys, n):
    env = make_promo_env(weed_store, tmp_path)
    for i in range(2):
        env.put(f"{RAW}f{i}.json", b"new")
    for i in range(n):
        env.put(f"{DEST}f{i}.json", b"different")
    for key, value in env.cli_env().items():
        monkeypatch.setenv(key, value)
    src = f"s3://{weed_store.bucket}/{RAW}"
    assert main(["promote", src, "--category", "cot_reasoning", "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert ("pixel-tui: 1 conflict blocks this plan" if n == 1 else "pixel-tui: 2 conflicts block this plan") in err
    plan = build_plan(env.store, env.settings, [src], "cot_reasoning")
    with pytest.raises(ConflictsBlock, match="1 destination exists" if n == 1 else "2 destinations exist"):
        require_runnable(plan)


@pytest.mark.parametrize("n", [1, 2])
def test_a_folder_size_mismatch_counts_its_objects(weed_store, tmp_path, n):
    for i in range(n):
        weed_store.put_bytes(f"gdrive/processed/x/set/{i}.json", b"x" * 10)
    text = ('{"datasets": {"g": {"set": {"path": "s3://%s/gdrive/processed/x/set/", "size_mb": 50}}}}'
            % weed_store.bucket)
    report = validate(Registry.from_text(text), bucket=weed_store.bucket, checker=S3Checker(lambda b: weed_store))
    message = next(f.message for f in report.findings if f.code == "size_mismatch")
    assert ("its 1 object in S3 holds" if n == 1 else "its 2 objects in S3 hold") in message

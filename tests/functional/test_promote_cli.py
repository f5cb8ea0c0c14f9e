"""`pixel-tui promote` and `pixel-tui history` as a person runs them: real subprocesses, real servers."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from pixel_tui.core.promotion.journal import Journal, list_journals

RAW = "gdrive/raw/"


def cli(env, *args, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pixel_tui", *args], env=env.cli_env(), input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def test_dry_run_json_then_confirmed_run_then_history_and_undo(promo_env):
    env = promo_env
    env.put(RAW + "CoT_Heartbreak_and_Breakups_downloaded.json", b"{}" * 1000)
    before, reg = env.inventory(), env.registry_path.read_text()
    src = f"s3://{env.store.bucket}/{RAW}CoT_Heartbreak_and_Breakups_downloaded.json"

    r = cli(env, "promote", src, "--category", "cot_reasoning", "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["objects"] == 1 and plan["bytes"] == 2000 and plan["conflicts"] == 0
    assert plan["plan"]["items"][0]["dest"] == "gdrive/processed/cot_reasoning/heartbreak_and_breakups.json"
    assert env.inventory() == before and not list_journals(env.settings)

    r = cli(env, "promote", src, "--category", "cot_reasoning", stdin="n\n")
    assert r.returncode == 1 and "nothing changed" in r.stderr and "[y/N]" in r.stderr
    assert "heartbreak_and_breakups.json" in r.stdout and '+                "source_path"' in r.stdout
    assert env.inventory() == before

    r = cli(env, "promote", src, "--category", "cot_reasoning", stdin="y\n")
    assert r.returncode == 0, r.stderr
    assert "done: 1 copied" in r.stdout
    assert len(env.inventory()) == len(before) + 1

    r = cli(env, "history", "--json")
    rows = json.loads(r.stdout)
    assert [(x["status"], x["objects"], x["bytes"]) for x in rows] == [("done", 1, 2000)]
    # `history show ID`: the history screen's details, headless
    r = cli(env, "history", "show", rows[0]["id"])
    assert r.returncode == 0, r.stderr
    for part in (f"Promotion {rows[0]['id']}", "status: done", "1/1 verified", src,
                 "-> s3://" + env.store.bucket + "/gdrive/processed/cot_reasoning/heartbreak_and_breakups.json",
                 '+                "source_path"'):
        assert part in r.stdout, (part, r.stdout)
    r = cli(env, "history", "show", "20990101T000000Z-ffff")
    assert r.returncode == 2 and "no promotion 20990101T000000Z-ffff" in r.stderr and not r.stdout
    for action in ("show", "undo"):  # no ID: a usage error, exit 2, nothing changed
        r = cli(env, "history", action)
        assert r.returncode == 2 and f"history {action} needs a promotion ID" in r.stderr, r.stderr
    r = cli(env, "history", "undo", rows[0]["id"], "--yes")
    assert r.returncode == 0, r.stderr
    assert env.inventory() == before and env.registry_path.read_text() == reg
    r = cli(env, "history")
    assert "undone" in r.stdout


def test_bad_input_is_a_clear_message_and_changes_nothing(promo_env):
    env = promo_env
    env.put(RAW + "x.json", b"x")
    before = env.inventory()
    r = cli(env, "promote", RAW + "x.json", "--category", "nope", "--yes")
    assert r.returncode == 2 and "unknown category 'nope'" in r.stderr
    r = cli(env, "promote", RAW + "x.json", "--category", "priority", "--name", "../x", "--yes")
    assert r.returncode == 2 and "'..'" in r.stderr
    r = cli(env, "--read-only", "promote", RAW + "x.json", "--category", "priority", "--yes")
    assert r.returncode == 2 and "read-only" in r.stderr
    assert env.inventory() == before


def test_sigkill_mid_promotion_then_resume_loses_and_duplicates_nothing(weed_promo_env, tmp_path):
    env = weed_promo_env
    out = open(tmp_path / "promote.out", "w")  # a pipe nobody reads would block the 300 KB plan
    n = 1500
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: env.put(f"{RAW}many/{i:05d}.jsonl", f"row {i}\n".encode() * (i % 5 + 1)), range(n)))
    before = env.inventory()
    cmd_env = env.cli_env()
    cmd_env["PIXEL_TUI_CONCURRENCY"] = "2"  # slow enough to be killed mid-way
    proc = subprocess.Popen([sys.executable, "-m", "pixel_tui", "promote", RAW + "many/", "--category", "priority",
                             "--yes", "--json"], env=cmd_env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    copied = 0
    while time.monotonic() < deadline and proc.poll() is None:
        journals = list_journals(env.settings)
        if journals:
            copied = len(journals[0].state().copies)
            if copied >= 100:
                break
        time.sleep(0.05)
    assert proc.poll() is None, (tmp_path / "promote.out").read_text()[-2000:]
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    out.close()
    assert 100 <= copied < n
    mid = env.inventory()
    made = [k for k in mid if k.startswith("gdrive/processed/")]
    assert 100 <= len(made) < n
    assert json.loads(env.registry_path.read_text())["datasets"]["priority_datasets"].keys() == {"priority_1"}

    r = cli(env, "history", "--json")
    assert json.loads(r.stdout)[0]["status"] == "interrupted"
    r = cli(env, "promote", "--resume", "--json", timeout=300)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout.splitlines()[-1])
    assert result["status"] == "done" and result["verified"] == n
    after = env.inventory()
    made = {k: v for k, v in after.items() if k.startswith("gdrive/processed/priority/many/")}
    assert len(made) == n and len(after) == len(before) + n
    assert {k.rsplit("/", 1)[-1]: v for k, v in made.items()} == \
        {k.rsplit("/", 1)[-1]: v for k, v in before.items() if k.startswith(RAW)}
    entry = json.loads(env.registry_path.read_text())["datasets"]["priority_datasets"]["many"]
    assert entry["path"].endswith("/gdrive/processed/priority/many/")
    assert Journal.find(env.settings, result["id"]).state().done


def test_sigkill_mid_multipart_copy_leaves_uploads_that_history_shows_and_resume_aborts(weed_promo_env, tmp_path):
    import os

    env = weed_promo_env
    size = 120 * 1024 * 1024
    env.put(RAW + "big.bin", os.urandom(size))
    cmd_env = env.cli_env()
    # 5 MiB parts one at a time: the copy takes long enough to be killed while its upload is open
    cmd_env.update(PIXEL_TUI_COPY_CUTOFF=str(5 * 1024 * 1024), PIXEL_TUI_PART_SIZE=str(5 * 1024 * 1024),
                   PIXEL_TUI_CONCURRENCY="1")
    out = open(tmp_path / "promote.out", "w")
    proc = subprocess.Popen([sys.executable, "-m", "pixel_tui", "promote", RAW + "big.bin", "--category", "priority",
                             "--yes", "--json"], env=cmd_env, stdout=out, stderr=subprocess.STDOUT)
    client, bucket = env.store.client, env.store.bucket
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        uploads = client.list_multipart_uploads(Bucket=bucket, Prefix="gdrive/processed/").get("Uploads") or []
        if any(u["Key"].endswith("/big.bin") for u in uploads):
            break
        time.sleep(0.02)
    assert proc.poll() is None, (tmp_path / "promote.out").read_text()[-2000:]
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    out.close()
    # someone else's unfinished upload in the same bucket must survive our clean-up
    other = client.create_multipart_upload(Bucket=bucket, Key="gdrive/processed/priority/someone_else.bin")
    left = client.list_multipart_uploads(Bucket=bucket, Prefix="gdrive/processed/").get("Uploads") or []
    assert {u["Key"] for u in left} == {"gdrive/processed/priority/big.bin", "gdrive/processed/priority/someone_else.bin"}

    r = cli(env, "history")
    assert "interrupted" in r.stdout and "1 unfinished multipart upload left" in r.stdout, r.stdout + r.stderr
    rows = json.loads(cli(env, "history", "--json").stdout)
    assert rows[0]["unfinished_uploads"] == 1

    cmd_env_resume = {**cmd_env, "PIXEL_TUI_CONCURRENCY": "8"}
    r = subprocess.run([sys.executable, "-m", "pixel_tui", "promote", "--resume", "--json"], env=cmd_env_resume,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout.splitlines()[-1])
    assert result["status"] == "done" and result["uploads_aborted"] == 1
    left = client.list_multipart_uploads(Bucket=bucket, Prefix="gdrive/processed/").get("Uploads") or []
    assert [(u["Key"], u["UploadId"]) for u in left] == [("gdrive/processed/priority/someone_else.bin", other["UploadId"])]
    assert env.store.head("gdrive/processed/priority/big.bin").size == size
    assert "unfinished" not in cli(env, "history").stdout


def test_each_src_gets_its_own_category_unless_forced_or_set_per_item(promo_env):
    from pixel_tui.core.registry.document import Registry

    env = promo_env
    reg = json.loads(env.registry_path.read_text())
    reg["datasets"]["professional_therapeutic"] = {"psych8k": {
        "path": "/mnt/gdrive/datasets/Psych8k/psych8k_alpaca.json", "type": "professional",
        "stage": "stage1_foundation"}}
    env.registry_path.write_text(json.dumps(reg, indent=4) + "\n")
    original = env.registry_path.read_text()
    env.put(RAW + "CoT_Heartbreak_and_Breakups_downloaded.json", b"{}" * 10)
    env.put(RAW + "Psych8k/psych8k_alpaca.json", b"{}" * 20)
    env.put(RAW + "misc_notes.json", b"{}")
    b = env.store.bucket
    heart, psych = f"s3://{b}/{RAW}CoT_Heartbreak_and_Breakups_downloaded.json", f"s3://{b}/{RAW}Psych8k/"

    def cats(r):
        assert r.returncode == 0, r.stderr
        return {it["source"]: it["category"] for it in json.loads(r.stdout)["plan"]["items"]}

    # no --category: each item its own suggestion, the registered one keeps its group
    assert cats(cli(env, "promote", heart, psych, "--dry-run", "--json")) == {
        RAW + "CoT_Heartbreak_and_Breakups_downloaded.json": "cot_reasoning",
        RAW + "Psych8k/": "professional_therapeutic"}
    # --category forces one for all; --category-for (by last name) wins over it
    forced = cats(cli(env, "promote", heart, psych, "-c", "priority", "--dry-run", "--json"))
    assert set(forced.values()) == {"priority"}
    assert cats(cli(env, "promote", heart, psych, "-c", "priority", "--category-for", "Psych8k=edge_cases",
                    "--dry-run", "--json"))[RAW + "Psych8k/"] == "edge_cases"
    # an item nothing points at is refused, not guessed
    r = cli(env, "promote", heart, f"s3://{b}/{RAW}misc_notes.json", "--dry-run")
    assert r.returncode == 2 and "no category for" in r.stderr and "misc_notes.json" in r.stderr, r.stderr
    r = cli(env, "promote", heart, "--category-for", "nothing=priority", "--dry-run")
    assert r.returncode == 2 and "matches no SRC" in r.stderr, r.stderr
    r = cli(env, "promote", heart, "--category-for", "CoT_Heartbreak_and_Breakups_downloaded.json=nope", "--dry-run")
    assert r.returncode == 2 and "unknown category 'nope'" in r.stderr, r.stderr
    assert env.registry_path.read_text() == original and not list_journals(env.settings)

    # the real run: psych8k set to priority by its key, the other keeps its suggestion
    r = cli(env, "promote", heart, psych, "--category-for", f"{RAW}Psych8k/=priority", "--yes")
    assert r.returncode == 0, r.stderr
    assert "into cot_reasoning, priority" in r.stdout and "[priority]" in r.stdout
    assert env.store.head("gdrive/processed/cot_reasoning/heartbreak_and_breakups.json") is not None
    assert env.store.head("gdrive/processed/priority/psych8k/psych8k_alpaca.json") is not None
    doc = Registry.from_text(env.registry_path.read_text())
    assert doc.ref("datasets/professional_therapeutic", "psych8k") is None
    assert doc.ref("datasets/priority_datasets", "psych8k").entry["path"] == f"s3://{b}/gdrive/processed/priority/psych8k/"
    assert doc.ref("datasets/cot_reasoning", "CoT_Heartbreak_and_Breakups").entry["path"].startswith(
        f"s3://{b}/gdrive/processed/cot_reasoning/")
    rows = json.loads(cli(env, "history", "--json").stdout)
    assert rows[0]["category"] == "cot_reasoning, priority"
    r = cli(env, "history", "undo", rows[0]["id"], "--yes")
    assert r.returncode == 0, r.stderr
    assert env.registry_path.read_text() == original
    assert env.store.head("gdrive/processed/priority/psych8k/psych8k_alpaca.json") is None

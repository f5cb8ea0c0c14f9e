"""Deterministic demo datasets: a Drive folder named like the team's real one, and a sample registry."""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

from pixel_tui.core.storage.s3url import s3_url

MiB = 1024 * 1024
# A fixed mtime keeps listings (and screenshots) identical between runs.
DEMO_MTIME = 1_764_000_000  # 2025-11-24


@dataclass(frozen=True)
class DemoFile:
    """One file of the demo Drive: relative path, size, and where it stands in the pipeline."""

    path: str
    size: int
    state: str  # "uploaded", "pending" (the rclone job uploads it), "local" (never uploaded), "differs"


FILES: tuple[DemoFile, ...] = (
    DemoFile("CoT_Heartbreak_and_Breakups_downloaded.json", 37 * MiB, "uploaded"),
    DemoFile("CoT_Temporal_Reasoning/CoT_Temporal_Reasoning.json", 3 * MiB, "uploaded"),
    DemoFile("CoT_Philosophical_Understanding/CoT_Philosophical_Understanding_downloaded.json", 2 * MiB, "uploaded"),
    DemoFile("datasets-wendy/wendy_sessions_part1.jsonl", 1 * MiB, "uploaded"),
    DemoFile("datasets-wendy/wendy_sessions_part2.jsonl", 1 * MiB, "uploaded"),
    DemoFile("datasets-wendy/README.md", 2_000, "uploaded"),
    DemoFile("datasets-wendy/wendy_sessions_part3.jsonl", 1 * MiB, "local"),
    DemoFile("Psych8k/psych8k_alpaca.json", 4 * MiB, "uploaded"),
    DemoFile("mental_health_counseling_conversations/train.jsonl", 2 * MiB, "differs"),
    DemoFile("curated/priority_1_FINAL.jsonl", 5 * MiB, "uploaded"),
    DemoFile("curated/priority_2_FINAL.jsonl", 3 * MiB, "uploaded"),
    DemoFile("Edge Cases (raw)/edge_cases_v2.jsonl", 1 * MiB, "uploaded"),
    DemoFile("Edge Cases (raw)/crisis – scenarios.jsonl", 512_000, "uploaded"),
    DemoFile("voice/tim_fletcher_transcripts.txt", 800_000, "uploaded"),
    DemoFile("Large Counseling Corpus/corpus_part_1.jsonl", 24 * MiB, "pending"),
    DemoFile("Large Counseling Corpus/corpus_part_2.jsonl", 24 * MiB, "pending"),
    DemoFile("Large Counseling Corpus/corpus_part_3.jsonl", 24 * MiB, "pending"),
) + tuple(
    DemoFile(f"therapist-sft-format/shard_{i:04d}.jsonl", 40_000 + 997 * i, "pending" if i >= 54 else "uploaded")
    for i in range(60)
)

# Raw items already organised under processed/<category>/<name>.
PROCESSED: tuple[tuple[str, str], ...] = (
    ("CoT_Temporal_Reasoning/CoT_Temporal_Reasoning.json", "cot_reasoning/temporal_reasoning.json"),
    ("Psych8k/psych8k_alpaca.json", "professional_therapeutic/psych8k_alpaca.json"),
    ("curated/priority_1_FINAL.jsonl", "priority/priority_1_FINAL.jsonl"),
    ("Edge Cases (raw)/edge_cases_v2.jsonl", "edge_cases/edge_cases_v2.jsonl"),
    ("datasets-wendy/wendy_sessions_part1.jsonl", "professional_therapeutic/wendy_sessions.jsonl"),
)

_TOPICS = ("a breakup", "grief after a loss", "exam anxiety", "a panic attack", "loneliness", "burnout at work",
           "a fight with a sibling", "sleep problems", "moving to a new city", "self-doubt")


def chatml_line(rng: random.Random, n: int) -> str:
    """One ChatML-style training record."""
    topic = rng.choice(_TOPICS)
    record = {
        "id": n,
        "messages": [
            {"role": "system", "content": "You are a warm, careful counselor."},
            {"role": "user", "content": f"I keep thinking about {topic} and I can't focus on anything."},
            {"role": "assistant", "content": f"It sounds like {topic} is weighing on you. What feels heaviest right now?"},
        ],
    }
    return json.dumps(record, ensure_ascii=False)


def file_bytes(demo: DemoFile, variant: int = 0) -> bytes:
    """Deterministic content of one demo file (``variant`` changes it, for the 'differs' case)."""
    rng = random.Random(f"{demo.path}:{variant}")
    if demo.path.endswith(".md") or demo.path.endswith(".txt"):
        line = f"# {Path(demo.path).stem}\nDemo text for pixel-tui. " * 4
        unit = line.encode()
    elif demo.path.endswith(".json") and demo.size < 8 * MiB:
        records = []
        size = 2
        while size < demo.size:
            rec = chatml_line(rng, len(records))
            records.append(rec)
            size += len(rec) + 6
        return ("[\n    " + ",\n    ".join(records) + "\n]\n").encode()
    else:
        lines = [chatml_line(rng, i) for i in range(64)]
        unit = ("\n".join(lines) + "\n").encode()
    reps = demo.size // len(unit) + 1
    return (unit * reps)[: demo.size]


def write_drive(root: Path) -> None:
    """Create the demo Drive folder with every file at a fixed mtime."""
    for demo in FILES:
        target = root / demo.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.stat().st_size != demo.size:
            target.write_bytes(file_bytes(demo))
        os.utime(target, (DEMO_MTIME, DEMO_MTIME))


def registry_text(bucket: str, processed_prefix: str = "gdrive/processed/") -> str:
    """A sample dataset_registry.json in the team's real shape (some entries migrated, some not)."""
    s3 = s3_url(bucket, processed_prefix)
    return f"""{{
    "description": "Dataset registry for the training pipeline (pixel-tui demo)",
    "gdrive_mount": "/mnt/gdrive/datasets",
    "total_size_gb": 10,
    "consolidation_status": "audited_2025-12-11",
    "datasets": {{
        "cot_reasoning": {{
            "CoT_Temporal_Reasoning": {{
                "path": "{s3}cot_reasoning/temporal_reasoning.json",
                "source_path": "/mnt/gdrive/datasets/CoT_Temporal_Reasoning/CoT_Temporal_Reasoning.json",
                "size_mb": 3.0,
                "type": "chain_of_thought",
                "focus": "reasoning about time and sequence in conversations",
                "stage": "stage2_therapeutic_expertise",
                "quality_profile": "cot_reasoning"
            }},
            "CoT_Heartbreak_and_Breakups": {{
                "path": "/mnt/gdrive/datasets/CoT_Heartbreak_and_Breakups_downloaded.json",
                "size_mb": 37,
                "type": "chain_of_thought",
                "focus": "breakups, grief, attachment",
                "stage": "stage2_therapeutic_expertise",
                "quality_profile": "cot_reasoning"
            }},
            "CoT_Philosophical_Understanding": {{
                "path": "/mnt/gdrive/datasets/CoT_Philosophical_Understanding/CoT_Philosophical_Understanding_downloaded.json",
                "size_mb": 2,
                "type": "chain_of_thought",
                "stage": "stage2_therapeutic_expertise"
            }}
        }},
        "professional_therapeutic": {{
            "psych8k": {{
                "path": "{s3}professional_therapeutic/psych8K_alpaca.json",
                "size_mb": 4,
                "type": "professional",
                "stage": "stage1_foundation",
                "quality_profile": "foundation"
            }},
            "wendy_sessions": {{
                "path": "{s3}professional_therapeutic/wendy_sessions.jsonl",
                "size_mb": 1.0,
                "type": "professional",
                "stage": "stage1_foundation"
            }},
            "mental_health_counseling": {{
                "path": "/mnt/gdrive/datasets/mental_health_counseling_conversations",
                "type": "professional",
                "stage": "stage1_foundation",
                "quality_profile": "foundation"
            }}
        }},
        "priority_datasets": {{
            "priority_1": {{
                "path": "{s3}priority/priority_1_FINAL.jsonl",
                "size_mb": 9,
                "type": "curated_priority",
                "tier": 1,
                "stage": "stage1_foundation"
            }},
            "priority_2": {{
                "path": "/mnt/gdrive/datasets/curated/priority_2_FINAL.jsonl",
                "type": "curated_priority",
                "tier": 2,
                "stage": "stage1_foundation"
            }}
        }}
    }},
    "edge_case_sources": {{
        "edge_cases_v2": {{
            "path": "{s3}edge_cases/edge_cases_v2.jsonl",
            "type": "synthetic_edge",
            "stage": "stage3_edge_stress_test",
            "notes": "crisis scenarios, reviewed by two clinicians",
            "status": "ready"
        }},
        "crisis_scenarios": {{
            "path": "/home/someone/pipelines/edge/output/crisis_scenarios.jsonl",
            "type": "synthetic_edge",
            "stage": "stage3_edge_stress_test",
            "status": "pending_download"
        }}
    }},
    "voice_persona": {{
        "tim_fletcher": {{
            "path": "/home/someone/data/voice/exports",
            "type": "voice_profile",
            "stage": "stage4_voice_persona"
        }}
    }},
    "training_strategy": {{
        "stage_1_foundation": {{"datasets": ["professional_therapeutic"], "purpose": "counseling basics", "recommended_epochs": "2-3"}},
        "stage_2_expertise": {{"datasets": ["cot_reasoning"], "purpose": "reasoning", "recommended_epochs": "1-2"}}
    }},
    "usage_notes": {{
        "s3_is_canonical": "Training reads from S3; Drive is only the staging source."
    }}
}}
"""

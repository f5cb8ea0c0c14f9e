"""Promotion of raw items into processed categories: plan (pure) -> execute (copy, verify, journal) -> registry.

Typical use from a script::

    plan = build_plan(store, settings, ["s3://bucket/gdrive/raw/x.json"], "cot_reasoning")
    print(plan.render())
    result = execute(store, settings, plan)

Content check after every copy (see :mod:`.verify` for the full reasoning): sizes must match,
then a single CopyObject must carry the source's ETag, a multipart copy must carry the composite
ETag computed from the part ETags UploadPartCopy returned, and whenever the ETags alone cannot
prove equal content (multipart on either side) sampled byte ranges of source and destination are
compared.
"""

from pixel_tui.core.promotion.errors import Cancelled, PromotionError, VerificationFailed
from pixel_tui.core.promotion.execute import Progress, Result, execute, resume
from pixel_tui.core.promotion.plan import CopyTask, Plan, PlanItem, build_plan

__all__ = [
    "Cancelled", "PromotionError", "VerificationFailed", "CopyTask", "Plan", "PlanItem", "build_plan",
    "Progress", "Result", "execute", "resume",
]

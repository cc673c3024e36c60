"""API of target statistics (coverage, review statistics). Placeholder router until it lands."""

from ninja import Router

router = Router(tags=["绩效目标统计"])

"""API of target sheets. Placeholder router until the API work lands."""

from ninja import Router

router = Router(tags=["绩效目标"])

"""Cross-cutting API: the caller's inbox (待办)."""

from datetime import datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from jixiao.core import inbox
from jixiao.core.apikit import ErrorOut, Pages

router = Router(tags=["待办"])


class InboxItemOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    due_at: datetime | None
    overdue: bool = Field(alias="is_overdue", description="未办结且已过截止时间")
    created_at: datetime


@router.get("/inbox", response={200: list[InboxItemOut], 401: ErrorOut}, summary="我的待办（未办结）")
@paginate(Pages)
def inbox_list(request):
    return inbox.open_for(request.user)

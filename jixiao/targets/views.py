"""Pages of target management (thin: require → scoped fetch → one service call)."""

from django.shortcuts import render

from jixiao.core.scoping import get_for_user
from jixiao.core.viewkit import require
from jixiao.targets.models import TargetSheet


def sheet_detail(request, pk):
    require(request.user, TargetSheet, "view")
    sheet = get_for_user(TargetSheet.objects.select_related("project", "agency"), request.user, "view", pk=pk)
    return render(request, "targets/sheet_detail.html", {"sheet": sheet})

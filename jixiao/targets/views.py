"""Pages of target management (thin: require → scoped fetch → one service call)."""

from django.http import Http404
from django.shortcuts import render

from jixiao.core.scoping import get_for_user
from jixiao.core.viewkit import require
from jixiao.targets.models import TargetSheet


def sheet_detail(request, pk):
    require(request.user, TargetSheet, "view")
    sheet = get_for_user(TargetSheet.objects.select_related("project", "agency"), request.user, "view", pk=pk)
    return render(request, "targets/sheet_detail.html", {"sheet": sheet})


# Placeholders until the pages land (owned by the pages helper).


def sheet_list(request, pk=None):
    raise Http404


def review_queue(request, pk=None):
    raise Http404


def sheet_create(request, pk=None):
    raise Http404


def sheet_export(request, pk=None):
    raise Http404


def sheet_import(request, pk=None):
    raise Http404


def import_template(request, pk=None):
    raise Http404


def sheet_edit(request, pk=None):
    raise Http404


def indicator_edit(request, pk=None):
    raise Http404


def task_edit(request, pk=None):
    raise Http404


def adopt(request, pk=None):
    raise Http404


def sheet_submit(request, pk=None):
    raise Http404


def sheet_approve(request, pk=None):
    raise Http404


def sheet_return(request, pk=None):
    raise Http404


def sheet_adjust(request, pk=None):
    raise Http404


def sheet_publish(request, pk=None):
    raise Http404


def sheet_draw(request, pk=None):
    raise Http404


def sheet_versions(request, pk=None):
    raise Http404


def sheet_xlsx(request, pk=None):
    raise Http404

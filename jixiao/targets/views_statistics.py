"""Pages of target statistics: coverage (domain-rules §13) and review statistics.
(Placeholder until the statistics work lands; owned by the statistics helper.)"""

from django.http import Http404


def coverage(request):
    raise Http404


def statistics(request):
    raise Http404

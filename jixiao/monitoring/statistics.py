"""Statistics of in-year monitoring the annual report quotes (domain-rules §13, issue #13): so far the
finance decisions — by region and year (optionally by round), how many decisions of each kind on how
many projects, and the amounts cut and recovered. One aggregate query within the reader's scope; the
sentence the report prints is ``rules.decision_summary``."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from jixiao.monitoring import rules
from jixiao.monitoring.choices import DecisionKind


def decision_statistics(queryset, *, by_round: bool = False) -> list[dict]:
    """One row per region and year (and round, ``by_round``: a decision without a monitoring table is
    in the round ``None``, 未关联监控批次) of ``queryset`` — decisions the caller has scoped and
    filtered (``Decision.objects.for_user(user)``): ``region``, ``region_name``, ``year``, ``round``,
    ``round_title``, ``totals`` (``rules.DecisionTotals``: decisions and distinct projects per kind,
    distinct projects overall, yuan cut and recovered) and ``summary`` (the report's sentence).
    One query, whatever the number of regions, rounds and kinds."""
    groups = ["region_id", "region__name", "year"] + (["table__round_id", "table__round__title"] if by_round else [])
    per_kind = {}
    for kind in DecisionKind.values:
        per_kind[f"n_{kind}"] = Count("pk", filter=Q(kind=kind))
        per_kind[f"p_{kind}"] = Count("project", distinct=True, filter=Q(kind=kind))
    rows = (queryset.order_by().values(*groups)
            .annotate(projects_total=Count("project", distinct=True),
                      cut=Sum("amount", filter=Q(kind=DecisionKind.CUT)),
                      recovered=Sum("amount", filter=Q(kind=DecisionKind.RECOVER)), **per_kind)
            .order_by("region__name", "-year", *(["table__round_id"] if by_round else [])))
    out = []
    for row in rows:
        totals = rules.DecisionTotals(
            decisions={k: row[f"n_{k}"] for k in DecisionKind.values},
            projects={k: row[f"p_{k}"] for k in DecisionKind.values},
            projects_total=row["projects_total"], cut=row["cut"] or Decimal("0.00"),
            recovered=row["recovered"] or Decimal("0.00"))
        out.append({"region": row["region_id"], "region_name": row["region__name"], "year": row["year"],
                    "round": row.get("table__round_id"), "round_title": row.get("table__round__title") or "",
                    "totals": totals, "summary": rules.decision_summary(totals)})
    return out

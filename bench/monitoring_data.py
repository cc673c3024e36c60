"""A province ready for an in-year monitoring round, for ``bench_monitoring_round.py`` (issue #13).
Called inside a Django process pointed at a fresh, migrated database.

``target_data.build`` gives the province (``org.demo.build_province``, ~120 agencies per county), four
projects per agency and one flat target workbook per county (ten indicators per sheet); every workbook
is imported as the command line imports it (``targets.imports.import_sheets``, actor SYSTEM). Then,
set-based (benchmark data, not a course anyone followed): every sheet approved, every project
executing with its requested amount as its budget, twelve months of back-loaded execution per project
(``core.bulk.Insert``: one row per project and month, 本级安排, about 1.3 million rows at 180
counties), and a spending plan for every third project (twelve months)."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

#: the cumulative share of the year's budget paid by the end of each month (back-loaded, ~93% by December)
SHARES = [Decimal(s) for s in ("0.02", "0.05", "0.10", "0.15", "0.21", "0.28", "0.36", "0.45", "0.55",
                                "0.66", "0.78", "0.93")]
#: a third of the projects lag: their payments are this fraction of the others'
LAG = Decimal("0.5")


def build(workdir: Path, *, counties: int) -> dict:
    import target_data
    from django.db import transaction
    from django.db.models import F

    from jixiao.core import bulk
    from jixiao.core.actors import SYSTEM
    from jixiao.monitoring.models import MonthlyExecution, SpendingPlan
    from jixiao.projects.models import Project
    from jixiao.targets.imports import import_sheets
    from jixiao.targets.models import TargetSheet

    started = time.perf_counter()
    manifest = target_data.build(workdir, counties=counties)
    year = manifest["year"]
    for f in manifest["files"]:
        import_sheets(actor=SYSTEM, region=f["region"], year=year, data=Path(f["path"]).read_bytes(),
                      name=Path(f["path"]).name)
        Path(f["path"]).unlink()
    imported = time.perf_counter()
    with transaction.atomic():
        # the counties of the workbooks (the persona county's demo has its own monitoring data)
        regions = [f["region"] for f in manifest["files"]]
        TargetSheet.objects.filter(year=year, region_id__in=regions).update(status="approved")
        mine = Project.objects.filter(year=year, region_id__in=regions)
        projects = list(mine.values_list("pk", "region_id", "agency_id", "requested_amount").order_by("pk"))
        mine.update(stage="executing", budget_amount=F("requested_amount"))
    with transaction.atomic():
        execution = bulk.Insert(MonthlyExecution, ["region", "agency", "project", "month", "amount"],
                                {"year": year, "fund_source": "own", "entry": "imported", "version": 1})
        plans = bulk.Insert(SpendingPlan, ["region", "agency", "project", "month", "amount"],
                            {"year": year, "entry": "imported", "version": 1})
        rows = plan_rows = 0
        for part in bulk.chunks(projects, 5000):
            batch, plan_batch = [], []
            for pk, region_id, agency_id, amount in part:
                factor = LAG if pk % 3 == 1 else Decimal(1)
                before = Decimal(0)
                for month, share in enumerate(SHARES, start=1):
                    paid = (amount * share * factor).quantize(Decimal("0.01"))
                    batch.append((region_id, agency_id, pk, month, paid - before))
                    before = paid
                if pk % 3 == 0:
                    step = (amount / 12).quantize(Decimal("0.01"))
                    plan_batch.extend((region_id, agency_id, pk, month, step) for month in range(1, 13))
            rows += execution.run(batch)
            plan_rows += plans.run(plan_batch)
    shaped = time.perf_counter()
    out = {k: v for k, v in manifest.items() if k != "files"}
    out["county_codes"] = [f["code"] for f in manifest["files"]]
    out.update(build_seconds=round(imported - started, 1), shape_seconds=round(shaped - imported, 1),
               execution_rows=rows, plan_rows=plan_rows, sheets_stored=TargetSheet.objects.count())
    (workdir / "monitoring.json").write_text(json.dumps(out, ensure_ascii=False))
    return out

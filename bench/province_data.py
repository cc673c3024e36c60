"""A province database with its target sheets, for the statistics and list-page benchmark
(``bench_province.py``, issue #12). Called inside a Django process pointed at a fresh database.

``target_data.build`` gives the province (``org.demo.build_province``), four projects per agency and
one flat target workbook per county; every workbook is then imported as the command line imports it
(``targets.imports.import_sheets``, actor SYSTEM: sheets, their reviews, indicators, quality
findings), and the sheets are given a review history so the statistics have something to count, by
sheet id: ids ending 0–5 approved (those ending 0–1 after one return at 主管部门审核), 6–7 returned
once (at 财政业务股室审核 for 6, 主管部门审核 for 7), 8 in review, 9 draft. The statuses are set
set-based (one UPDATE per bucket, the return events by ``bulk_create``): benchmark data, not a
review anyone did."""

from __future__ import annotations

import json
from pathlib import Path

#: the bucket of a sheet (id % 10) → (status, returned from step or "")
BUCKETS = {0: ("approved", "主管部门审核"), 1: ("approved", "主管部门审核"), 2: ("approved", ""),
           3: ("approved", ""), 4: ("approved", ""), 5: ("approved", ""), 6: ("returned", "财政业务股室审核"),
           7: ("returned", "主管部门审核"), 8: ("in_review", ""), 9: ("draft", "")}


def build(workdir: Path, *, counties: int) -> dict:
    import time

    import target_data
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import F
    from django.db.models.functions import Mod
    from django.utils import timezone

    from jixiao.core.actors import SYSTEM
    from jixiao.core.models import Review, ReviewEvent
    from jixiao.targets.imports import import_sheets
    from jixiao.targets.models import TargetSheet

    started = time.perf_counter()
    manifest = target_data.build(workdir, counties=counties)
    built = time.perf_counter()
    for f in manifest["files"]:
        import_sheets(actor=SYSTEM, region=f["region"], year=manifest["year"], data=Path(f["path"]).read_bytes(),
                      name=Path(f["path"]).name)
        Path(f["path"]).unlink()  # the workbooks are not needed again
    imported = time.perf_counter()
    now = timezone.now()
    ct = ContentType.objects.get_for_model(TargetSheet)
    with transaction.atomic():
        bucketed = TargetSheet.objects.annotate(bucket=Mod(F("id"), 10))
        for bucket, (status, returned_at) in BUCKETS.items():
            fields = {"status": status}
            if status != "draft":
                fields["submitted_at"] = now
            if status == "approved":
                fields["approved_at"] = now
            if returned_at:
                fields["return_count"] = 1
            ids = list(bucketed.filter(bucket=bucket).values_list("pk", flat=True))
            for i in range(0, len(ids), 5000):
                TargetSheet.objects.filter(pk__in=ids[i:i + 5000]).update(**fields)
            if returned_at:
                events = []
                for i in range(0, len(ids), 5000):
                    for review_id in Review.objects.filter(content_type=ct, object_id__in=ids[i:i + 5000],
                                                           chain="target").values_list("pk", flat=True):
                        events.append(ReviewEvent(review_id=review_id, action="return", from_status="in_review",
                                                  to_status="returned", from_step=returned_at, to_step="",
                                                  actor_name="系统", opinion="指标值偏低"))
                ReviewEvent.objects.bulk_create(events, batch_size=5000)
    shaped = time.perf_counter()
    out = {k: v for k, v in manifest.items() if k != "files"}
    out["county_codes"] = [f["code"] for f in manifest["files"]]
    out.update(build_seconds=round(built - started, 1), import_seconds=round(imported - built, 1),
               shape_seconds=round(shaped - imported, 1), sheets_stored=TargetSheet.objects.count())
    (workdir / "province.json").write_text(json.dumps(out, ensure_ascii=False))
    return out

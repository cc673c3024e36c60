"""Data for the target-import benchmark: a fresh SQLite database with the province
(``jixiao.org.demo.build_province``), the projects the sheets refer to (bulk-created), and one flat
target workbook per county written with ``core.excel.write_fast`` — the way a province collects
its counties' sheets.

Per agency: its whole-budget sheet plus ``PROJECTS_PER_AGENCY`` project sheets, each with
``INDICATORS_PER_SHEET`` indicators spelled as bureaus type them (labels, "≥95%" in one cell, weights
as numbers or text). At 180 counties of ~120 agencies that is ~110,000 sheets and ~1.1 million rows.

Called by bench_target_import.py inside a Django process pointed at the bench database."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

PROJECTS_PER_AGENCY = 4
INDICATORS_PER_SHEET = 10

#: (level 1, level 2, name, value cell, weight) — a 2021-taxonomy sheet of ten indicators; the name
#: gets a per-sheet suffix so sheets differ.
ROWS = [
    ("产出指标", "数量指标", "完成任务数量", "≥{n}个", 10),
    ("产出指标", "数量指标", "覆盖人数", "≥{m}人", 10),
    ("产出", "质量", "验收合格率", "100%", "10"),
    ("产出指标", "质量指标", "资金使用合规率", "=100%", 10),
    ("产出指标", "时效指标", "完成时间", "≤12月", 10),
    ("成本指标", "经济成本指标", "单位成本", "≤{c}万元", 10),
    ("效益指标", "社会效益指标", "服务水平", "明显提升", 10),
    ("效益指标", "可持续影响指标", "长效机制", "持续发挥作用", 10),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥{s}%", 10),
    ("效益指标", "经济效益指标", "带动收入增长", "≥{g}%", "10"),
]
HEADERS = ["对象类型", "单位编码", "项目编码", "名称", "年度", "版本号", "年度目标", "一级指标", "二级指标", "三级指标",
           "指标值", "分值"]


def build(workdir: Path, *, counties: int, seed: int = 1) -> dict:
    """Build the database (the current Django connection) and the workbooks into ``workdir``."""
    from django.db import transaction

    from jixiao.core.excel import Column, SheetData, write_fast
    from jixiao.org import demo
    from jixiao.org.models import Agency, Region, Sector
    from jixiao.projects.models import Project

    summary = demo.build_province(seed=seed, counties=counties)
    year = summary["year"]
    rng = random.Random(seed)
    education = Sector.objects.get(code="education")
    home = Region.objects.get(code="370724")
    regions = list(Region.objects.filter(level="county", code__startswith="37", agencies__isnull=False).exclude(pk=home.pk)
                   .distinct().order_by("code"))
    agencies: dict[int, list] = {}
    for pk, region_id, code, name in Agency.objects.filter(region__in=regions).values_list(
            "pk", "region_id", "code", "name").order_by("region_id", "code"):
        agencies.setdefault(region_id, []).append((pk, code, name))
    projects = []
    for region in regions:
        for pk, code, name in agencies.get(region.pk, []):
            for n in range(1, PROJECTS_PER_AGENCY + 1):
                projects.append(Project(
                    region_id=region.pk, agency_id=pk, code=f"XM{year}{code}{n:03d}", name=f"{name}项目{n}",
                    sector=education, budget_book="general_public", function_code="2050204", fund_sources=["own"],
                    requested_amount=Decimal(rng.randrange(10_000, 5_000_000)), year=year, start_year=year,
                    end_year=year, stage="admitted"))
    with transaction.atomic():
        Project.objects.bulk_create(projects, batch_size=5000)

    columns = [Column(h, h) for h in HEADERS]
    files = []
    total_rows = total_sheets = 0
    for region in regions:
        sheets = []
        for _, code, name in agencies.get(region.pk, []):
            sheets.append(("部门整体", code, "", name))
            sheets.extend(("项目", code, f"XM{year}{code}{n:03d}", f"{name}项目{n}")
                          for n in range(1, PROJECTS_PER_AGENCY + 1))

        def rows(sheets=sheets):
            for kind, agency_code, project_code, title in sheets:
                values = {"n": rng.randrange(2, 50), "m": rng.randrange(100, 5000), "c": rng.randrange(1, 90),
                          "s": rng.randrange(85, 99), "g": rng.randrange(1, 15)}
                for i, (l1, l2, nm, value, weight) in enumerate(ROWS):
                    yield {"对象类型": kind, "单位编码": agency_code, "项目编码": project_code, "名称": title,
                           "年度": year, "版本号": 1, "年度目标": f"{title}：完成年度任务，服务对象满意。" if i == 0 else None,
                           "一级指标": l1, "二级指标": l2, "三级指标": nm, "指标值": value.format(**values),
                           "分值": weight}

        path = workdir / f"targets-{region.code}.xlsx"
        write_fast(SheetData("绩效指标", columns, rows()), target=str(path))
        files.append({"region": region.pk, "code": region.code, "path": str(path),
                      "rows": len(sheets) * len(ROWS), "sheets": len(sheets)})
        total_rows += len(sheets) * len(ROWS)
        total_sheets += len(sheets)
    manifest = {"year": year, "files": files, "rows": total_rows, "sheets": total_sheets,
                "counties": len(regions), "agencies": summary["agencies"], "projects": len(projects)}
    (workdir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    return manifest

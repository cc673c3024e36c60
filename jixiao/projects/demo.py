"""Demo projects for 临朐县: about 600 projects and policies across the county's agencies, named by
sector (``data/demo_catalogue.py``), in every stage, adding up to several 亿元.

How they are made:
* most through :func:`services.bulk_create_projects` (set-based; one change-log row and one
  timeline entry "批量建档" per project — see its docstring), because the later stages
  (已纳入预算, 执行中, 已完结) cannot be reached through the stage services yet: 纳入预算 needs an approved
  target sheet and the targets app does not exist yet, so the target gate refuses (as it must);
* a dozen projects of the personas' agencies (第一中学, 农技中心) through the ordinary services with
  the persona logins — created, applied for (申报入库) and admitted by 绩效股 — so their detail pages show a
  real timeline.

New major projects and policies stay in 储备 or 已申报 (applied for, waiting for their ex-ante
assessment, which the assessment demo starts): none carries yet the supporting conclusion
先评估后入库 asks for (the bulk service refuses it too). No project is made in 评估中: that stage
belongs to an assessment under way.
Deterministic for the seed (``random.Random("projects-<seed>")``); idempotent: codes already in the
region are skipped, so a second run adds nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.core.actors import SYSTEM
from jixiao.core.money import from_wan
from jixiao.org.models import Agency, Sector
from jixiao.org.personas import HOME
from jixiao.projects import services
from jixiao.projects.choices import ProjectStage as S
from jixiao.projects.data.demo_catalogue import CATALOGUE
from jixiao.projects.models import Project

#: Stages of the projects that need no ex-ante assessment, with weights.
STAGE_WEIGHTS = [(S.RESERVE, 12), (S.SUBMITTED, 8), (S.ADMITTED, 14), (S.BUDGETED, 22), (S.EXECUTING, 32),
                 (S.COMPLETED, 8), (S.TERMINATED, 4)]
#: The personas' agencies whose projects go through the ordinary services (real timelines).
LIVE_AGENCIES = {"101001": "preparer", "102001": "preparer_agri"}


@dataclass
class PlannedProject:
    agency: str
    fields: dict
    stage: str
    data: dict = field(default_factory=dict)


def _short(name: str) -> str:
    for part in ("临朐县", "人民政府", "办事处"):
        name = name.replace(part, "")
    return name


def plan_projects(rng: random.Random, agencies: list[tuple[str, str, str, str]], *, year: int) -> list[PlannedProject]:
    """Pure: ``agencies`` are (code, name, sector code, kind) rows; returns the planned projects."""
    out: list[PlannedProject] = []
    for code, name, sector, kind in agencies:
        catalogue = CATALOGUE.get(sector) or CATALOGUE["general_public_services"]
        count = min(len(catalogue), rng.randint(3, 7))
        prefix = "" if kind == "department" else _short(name)
        for n, (title, fcode, lo, hi, pkind, marks) in enumerate(rng.sample(catalogue, count), start=1):
            is_new = rng.random() < 0.3
            is_major = "M" in marks and rng.random() < 0.4
            mid = (lo + hi) // 2  # majors take the upper half of the range, the others the lower
            low, high = (mid, hi) if is_major else (lo, mid)
            requested = Decimal(rng.randint(low * 100, high * 100)) / 100
            fund_sources, tags = ["own"], []
            if "T" in marks:
                fund_sources = ["higher_transfer"] if rng.random() < 0.4 else ["higher_transfer", "own"]
            if "D" in marks and rng.random() < 0.6:
                fund_sources.append("debt")
                tags.append("government_debt")
            if "X" in marks and rng.random() < 0.5:
                fund_sources.append("ppp")
                tags.append("ppp")
            if "P" in marks:
                tags.append("poverty")
            if is_new:
                start, end = year, year + rng.randint(0, 2)
            else:
                start, end = year - rng.randint(1, 3), year + rng.randint(0, 2)
            if is_new and is_major:
                stage = rng.choice([S.RESERVE, S.SUBMITTED])
            else:
                stage = rng.choices([s for s, _ in STAGE_WEIGHTS], [w for _, w in STAGE_WEIGHTS])[0]
            budget = Decimal(0)
            if stage in (S.BUDGETED, S.EXECUTING, S.COMPLETED):
                budget = (requested * rng.randint(80, 100) / 100).quantize(Decimal("0.01"))
            out.append(PlannedProject(code, {
                "code": f"XM{year}{code}{n:03d}", "name": f"{prefix}{title}", "kind": pkind, "sector_code": sector,
                "budget_book": "general_public", "function_code": fcode, "fund_sources": fund_sources,
                "requested_amount": from_wan(requested), "budget_amount": from_wan(budget), "is_new": is_new,
                "is_major": is_major, "tags": tags, "year": year, "start_year": start, "end_year": end,
                "description": f"{name}{title}，实施期 {start}–{end} 年。",
            }, stage))
    return out


def extend_county(*, world, seed: int, year: int) -> dict:
    region = world.regions[HOME]
    agencies = list(Agency.objects.filter(region=region, active=True).select_related("sector").order_by("code"))
    rows = [(a.code, a.name, a.sector.code if a.sector_id else "general_public_services", a.kind) for a in agencies]
    plan = plan_projects(random.Random(f"projects-{seed}"), rows, year=year)
    existing = set(Project.objects.filter(region=region).values_list("code", flat=True))
    by_code = {a.code: a for a in agencies}
    sectors = {s.code: s for s in Sector.objects.all()}
    live, bulk = [], []
    for p in plan:
        if p.fields["code"] in existing:
            continue
        fields = dict(p.fields)
        fields["sector"] = sectors[fields.pop("sector_code")]
        fields["agency"] = by_code[p.agency]
        if p.agency in LIVE_AGENCIES and p.stage in (S.RESERVE, S.SUBMITTED, S.ADMITTED):
            live.append((p, fields))
        else:
            bulk.append({**fields, "stage": p.stage})
    perf = world.user("perf_section")
    for p, fields in live:
        actor = world.user(LIVE_AGENCIES[p.agency])
        fields["budget_amount"] = 0
        project = services.create_project(actor=actor, region=region, **fields)
        if p.stage != S.RESERVE:
            project = services.submit_for_assessment(actor=actor, project=project, version=project.version,
                                                     note="单位申报入库")
        if p.stage == S.ADMITTED:
            services.admit(actor=perf, project=project, version=project.version, note="经审核，同意入库")
    made = services.bulk_create_projects(actor=SYSTEM, region=region, rows=bulk, note="演示数据建档") if bulk else []
    return {"projects_created": len(live) + len(made), "projects": Project.objects.filter(region=region).count()}
